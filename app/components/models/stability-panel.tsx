import { scaleBand, scaleLinear } from "d3";
import { useId } from "react";
import { BottomAxis } from "~/components/charts/axes";
import { useChartWidth } from "~/components/charts/use-chart-width";
import { clusterLabel } from "~/lib/models";
import type { ModelTimeWindowStability } from "../../../db/schema";

/** The stored stability of a run's chosen k (db/schema/models.ts ModelStability). */
export interface StabilitySummary {
  replicates: number;
  sampleShare: number;
  ari: { mean: number; min: number; max: number };
  clusters: { cluster: number; jaccardMean: number; jaccardMin: number; stable: boolean; dissolvedShare?: number }[];
  threshold: number;
  refitAlgorithm?: "gmm" | "ward" | "som" | "lca";
  timeWindow?: ModelTimeWindowStability;
}

const REFIT_LABEL = { kmeans: "k-means", gmm: "The Gaussian mixture", ward: "The Ward tree", som: "The map (and k-means on its nodes)", lca: "The latent class model" } as const;

const ROW = 26;
const LABEL_WIDTH = 92;
const VALUE_WIDTH = 96;
const AXIS = 26;

const fixed = (v: number) => v.toFixed(2);
const percent = (v: number) => `${Math.round(v * 100)}%`;

/** Mean best-match Jaccard per cluster as horizontal bars (worst re-fit as a tick), with the threshold line. */
function JaccardChart({ stability, names }: { stability: StabilitySummary; names: ReadonlyMap<number, string> }) {
  const { ref, width } = useChartWidth<HTMLDivElement>(480);
  const id = useId();
  const { clusters, threshold } = stability;
  const plotWidth = Math.max(60, width - LABEL_WIDTH - VALUE_WIDTH);
  const height = clusters.length * ROW + AXIS + 4;
  const x = scaleLinear().domain([0, 1]).range([0, plotWidth]);
  const y = scaleBand<number>()
    .domain(clusters.map((c) => c.cluster))
    .range([2, 2 + clusters.length * ROW])
    .paddingInner(0.3);
  const summary = clusters
    .map((c) => `${clusterLabel(c.cluster)}: mean ${fixed(c.jaccardMean)}, worst ${fixed(c.jaccardMin)}${c.stable ? "" : " (unstable)"}`)
    .join("; ");
  return (
    <figure className="chart stability-chart" ref={ref}>
      <svg width={width} height={height} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
        <title id={`${id}-title`}>{`Mean best-match Jaccard per cluster over the re-fits, threshold ${fixed(threshold)}`}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <g transform={`translate(${LABEL_WIDTH},0)`}>
          {clusters.map((c) => {
            const top = y(c.cluster) ?? 0;
            const h = y.bandwidth();
            return (
              <g key={c.cluster} transform={`translate(0,${top})`}>
                <text x={-8} y={h / 2} dy="0.32em" textAnchor="end" className="chart__label">
                  <title>{names.get(c.cluster) ?? clusterLabel(c.cluster)}</title>
                  {clusterLabel(c.cluster)}
                </text>
                <rect width={Math.max(1, x(c.jaccardMean))} height={h} rx={2} className={c.stable ? "chart__bar--revenue" : "chart__bar--danger"} />
                <line x1={x(c.jaccardMin)} x2={x(c.jaccardMin)} y1={-2} y2={h + 2} className="stability-chart__min" />
                <text x={plotWidth + 8} y={h / 2} dy="0.32em" className={`chart__value${c.stable ? "" : " chart__value--danger"}`}>
                  {fixed(c.jaccardMean)}
                  <tspan className="chart__value--muted"> · min {fixed(c.jaccardMin)}</tspan>
                </text>
              </g>
            );
          })}
          <line x1={x(threshold)} x2={x(threshold)} y1={0} y2={clusters.length * ROW + 2} className="chart__threshold" />
          <g transform={`translate(0,${clusters.length * ROW + 4})`}>
            <BottomAxis scale={x} gridLength={0} format={(v) => v.toFixed(1)} ticks={5} />
          </g>
        </g>
      </svg>
    </figure>
  );
}

/**
 * How stable the chosen k's clusters are: k-means re-fitted on random subsamples of the
 * customers, compared with this run's clusters by the adjusted Rand index (whole partition) and
 * by each cluster's best-match Jaccard (Hennig 2007); clusters below the threshold are named.
 */
export function StabilityPanel({ stability, k, names }: { stability: StabilitySummary; k: number; names: ReadonlyMap<number, string> }) {
  const { ari, clusters, threshold, replicates, sampleShare } = stability;
  const unstable = clusters.filter((c) => !c.stable);
  const verdict = ari.mean >= 0.8 ? "the re-fits find nearly the same clusters" : ari.mean >= 0.5 ? "the re-fits partly agree with these clusters" : "the re-fits often find different clusters";
  return (
    <section className="card stack" aria-labelledby="stability-title">
      <div>
        <h2 id="stability-title" className="card__title">
          How stable are the clusters at k = {k}?
        </h2>
        <p className="card__subtitle">
          {REFIT_LABEL[stability.refitAlgorithm ?? "kmeans"]} was fitted again {replicates} times, each time on a different random {percent(sampleShare)} of the customers (same
          k and restarts, seeded from the run's seed), and each re-fit was compared with these clusters on the customers it saw.
        </p>
      </div>
      <dl className="details-list details-list--inline stability-facts">
        <div>
          <dt>Adjusted Rand index, mean</dt>
          <dd className="stability-facts__main">{fixed(ari.mean)}</dd>
        </div>
        <div>
          <dt>Lowest</dt>
          <dd>{fixed(ari.min)}</dd>
        </div>
        <div>
          <dt>Highest</dt>
          <dd>{fixed(ari.max)}</dd>
        </div>
      </dl>
      <p className="muted small">
        The adjusted Rand index measures how far two clusterings agree on which customers belong together: 1 means the same
        clusters, about 0 no better than chance. Here {verdict}.
      </p>
      <div>
        <h3 className="section__title">Is each cluster found again?</h3>
        <p className="muted small chart-intro">
          For each cluster, the best overlap with a cluster of each re-fit (Jaccard: shared customers ÷ customers in either; 1 is
          the same cluster). Bars show the mean over the re-fits, the tick the worst re-fit, the dashed line the threshold of{" "}
          {fixed(threshold)}. A mean below 0.5 means the cluster usually dissolves; above 0.75 it is stable.
        </p>
        <JaccardChart stability={stability} names={names} />
      </div>
      {unstable.length === 0 ? (
        <p className="stability-verdict stability-verdict--ok">
          All {clusters.length} clusters are stable: each is found again with a mean Jaccard of at least {fixed(threshold)}.
        </p>
      ) : (
        <ul className="stability-verdict stability-verdict--warn">
          {unstable.map((c) => (
            <li key={c.cluster}>
              <strong>{clusterLabel(c.cluster)}</strong>
              {names.get(c.cluster) ? ` (${names.get(c.cluster)})` : ""} is unstable: re-fits find it again only in part (mean
              Jaccard {fixed(c.jaccardMean)}, below {fixed(threshold)}; worst re-fit {fixed(c.jaccardMin)}
              {c.dissolvedShare !== undefined
                ? `; it dissolves in ${Math.round(c.dissolvedShare * 100)}% of re-fits`
                : c.jaccardMean < 0.5
                  ? ", so it usually dissolves"
                  : ""}
              ). Check it before making it a segment.
            </li>
          ))}
        </ul>
      )}
      {stability.timeWindow ? <TimeWindow window={stability.timeWindow} names={names} /> : null}
    </section>
  );
}

/** The re-fit on the same customers' data of an earlier time window (services/models/time-window.ts). */
function TimeWindow({ window, names }: { window: ModelTimeWindowStability; names: ReadonlyMap<number, string> }) {
  if (window.status === "skipped") {
    return (
      <div>
        <h3 className="section__title">On earlier data</h3>
        <p className="muted small">Not checked: {window.reason}</p>
      </div>
    );
  }
  const unstable = window.clusters.filter((c) => !c.stable);
  return (
    <div>
      <h3 className="section__title">On the data of {window.windowDays} days earlier</h3>
      <p className="muted small chart-intro">
        The same {window.customers.toLocaleString("en-GB")} customers (those who had bought before {window.cutoff}) were clustered again on their
        features as they were that day, and compared with these clusters. Customers do change over {window.windowDays} days, so lower values than
        above are expected; a cluster found again here is a lasting pattern, not a snapshot.
      </p>
      <dl className="details-list details-list--inline stability-facts">
        <div>
          <dt>Adjusted Rand index</dt>
          <dd className="stability-facts__main">{fixed(window.ari)}</dd>
        </div>
        {window.clusters.map((c) => (
          <div key={c.cluster}>
            <dt title={names.get(c.cluster)}>{clusterLabel(c.cluster)} Jaccard</dt>
            <dd className={c.stable ? undefined : "chart__value--danger"}>{fixed(c.jaccard)}</dd>
          </div>
        ))}
      </dl>
      <p className="muted small">
        {unstable.length === 0
          ? `Every cluster is found again on the earlier data (Jaccard at least ${fixed(window.threshold)}).`
          : `Not found again on the earlier data (Jaccard below ${fixed(window.threshold)}): ${unstable.map((c) => clusterLabel(c.cluster)).join(", ")}.`}
      </p>
    </div>
  );
}
