import type { ChartData } from "~/components/charts/chart-export";
import type { HeatCell } from "~/components/charts/heat-map";
import type { LiftRow as LiftChartRow } from "~/components/charts/lift-chart";
import type { TrendSeries } from "~/components/charts/trend-chart";
import type { DashboardPayload, KpiCell, KpiGrain } from "../../../server/services/kpis/types";
import { formatKpiValue, performance, segmentColour } from "./format";

/**
 * From the dashboard's payload (kpis.dashboard) to what each chart draws and the CSV behind it.
 * Pure: the same figures the service returned, only arranged; CSV cells carry the raw numbers.
 */

export type HeatReference = "target" | "all";

const cellKey = (segmentId: string, kpiId: string) => `${segmentId}/${kpiId}`;

/** The whole business's id in the payload (the segment marked allCustomers). */
export function allCustomersId(payload: DashboardPayload): string {
  return payload.segments.find((s) => s.allCustomers)?.id ?? "";
}

export function cellIndex(payload: DashboardPayload): Map<string, KpiCell> {
  return new Map(payload.cells.map((c) => [cellKey(c.segmentId, c.kpiId), c]));
}

/**
 * Each segment's colour: the whole business grey, the others by their position in `order` (all
 * active segments, so a segment keeps its colour when the filter shows only some), else in the
 * payload.
 */
export function segmentColours(payload: DashboardPayload, order: string[] = []): Map<string, string> {
  const colours = new Map<string, string>();
  let i = 0;
  for (const s of payload.segments) {
    const at = order.indexOf(s.id);
    colours.set(s.id, s.allCustomers ? "#667085" : segmentColour(at >= 0 ? at : order.length + i));
    if (!s.allCustomers && at < 0) i++;
  }
  return colours;
}

export interface Tile {
  kpiId: string;
  name: string;
  unit: DashboardPayload["kpis"][number]["unit"];
  direction: DashboardPayload["kpis"][number]["direction"];
  owner: string | null;
  value: number | null;
  previous: number | null;
  target: number | null;
}

/** One tile per KPI for one segment (the whole business by default). */
export function tilesFor(payload: DashboardPayload, segmentId: string = allCustomersId(payload)): Tile[] {
  const cells = cellIndex(payload);
  return payload.kpis.map((k) => {
    const c = cells.get(cellKey(segmentId, k.id));
    return {
      kpiId: k.id,
      name: k.name,
      unit: k.unit,
      direction: k.direction,
      owner: k.ownerName,
      value: c?.value ?? null,
      previous: c?.previous ?? null,
      target: c?.target ?? null,
    };
  });
}

export function tilesCsv(payload: DashboardPayload, segmentId: string = allCustomersId(payload)): ChartData {
  const segment = payload.segments.find((s) => s.id === segmentId)?.name ?? "";
  return {
    columns: ["period", "segment", "kpi", "unit", "direction", "value", "previous", "target", "owner"],
    rows: tilesFor(payload, segmentId).map((t) => [
      payload.period?.start ?? "",
      segment,
      t.name,
      t.unit,
      t.direction,
      t.value,
      t.previous,
      t.target,
      t.owner,
    ]),
  };
}

/** Segment size or revenue over the trend periods, one line per segment (not the whole business). */
export function trendSeries(payload: DashboardPayload, measure: "members" | "revenue", order: string[] = []): TrendSeries[] {
  const colours = segmentColours(payload, order);
  const byId = new Map(payload.trends.map((t) => [t.segmentId, t.points]));
  return payload.segments
    .filter((s) => !s.allCustomers)
    .map((s) => ({
      key: s.id,
      name: s.name,
      colour: colours.get(s.id) ?? "#667085",
      points: (byId.get(s.id) ?? []).map((p) => ({ period: p.periodStart, value: p[measure] })),
    }));
}

export function trendCsv(payload: DashboardPayload, measure: "members" | "revenue"): ChartData {
  const names = new Map(payload.segments.filter((s) => !s.allCustomers).map((s) => [s.id, s.name]));
  return {
    columns: ["period_start", "period", "segment", measure],
    rows: payload.trends
      .filter((t) => names.has(t.segmentId))
      .flatMap((t) => t.points.map((p) => [p.periodStart, p.label, names.get(t.segmentId) ?? "", p[measure]])),
  };
}

export interface HeatModel {
  rows: { key: string; name: string; colour: string }[];
  columns: { key: string; name: string }[];
  cells: HeatCell[][];
  csv: ChartData;
}

type KpiView = DashboardPayload["kpis"][number];

const ADDITIVE_BUILTINS = new Set(["segment_size", "revenue", "orders", "share_of_revenue"]);

/**
 * Whether a KPI adds up over customers (a total: revenue, orders, a count or sum of events),
 * so that a segment's value grows with its size. Rates, averages and ratios do not.
 */
export function isAdditive(kpi: Pick<KpiView, "builtin" | "spec">): boolean {
  if (kpi.builtin) return ADDITIVE_BUILTINS.has(kpi.builtin);
  return kpi.spec?.kind === "aggregate" && kpi.spec.measure.aggregate !== "average";
}

/**
 * What a segment's value is compared with in the heat map. Against targets: its target.
 * Against all customers: the whole business's value for a rate or average; for a total, the
 * whole business's value scaled to the segment's share of the customers (what it would be if its
 * members were like everyone else: the lift's "expected"); segment size itself has no such
 * reference.
 */
export function heatReference(
  kpi: Pick<KpiView, "builtin" | "spec">,
  reference: HeatReference,
  cell: { target: number | null } | undefined,
  allValue: number | null,
  share: number | null,
): number | null {
  if (reference === "target") return cell?.target ?? null;
  if (allValue === null) return null;
  if (!isAdditive(kpi)) return allValue;
  if (kpi.builtin === "segment_size" || share === null) return null;
  return allValue * share;
}

/**
 * Segments × KPIs, coloured by performance against each segment's target, or against all
 * customers (see heatReference), signed by the KPI's direction.
 */
export function heatModel(payload: DashboardPayload, reference: HeatReference, order: string[] = []): HeatModel {
  const cells = cellIndex(payload);
  const colours = segmentColours(payload, order);
  const allId = allCustomersId(payload);
  const allMembers = payload.segments.find((s) => s.allCustomers)?.members ?? 0;
  const rows = payload.segments.map((s) => ({ key: s.id, name: s.name, colour: colours.get(s.id) ?? "#667085" }));
  const columns = payload.kpis.map((k) => ({ key: k.id, name: k.name }));
  const csvRows: ChartData["rows"] = [];
  const grid = payload.segments.map((s) =>
    payload.kpis.map((k): HeatCell => {
      const c = cells.get(cellKey(s.id, k.id));
      const all = cells.get(cellKey(allId, k.id));
      const value = c?.value ?? null;
      const share = allMembers > 0 ? s.members / allMembers : null;
      const ref = heatReference(k, reference, c, all?.value ?? null, share);
      const perf = performance(value, ref, k.direction);
      csvRows.push([s.name, k.name, k.unit, value, c?.target ?? null, all?.value ?? null, ref, perf]);
      const scaled = reference === "all" && isAdditive(k) && k.builtin !== "segment_size";
      return {
        text: formatKpiValue(value, k.unit, { compact: true }),
        perf,
        referenceText:
          ref === null
            ? reference === "target"
              ? "no target"
              : k.builtin === "segment_size"
                ? "none (a segment is part of all customers)"
                : "no all-customers value"
            : reference === "target"
              ? `target ${formatKpiValue(ref, k.unit, { compact: true })}`
              : scaled
                ? `${formatKpiValue(ref, k.unit, { compact: true })}: all customers × its ${(100 * (share ?? 0)).toFixed(1)}% of customers`
                : `all customers ${formatKpiValue(ref, k.unit, { compact: true })}`,
      };
    }),
  );
  return {
    rows,
    columns,
    cells: grid,
    csv: {
      columns: ["segment", "kpi", "unit", "value", "target", "all_customers", "reference", reference === "target" ? "vs_target" : "vs_all_customers"],
      rows: csvRows,
    },
  };
}

export function liftRows(payload: DashboardPayload, order: string[] = []): LiftChartRow[] {
  const colours = segmentColours(payload, order);
  return payload.lift.rows.map((r) => ({
    key: r.segmentId,
    name: r.name,
    colour: colours.get(r.segmentId) ?? "#667085",
    actual: r.actual,
    expected: r.expected,
  }));
}

export function liftCsv(payload: DashboardPayload): ChartData {
  return {
    columns: ["segment", "customer_share", "actual_revenue", "expected_revenue", "lift"],
    rows: payload.lift.rows.map((r) => [r.name, r.customerShare, r.actual, r.expected, r.lift]),
  };
}

const SHORT_MONTH = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A period start written short, for an axis: "7 Nov" (day, week), "Nov 2011", "Q4 2011". */
export function shortPeriod(grain: KpiGrain, start: string): string {
  const [y, m, d] = start.split("-").map(Number);
  if (grain === "quarter") return `Q${Math.floor((m - 1) / 3) + 1} ${y}`;
  if (grain === "month") return `${SHORT_MONTH[m - 1]} ${y}`;
  return `${d} ${SHORT_MONTH[m - 1]}`;
}

export interface ContributionData {
  from: string;
  to: string;
  margin: number;
  segments: { name: string; customers: number; revenue: number; costToServe: number; campaignCost: number; contribution: number }[];
}

export function contributionCsv(data: ContributionData): ChartData {
  return {
    columns: ["from", "to", "segment", "customers", "revenue", "margin", "cost_to_serve", "campaign_cost", "contribution"],
    rows: data.segments.map((s) => [data.from, data.to, s.name, s.customers, s.revenue, data.margin, s.costToServe, s.campaignCost, s.contribution]),
  };
}
