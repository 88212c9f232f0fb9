/**
 * Agreement between two clusterings of the same rows, for stability checks (re-fit on a
 * bootstrap or a perturbed sample, then compare).
 *
 * - Adjusted Rand index (Hubert & Arabie 1985): with the contingency table n_ij (rows in
 *   cluster i of the first labeling and j of the second), row sums a_i, column sums b_j and
 *   C(m) = m(m − 1)/2,
 *     index = Σ C(n_ij), expected = Σ C(a_i) · Σ C(b_j) / C(n), max = ½ (Σ C(a_i) + Σ C(b_j)),
 *     ARI = (index − expected) / (max − expected).
 *   1 for identical partitions (whatever the label numbers), about 0 for independent ones, and
 *   can be negative. When max = expected (both labelings put everything in one cluster, or
 *   every row in its own) the partitions are identical and ARI is 1 (scikit-learn's convention).
 * - Clusterwise Jaccard (Hennig 2007, "Cluster-wise assessment of cluster stability"): for each
 *   cluster A of the reference, the best Jaccard similarity |A ∩ B| / |A ∪ B| over the clusters
 *   B of the re-fit, and which B that is (the lowest label on ties). Hennig's rule of thumb:
 *   mean Jaccard below 0.5 over re-fits means the cluster dissolves; above 0.75, it is stable.
 */
import { denseClusters } from "./cluster-metrics";

function choose2(m: number): number {
  return (m * (m - 1)) / 2;
}

/** Contingency counts of two labelings (dense clusters of each). */
function contingency(a: ArrayLike<number>, b: ArrayLike<number>) {
  if (a.length !== b.length) throw new RangeError(`the labelings have different lengths (${a.length} and ${b.length})`);
  const ca = denseClusters(a, a.length);
  const cb = denseClusters(b, b.length);
  const table = new Float64Array(ca.k * cb.k);
  for (let i = 0; i < a.length; i++) table[ca.index[i] * cb.k + cb.index[i]]++;
  return { ca, cb, table };
}

export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const { ca, cb, table } = contingency(a, b);
  const n = a.length;
  let index = 0;
  for (const v of table) index += choose2(v);
  const sumA = ca.sizes.reduce((s, m) => s + choose2(m), 0);
  const sumB = cb.sizes.reduce((s, m) => s + choose2(m), 0);
  const expected = n < 2 ? 0 : (sumA * sumB) / choose2(n);
  const max = (sumA + sumB) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}

export interface ClusterJaccard {
  /** The reference cluster's label. */
  cluster: number;
  /** Best Jaccard similarity with a re-fit cluster. */
  jaccard: number;
  /** The re-fit cluster's label achieving it. */
  bestMatch: number;
}

/** Per reference cluster (in increasing label order), its best Jaccard match in the re-fit. */
export function clusterwiseJaccard(reference: ArrayLike<number>, refit: ArrayLike<number>): ClusterJaccard[] {
  const { ca, cb, table } = contingency(reference, refit);
  return ca.original.map((cluster, i) => {
    let jaccard = -1;
    let bestMatch = cb.original[0];
    for (let j = 0; j < cb.k; j++) {
      const both = table[i * cb.k + j];
      const value = both / (ca.sizes[i] + cb.sizes[j] - both);
      if (value > jaccard) {
        jaccard = value;
        bestMatch = cb.original[j];
      }
    }
    return { cluster, jaccard, bestMatch };
  });
}
