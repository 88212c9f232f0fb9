import { Link } from "@remix-run/react";
import { ImportStatusBadge } from "~/components/status-badge";
import { formatBytes, formatCount, KIND_LABELS, type ImportKind, type ImportStatus } from "~/lib/data";
import { formatDate, formatTime, plural } from "~/lib/format";

export interface ImportSummary {
  id: string;
  kind: ImportKind;
  fileName: string;
  byteSize: number;
  status: ImportStatus;
  bytesRead: number;
  rowsRead: number;
  rowsImported: number;
  rowsFailed: number;
  createdAt: Date;
}

function Outcome({ item }: { item: ImportSummary }) {
  if (item.status === "completed") {
    return (
      <span className="cell-lines">
        <span>{formatCount(item.rowsImported)} new or changed</span>
        {item.rowsFailed ? (
          <span className="small field__error">{plural(item.rowsFailed, "row", "rows")} not imported</span>
        ) : (
          <span className="muted small">of {formatCount(item.rowsRead)} rows read</span>
        )}
      </span>
    );
  }
  if (item.status === "running") {
    const share = item.byteSize ? Math.min(1, item.bytesRead / item.byteSize) : 0;
    return (
      <span className="cell-lines">
        <span>{formatCount(item.rowsRead)} rows read</span>
        <span className="muted small">{Math.floor(share * 100)}% of the file</span>
      </span>
    );
  }
  if (item.status === "failed" || item.status === "cancelled") return <span className="muted">Nothing imported</span>;
  if (item.status === "uploaded") return <span className="muted">Review the columns to start</span>;
  return <span className="muted">Waiting for a worker</span>;
}

/** Imports, newest first: file, kind, status and what they did; each links to its page. */
export function ImportsTable({ imports }: { imports: ImportSummary[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col">Rows</th>
            <th scope="col">Uploaded</th>
          </tr>
        </thead>
        <tbody>
          {imports.map((item) => (
            <tr key={item.id}>
              <td>
                <span className="cell-lines">
                  <Link to={`/data/imports/${item.id}`} className="person__name file-link">
                    {item.fileName}
                  </Link>
                  <span className="muted small">{formatBytes(item.byteSize)}</span>
                </span>
              </td>
              <td>{KIND_LABELS[item.kind]}</td>
              <td>
                <ImportStatusBadge status={item.status} />
              </td>
              <td>
                <Outcome item={item} />
              </td>
              <td className="nowrap">
                <time dateTime={new Date(item.createdAt).toISOString()} className="cell-lines">
                  <span>{formatDate(item.createdAt)}</span>
                  <span className="muted small">{formatTime(item.createdAt)}</span>
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
