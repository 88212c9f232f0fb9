import { Link } from "@remix-run/react";
import { ProgressBar } from "~/components/progress-bar";
import { formatDate, formatTime } from "~/lib/format";
import { algorithmLabel, formatKRange, isRunActive, type ModelRunStatus } from "~/lib/models";
import { RunStatusBadge } from "./run-status-badge";

export interface RunSummary {
  id: string;
  status: ModelRunStatus;
  /** Absent from summaries that do not select it: k-means. */
  algorithm?: string;
  params: { features: { field: string; transform: string }[]; kMin: number; kMax: number };
  progress: number;
  progressMessage: string | null;
  recommendedK: number | null;
  n: number | null;
  createdByName: string | null;
  createdAt: Date | string;
  error: string | null;
}

const MAX_CHIPS = 4;

/** Model runs, newest first: features, k range, outcome, who started it and when; running ones show live progress. */
export function RunsTable({ runs, labels }: { runs: RunSummary[]; labels: Record<string, string> }) {
  return (
    <div className="table-wrap">
      <table className="table runs-table">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Features</th>
            <th scope="col" className="num">
              k
            </th>
            <th scope="col" className="num">
              Recommended
            </th>
            <th scope="col" className="num">
              Customers
            </th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const features = run.params.features.map((f) => labels[f.field] ?? f.field);
            return (
              <tr key={run.id}>
                <td>
                  <span className="cell-lines">
                    <Link to={`/models/${run.id}`} className="person__name file-link">
                      {algorithmLabel(run.algorithm)} · {features.length} {features.length === 1 ? "feature" : "features"}
                    </Link>
                    <RunStatusBadge status={run.status} />
                    {run.status === "failed" && run.error ? <span className="small field__error">{run.error}</span> : null}
                  </span>
                  {isRunActive(run.status) ? (
                    <div className="runs-table__progress">
                      <ProgressBar
                        label={run.progressMessage ?? (run.status === "queued" ? "Waiting for a worker" : "Running")}
                        value={run.status === "queued" ? null : run.progress}
                      />
                    </div>
                  ) : null}
                </td>
                <td>
                  <span className="chips">
                    {features.slice(0, MAX_CHIPS).map((f) => (
                      <span key={f} className="chip">
                        {f}
                      </span>
                    ))}
                    {features.length > MAX_CHIPS ? (
                      <span className="chip" title={features.slice(MAX_CHIPS).join(", ")}>
                        +{features.length - MAX_CHIPS} more
                      </span>
                    ) : null}
                  </span>
                </td>
                <td className="num">{formatKRange(run.params.kMin, run.params.kMax)}</td>
                <td className="num">{run.recommendedK ?? <span className="muted">–</span>}</td>
                <td className="num">{run.n === null ? <span className="muted">–</span> : run.n.toLocaleString("en-GB")}</td>
                <td className="nowrap">
                  <span className="cell-lines">
                    <span>{run.createdByName ?? "A former member"}</span>
                    <time dateTime={new Date(run.createdAt).toISOString()} className="muted small">
                      {formatDate(run.createdAt)}, {formatTime(run.createdAt)}
                    </time>
                  </span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
