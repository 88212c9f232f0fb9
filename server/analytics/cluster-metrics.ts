/**
 * Internal validity measures of a clustering (a label per row), with Euclidean distances on the
 * data as given (pass the same scaled data the clustering used).
 *
 * Clusters are the distinct labels that occur; labels must be integers ≥ 0, and a label with no
 * rows is ignored. Let n be the number of rows, k the number of clusters, c_j the mean of
 * cluster j, c the mean of all rows, n_j the size of cluster j.
 *
 * - Inertia (within-cluster sum of squares, the elbow curve): W = Σᵢ ‖xᵢ − c_label(i)‖².
 * - Silhouette (Rousseeuw 1987): for row i in cluster A, a(i) = mean distance to the other rows
 *   of A, b(i) = min over clusters B ≠ A of the mean distance to the rows of B;
 *   s(i) = (b − a) / max(a, b), and s(i) = 0 when A has one row. The score is the mean of s(i)
 *   over the rows. Needs 2 ≤ k ≤ n − 1. Exact (all pairs) for n ≤ sampleSize (default 10,000);
 *   above that, the score of a uniform random sample of sampleSize rows without replacement
 *   (SeededRandom(seed), default seed 0), computed within the sample as if it were the data
 *   (scikit-learn's `silhouette_score(..., sample_size=...)` does the same).
 * - Calinski–Harabasz (1974): [B / (k − 1)] / [W / (n − k)], B = Σⱼ n_j ‖c_j − c‖². Needs
 *   2 ≤ k ≤ n − 1; when W = 0 it is 1 (scikit-learn's convention).
 * - Davies–Bouldin (1979): S_j = mean distance of cluster j's rows to c_j; the score is
 *   (1/k) Σⱼ max_{m≠j} (S_j + S_m) / ‖c_j − c_m‖. Lower is better. Needs 2 ≤ k ≤ n − 1. A pair
 *   of clusters with equal centroids contributes 0 (scikit-learn's convention: ‖·‖ = 0 is
 *   treated as ∞).
 */
import { AnalyticsInputError, type FeatureMatrix } from "./feature-matrix";
import { SeededRandom, checkSeed } from "./seeded-random";

/** Labels renumbered 0 … k − 1 in increasing order of the original label values that occur. */
export interface Clusters {
  /** Dense cluster index of each row. */
  index: Int32Array;
  /** Number of non-empty clusters. */
  k: number;
  /** Rows per dense cluster. */
  sizes: number[];
  /** The original label of each dense cluster. */
  original: number[];
}

/** Checks the labels and renumbers the clusters that occur densely, in increasing label order. */
export function denseClusters(labels: ArrayLike<number>, rows: number): Clusters {
  if (labels.length !== rows) throw new RangeError(`${labels.length} labels for ${rows} rows`);
  const present = new Map<number, number>();
  for (let i = 0; i < rows; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0) throw new RangeError(`row ${i + 1}: a cluster label must be an integer ≥ 0, got ${l}`);
    present.set(l, (present.get(l) ?? 0) + 1);
  }
  const original = [...present.keys()].sort((a, b) => a - b);
  const toDense = new Map(original.map((l, j) => [l, j]));
  const index = new Int32Array(rows);
  for (let i = 0; i < rows; i++) index[i] = toDense.get(labels[i]) ?? 0;
  return { index, k: original.length, sizes: original.map((l) => present.get(l) ?? 0), original };
}

function requireClusterCount(what: string, k: number, n: number): void {
  if (k < 2 || k > n - 1) {
    throw new AnalyticsInputError(`${what} needs between 2 and n − 1 = ${n - 1} clusters; the labels have ${k}`);
  }
}

/** Cluster means (k × cols) of the dense clusters. */
export function clusterMeans(matrix: FeatureMatrix, clusters: Clusters): Float64Array {
  const { values, rows, cols } = matrix;
  const means = new Float64Array(clusters.k * cols);
  for (let i = 0; i < rows; i++) {
    const c = clusters.index[i] * cols;
    for (let t = 0; t < cols; t++) means[c + t] += values[i * cols + t];
  }
  for (let j = 0; j < clusters.k; j++) for (let t = 0; t < cols; t++) means[j * cols + t] /= clusters.sizes[j];
  return means;
}

function squaredDistance(a: Float64Array, ao: number, b: Float64Array, bo: number, cols: number): number {
  let s = 0;
  for (let t = 0; t < cols; t++) {
    const e = a[ao + t] - b[bo + t];
    s += e * e;
  }
  return s;
}

/** W = Σᵢ ‖xᵢ − c_label(i)‖² with c the cluster means. */
export function inertia(matrix: FeatureMatrix, labels: ArrayLike<number>): number {
  const clusters = denseClusters(labels, matrix.rows);
  const means = clusterMeans(matrix, clusters);
  let w = 0;
  for (let i = 0; i < matrix.rows; i++) w += squaredDistance(matrix.values, i * matrix.cols, means, clusters.index[i] * matrix.cols, matrix.cols);
  return w;
}

export function calinskiHarabasz(matrix: FeatureMatrix, labels: ArrayLike<number>): number {
  const { rows, cols, values } = matrix;
  const clusters = denseClusters(labels, rows);
  requireClusterCount("the Calinski-Harabasz index", clusters.k, rows);
  const means = clusterMeans(matrix, clusters);
  const overall = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let t = 0; t < cols; t++) overall[t] += values[i * cols + t];
  for (let t = 0; t < cols; t++) overall[t] /= rows;
  let between = 0;
  for (let j = 0; j < clusters.k; j++) between += clusters.sizes[j] * squaredDistance(means, j * cols, overall, 0, cols);
  let within = 0;
  for (let i = 0; i < rows; i++) within += squaredDistance(values, i * cols, means, clusters.index[i] * cols, cols);
  if (within === 0) return 1;
  return (between * (rows - clusters.k)) / (within * (clusters.k - 1));
}

export function daviesBouldin(matrix: FeatureMatrix, labels: ArrayLike<number>): number {
  const { rows, cols, values } = matrix;
  const clusters = denseClusters(labels, rows);
  const k = clusters.k;
  requireClusterCount("the Davies-Bouldin index", k, rows);
  const means = clusterMeans(matrix, clusters);
  const scatter = new Float64Array(k);
  for (let i = 0; i < rows; i++) {
    const j = clusters.index[i];
    scatter[j] += Math.sqrt(squaredDistance(values, i * cols, means, j * cols, cols));
  }
  for (let j = 0; j < k; j++) scatter[j] /= clusters.sizes[j];
  let total = 0;
  for (let j = 0; j < k; j++) {
    let worst = 0;
    for (let m = 0; m < k; m++) {
      if (m === j) continue;
      const separation = Math.sqrt(squaredDistance(means, j * cols, means, m * cols, cols));
      const ratio = separation === 0 ? 0 : (scatter[j] + scatter[m]) / separation;
      if (ratio > worst) worst = ratio;
    }
    total += worst;
  }
  return total / k;
}

/** s(i) of every row (exact, all pairs: O(n² · cols) time, O(n · k) memory). */
export function silhouetteSamples(matrix: FeatureMatrix, labels: ArrayLike<number>): Float64Array {
  const { rows, cols, values } = matrix;
  const clusters = denseClusters(labels, rows);
  const k = clusters.k;
  requireClusterCount("the silhouette", k, rows);
  // distanceSums[i·k + j]: sum of distances from row i to the rows of cluster j.
  const distanceSums = new Float64Array(rows * k);
  const index = clusters.index;
  for (let i = 0; i < rows; i++) {
    const io = i * cols;
    const li = index[i];
    for (let m = i + 1; m < rows; m++) {
      const dist = Math.sqrt(squaredDistance(values, io, values, m * cols, cols));
      distanceSums[i * k + index[m]] += dist;
      distanceSums[m * k + li] += dist;
    }
  }
  const s = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const own = index[i];
    const size = clusters.sizes[own];
    if (size === 1) continue;
    const a = distanceSums[i * k + own] / (size - 1);
    let b = Infinity;
    for (let j = 0; j < k; j++) {
      if (j !== own) b = Math.min(b, distanceSums[i * k + j] / clusters.sizes[j]);
    }
    const larger = Math.max(a, b);
    s[i] = larger === 0 ? 0 : (b - a) / larger;
  }
  return s;
}

export interface SilhouetteOptions {
  /** Rows above which a random sample of this many rows is scored. Default 10,000. */
  sampleSize?: number;
  /** Seed of the sample. Default 0. */
  seed?: number;
}

export interface SilhouetteResult {
  score: number;
  /** Rows the score was computed on (n, or sampleSize when sampled). */
  rowsUsed: number;
  sampled: boolean;
}

export const DEFAULT_SILHOUETTE_SAMPLE = 10_000;

/** Mean silhouette (see the module comment for the sampling rule). */
export function silhouette(matrix: FeatureMatrix, labels: ArrayLike<number>, options: SilhouetteOptions = {}): SilhouetteResult {
  const sampleSize = options.sampleSize ?? DEFAULT_SILHOUETTE_SAMPLE;
  if (!Number.isInteger(sampleSize) || sampleSize < 2) throw new RangeError(`sampleSize must be a whole number ≥ 2, got ${sampleSize}`);
  const { rows, cols, values } = matrix;
  if (rows <= sampleSize) {
    const s = silhouetteSamples(matrix, labels);
    return { score: s.reduce((a, b) => a + b, 0) / rows, rowsUsed: rows, sampled: false };
  }
  if (labels.length !== rows) throw new RangeError(`${labels.length} labels for ${rows} rows`);
  const picked = new SeededRandom(checkSeed(options.seed ?? 0)).sampleIndexes(rows, sampleSize);
  const sample = new Float64Array(sampleSize * cols);
  const sampleLabels = new Int32Array(sampleSize);
  picked.forEach((row, p) => {
    sample.set(values.subarray(row * cols, (row + 1) * cols), p * cols);
    sampleLabels[p] = labels[row];
  });
  const s = silhouetteSamples({ values: sample, rows: sampleSize, cols }, sampleLabels);
  return { score: s.reduce((a, b) => a + b, 0) / sampleSize, rowsUsed: sampleSize, sampled: true };
}
