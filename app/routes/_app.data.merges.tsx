import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { MergeRow } from "~/components/data/merge-row";
import { EmptyState } from "~/components/empty-state";
import { SessionsIcon } from "~/components/icons";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Merged duplicates · Data · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "data:read");
  const merges = await loadOrFail(request, () => context.trpc.data.merges());
  return { merges, canUndo: me.permissions.includes("data:configure") };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  try {
    await context.trpc.data.undoMerge({ mergeId: field(form, "mergeId") });
    return { ok: true as const, formError: null };
  } catch (error) {
    return { ok: false as const, formError: formFailure(error, request).formError };
  }
}

export default function Merges() {
  const { merges, canUndo } = useLoaderData<typeof loader>();
  const active = merges.filter((m) => !m.undoneAt).length;
  const columns = canUndo ? 6 : 5;
  return (
    <section className="card card--flush" aria-labelledby="merges-title">
      <div className="card__header card__header--padded">
        <div>
          <h2 id="merges-title" className="card__title">
            Merged duplicates <span className="count">{active}</span>
          </h2>
          <p className="card__subtitle">
            Customer records that share an email or a phone number are merged into the oldest one (the survivor), whose
            RFM features then count the transactions of both.{" "}
            {canUndo
              ? "Undo a merge that is wrong: the pair is then never merged automatically again."
              : "Owners, admins and analysts can undo a wrong merge."}
          </p>
        </div>
      </div>
      {merges.length ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Survivor</th>
                <th scope="col">Merged into it</th>
                <th scope="col">Matched on</th>
                <th scope="col">When</th>
                <th scope="col">Status</th>
                {canUndo ? (
                  <th scope="col" className="table__actions">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {merges.map((m) => (
                <MergeRow key={m.id} merge={m} canUndo={canUndo} columns={columns} />
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <EmptyState icon={SessionsIcon} title="No duplicates merged">
          When an import brings in customers that share a normalised email or phone number with another customer, they
          are merged into one and listed here.
        </EmptyState>
      )}
    </section>
  );
}
