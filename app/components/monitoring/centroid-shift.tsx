import { Link } from "@remix-run/react";
import { formatDateMinute } from "~/lib/format";

type When = string | Date;

export interface CentroidShiftView {
  segmentId: string;
  segmentName: string;
  version: number;
  modelRunId: string;
  modelRunAt: When | null;
  cluster: number;
  k: number;
  members: number;
  labels: Record<string, string>;
  features: { feature: string; centroid: number; current: number; sd: number; shift: number }[];
  notMeasured: { feature: string; reason: string }[];
  distance: number | null;
}

const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(2)}`;
const value = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));

/**
 * Cluster-based segments against the cluster they were built from: how far their current members'
 * mean has moved from the cluster's centroid at the model run, per feature and in all, in the
 * run's standard deviations (server/services/monitoring/centroid.ts).
 */
export function CentroidShiftPanel({ shifts }: { shifts: CentroidShiftView[] }) {
  if (!shifts.length) {
    return (
      <p className="muted">
        No active segment selects a cluster of a model run. Segments built with “is in cluster” rules are compared here with the
        cluster they came from.
      </p>
    );
  }
  return (
    <ul className="centroid-shifts">
      {shifts.map((s) => (
        <li key={`${s.segmentId}/${s.modelRunId}/${s.cluster}`} className="centroid-shift">
          <div className="centroid-shift__head">
            <h3 className="centroid-shift__title">
              <Link to={`/segments/${s.segmentId}`}>{s.segmentName}</Link>
            </h3>
            <span className="muted small">
              cluster {s.cluster} of {s.k} ·{" "}
              <Link to={`/models/${s.modelRunId}`}>model run{s.modelRunAt ? ` of ${formatDateMinute(s.modelRunAt)}` : ""}</Link> ·{" "}
              {s.members.toLocaleString("en")} members now
            </span>
            <span className={`badge ${s.distance !== null && s.distance >= 0.5 ? "badge--band-watch" : "badge--band-none"}`}>
              {s.distance === null ? "Not measured" : `Shift ${s.distance.toFixed(2)} sd`}
            </span>
          </div>
          {s.features.length ? (
            <table className="table monitor-table">
              <thead>
                <tr>
                  <th scope="col">Feature</th>
                  <th scope="col" className="num">
                    Centroid at the run
                  </th>
                  <th scope="col" className="num">
                    Members&apos; mean now
                  </th>
                  <th scope="col" className="num">
                    Shift (sd)
                  </th>
                </tr>
              </thead>
              <tbody>
                {s.features.map((f) => (
                  <tr key={f.feature}>
                    <th scope="row">{s.labels[f.feature] ?? f.feature}</th>
                    <td className="num">{value(f.centroid)}</td>
                    <td className="num">{value(f.current)}</td>
                    <td className="num">{signed(f.shift)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {s.notMeasured.length ? (
            <p className="muted small">Not measured: {s.notMeasured.map((n) => `${s.labels[n.feature] ?? n.feature} (${n.reason})`).join(", ")}.</p>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
