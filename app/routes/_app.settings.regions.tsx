import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { TextField } from "~/components/form-field";
import { MapPinIcon } from "~/components/icons";
import { Notice } from "~/components/notice";
import { RegionRow } from "~/components/region-row";
import { SubmitButton } from "~/components/submit-button";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Regions · Settings · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "region:read");
  return loadOrFail(request, async () => {
    const [regions, members] = await Promise.all([context.trpc.regions.list(), context.trpc.members.list()]);
    const contributors = Object.fromEntries(
      regions.map((r) => [r.id, members.filter((m) => m.regionIds.includes(r.id)).length])
    );
    return { regions, contributors, canManage: me.permissions.includes("region:manage") };
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const intent = field(form, "intent");
  const values = { name: field(form, "name") };
  try {
    if (intent === "create") {
      const region = await context.trpc.regions.create(values);
      return { intent, ok: true as const, created: region.name };
    }
    if (intent === "rename")
      await context.trpc.regions.rename({ regionId: field(form, "regionId"), name: values.name });
    else if (intent === "delete") await context.trpc.regions.delete({ regionId: field(form, "regionId") });
    else
      return {
        intent,
        ok: false as const,
        formError: "Unknown action. Reload the page and try again.",
        fieldErrors: {},
        values,
      };
    return { intent, ok: true as const };
  } catch (error) {
    return { intent, ok: false as const, ...formFailure(error, request), values };
  }
}

export default function Regions() {
  const { regions, contributors, canManage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure = result && !result.ok && result.intent === "create" ? result : null;
  const created = result?.ok && result.intent === "create" ? result.created : null;
  return (
    <div className="stack">
      {canManage ? (
        <section className="card" aria-labelledby="new-region-title">
          <h2 id="new-region-title" className="card__title">
            Add a region
          </h2>
          <p className="card__subtitle">
            Regions are the markets your teams cover. Contributors can be limited to some of them, and propose segment
            variants for their regions.
          </p>
          <Form method="post" className="form" noValidate key={created ?? "new"}>
            {failure?.formError ? <Notice tone="error">{failure.formError}</Notice> : null}
            {created ? <Notice tone="success">Region “{created}” added.</Notice> : null}
            <div className="form-row form-row--end">
              <TextField
                label="Region name"
                name="name"
                required
                maxLength={60}
                placeholder="e.g. EMEA"
                defaultValue={failure?.values.name}
                error={failure?.fieldErrors.name}
                fieldClassName="form-row__grow"
              />
              <SubmitButton intent="create" pendingLabel="Adding…">
                Add region
              </SubmitButton>
            </div>
          </Form>
        </section>
      ) : null}

      <section className="card card--flush" aria-labelledby="regions-title">
        <div className="card__header card__header--padded">
          <h2 id="regions-title" className="card__title">
            Regions <span className="count">{regions.length}</span>
          </h2>
        </div>
        {regions.length ? (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Limited contributors</th>
                  <th scope="col">Created</th>
                  {canManage ? (
                    <th scope="col" className="table__actions">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {regions.map((r) => (
                  <RegionRow key={r.id} region={r} contributors={contributors[r.id] ?? 0} canManage={canManage} />
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <EmptyState icon={MapPinIcon} title="No regions yet">
            {canManage
              ? "Add the markets your teams cover, such as EMEA or North America, to scope regional contributors and their proposals."
              : "The workspace's admins have not added regions yet. Regions scope regional contributors and their proposals."}
          </EmptyState>
        )}
      </section>
    </div>
  );
}
