import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { loadDashboard } from "~/components/kpis/dashboard.server";
import { DashboardView } from "~/components/kpis/dashboard-view";
import { dashboardSearch, GRAIN_LABELS } from "~/components/kpis/filters";
import campaignStyles from "~/components/campaigns/campaigns.css?url";
import styles from "~/components/kpis/kpis.css?url";
import { Notice } from "~/components/notice";
import { formatDateMinute } from "~/lib/format";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

// The contribution chart's colours come with the campaigns pages' stylesheet.
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "stylesheet", href: campaignStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Board pack${data?.payload.period ? ` · ${data.payload.period.label}` : ""} · Quorum` },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  return { ...(await loadDashboard(request, context)), generatedAt: new Date().toISOString() };
}

/**
 * The dashboard laid out for A4 landscape (board packs): a fixed-width sheet so the charts are
 * drawn at the printed width, the filters written out instead of shown as controls, no
 * navigation. Print it, or save it as PDF, from the browser.
 */
export default function DashboardPrint() {
  const data = useLoaderData<typeof loader>();
  const { payload, filters } = data;
  const region = filters.region ? data.regions.find((r) => r.id === filters.region)?.name : null;
  const chosen = data.segmentChoices.filter((s) => filters.segments.includes(s.id)).map((s) => s.name);
  return (
    <div className="print-sheet">
      <div className="print-toolbar no-print">
        <Link to={`/dashboards?${dashboardSearch(filters)}`} className="button button--ghost button--sm">
          ← Back to the dashboard
        </Link>
        <button type="button" className="button button--primary button--sm" onClick={() => window.print()}>
          Print or save as PDF
        </button>
        <span className="muted small">A4 landscape.</span>
      </div>
      <header className="print-header">
        <h1 className="page-header__title">
          {data.workspaceName} · KPI dashboard
        </h1>
        <p className="muted">
          {payload.period ? payload.period.label : "No roll-ups yet"} ({GRAIN_LABELS[filters.grain].toLowerCase()})
          {payload.previous ? `, compared with ${payload.previous.label}` : ""} · {region ?? "All regions"} ·{" "}
          {chosen.length ? chosen.join(", ") : "All segments"} · Generated {formatDateMinute(data.generatedAt)}
          {data.status.lastCompleted?.finishedAt ? ` from the roll-ups of ${formatDateMinute(data.status.lastCompleted.finishedAt)}` : ""}
        </p>
      </header>
      {payload.period ? (
        <DashboardView payload={payload} filters={filters} colourOrder={data.segmentChoices.map((s) => s.id)} contribution={data.contribution} />
      ) : (
        <Notice tone="info">There is nothing to print yet: no roll-ups have been computed.</Notice>
      )}
    </div>
  );
}
