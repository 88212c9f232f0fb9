import { formatDateMinute } from "~/lib/format";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

interface AuditChangesProps {
  changes: { before?: unknown; after?: unknown };
  regionNames: Record<string, string>;
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function show(key: string, value: unknown, regionNames: Record<string, string>): string {
  if (value === undefined) return "—";
  if (value === null) return "none";
  if (key === "regionIds" && Array.isArray(value)) {
    return value.length ? value.map((id) => regionNames[String(id)] ?? String(id)).join(", ") : "all regions";
  }
  if (typeof value === "string") return ISO_DATE.test(value) ? formatDateMinute(value) : value;
  if (Array.isArray(value)) return value.length ? value.map((v) => show("", v, regionNames)).join(", ") : "none";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** What an audit entry changed: each field's value before and after. */
export function AuditChanges({ changes, regionNames }: AuditChangesProps) {
  const before = asRecord(changes.before);
  const after = asRecord(changes.after);
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  if (!keys.length) return <span className="muted">—</span>;
  const changed = keys.filter((k) => !before || !after || JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  const summary = before && after ? `${changed.length} changed` : after ? "created" : "removed";
  return (
    <details className="changes">
      <summary>
        {summary}
        <span className="visually-hidden"> — show the fields</span>
      </summary>
      <table className="changes__table">
        <thead>
          <tr>
            <th scope="col">Field</th>
            {before ? <th scope="col">Before</th> : null}
            {after ? <th scope="col">After</th> : null}
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k} className={changed.includes(k) && before && after ? "changes__changed" : undefined}>
              <th scope="row">{k}</th>
              {before ? <td>{show(k, before[k], regionNames)}</td> : null}
              {after ? <td>{show(k, after[k], regionNames)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
