/**
 * Choosing the number of clusters: fit k-means for each k in a range and score each fit.
 *
 * For each k: inertia (the elbow curve), silhouette, Calinski–Harabasz and Davies–Bouldin
 * (definitions in cluster-metrics.ts), on the same (scaled) data the clustering used.
 *
 * Recommended k (RECOMMENDATION_RULE): the silhouette decides, because it rewards both
 * compact and well-separated clusters and, unlike inertia, does not improve just by adding
 * clusters. Silhouettes that differ by less than SILHOUETTE_TIE (0.01) are treated as a tie
 * (differences that small are within sampling noise and the k-means optimum's own variation),
 * and the tie goes to the k with the highest Calinski–Harabasz index; if that ties too, the
 * smallest k. So: among the k whose silhouette is within 0.01 of the best, the one with the
 * highest Calinski–Harabasz, then the smallest.
 */
import type { FeatureMatrix } from "./feature-matrix";
import { calinskiHarabasz, daviesBouldin, silhouette } from "./cluster-metrics";
import { type KmeansOptions, type KmeansResult, kmeans } from "./kmeans";
import { KmeansEngine } from "./kmeans-engine";
import { defaultLocalTrials } from "./kmeans-seeding";

export const SILHOUETTE_TIE = 0.01;
export const RECOMMENDATION_RULE =
  `highest silhouette; silhouettes within ${SILHOUETTE_TIE} of the best tie, ` + "and a tie goes to the highest Calinski-Harabasz index, then the smallest k";

export interface KScore {
  k: number;
  inertia: number;
  silhouette: number;
  calinskiHarabasz: number;
  daviesBouldin: number;
  sizes: number[];
}

export interface KEvaluation extends KScore {
  fit: KmeansResult;
  /** Whether the silhouette was computed on a sample (n above the sample size). */
  silhouetteSampled: boolean;
  /** Rows the silhouette was computed on (n, or the sample size). */
  silhouetteRows: number;
}

export interface Recommendation {
  k: number;
  reason: string;
}

export interface EvaluateOptions extends Omit<KmeansOptions, "engine" | "initialCentres"> {
  /** Silhouette sample size (default 10,000; exact below). */
  silhouetteSampleSize?: number;
  /**
   * Called after each k is scored (progress, cancellation: a throw stops the loop and is
   * passed on after the engine is closed).
   */
  onEvaluated?: (evaluation: KEvaluation, index: number) => void | Promise<void>;
}

/** Fits and scores each k (in the order given), sharing one engine (and its threads) across them. */
export async function evaluateKs(matrix: FeatureMatrix, ks: readonly number[], options: EvaluateOptions = {}): Promise<KEvaluation[]> {
  const maxK = Math.max(...ks);
  const maxTrials = options.localTrials ?? Math.max(...ks.map(defaultLocalTrials));
  const engine = await KmeansEngine.create(matrix, maxK, maxTrials, options.threads ?? 1);
  try {
    const out: KEvaluation[] = [];
    for (const k of ks) {
      const { onEvaluated: _, silhouetteSampleSize: __, ...kmeansOptions } = options;
      const fit = await kmeans(matrix, k, { ...kmeansOptions, engine });
      const s = silhouette(matrix, fit.labels, { sampleSize: options.silhouetteSampleSize, seed: options.seed });
      out.push({
        k,
        inertia: fit.inertia,
        silhouette: s.score,
        calinskiHarabasz: calinskiHarabasz(matrix, fit.labels),
        daviesBouldin: daviesBouldin(matrix, fit.labels),
        sizes: fit.sizes,
        fit,
        silhouetteSampled: s.sampled,
        silhouetteRows: s.rowsUsed,
      });
      await options.onEvaluated?.(out[out.length - 1], out.length - 1);
    }
    return out;
  } finally {
    await engine.close();
  }
}

function round(x: number, digits: number): string {
  return x.toFixed(digits);
}

/** The recommended k by RECOMMENDATION_RULE, with a sentence saying why. */
export function recommendK(scores: readonly KScore[]): Recommendation {
  if (scores.length === 0) throw new RangeError("no k was evaluated");
  const top = scores.reduce((a, b) => (b.silhouette > a.silhouette ? b : a));
  const tied = scores.filter((s) => s.silhouette >= top.silhouette - SILHOUETTE_TIE);
  const chosen = tied.reduce((a, b) => (b.calinskiHarabasz > a.calinskiHarabasz || (b.calinskiHarabasz === a.calinskiHarabasz && b.k < a.k) ? b : a));
  if (tied.length === 1) {
    return { k: chosen.k, reason: `k=${chosen.k} has the highest silhouette (${round(chosen.silhouette, 3)})` };
  }
  const others = tied.filter((s) => s !== chosen).map((s) => s.k);
  return {
    k: chosen.k,
    reason:
      `k=${chosen.k}: its silhouette (${round(chosen.silhouette, 3)}) is within ${SILHOUETTE_TIE} of the best ` +
      `(${round(top.silhouette, 3)} at k=${top.k}), and among those (k=${[chosen.k, ...others].sort((a, b) => a - b).join(", ")}) ` +
      `it has the highest Calinski-Harabasz index (${round(chosen.calinskiHarabasz, 1)})`,
  };
}
