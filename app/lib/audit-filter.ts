/** The audit log's filter as it appears in the URL (the CSV export takes the same parameters). */
export const AUDIT_FILTER_KEYS = ["actor", "action", "objectType", "objectId", "from", "to"] as const;
export type AuditFilterKey = (typeof AUDIT_FILTER_KEYS)[number];
export type AuditFilterValues = Partial<Record<AuditFilterKey, string>>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface ParsedAuditFilter {
  /** What the form shows. */
  values: AuditFilterValues;
  /** What the server is asked: a bare date becomes the start (from) or end (to) of that UTC day. */
  query: AuditFilterValues;
  errors: Partial<Record<AuditFilterKey, string>>;
}

function normaliseDate(raw: string, edge: "start" | "end"): string | null {
  if (DAY.test(raw)) {
    const iso = `${raw}T${edge === "start" ? "00:00:00.000" : "23:59:59.999"}Z`;
    return Number.isNaN(Date.parse(iso)) ? null : iso;
  }
  return Number.isNaN(Date.parse(raw)) ? null : new Date(raw).toISOString();
}

export function parseAuditFilter(params: URLSearchParams): ParsedAuditFilter {
  const values: AuditFilterValues = {};
  const query: AuditFilterValues = {};
  const errors: ParsedAuditFilter["errors"] = {};
  for (const key of AUDIT_FILTER_KEYS) {
    const raw = params.get(key)?.trim();
    if (!raw) continue;
    values[key] = raw;
    if (key === "from" || key === "to") {
      const iso = normaliseDate(raw, key === "from" ? "start" : "end");
      if (iso) {
        query[key] = iso;
        values[key] = DAY.test(raw) ? raw : iso.slice(0, 10);
      } else errors[key] = `Enter a date such as 2025-11-23 (got “${raw}”).`;
    } else {
      query[key] = raw;
    }
  }
  if (query.from && query.to && query.from > query.to) errors.to = "The end date is before the start date.";
  return { values, query, errors };
}

/** `actor=…&action=…` for the given values, in a stable order, without empty ones. */
export function filterSearch(values: AuditFilterValues, extra: Record<string, string | number> = {}): string {
  const params = new URLSearchParams();
  for (const key of AUDIT_FILTER_KEYS) {
    const v = values[key];
    if (v) params.set(key, v);
  }
  for (const [k, v] of Object.entries(extra)) params.set(k, String(v));
  return params.toString();
}
