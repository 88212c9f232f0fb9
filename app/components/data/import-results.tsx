import { StatCard } from "~/components/stat-card";
import { formatCount, type ImportKind } from "~/lib/data";
import { DownloadButton } from "~/components/download-button";

export interface RowError {
  line: number;
  column: string;
  reason: string;
  value: string | null;
}

interface ImportCountsProps {
  kind: ImportKind;
  rowsRead: number;
  rowsImported: number;
  rowsUnchanged: number;
  rowsDuplicate: number;
  rowsFailed: number;
}

/** What a completed import did with the file's rows. */
export function ImportCounts({
  kind,
  rowsRead,
  rowsImported,
  rowsUnchanged,
  rowsDuplicate,
  rowsFailed,
}: ImportCountsProps) {
  const things = kind === "customers" ? "customers" : kind === "events" ? "events" : "transactions";
  return (
    <dl className="stat-grid stat-grid--five" aria-label="Import counts">
      <StatCard label="Rows read" value={formatCount(rowsRead)} hint="Lines after the header" />
      <StatCard label="Imported" value={formatCount(rowsImported)} hint={`New or changed ${things}`} />
      <StatCard label="Unchanged" value={formatCount(rowsUnchanged)} hint="Already there, identical" />
      <StatCard
        label="Duplicate"
        value={formatCount(rowsDuplicate)}
        hint={kind === "customers" ? "Identical rows in the file" : "Identical to an earlier line; kept"}
      />
      <StatCard
        label="Not imported"
        value={<span className={rowsFailed ? "stat__value--danger" : undefined}>{formatCount(rowsFailed)}</span>}
        hint="Rows with a problem; see below"
      />
    </dl>
  );
}

/** The first rows that were not imported, with the link to the full error report. */
export function ImportErrors({
  importId,
  errors,
  rowsFailed,
}: {
  importId: string;
  errors: RowError[];
  rowsFailed: number;
}) {
  if (!errors.length) return null;
  return (
    <section className="card card--flush" aria-labelledby="errors-title">
      <div className="card__header card__header--padded">
        <div>
          <h2 id="errors-title" className="card__title">
            Rows not imported <span className="count">{formatCount(rowsFailed)}</span>
          </h2>
          <p className="card__subtitle">
            {errors.length < rowsFailed || errors.length >= 50
              ? `The first ${errors.length} problems, in line order. The full report lists every one.`
              : "Every problem, in line order. Fix them in the file and import it again: rows already imported stay unchanged."}
          </p>
        </div>
        <DownloadButton href={`/data/imports/${importId}/errors.csv`}>Download error report (CSV)</DownloadButton>
      </div>
      <div className="table-wrap">
        <table className="table table--compact">
          <thead>
            <tr>
              <th scope="col" className="num">
                Line
              </th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e) => (
              <tr key={`${e.line}:${e.column}`}>
                <td className="num">{e.line}</td>
                <td>
                  {e.column === "*" ? "The whole line" : <strong className="error-column">{e.column}</strong>}:{" "}
                  {e.reason}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
