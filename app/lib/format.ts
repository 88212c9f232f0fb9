/**
 * Dates are shown in UTC, the same on the server and in the browser, so that a page renders
 * identically in both and the audit log's times match its date filters.
 */
const DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const DATE_MINUTE = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});

const TIME = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** "23 Nov 2025" */
export function formatDate(value: Date | string): string {
  return DATE.format(toDate(value));
}

/** "23 Nov 2025, 10:44 UTC" */
export function formatDateMinute(value: Date | string): string {
  return `${DATE_MINUTE.format(toDate(value))} UTC`;
}

/** "10:44:12 UTC" */
export function formatTime(value: Date | string): string {
  return `${TIME.format(toDate(value))} UTC`;
}

/** "1 entry", "3 entries" */
export function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString("en-GB")} ${count === 1 ? one : many}`;
}

/** The first letters of a person's first and last names, for an avatar. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0][0], parts[parts.length - 1][0]] : [parts[0]?.[0] ?? "?"];
  return letters.join("").toUpperCase();
}
