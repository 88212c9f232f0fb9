/**
 * Stability of a model run's chosen k (issue #6): re-fit k-means on random subsamples of the
 * customers and measure how well the full fit's clusters survive.
 *
 * Resampling: SUBSAMPLING WITHOUT REPLACEMENT of ⌊sampleShare · n⌋ customers (Hennig 2007's
 * "subsetting" scheme), not the classical bootstrap with replacement. With replacement, a
 * duplicated customer would be counted twice in the contingency table and k-means would see a
 * point with double weight; subsampling has no duplicates, so each replicate is an ordinary
 * clustering of distinct customers and the comparison with the full fit is on exactly those
 * customers. (The stored `method` is "bootstrap", the umbrella name the schema uses.)
 *
 * Per replicate b (1 … R):
 * - the sample is drawn with SeededRandom(deriveSeed(deriveSeed(seed, STABILITY_STREAM), b)),
 *   and k-means is re-fitted on it with the same k and restarts as the run, seeded from the
 *   same replicate seed (so the re-fit also varies the k-means++ seeding, which is part of what
 *   makes a clustering unstable). Everything is deterministic for a seed;
 * - ARI (server/analytics/stability.ts) between the full fit's labels restricted to the sample
 *   and the replicate's labels;
 * - for each cluster of the full fit, its best-match Jaccard over the replicate's clusters, both
 *   restricted to the sample (Hennig's clusterwise Jaccard). A cluster with no customer in a
 *   sample (possible only for very small clusters) is skipped for that replicate; one absent from
 *   every sample is reported with Jaccard 0 and unstable.
 *
 * Threshold (default 0.6): a cluster whose MEAN best-match Jaccard over the replicates is below it
 * is flagged unstable. Hennig's rule of thumb reads a mean below 0.5 as "the cluster dissolves"
 * and above 0.75 as "stable"; 0.6 flags the dissolving clusters and the weaker half of the grey
 * zone between, so a flag means "re-fits on 80% of the same customers often do not find this
 * cluster again".
 *
 * Replicates (default rule, `defaultReplicates`): 20 while R · sampleShare · n stays within
 * STABILITY_ROW_BUDGET (1,000,000 re-fitted rows, i.e. up to n = 62,500 at 0.8), otherwise as
 * many as fit in the budget, but never fewer than 5: 100,000 customers get 12 replicates,
 * 250,000 and more get 5. Measured (one thread, 10 restarts, 4 features, k = 5): 20 replicates
 * on 100,000 rows took 6.3 s against 8.6 s for fitting k = 2 … 8, so the budget keeps the check
 * to roughly a third to a half of the fitting time for large runs; small runs (the mall's 200
 * customers: about 50 ms) keep all 20.
 *
 * Cost: one k-means engine (buffers for ⌊sampleShare · n⌋ rows, 2 threads from LARGE_RUN rows)
 * is created once and the sample is written into its matrix for each replicate.
 */
import type { ModelStability } from "../../../db/schema";
import { AnalyticsInputError, featureMatrix, type FeatureMatrix } from "../../analytics/feature-matrix";
import { gmm } from "../../analytics/gmm";
import { kmeans } from "../../analytics/kmeans";
import { KmeansEngine, sharedFeatureMatrix } from "../../analytics/kmeans-engine";
import { defaultLocalTrials } from "../../analytics/kmeans-seeding";
import { deriveSeed, SeededRandom } from "../../analytics/seeded-random";
import { adjustedRandIndex, clusterwiseJaccard } from "../../analytics/stability";
import { wardCluster, wardLabels } from "../../analytics/ward";
import { lca, type CategoricalData } from "../../analytics/lca";
import { defaultGrid, somClusters, trainSom } from "../../analytics/som";

/** The answers of the chosen rows, in the order given. */
function subsetCodes(data: CategoricalData, rows: ArrayLike<number>): CategoricalData {
  const J = data.levels.length;
  const codes = new Int32Array(rows.length * J);
  for (let s = 0; s < rows.length; s++) codes.set(data.codes.subarray(rows[s] * J, (rows[s] + 1) * J), s * J);
  return { rows: rows.length, levels: data.levels, codes };
}
import { LARGE_RUN } from "./pipeline";

export const STABILITY_STREAM = 0x57ab;
export const STABILITY_ROW_BUDGET = 1_000_000;
export const DEFAULT_STABILITY_THRESHOLD = 0.6;
export const DEFAULT_SAMPLE_SHARE = 0.8;
export const MAX_REPLICATES = 20;
export const MIN_REPLICATES = 5;

export interface StabilityOptions {
  /** Re-fits (default: `defaultReplicates(n, sampleShare)`). */
  replicates?: number;
  /** Share of the customers in each subsample, in (0, 1) (default 0.8). */
  sampleShare?: number;
  /** The run's seed (integer 0 … 2^32 − 1). */
  seed: number;
  /** k-means restarts of each re-fit (the run's). */
  restarts: number;
  /**
   * The algorithm of each re-fit, the run's (default "kmeans"). A Gaussian-mixture run re-fits a
   * Gaussian mixture (gmm.ts, same seed and restarts) and compares its hard labels.
   */
  algorithm?: "kmeans" | "gmm" | "ward" | "som" | "lca";
  /** Self-organizing map re-fits: the run's grid. */
  somGrid?: { rows: number; cols: number };
  /** Latent class re-fits: the answers of the same rows as `transformed` (its one-hot columns). */
  categorical?: CategoricalData;
  /** Mean best-match Jaccard below which a cluster is unstable (default 0.6). */
  threshold?: number;
  /** Threads for k-means (default: 2 from LARGE_RUN rows, else 1). */
  threads?: number;
  /** After each replicate (progress and cancellation: a throw stops the check and is passed on). */
  onReplicate?: (done: number, total: number) => void | Promise<void>;
}

/** The default number of replicates for n customers (see the module comment). */
export function defaultReplicates(n: number, sampleShare = DEFAULT_SAMPLE_SHARE): number {
  const fit = Math.floor(STABILITY_ROW_BUDGET / Math.max(1, Math.floor(sampleShare * n)));
  return Math.max(MIN_REPLICATES, Math.min(MAX_REPLICATES, fit));
}

/**
 * Subsampling stability of a k-means fit (see the module comment). `fullLabels` are the full
 * fit's 0-based labels; the reported clusters are 1-based (label + 1), as stored everywhere.
 */
/** Hennig (2007): a cluster whose best match in a re-fit has Jaccard at most 0.5 has dissolved there. */
export const DISSOLVED = 0.5;

export async function bootstrapStability(transformed: FeatureMatrix, fullLabels: Int32Array, k: number, options: StabilityOptions): Promise<ModelStability> {
  const { rows: n, cols } = transformed;
  if (fullLabels.length !== n) throw new RangeError(`${fullLabels.length} labels for ${n} rows`);
  const sampleShare = options.sampleShare ?? DEFAULT_SAMPLE_SHARE;
  if (!(sampleShare > 0 && sampleShare < 1)) throw new RangeError(`sampleShare must be between 0 and 1 (exclusive), got ${sampleShare}`);
  const replicates = options.replicates ?? defaultReplicates(n, sampleShare);
  if (!Number.isInteger(replicates) || replicates < 1) throw new RangeError(`replicates must be a whole number ≥ 1, got ${replicates}`);
  const threshold = options.threshold ?? DEFAULT_STABILITY_THRESHOLD;
  const m = Math.floor(sampleShare * n);
  if (m < k + 1) throw new AnalyticsInputError(`A ${Math.round(sampleShare * 100)}% subsample of ${n} customers is too small to re-fit k=${k}.`);

  const threads = options.threads ?? (n >= LARGE_RUN ? 2 : 1);
  // One matrix (shared memory when threaded) and one engine for every replicate: the sample is
  // written into the matrix the engine reads.
  const sample = threads > 1 ? sharedFeatureMatrix(m, cols) : featureMatrix(new Float64Array(m * cols), m, cols);
  const localTrials = defaultLocalTrials(k);
  const engine = await KmeansEngine.create(sample, k, localTrials, threads);
  const base = deriveSeed(options.seed, STABILITY_STREAM);
  const ari: number[] = [];
  const jaccards: number[][] = Array.from({ length: k }, () => []);
  const restricted = new Int32Array(m);
  try {
    for (let b = 0; b < replicates; b++) {
      const seed = deriveSeed(base, b);
      const indexes = new SeededRandom(seed).sampleIndexes(n, m);
      const values = engine.buffers.values;
      for (let s = 0; s < m; s++) {
        const i = indexes[s];
        values.set(transformed.values.subarray(i * cols, (i + 1) * cols), s * cols);
        restricted[s] = fullLabels[i];
      }
      const refit =
        options.algorithm === "gmm"
          ? await gmm(sample, k, { seed, restarts: options.restarts })
          : options.algorithm === "ward"
            ? { labels: wardLabels(await wardCluster(sample, { seed }), k) }
            : options.algorithm === "som"
              ? await somClusters(trainSom(sample, { ...(options.somGrid ?? defaultGrid(m)), seed }), k, { seed, restarts: options.restarts })
              : options.algorithm === "lca" && options.categorical
                ? lca(subsetCodes(options.categorical, indexes), k, { seed, restarts: options.restarts })
                : await kmeans(sample, k, { seed, restarts: options.restarts, localTrials, engine });
      ari.push(adjustedRandIndex(restricted, refit.labels));
      for (const c of clusterwiseJaccard(restricted, refit.labels)) jaccards[c.cluster]?.push(c.jaccard);
      await options.onReplicate?.(b + 1, replicates);
    }
  } finally {
    await engine.close();
  }
  const clusters = jaccards.map((values, c) => {
    const jaccardMean = values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0;
    const jaccardMin = values.length ? Math.min(...values) : 0;
    // Hennig: a re-fit in which the cluster's best match has Jaccard ≤ 0.5 "dissolved" it.
    const dissolvedShare = values.length ? values.filter((v) => v <= DISSOLVED).length / values.length : 1;
    return { cluster: c + 1, jaccardMean, jaccardMin, stable: values.length > 0 && jaccardMean >= threshold, dissolvedShare };
  });
  return {
    method: "bootstrap",
    ...(options.algorithm && options.algorithm !== "kmeans" ? { refitAlgorithm: options.algorithm } : {}),
    replicates,
    sampleShare,
    ari: { mean: ari.reduce((s, v) => s + v, 0) / ari.length, min: Math.min(...ari), max: Math.max(...ari), values: ari },
    clusters,
    threshold,
  };
}
