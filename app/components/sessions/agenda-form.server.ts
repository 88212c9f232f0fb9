import type { AgendaItemInput } from "../../../server/services/sessions";
import { AGENDA_KIND_LABELS, type AgendaKind } from "./format";
import type { RowValues } from "./schedule-form";

/** The agenda rows as the schedule form sent them (repeated fields, in order). */
export function rowsFrom(form: FormData): RowValues[] {
  const kinds = form.getAll("item.kind").map(String);
  const refs = form.getAll("item.ref").map(String);
  const minutes = form.getAll("item.minutes").map(String);
  return kinds.map((kind, i) => ({ kind: (kind in AGENDA_KIND_LABELS ? kind : "topic") as AgendaKind, ref: refs[i] ?? "", minutes: minutes[i] ?? "" }));
}

/** The browser's local date-time (no zone) plus its offset from UTC in minutes, as an instant. */
export function instantFrom(local: string, offsetMinutes: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local)) return null;
  const utc = Date.parse(`${local}:00Z`);
  const offset = Number(offsetMinutes);
  return Number.isFinite(utc) ? new Date(utc + (Number.isFinite(offset) ? offset : 0) * 60_000) : null;
}

/** The rows as the sessions service takes them. */
export function itemsFrom(rows: RowValues[]): AgendaItemInput[] {
  return rows.map((r) =>
    r.kind === "proposal"
      ? { kind: "proposal", proposalId: r.ref, timeBoxMinutes: Number(r.minutes) }
      : r.kind === "swot"
        ? { kind: "swot", segmentId: r.ref, timeBoxMinutes: Number(r.minutes) }
        : { kind: "topic", title: r.ref, timeBoxMinutes: Number(r.minutes) },
  );
}

/** "Time box must be at least 1 minute." for the service's field errors, by row. */
export function labelFieldErrors(fieldErrors: Record<string, string>, rows: RowValues[]): void {
  const labels: Record<string, string> = { title: "Title", scheduledAt: "Date and time" };
  for (const [key, message] of Object.entries(fieldErrors)) {
    const row = /^items\.(\d+)\.(\w+)$/.exec(key);
    const what = row ? (row[2] === "timeBoxMinutes" ? "Time box" : rows[Number(row[1])]?.kind === "topic" ? "Topic" : "Choice") : labels[key];
    fieldErrors[key] = `${what ?? key} ${message}.`;
  }
}

/** The browser's local time of an instant, for the form's datetime-local field (the server cannot know the zone: UTC). */
export function localInput(at: Date | string): string {
  return new Date(at).toISOString().slice(0, 16);
}
