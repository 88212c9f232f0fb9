import { interpolateRdBu, scaleDiverging, schemeTableau10 } from "d3";
import type { KpiDirection, KpiUnit } from "../../../server/services/kpis/types";

/**
 * Pure helpers for the KPI pages: how values, changes and performance against a target are
 * written and coloured. No DOM, no data access (unit-tested in tests/unit/dashboard-format.test.ts).
 */

export type Direction = KpiDirection;

/** How a KPI's values are written (its unit). */
export type ValueKind = KpiUnit;

const GROUPED = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });
const TWO = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2, minimumFractionDigits: 0 });
const ONE = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 1, minimumFractionDigits: 1 });

/** 1234 → "1.2k", 2_500_000 → "2.5M" (one decimal, dropped when whole: "3k"). */
export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  const sign = value < 0 ? "−" : "";
  const steps: [number, string][] = [
    [1e9, "bn"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [size, suffix] of steps) {
    if (abs >= size) {
      const scaled = abs / size;
      const text = scaled >= 100 ? Math.round(scaled).toString() : (Math.round(scaled * 10) / 10).toString();
      return `${sign}${text}${suffix}`;
    }
  }
  return `${sign}${TWO.format(abs)}`;
}

/**
 * A KPI value for people: counts grouped ("12,480"), money with two decimals ("1,234.50"; "1.2M"
 * when compact; in the workspace's currency, whose sign is `options.currency`, none by default:
 * Quorum does not know it), percentages of a 0..1 share ("12.5%"), scores such as NPS with one
 * decimal. A missing value is "—".
 */
export function formatKpiValue(
  value: number | null | undefined,
  kind: ValueKind,
  options: { compact?: boolean; currency?: string } = {},
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const sign = value < 0 ? "−" : "";
  const abs = Math.abs(value);
  switch (kind) {
    case "percent":
      return `${sign}${ONE.format(abs * 100)}%`;
    case "currency": {
      const symbol = options.currency ?? "";
      if (options.compact && abs >= 10_000) return `${sign}${symbol}${compactNumber(abs)}`;
      return `${sign}${symbol}${new Intl.NumberFormat("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(abs)}`;
    }
    case "count":
      return options.compact && abs >= 100_000 ? `${sign}${compactNumber(abs)}` : `${sign}${GROUPED.format(abs)}`;
    case "score":
      return `${sign}${ONE.format(abs)}`;
    default:
      return options.compact && abs >= 100_000 ? `${sign}${compactNumber(abs)}` : `${sign}${TWO.format(abs)}`;
  }
}

export type Tone = "good" | "bad" | "flat";

export interface Change {
  /** current − previous */
  delta: number;
  /** delta ÷ |previous|, null when there is no previous value or it is 0 */
  relative: number | null;
  arrow: "up" | "down" | "flat";
  /** Whether the move is good news, given the KPI's direction. */
  tone: Tone;
}

/**
 * The change from the previous period. A move smaller than `flatWithin` of the previous value
 * (0.5% by default) is flat; otherwise up is good when higher is better and bad when lower is.
 */
export function changeVsPrevious(
  current: number | null,
  previous: number | null,
  direction: Direction,
  flatWithin = 0.005,
): Change | null {
  if (current === null || previous === null || !Number.isFinite(current) || !Number.isFinite(previous)) return null;
  const delta = current - previous;
  const relative = previous === 0 ? null : delta / Math.abs(previous);
  const flat = relative === null ? delta === 0 : Math.abs(relative) < flatWithin;
  const arrow = flat ? "flat" : delta > 0 ? "up" : "down";
  const tone: Tone = flat ? "flat" : (delta > 0) === (direction === "higher") ? "good" : "bad";
  return { delta, relative, arrow, tone };
}

/** "+12.5%", "−3.0%", or the absolute change in the KPI's unit when there is no base ("+42"). */
export function formatChange(change: Change, kind: ValueKind): string {
  if (change.relative !== null) {
    if (kind === "percent") {
      const points = change.delta * 100;
      return `${points >= 0 ? "+" : "−"}${ONE.format(Math.abs(points))} pts`;
    }
    const pct = change.relative * 100;
    return `${pct >= 0 ? "+" : "−"}${ONE.format(Math.abs(pct))}%`;
  }
  return `${change.delta >= 0 ? "+" : ""}${formatKpiValue(change.delta, kind, { compact: true })}`;
}

/**
 * Performance against a reference (a target, or the all-customers value), signed so that
 * positive is better: (value − reference) ÷ |reference|, negated when lower is better.
 * Null when either is missing or the reference is 0.
 */
export function performance(value: number | null, reference: number | null, direction: Direction): number | null {
  if (value === null || reference === null || !Number.isFinite(value) || !Number.isFinite(reference) || reference === 0) {
    return null;
  }
  const rel = (value - reference) / Math.abs(reference);
  return direction === "higher" ? rel : -rel;
}

/** Performance beyond ±this fraction of the reference is drawn at full colour. */
export const HEAT_LIMIT = 0.5;

const heatScale = scaleDiverging(interpolateRdBu).domain([-HEAT_LIMIT, 0, HEAT_LIMIT]).clamp(true);

/**
 * The heat map's colour for a performance (see `performance`): red below the reference, white at
 * it, blue above (red/blue rather than red/green, so it reads with the common colour-vision
 * deficiencies), saturating at ±50%. No value is a neutral grey.
 */
export function heatColour(perf: number | null): string {
  return perf === null ? "#f2f4f7" : heatScale(perf);
}

/** Whether text on a heat cell should be white (a dark cell) for contrast. */
export function heatTextIsLight(perf: number | null): boolean {
  return perf !== null && Math.abs(perf) / HEAT_LIMIT > 0.6;
}

/** "+12%" / "−40%" for a performance, "—" for none. */
export function formatPerformance(perf: number | null): string {
  if (perf === null) return "—";
  const pct = Math.round(perf * 100);
  return `${pct > 0 ? "+" : pct < 0 ? "−" : "±"}${Math.abs(pct)}%`;
}

/** A segment's colour on every dashboard chart, by its position in the dashboard's segment list. */
export function segmentColour(index: number): string {
  return schemeTableau10[index % schemeTableau10.length];
}
