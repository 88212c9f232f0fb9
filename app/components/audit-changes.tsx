import { formatDateMinute } from "~/lib/format";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface AuditChangesProps {
  changes: { before?: unknown; after?: unknown };
  regionNames: Record<string, string>;
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function show(key: string, value: unknown, regionNames: Record<string, string>): string {
  if (value === undefined) return "—";
  if (value === null) return "none";
  if (key === "regionIds" && Array.isArray(value)) {
    return value.length ? value.map((id) => regionNames[String(id)] ?? "deleted region").join(", ") : "all regions";
  }
  if (typeof value === "string") {
    if (ISO_DATE.test(value)) return formatDateMinute(value);
    return UUID.test(value) ? `${value.slice(0, 8)}…` : value;
  }
  if (Array.isArray(value)) return value.length ? value.map((v) => show("", v, regionNames)).join(", ") : "none";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

const LABELS: Record<string, string> = { regionIds: "regions", expiresAt: "expires", inviteId: "invitation" };

/**
 * What an audit entry changed, field by field: for an update only the fields that changed
 * (before → after), for a creation the values written, for a removal the values removed.
 */
export function AuditChanges({ changes, regionNames }: AuditChangesProps) {
  const before = asRecord(changes.before);
  const after = asRecord(changes.after);
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  if (!keys.length) return <span className="muted">—</span>;
  const updated = before && after;
  const shown = updated ? keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])) : keys;
  if (!shown.length) return <span className="muted">No change</span>;
  return (
    <dl className={`changes${!updated && before ? " changes--removed" : ""}`}>
      {shown.map((k) => (
        <div key={k} className="changes__row">
          <dt>{LABELS[k] ?? k}</dt>
          <dd>
            {updated ? (
              <>
                <span className="changes__before">{show(k, before[k], regionNames)}</span>
                <span aria-label="changed to"> → </span>
                <span className="changes__after">{show(k, after[k], regionNames)}</span>
              </>
            ) : (
              show(k, (after ?? before)?.[k], regionNames)
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
