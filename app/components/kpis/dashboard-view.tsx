import { Form, Link, useSubmit } from "@remix-run/react";
import { ChartCard } from "~/components/charts/chart-export";
import { ContributionChart, type ContributionRow } from "~/components/charts/contribution-chart";
import { HeatMap } from "~/components/charts/heat-map";
import { KpiTile } from "~/components/charts/kpi-tile";
import { LiftChart } from "~/components/charts/lift-chart";
import { TrendChart } from "~/components/charts/trend-chart";
import type { DashboardPayload } from "../../../server/services/kpis/types";
import {
  allCustomersId,
  contributionCsv,
  type ContributionData,
  heatModel,
  liftCsv,
  liftRows,
  shortPeriod,
  tilesCsv,
  tilesFor,
  trendCsv,
  trendSeries,
} from "./dashboard-model";
import { dashboardSearch, type DashboardFilters } from "./filters";
import { compactNumber, formatKpiValue } from "./format";

interface DashboardViewProps {
  payload: DashboardPayload;
  filters: DashboardFilters;
  /** Every active segment's id in order: their colours (the same whatever the filter shows). */
  colourOrder: string[];
  /** Revenue against cost to serve per segment over the period (campaigns.contribution). */
  contribution: (ContributionData & { segments: ContributionRow[] }) | null;
}

/** Hidden inputs carrying the current filters, except `omit`, for the small forms inside cards. */
function HiddenFilters({ filters, omit }: { filters: DashboardFilters; omit: keyof DashboardFilters }) {
  const params = new URLSearchParams(dashboardSearch({ ...filters, [omit]: omit === "segments" ? [] : null }));
  return (
    <>
      {[...params.entries()]
        .filter(([k]) => k !== (omit === "segments" ? "segment" : omit))
        .map(([k, v], i) => (
          <input key={`${k}-${i}`} type="hidden" name={k} value={v} />
        ))}
    </>
  );
}

/**
 * The executive dashboard's charts for one period: KPI tiles (value, change, bullet against
 * target), segment size and revenue trends, the segment × KPI heat map, revenue lift and the
 * contribution view. Used by the dashboard page and its print view.
 */
export function DashboardView({ payload, filters, colourOrder, contribution }: DashboardViewProps) {
  const submit = useSubmit();
  const period = payload.period;
  const previous = payload.previous;
  const allId = allCustomersId(payload);
  const focus = filters.focus && payload.segments.some((s) => s.id === filters.focus) ? filters.focus : allId;
  const focusName = payload.segments.find((s) => s.id === focus)?.name ?? "All customers";
  const tiles = tilesFor(payload, focus);
  // Without any target the heat map would be all grey: compare with all customers instead.
  const heatRef = filters.heat ?? (payload.cells.some((c) => c.target !== null) ? "target" : "all");
  const heat = heatModel(payload, heatRef, colourOrder);
  const sizeSeries = trendSeries(payload, "members", colourOrder);
  const revenueSeries = trendSeries(payload, "revenue", colourOrder);
  const lift = liftRows(payload, colourOrder);
  const revenueKpi = payload.kpis.find((k) => k.key === "revenue");
  const money = (v: number) => formatKpiValue(v, revenueKpi?.unit ?? "currency", { compact: true });
  const label = (p: string) => shortPeriod(payload.grain, p);
  const fullLabel = (p: string) => payload.trends.flatMap((t) => t.points).find((q) => q.periodStart === p)?.label ?? p;
  const segmentsOnly = payload.segments.filter((s) => !s.allCustomers);

  return (
    <>
      <ChartCard
        title={`KPIs · ${focusName}`}
        id="kpi-tiles"
        subtitle={
          <>
            {period ? period.label : ""}
            {previous ? `, compared with ${previous.label}` : ""}. Arrows are green when the move is good news for that KPI; the
            bar is the value, the black tick the target, the circle the previous period.
          </>
        }
        data={tilesCsv(payload, focus)}
        formats={["csv"]}
      >
        {segmentsOnly.length ? (
          <Form method="get" className="dash-focus no-print">
            <HiddenFilters filters={filters} omit="focus" />
            <label className="field field--inline">
              <span className="field__label">Tiles for</span>
              <select
                name="focus"
                className="input input--sm"
                defaultValue={focus === allId ? "" : focus}
                key={focus}
                onChange={(e) => submit(e.currentTarget.form, { preventScrollReset: true })}
              >
                <option value="">All customers</option>
                {segmentsOnly.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            </label>
            <noscript>
              <button type="submit" className="button button--secondary button--sm">
                Show
              </button>
            </noscript>
          </Form>
        ) : null}
        <div className="kpi-grid">
          {tiles.map((t) => (
            <KpiTile
              key={t.kpiId}
              name={t.name}
              kind={t.unit}
              direction={t.direction}
              value={t.value}
              previous={t.previous}
              target={t.target}
              owner={t.owner}
              periodLabel={period?.label ?? ""}
              previousLabel={previous?.label ?? "the previous period"}
            />
          ))}
        </div>
      </ChartCard>

      {segmentsOnly.length ? (
        <div className="dash-trends">
          <ChartCard
            title="Segment size"
            subtitle="Published members per period."
            data={trendCsv(payload, "members")}
          >
            <TrendChart
              series={sizeSeries}
              title="Segment size per period"
              yLabel="Members"
              format={(v) => formatKpiValue(v, "count")}
              tickFormat={compactNumber}
              periodLabel={label}
              tooltipLabel={fullLabel}
            />
          </ChartCard>
          <ChartCard title="Revenue" subtitle="Members' revenue per period." data={trendCsv(payload, "revenue")}>
            <TrendChart
              series={revenueSeries}
              title="Revenue per segment per period"
              yLabel="Revenue"
              format={(v) => formatKpiValue(v, revenueKpi?.unit ?? "currency")}
              tickFormat={compactNumber}
              periodLabel={label}
              tooltipLabel={fullLabel}
            />
          </ChartCard>
        </div>
      ) : null}

      <ChartCard
        title="Segments × KPIs"
        id="heat-map"
        subtitle={
          <>
            Each segment&apos;s value for {period?.label ?? "the period"}; colour: how far it is from{" "}
            {heatRef === "target"
              ? "its target"
              : "all customers (for totals such as revenue: all customers' total × the segment's share of customers)"}
            , blue better and red worse in the KPI&apos;s direction.{" "}
            <span className="dash-toggle no-print" role="group" aria-label="Compare with">
              <Link
                to={`?${dashboardSearch({ ...filters, heat: "target" })}`}
                aria-current={heatRef === "target" ? "true" : undefined}
                preventScrollReset
              >
                vs target
              </Link>
              <Link
                to={`?${dashboardSearch({ ...filters, heat: "all" })}`}
                aria-current={heatRef === "all" ? "true" : undefined}
                preventScrollReset
              >
                vs all customers
              </Link>
            </span>
          </>
        }
        data={heat.csv}
      >
        <HeatMap
          title={`Segments by KPI, ${period?.label ?? ""}`}
          rows={heat.rows}
          columns={heat.columns}
          cells={heat.cells}
          referenceName={heatRef === "target" ? "target" : "all customers"}
        />
      </ChartCard>

      <div className="dash-pair">
        {lift.length ? (
          <ChartCard
            title="Revenue lift"
            id="lift"
            subtitle="Actual revenue against expected: what the segment would bring if its members spent like all customers (its share of customers × total revenue)."
            data={liftCsv(payload)}
          >
            <LiftChart
              title={`Revenue, actual against expected, ${period?.label ?? ""}`}
              rows={lift}
              measure="Revenue"
              expectedMeans="share of customers × all revenue"
              format={money}
              tickFormat={compactNumber}
            />
          </ChartCard>
        ) : null}
        {contribution && contribution.segments.length ? (
          <ChartCard
            title="Contribution"
            id="contribution"
            subtitle={`Revenue against cost to serve and campaign cost per segment, ${contribution.from} to ${contribution.to}, all regions; contribution = revenue × ${Math.round(contribution.margin * 100)}% margin − costs.`}
            data={contributionCsv(contribution)}
          >
            <ContributionChart rows={contribution.segments} title={`Contribution per segment, ${period?.label ?? ""}`} />
          </ChartCard>
        ) : null}
      </div>
    </>
  );
}
