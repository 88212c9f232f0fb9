import { periodLabel, shiftPeriod } from "../../../server/services/kpis/periods";
import type { KpiGrain } from "../../../server/services/kpis/types";
import type { HeatReference } from "./dashboard-model";

/** The dashboard's filters, as kept in its URL (?grain=&period=&region=&segment=…&heat=&focus=). */
export interface DashboardFilters {
  grain: KpiGrain;
  /** The period's first day (YYYY-MM-DD); null: the latest with roll-ups. */
  period: string | null;
  /** A region's id; null: all regions. */
  region: string | null;
  /** Chosen segments' ids; empty: every active segment. */
  segments: string[];
  /** What the heat map compares with; null: targets when any are set, else all customers. */
  heat: HeatReference | null;
  /** Whose KPI tiles are shown; null: all customers. */
  focus: string | null;
}

export const GRAIN_LABELS: Record<KpiGrain, string> = { day: "Day", week: "Week", month: "Month", quarter: "Quarter" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads the filters from a URL's query. Unknown or malformed values fall back to the defaults
 * (week, latest period, all regions and segments, heat map against targets if any) rather than
 * failing: a link pasted from an older version still opens the dashboard.
 */
export function parseDashboardFilters(search: URLSearchParams): DashboardFilters {
  const grain = search.get("grain");
  const period = search.get("period");
  const region = search.get("region");
  const focus = search.get("focus");
  return {
    grain: grain && grain in GRAIN_LABELS ? (grain as KpiGrain) : "week",
    period: period && DATE.test(period) ? period : null,
    region: region && UUID.test(region) ? region : null,
    segments: [...new Set(search.getAll("segment").filter((s) => UUID.test(s)))],
    heat: search.get("heat") === "all" ? "all" : search.get("heat") === "target" ? "target" : null,
    focus: focus && UUID.test(focus) ? focus : null,
  };
}

/** The query string of a set of filters (defaults left out, so URLs stay short). */
export function dashboardSearch(filters: DashboardFilters): string {
  const q = new URLSearchParams();
  q.set("grain", filters.grain);
  if (filters.period) q.set("period", filters.period);
  if (filters.region) q.set("region", filters.region);
  for (const s of filters.segments) q.append("segment", s);
  if (filters.heat) q.set("heat", filters.heat);
  if (filters.focus) q.set("focus", filters.focus);
  return q.toString();
}

/** Most periods the picker lists (the latest ones); older ones are reached with "Previous". */
const MAX_OPTIONS = 400;

/** The periods from `first` to `last` at a grain, newest first, at most MAX_OPTIONS. */
export function periodOptions(grain: KpiGrain, range: { first: string; last: string }): { start: string; label: string }[] {
  const out: { start: string; label: string }[] = [];
  for (let p = range.last; p >= range.first && out.length < MAX_OPTIONS; p = shiftPeriod(grain, p, -1)) {
    out.push({ start: p, label: periodLabel(grain, p) });
  }
  return out;
}
