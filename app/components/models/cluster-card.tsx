import type { CSSProperties, ReactNode } from "react";
import { clusterColour, clusterLabel, formatDiff } from "~/lib/models";

export interface ClusterFeature {
  label: string;
  mean: number;
  median: number;
  standardisedDifference: number;
}

const number = (v: number) =>
  Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-GB") : Number(v.toPrecision(3)).toLocaleString("en-GB");

/**
 * One cluster: its number, suggested name, size and share of the customers clustered, and the
 * features that set it apart most (largest standardised differences first) with the cluster's
 * mean and median; `action` is the propose-as-segment form when it applies.
 */
export function ClusterCard({
  index,
  cluster,
  name,
  size,
  total,
  features,
  action,
}: {
  index: number;
  cluster: number;
  name: string;
  size: number;
  total: number;
  features: ClusterFeature[];
  action?: ReactNode;
}) {
  const share = total ? size / total : 0;
  const traits = [...features].sort((a, b) => Math.abs(b.standardisedDifference) - Math.abs(a.standardisedDifference));
  const titleId = `cluster-${cluster}-name`;
  return (
    <article
      className="cluster-card"
      style={{ "--cluster-colour": clusterColour(index) } as CSSProperties}
      aria-labelledby={titleId}
    >
      <header className="cluster-card__head">
        <span className="cluster-card__label">{clusterLabel(cluster)}</span>
        <h3 className="cluster-card__name" id={titleId}>
          {name}
        </h3>
        <span className="cluster-card__size">
          {size.toLocaleString("en-GB")} customers · {(share * 100).toFixed(share < 0.1 ? 1 : 0)}%
        </span>
        <div className="cluster-card__share" aria-hidden="true">
          <span style={{ width: `${Math.max(1, share * 100)}%` }} />
        </div>
      </header>
      <ul className="cluster-card__traits" aria-label={`How ${clusterLabel(cluster)} differs from the base`}>
        {traits.map((f) => (
          <li key={f.label}>
            <span>{f.label}</span>
            <span className="num">
              <span className="muted small">
                mean {number(f.mean)} · median {number(f.median)}
              </span>{" "}
              <span
                className={f.standardisedDifference >= 0.5 ? "diff--up" : f.standardisedDifference <= -0.5 ? "diff--down" : "muted"}
                title="Standardised difference from the whole base (in standard deviations)"
              >
                {formatDiff(f.standardisedDifference)}
              </span>
            </span>
          </li>
        ))}
      </ul>
      {action ? <div className="cluster-card__actions">{action}</div> : null}
    </article>
  );
}
