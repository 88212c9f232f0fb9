import type { KpiGrain } from "../../../db/schema";
import type { PeriodBounds } from "./types";

/**
 * Calendar periods in UTC (docs/decisions/012): days, ISO weeks (starting Monday), months and
 * quarters, named by their first day. The same as PostgreSQL's date_trunc on a UTC timestamp,
 * which the roll-up SQL uses.
 */
const DAY_MS = 86_400_000;

function parse(date: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`'${date}' is not a YYYY-MM-DD date`);
  return new Date(`${date}T00:00:00Z`);
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** The first day of the period of `grain` that contains `at` (a date or instant). */
export function periodStart(grain: KpiGrain, at: string | Date): string {
  const d = typeof at === "string" ? parse(at.slice(0, 10)) : new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  if (grain === "day") return iso(d);
  if (grain === "week") return iso(new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY_MS));
  const month = grain === "month" ? d.getUTCMonth() : d.getUTCMonth() - (d.getUTCMonth() % 3);
  return iso(new Date(Date.UTC(d.getUTCFullYear(), month, 1)));
}

/** The start of the period `n` periods after the one starting at `start` (n may be negative). */
export function shiftPeriod(grain: KpiGrain, start: string, n: number): string {
  const d = parse(start);
  if (grain === "day") return iso(new Date(d.getTime() + n * DAY_MS));
  if (grain === "week") return iso(new Date(d.getTime() + 7 * n * DAY_MS));
  const months = grain === "month" ? n : 3 * n;
  return iso(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1)));
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** ISO week number and its year of the Monday `start`. */
function isoWeek(start: string): { week: number; year: number } {
  const d = parse(start);
  const thursday = new Date(d.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  const week1Monday = firstThursday.getTime() - ((firstThursday.getUTCDay() + 6) % 7) * DAY_MS;
  return { week: Math.floor((d.getTime() - week1Monday) / (7 * DAY_MS)) + 1, year };
}

export function periodLabel(grain: KpiGrain, start: string): string {
  const d = parse(start);
  if (grain === "day") return start;
  if (grain === "week") {
    const { week, year } = isoWeek(start);
    return `Week ${week}, ${year}`;
  }
  if (grain === "month") return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  return `Q${Math.floor(d.getUTCMonth() / 3) + 1} ${d.getUTCFullYear()}`;
}

export function periodBounds(grain: KpiGrain, start: string): PeriodBounds {
  const first = periodStart(grain, start);
  return { grain, start: first, end: shiftPeriod(grain, first, 1), label: periodLabel(grain, first) };
}
