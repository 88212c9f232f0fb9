import { describe, expect, it } from "vitest";
import { heatModel, isAdditive, liftCsv, shortPeriod, tilesFor, trendCsv, trendSeries } from "../../app/components/kpis/dashboard-model";
import { dashboardSearch, parseDashboardFilters, periodOptions } from "../../app/components/kpis/filters";
import { formValuesOf, specFromForm } from "../../app/components/kpis/kpi-form-values";
import type { DashboardPayload, KpiCell, KpiDefinitionView } from "../../server/services/kpis/types";

/**
 * The dashboard's arrangement of a payload, on a small hand-made one: tiles of the chosen
 * segment, trend series without the whole business, the heat map's references (targets; all
 * customers for rates; all customers × share of customers for totals) and its CSV; the URL
 * filters; the custom-KPI form's round trip.
 */

const ALL = "00000000-0000-0000-0000-000000000000";
const GOLD = "11111111-1111-4111-8111-111111111111";
const LATE = "22222222-2222-4222-8222-222222222222";

function kpi(id: string, key: string, unit: KpiDefinitionView["unit"], direction: KpiDefinitionView["direction"]): KpiDefinitionView {
  return { id, key, name: key, description: "", builtin: key, spec: null, unit, direction, ownerUserId: null, ownerName: null, targets: [], updatedAt: "" };
}

function cell(segmentId: string, kpiId: string, value: number | null, previous: number | null, target: number | null = null): KpiCell {
  return { kpiId, segmentId, value, previous, change: null, target, status: "no-target", relative: null, numerator: null, denominator: null, customers: 0 };
}

const payload: DashboardPayload = {
  grain: "month",
  regionId: null,
  period: { grain: "month", start: "2025-06-01", end: "2025-07-01", label: "June 2025" },
  previous: { grain: "month", start: "2025-05-01", end: "2025-06-01", label: "May 2025" },
  range: { first: "2025-01-01", last: "2025-06-01" },
  kpis: [kpi("k1", "revenue", "currency", "higher"), kpi("k2", "churn_rate", "percent", "lower"), kpi("k3", "segment_size", "count", "higher")],
  segments: [
    { id: ALL, name: "All customers", allCustomers: true, members: 1000 },
    { id: GOLD, name: "Gold", allCustomers: false, members: 100 },
    { id: LATE, name: "Lapsed", allCustomers: false, members: 400 },
  ],
  cells: [
    cell(ALL, "k1", 50_000, 40_000),
    cell(ALL, "k2", 0.2, 0.25),
    cell(ALL, "k3", 1000, 1000),
    cell(GOLD, "k1", 15_000, 12_000, 12_000),
    cell(GOLD, "k2", 0.1, 0.1, 0.15),
    cell(GOLD, "k3", 100, 90),
    cell(LATE, "k1", 4_000, 6_000, 10_000),
    cell(LATE, "k2", 0.5, null),
    cell(LATE, "k3", 400, 410),
  ],
  trends: [
    { segmentId: ALL, points: [{ periodStart: "2025-06-01", label: "June 2025", members: 1000, active: 600, revenue: 50_000 }] },
    {
      segmentId: GOLD,
      points: [
        { periodStart: "2025-05-01", label: "May 2025", members: 90, active: 80, revenue: 12_000 },
        { periodStart: "2025-06-01", label: "June 2025", members: 100, active: 90, revenue: 15_000 },
      ],
    },
  ],
  lift: {
    kpiKey: "revenue",
    rows: [{ segmentId: GOLD, name: "Gold", customerShare: 0.1, actual: 15_000, expected: 5_000, lift: 3 }],
  },
  latestRun: null,
};

describe("dashboard model", () => {
  it("gives the tiles of the whole business by default, or of a chosen segment", () => {
    expect(tilesFor(payload).map((t) => [t.name, t.value, t.previous, t.target])).toEqual([
      ["revenue", 50_000, 40_000, null],
      ["churn_rate", 0.2, 0.25, null],
      ["segment_size", 1000, 1000, null],
    ]);
    expect(tilesFor(payload, GOLD)[0]).toMatchObject({ value: 15_000, previous: 12_000, target: 12_000 });
  });

  it("draws trends per segment without the whole business, keeping colours by the active list", () => {
    const series = trendSeries(payload, "revenue", [LATE, GOLD]);
    expect(series.map((s) => s.name)).toEqual(["Gold", "Lapsed"]);
    // Gold is second in the active list: Tableau10's second colour; Lapsed has no points.
    expect(series[0].colour).toBe("#f28e2c");
    expect(series[0].points).toEqual([
      { period: "2025-05-01", value: 12_000 },
      { period: "2025-06-01", value: 15_000 },
    ]);
    expect(series[1].points).toEqual([]);
    expect(trendCsv(payload, "members").rows).toEqual([
      ["2025-05-01", "May 2025", "Gold", 90],
      ["2025-06-01", "June 2025", "Gold", 100],
    ]);
  });

  it("colours against targets: +25% for Gold's revenue, −60% for Lapsed's, +33% for Gold's lower churn", () => {
    const heat = heatModel(payload, "target");
    const gold = heat.cells[1];
    expect(gold[0].perf).toBeCloseTo(0.25, 12);
    // Churn lower is better: (0.1 − 0.15) / 0.15 = −1/3, negated.
    expect(gold[1].perf).toBeCloseTo(1 / 3, 12);
    expect(gold[2].perf).toBeNull();
    expect(heat.cells[2][0].perf).toBeCloseTo(-0.6, 12);
    expect(heat.cells[0][0]).toMatchObject({ perf: null, referenceText: "no target" });
  });

  it("colours against all customers: a rate as is, a total scaled to the segment's share, size not at all", () => {
    const heat = heatModel(payload, "all");
    // Gold revenue 15,000 against 50,000 × 100/1000 = 5,000: +200%.
    expect(heat.cells[1][0].perf).toBeCloseTo(2, 12);
    expect(heat.cells[1][0].referenceText).toBe("5,000.00: all customers × its 10.0% of customers");
    // Lapsed churn 0.5 against 0.2, lower better: −150%.
    expect(heat.cells[2][1].perf).toBeCloseTo(-1.5, 12);
    expect(heat.cells[1][2].perf).toBeNull();
    expect(heat.csv.columns).toEqual(["segment", "kpi", "unit", "value", "target", "all_customers", "reference", "vs_all_customers"]);
    expect(heat.csv.rows[3]).toEqual(["Gold", "revenue", "currency", 15_000, 12_000, 50_000, 5_000, 2]);
    expect(heat.csv.rows).toHaveLength(9);
  });

  it("knows totals from rates", () => {
    expect(isAdditive({ builtin: "revenue", spec: null })).toBe(true);
    expect(isAdditive({ builtin: "average_order_value", spec: null })).toBe(false);
    expect(isAdditive({ builtin: null, spec: { kind: "aggregate", measure: { source: "events", aggregate: "count", filter: {} } } })).toBe(true);
    expect(isAdditive({ builtin: null, spec: { kind: "aggregate", measure: { source: "events", aggregate: "average", filter: {} } } })).toBe(false);
    expect(
      isAdditive({
        builtin: null,
        spec: { kind: "ratio", numerator: { source: "events", aggregate: "count", filter: {} }, denominator: { source: "customers", aggregate: "count" } },
      }),
    ).toBe(false);
  });

  it("writes the lift's CSV with raw numbers", () => {
    expect(liftCsv(payload)).toEqual({
      columns: ["segment", "customer_share", "actual_revenue", "expected_revenue", "lift"],
      rows: [["Gold", 0.1, 15_000, 5_000, 3]],
    });
  });

  it("writes periods short for axes", () => {
    expect(shortPeriod("day", "2011-11-07")).toBe("7 Nov");
    expect(shortPeriod("week", "2011-11-07")).toBe("7 Nov");
    expect(shortPeriod("month", "2011-11-01")).toBe("Nov 2011");
    expect(shortPeriod("quarter", "2011-10-01")).toBe("Q4 2011");
  });
});

describe("dashboard filters in the URL", () => {
  it("reads what it understands and ignores the rest", () => {
    const f = parseDashboardFilters(new URLSearchParams(`grain=quarter&period=2025-04-01&region=nope&segment=${GOLD}&segment=x&segment=${GOLD}&heat=all`));
    expect(f).toEqual({ grain: "quarter", period: "2025-04-01", region: null, segments: [GOLD], heat: "all", focus: null });
    expect(parseDashboardFilters(new URLSearchParams("grain=year&period=June"))).toEqual({
      grain: "week",
      period: null,
      region: null,
      segments: [],
      heat: null,
      focus: null,
    });
  });

  it("round-trips through the query string, leaving defaults out", () => {
    const f = { grain: "month" as const, period: "2025-06-01", region: LATE, segments: [GOLD, LATE], heat: "target" as const, focus: GOLD };
    const q = dashboardSearch(f);
    expect(q).toBe(`grain=month&period=2025-06-01&region=${LATE}&segment=${GOLD}&segment=${LATE}&heat=target&focus=${GOLD}`);
    expect(parseDashboardFilters(new URLSearchParams(q))).toEqual(f);
    expect(dashboardSearch({ grain: "week", period: null, region: null, segments: [], heat: null, focus: null })).toBe("grain=week");
  });

  it("lists the periods newest first", () => {
    expect(periodOptions("week", { first: "2025-05-26", last: "2025-06-09" })).toEqual([
      { start: "2025-06-09", label: "Week 24, 2025" },
      { start: "2025-06-02", label: "Week 23, 2025" },
      { start: "2025-05-26", label: "Week 22, 2025" },
    ]);
    expect(periodOptions("quarter", { first: "2024-10-01", last: "2025-04-01" }).map((o) => o.label)).toEqual(["Q2 2025", "Q1 2025", "Q4 2024"]);
  });
});

describe("custom KPI form", () => {
  const form = (values: Record<string, string>) => (name: string) => values[name] ?? "";

  it("builds an events aggregate with its filter, numbers as numbers and other text left for the server", () => {
    expect(
      specFromForm(form({ "spec.kind": "aggregate", "spec.measure.source": "events", "spec.measure.aggregate": "sum", "spec.measure.filter.type": " conversion ", "spec.measure.filter.minValue": "2.5" })),
    ).toEqual({ kind: "aggregate", measure: { source: "events", aggregate: "sum", filter: { type: "conversion", minValue: 2.5 } } });
    expect(specFromForm(form({ "spec.measure.source": "events", "spec.measure.aggregate": "count", "spec.measure.filter.maxValue": "ten" }))).toEqual({
      kind: "aggregate",
      measure: { source: "events", aggregate: "count", filter: { maxValue: "ten" } },
    });
  });

  it("builds a ratio over customers with a typed comparison value, and reads it back", () => {
    const values = {
      "spec.kind": "ratio",
      "spec.numerator.source": "customers",
      "spec.numerator.aggregate": "count",
      "spec.numerator.filter.attribute": "vip",
      "spec.numerator.filter.op": "eq",
      "spec.numerator.filter.value": "true",
      "spec.denominator.source": "customers",
      "spec.denominator.aggregate": "average",
      "spec.denominator.attribute": "score",
      "spec.denominator.filter.attribute": "score",
      "spec.denominator.filter.op": "gte",
      "spec.denominator.filter.value": "3",
    };
    const spec = specFromForm(form(values));
    expect(spec).toEqual({
      kind: "ratio",
      numerator: { source: "customers", aggregate: "count", filter: { attribute: "vip", op: "eq", value: true } },
      denominator: { source: "customers", aggregate: "average", attribute: "score", filter: { attribute: "score", op: "gte", value: 3 } },
    });
    expect(formValuesOf(spec as Parameters<typeof formValuesOf>[0])).toEqual(values);
  });
});
