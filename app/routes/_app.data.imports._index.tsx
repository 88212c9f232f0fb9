import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ImportsTable } from "~/components/data/imports-table";
import { EmptyState } from "~/components/empty-state";
import { DataIcon, PlusIcon } from "~/components/icons";
import { isActive } from "~/lib/data";
import { loadOrFail } from "~/lib/errors.server";
import { requirePermission } from "~/lib/session.server";
import { usePolling } from "~/lib/use-polling";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Imports · Data · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "data:read");
  const imports = await loadOrFail(request, () => context.trpc.data.imports());
  return { imports, canImport: me.permissions.includes("data:import") };
}

export default function Imports() {
  const { imports, canImport } = useLoaderData<typeof loader>();
  usePolling(imports.some((i) => isActive(i.status)));
  return (
    <section className="card card--flush" aria-labelledby="imports-title">
      <div className="card__header card__header--padded">
        <div>
          <h2 id="imports-title" className="card__title">
            Imports <span className="count">{imports.length}</span>
          </h2>
          <p className="card__subtitle">
            Every uploaded file, newest first. An import is all or nothing: a failed or cancelled one leaves no rows
            behind.
          </p>
        </div>
      </div>
      {imports.length ? (
        <ImportsTable imports={imports} />
      ) : (
        <EmptyState
          icon={DataIcon}
          title="No imports yet"
          action={
            canImport ? (
              <Link to="/data/imports/new" className="button button--primary">
                <PlusIcon width={16} height={16} />
                Upload a file
              </Link>
            ) : null
          }
        >
          Customer and transaction files uploaded to this workspace appear here with their status, counts and
          data-quality report.
        </EmptyState>
      )}
    </section>
  );
}
