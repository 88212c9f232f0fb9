import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { ModelsIcon, PlusIcon } from "~/components/icons";
import { RunsTable } from "~/components/models/runs-table";
import { PageHeader } from "~/components/page-header";
import { loadOrFail } from "~/lib/errors.server";
import { isRunActive } from "~/lib/models";
import { requirePermission } from "~/lib/session.server";
import { usePolling } from "~/lib/use-polling";
import { DownloadButton } from "~/components/download-button";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Models · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "model:read");
  return loadOrFail(request, async () => {
    const [runs, features, members] = await Promise.all([
      context.trpc.models.list({ limit: 100 }),
      context.trpc.models.features(),
      context.trpc.members.list(),
    ]);
    const names = new Map(members.map((m) => [m.userId, m.name]));
    return {
      runs: runs.map((r) => ({ ...r, createdByName: r.createdBy ? (names.get(r.createdBy) ?? null) : null })),
      labels: Object.fromEntries(features.map((f) => [f.field, f.label])),
      canRun: me.permissions.includes("model:run"),
    };
  });
}

export default function Models() {
  const { runs, labels, canRun } = useLoaderData<typeof loader>();
  usePolling(runs.some((r) => isRunActive(r.status)), 1500);
  const newRun = canRun ? (
    <Link to="/models/new" className="button button--primary">
      <PlusIcon width={16} height={16} />
      New model run
    </Link>
  ) : null;

  return (
    <>
      <PageHeader
        title="Models"
        description={
          canRun
            ? "Cluster your customers on the features you choose, see how many groups the data supports and what sets each apart, and turn a cluster into a segment proposal."
            : "Clustering runs on this workspace's customers: how many groups the data supports and what sets each apart. Owners, admins and analysts start runs."
        }
        actions={runs.length ? newRun : null}
      />
      {runs.length === 0 ? (
        <EmptyState
          icon={ModelsIcon}
          title="No model runs yet"
          features={[
            "k-means over the features you pick (RFM, tenure, your numeric attributes), each transformed as you choose",
            "For every k in a range: the elbow, silhouette, Calinski–Harabasz and Davies–Bouldin, with a recommended k and why",
            "A profile of each cluster against the whole base, a heat map and a 2-D map of customers",
            "Any cluster proposed as a segment for the committee to approve",
          ]}
          action={newRun}
        >
          A model run groups customers who look alike on the features you choose, tries several numbers of groups (k)
          and scores each one, so you can see which grouping the data supports before you name it a segment.
          {canRun ? "" : " Owners, admins and analysts start runs; you can read them here."}
        </EmptyState>
      ) : (
        <section className="card card--flush" aria-labelledby="runs-title">
          <div className="card__header card__header--padded">
            <div>
              <h2 id="runs-title" className="card__title">
                Model runs <span className="count">{runs.length}</span>
              </h2>
              <p className="card__subtitle">
                Newest first. Every run keeps its features, settings, seed and data snapshot, so it can be reproduced.
              </p>
            </div>
            <DownloadButton href="/models/runs.csv" small>CSV</DownloadButton>
          </div>
          <RunsTable runs={runs} labels={labels} />
        </section>
      )}
    </>
  );
}
