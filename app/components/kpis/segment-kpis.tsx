import { Link } from "@remix-run/react";
import { ChartCard } from "~/components/charts/chart-export";
import { SmallMultiples } from "~/components/charts/small-multiples";
import { formatDateMinute } from "~/lib/format";
import type { SegmentSeries } from "../../../server/services/kpis/types";
import { shortPeriod } from "./dashboard-model";
import { formatKpiValue } from "./format";

export interface SegmentAlert {
  id: string;
  kind: "drift" | "bias";
  band: string;
  message: string;
  createdAt: string;
}

/**
 * A segment's KPIs on its page: each KPI month by month against the segment's target (small
 * multiples, exportable), its open monitoring alerts (for roles that read monitoring; null
 * otherwise) and links to its SWOT board and the dashboard.
 */
export function SegmentKpis({ series, alerts }: { series: SegmentSeries; alerts: SegmentAlert[] | null }) {
  const panels = series.kpis
    .filter((k) => k.points.some((p) => p.value !== null))
    .map((k) => ({
      key: k.kpi.id,
      name: k.kpi.name,
      direction: k.kpi.direction,
      target: k.target,
      points: k.points.map((p) => ({ period: p.periodStart, value: p.value })),
    }));
  const units = new Map(series.kpis.map((k) => [k.kpi.id, k.kpi.unit]));
  const csv = {
    columns: ["segment", "kpi", "period_start", "period", "value", "target", "status"],
    rows: series.kpis.flatMap((k) => k.points.map((p) => [series.name, k.kpi.name, p.periodStart, p.label, p.value, k.target, p.status])),
  };
  const met = series.kpis.filter((k) => k.points.at(-1)?.status === "met").length;
  const missed = series.kpis.filter((k) => k.points.at(-1)?.status === "missed").length;

  return (
    <>
      <ChartCard
        title="KPIs over time"
        id="segment-kpis"
        subtitle={
          panels.length
            ? `Each KPI per month against this segment's target (dashed). ${
                met + missed ? `In the latest month ${met} met and ${missed} missed their target.` : "No KPI has a target for this segment yet."
              }`
            : undefined
        }
        data={csv}
        formats={panels.length ? undefined : []}
      >
        {panels.length ? (
          <SmallMultiples
            title={`KPIs of ${series.name} per month`}
            panels={panels}
            format={(key, v) => formatKpiValue(v, units.get(key) ?? "number", { compact: true })}
            periodLabel={(p) => shortPeriod("month", p)}
          />
        ) : (
          <p className="muted">
            No KPI values for this segment yet: they are rolled up after it is published and after each import.
          </p>
        )}
        <p className="segment-kpis__links">
          <Link to={`/dashboards?segment=${series.segmentId}&focus=${series.segmentId}`}>Open in the dashboard</Link>
          <Link to={`/swot/${series.segmentId}`}>SWOT board</Link>
          <Link to="/dashboards/kpis">Targets and owners</Link>
        </p>
      </ChartCard>
      {alerts ? (
        <section className="card" aria-labelledby="segment-alerts-title">
          <h2 className="card__title" id="segment-alerts-title">
            Open alerts
          </h2>
          {alerts.length ? (
            <ul className="segment-alerts">
              {alerts.map((a) => (
                <li key={a.id} className={`segment-alert segment-alert--${a.band}`}>
                  <span className="badge">{a.kind === "drift" ? "Drift" : "Bias"}</span>{" "}
                  <span className="muted small">{formatDateMinute(a.createdAt)}</span>
                  <p>{a.message}</p>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No open monitoring alerts for this segment.</p>
          )}
          <p className="small">
            <Link to="/monitoring">Monitoring</Link>
          </p>
        </section>
      ) : null}
    </>
  );
}
