import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { useCallback } from "react";
import { EmptyState } from "~/components/empty-state";
import { DashboardFiltersForm } from "~/components/kpis/dashboard-filters";
import { loadDashboard } from "~/components/kpis/dashboard.server";
import { DashboardView } from "~/components/kpis/dashboard-view";
import { dashboardSearch } from "~/components/kpis/filters";
import campaignStyles from "~/components/campaigns/campaigns.css?url";
import styles from "~/components/kpis/kpis.css?url";
import { RebuildButton, rollupActive, RollupStatus } from "~/components/kpis/rollup-progress";
import { Notice } from "~/components/notice";
import { PageHeader } from "~/components/page-header";
import { areaByPath } from "~/lib/areas";
import { formatDateMinute } from "~/lib/format";
import { usePolling } from "~/lib/use-polling";
import { useLive } from "~/live/use-live";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

const AREA = areaByPath("/dashboards");

// The contribution chart's colours come with the campaigns pages' stylesheet.
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "stylesheet", href: campaignStyles },
];

export const meta: MetaFunction = () => [{ title: `${AREA.label} · Quorum` }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadDashboard(request, context);
}

export default function Dashboards() {
  const data = useLoaderData<typeof loader>();
  const { payload, filters, status } = data;
  const revalidator = useRevalidator();
  // A finished roll-up (after an import, a publish or a rebuild) reloads the figures.
  const onLive = useCallback(() => {
    if (revalidator.state === "idle") revalidator.revalidate();
  }, [revalidator]);
  const live = useLive(data.tenantId, [`dashboards/${data.tenantId}`], onLive);
  const running = rollupActive(status);
  usePolling(running, 2000);
  const search = dashboardSearch({ ...filters, period: payload.period?.start ?? filters.period });
  const hasData = payload.period !== null;

  return (
    <div className="stack">
      <PageHeader
        title="Dashboards"
        description={
          hasData
            ? `${payload.period?.label}${filters.region ? ` · ${data.regions.find((r) => r.id === filters.region)?.name}` : ""}. KPIs per segment from the roll-ups${
                status.lastCompleted?.finishedAt ? ` of ${formatDateMinute(status.lastCompleted.finishedAt)}` : ""
              }.`
            : "KPIs per segment and period, rolled up by the workers after every import and publish."
        }
        actions={
          <>
            <span className={`dash-live${live.status === "live" ? " dash-live--live" : ""}`} title={live.error ?? undefined}>
              {live.status === "live" ? "Live" : live.status === "refused" ? "Not live" : "Connecting…"}
            </span>
            {hasData ? (
              <Link to={`/dashboards/print?${search}`} className="button button--secondary button--sm">
                Print / PDF
              </Link>
            ) : null}
            <Link to="/dashboards/kpis" className="button button--ghost button--sm">
              {data.mayConfigure ? "Manage KPIs" : "KPI definitions"}
            </Link>
          </>
        }
      />

      <RollupStatus status={status} compact={hasData} />
      {!hasData && running ? (
        <p className="muted rollup-explain">
          Every KPI is being computed for every segment, region and period from the imported transactions and events. The
          dashboard fills in by itself when they are done; you can leave this page open.
        </p>
      ) : null}

      {hasData ? (
        <>
          <DashboardFiltersForm
            filters={filters}
            periodStart={payload.period?.start ?? null}
            range={payload.range}
            regions={data.regions}
            segments={data.segmentChoices}
          />
          {data.segmentChoices.length === 0 ? (
            <Notice tone="info" title="No segments published yet">
              The dashboard shows all customers. Each published segment gets its own KPIs, trends and heat-map row here.{" "}
              <Link to="/segments">Go to Segments</Link>
            </Notice>
          ) : null}
          {payload.kpis.length === 0 ? (
            <EmptyState icon={AREA.icon} title="No KPIs defined">
              This workspace has no KPI definitions. {data.mayConfigure ? <Link to="/dashboards/kpis">Define a KPI</Link> : "Ask an analyst or admin to define them."}
            </EmptyState>
          ) : (
            <DashboardView payload={payload} filters={filters} colourOrder={data.segmentChoices.map((s) => s.id)} contribution={data.contribution} />
          )}
        </>
      ) : running ? null : (
        <EmptyState
          icon={AREA.icon}
          title="No roll-ups yet"
          features={AREA.features}
          action={data.mayConfigure ? <RebuildButton disabled={running} variant="primary" /> : undefined}
        >
          KPIs are computed from imported transactions and events, per segment and period. Import transactions on the{" "}
          <Link to="/data">Data</Link> page; roll-ups then run by themselves{data.mayConfigure ? ", or rebuild them now" : ""}.
        </EmptyState>
      )}
    </div>
  );
}
