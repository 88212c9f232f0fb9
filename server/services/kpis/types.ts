/**
 * What the KPI procedures return (the dashboard UI imports these). Values are as stored in
 * kpi_rollups: percent KPIs as fractions (0.25 = 25%), NPS as a score from −100 to 100,
 * currency in the workspace's currency. Dates are ISO `YYYY-MM-DD` (UTC calendar days); a
 * period's `end` is exclusive.
 */
import type { KpiDirection, KpiGrain, KpiUnit, RollupStatus, RollupTrigger } from "../../../db/schema";
import type { CustomKpiSpec } from "./spec";

export type { CustomKpiSpec, KpiDirection, KpiGrain, KpiUnit, RollupStatus, RollupTrigger };
export { ALL_CUSTOMERS, ALL_REGIONS, KPI_GRAINS } from "../../../db/schema";

export interface KpiTargetView {
  /** A segment's id, or ALL_CUSTOMERS for the whole business. */
  segmentId: string;
  target: number;
}

export interface KpiDefinitionView {
  id: string;
  key: string;
  name: string;
  description: string;
  /** The built-in computation's key (server/services/kpis/builtins.ts), or null for a custom KPI. */
  builtin: string | null;
  spec: CustomKpiSpec | null;
  unit: KpiUnit;
  direction: KpiDirection;
  ownerUserId: string | null;
  ownerName: string | null;
  targets: KpiTargetView[];
  updatedAt: string;
}

export interface PeriodBounds {
  grain: KpiGrain;
  start: string;
  /** Exclusive. */
  end: string;
  /** "2011-11-07", "Week 45, 2011", "November 2011", "Q4 2011". */
  label: string;
}

/**
 * met / missed: against the target in the KPI's direction (higher: value ≥ target is met;
 * lower: value ≤ target is met); no-target: none is set; no-data: the value is null.
 */
export type KpiStatus = "met" | "missed" | "no-target" | "no-data";

export interface DashboardSegment {
  /** ALL_CUSTOMERS for the whole business. */
  id: string;
  name: string;
  allCustomers: boolean;
  /** Current published members (in the selected region). */
  members: number;
}

export interface KpiCell {
  kpiId: string;
  segmentId: string;
  value: number | null;
  previous: number | null;
  /** (value − previous) / |previous|; null when either is null or previous is 0. */
  change: number | null;
  target: number | null;
  status: KpiStatus;
  /** value ÷ the whole business's value of the same KPI (the heat map's colour); null when not defined. */
  relative: number | null;
  numerator: number | null;
  denominator: number | null;
  /** Members active in the period. */
  customers: number;
}

export interface TrendPoint {
  periodStart: string;
  label: string;
  /** Current published members (segment size under decision 012's membership semantics). */
  members: number;
  /** Members with a transaction or event in the period. */
  active: number;
  revenue: number;
}

export interface SegmentTrend {
  segmentId: string;
  points: TrendPoint[];
}

/**
 * Lift of one segment on one additive KPI (revenue): actual is the segment's value; expected is
 * what it would have if its members performed like all customers: its share of the customers ×
 * the whole business's value. lift = actual ÷ expected (1 = as expected); null when expected is 0.
 */
export interface LiftRow {
  segmentId: string;
  name: string;
  customerShare: number;
  actual: number;
  expected: number;
  lift: number | null;
}

export interface RollupRunView {
  id: string;
  trigger: RollupTrigger;
  status: RollupStatus;
  progress: number;
  step: string | null;
  error: string | null;
  rowsWritten: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface DashboardPayload {
  grain: KpiGrain;
  regionId: string | null;
  /** The period shown (the latest with data when none was asked for); null when nothing is rolled up yet. */
  period: PeriodBounds | null;
  previous: PeriodBounds | null;
  /** First and last period starts with roll-ups at this grain (for the period picker). */
  range: { first: string; last: string } | null;
  kpis: KpiDefinitionView[];
  /** The whole business first, then the requested (or all active) segments in priority order. */
  segments: DashboardSegment[];
  cells: KpiCell[];
  /** Last `trendPeriods` periods up to the shown one, oldest first. */
  trends: SegmentTrend[];
  lift: { kpiKey: "revenue"; rows: LiftRow[] };
  latestRun: RollupRunView | null;
}

export interface SeriesPoint {
  periodStart: string;
  label: string;
  value: number | null;
  status: KpiStatus;
}

export interface SegmentSeries {
  segmentId: string;
  name: string;
  grain: KpiGrain;
  kpis: { kpi: KpiDefinitionView; target: number | null; points: SeriesPoint[] }[];
}

export interface KpiStatusView {
  latest: RollupRunView | null;
  /** The latest completed run (what the roll-ups come from). */
  lastCompleted: RollupRunView | null;
}
