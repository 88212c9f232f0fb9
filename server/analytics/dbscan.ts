/**
 * DBSCAN (Ester, Kriegel, Sander & Xu 1996): density-based clusters with Euclidean distance on
 * the (transformed) feature matrix.
 *
 * - The eps-neighbourhood of a point is every point at distance ≤ eps, the point itself included.
 * - A point is a core point when its neighbourhood has at least minPts points (itself counted).
 * - Clusters are grown from core points in order of point index: cluster 0 is the cluster of
 *   the lowest-index core point, cluster 1 that of the lowest-index core point not in cluster 0,
 *   and so on. Labels are 0..c−1; noise is −1.
 * - A border point (not core, but within eps of a core point) goes to the FIRST cluster that
 *   reaches it in that order, even when it is also within eps of a core point of a later
 *   cluster (the classic algorithm's behaviour; only border points can be order-dependent).
 *
 * Neighbourhood queries are exact: a grid of cells of side eps on the features (on the 4 with
 * the widest range when there are more): a point's neighbours lie in the 3^g cells around its
 * own; candidates are always checked with the full distance.
 */
import { AnalyticsInputError, type FeatureMatrix } from "./feature-matrix";

/** Largest number of rows DBSCAN accepts (its neighbourhood queries are up to O(n²)). */
export const DBSCAN_MAX_ROWS = 50_000;
/** Largest number of rows kDistances accepts (it is O(n²)). */
export const KDISTANCE_MAX_ROWS = 10_000;

export const DBSCAN_NOISE = -1;

export interface DbscanOptions {
  /** Neighbourhood radius (Euclidean), > 0. */
  eps: number;
  /** Points in a core point's eps-neighbourhood, the point itself counted; ≥ 2. */
  minPts: number;
}

export interface DbscanResult {
  /** Per row: cluster 0..clusters−1, or −1 for noise. */
  labels: Int32Array;
  clusters: number;
  /** Rows per cluster (index = cluster). */
  sizes: number[];
  noise: number;
  /** Per row: 1 when it is a core point. */
  core: Uint8Array;
}

function checkMatrix(matrix: FeatureMatrix, maxRows: number, what: string): void {
  if (matrix.rows === 0) throw new AnalyticsInputError("no rows: at least one row is needed");
  if (matrix.rows > maxRows) {
    throw new AnalyticsInputError(
      `${what} accepts at most ${maxRows.toLocaleString("en")} rows, got ${matrix.rows.toLocaleString("en")}: use k-means or a Gaussian mixture on a larger customer base, or ${what} on a smaller selection`,
    );
  }
  const { values, cols } = matrix;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new AnalyticsInputError(`row ${Math.floor(i / cols) + 1}, feature ${(i % cols) + 1}: missing or infinite value (${values[i]})`, {
        row: Math.floor(i / cols) + 1,
        feature: `feature ${(i % cols) + 1}`,
      });
    }
  }
}

/** Squared Euclidean distance between rows a and b. */
function dist2(values: Float64Array, cols: number, a: number, b: number): number {
  let s = 0;
  const oa = a * cols;
  const ob = b * cols;
  for (let t = 0; t < cols; t++) {
    const d = values[oa + t] - values[ob + t];
    s += d * d;
  }
  return s;
}

type RegionQuery = (i: number, out: number[]) => void;

/** The (at most 4) columns with the widest range, in column order. */
function gridColumns(matrix: FeatureMatrix): number[] {
  const { values, rows, cols } = matrix;
  const ranges = Array.from({ length: cols }, (_, t) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < rows; i++) {
      lo = Math.min(lo, values[i * cols + t]);
      hi = Math.max(hi, values[i * cols + t]);
    }
    return { t, range: hi - lo };
  });
  return ranges
    .sort((a, b) => b.range - a.range || a.t - b.t)
    .slice(0, MAX_GRID_DIMS)
    .map((r) => r.t)
    .sort((a, b) => a - b);
}

const MAX_GRID_DIMS = 4;

/**
 * Grid of cells of side eps on `dims` (all columns when d ≤ 4, else the 4 widest): two rows
 * within eps of each other are within eps on every column, so a row's neighbours lie in the 3^g
 * cells around its own; every candidate is checked with the full distance (exact).
 */
function gridIndex(matrix: FeatureMatrix, eps: number, dims: readonly number[]): RegionQuery {
  const { values, rows, cols } = matrix;
  const g = dims.length;
  const eps2 = eps * eps;
  const mins = dims.map((t) => {
    let m = Infinity;
    for (let i = 0; i < rows; i++) m = Math.min(m, values[i * cols + t]);
    return m;
  });
  const cells = new Map<string, number[]>();
  const coords = new Float64Array(rows * g);
  for (let i = 0; i < rows; i++) {
    for (let u = 0; u < g; u++) coords[i * g + u] = Math.floor((values[i * cols + dims[u]] - mins[u]) / eps);
    const key = Array.from(coords.subarray(i * g, (i + 1) * g)).join(",");
    const list = cells.get(key);
    if (list) list.push(i);
    else cells.set(key, [i]);
  }
  let offsets: number[][] = [[]];
  for (let u = 0; u < g; u++) offsets = offsets.flatMap((o) => [-1, 0, 1].map((d) => [...o, d]));
  const key = new Array<number>(g);
  return (i, out) => {
    out.length = 0;
    // Neighbour order does not matter: a cluster's members are the same in any visiting order,
    // and a border point goes to the first cluster (in order of discovery) whatever the order.
    for (const o of offsets) {
      for (let u = 0; u < g; u++) key[u] = coords[i * g + u] + o[u];
      const list = cells.get(key.join(","));
      if (list) for (const j of list) if (dist2(values, cols, i, j) <= eps2) out.push(j);
    }
  };
}

/** Throws AnalyticsInputError unless eps > 0 (finite) and minPts is a whole number ≥ 2. */
export function checkDbscanOptions(options: DbscanOptions): void {
  if (!Number.isFinite(options.eps) || options.eps <= 0) throw new AnalyticsInputError(`eps must be a positive number, got ${options.eps}`);
  if (!Number.isInteger(options.minPts) || options.minPts < 2) {
    throw new AnalyticsInputError(`minPts must be a whole number of at least 2 (the point itself counted), got ${options.minPts}`);
  }
}

export function dbscan(matrix: FeatureMatrix, options: DbscanOptions): DbscanResult {
  checkDbscanOptions(options);
  checkMatrix(matrix, DBSCAN_MAX_ROWS, "DBSCAN");
  const { rows } = matrix;
  const { eps, minPts } = options;
  const query = gridIndex(matrix, eps, gridColumns(matrix));
  const UNVISITED = -2;
  const labels = new Int32Array(rows).fill(UNVISITED);
  const core = new Uint8Array(rows);
  const sizes: number[] = [];
  const neighbours: number[] = [];
  let clusters = 0;
  for (let i = 0; i < rows; i++) {
    if (labels[i] !== UNVISITED) continue;
    query(i, neighbours);
    if (neighbours.length < minPts) {
      labels[i] = DBSCAN_NOISE; // may become a border point of a later cluster
      continue;
    }
    const c = clusters++;
    sizes.push(0);
    labels[i] = c;
    core[i] = 1;
    sizes[c]++;
    const queue = neighbours.filter((j) => j !== i);
    for (let q = 0; q < queue.length; q++) {
      const j = queue[q];
      if (labels[j] === DBSCAN_NOISE) {
        labels[j] = c; // a border point: it was queried before and is not core
        sizes[c]++;
        continue;
      }
      if (labels[j] !== UNVISITED) continue;
      labels[j] = c;
      sizes[c]++;
      query(j, neighbours);
      if (neighbours.length >= minPts) {
        core[j] = 1;
        for (const m of neighbours) if (labels[m] === UNVISITED || labels[m] === DBSCAN_NOISE) queue.push(m);
      }
    }
  }
  let noise = 0;
  for (let i = 0; i < rows; i++) if (labels[i] === DBSCAN_NOISE) noise++;
  return { labels, clusters, sizes, noise, core };
}

/**
 * Each row's distance to its k-th nearest OTHER row, sorted descending: the "k-distance plot"
 * for choosing eps (with k = minPts − 1, eps near the knee where the curve bends from the steep
 * outliers to the flat dense part). Exact, O(n²); at most KDISTANCE_MAX_ROWS rows (pass a sample).
 */
export function kDistances(matrix: FeatureMatrix, k: number): Float64Array {
  checkMatrix(matrix, KDISTANCE_MAX_ROWS, "the k-distance computation");
  const { values, rows, cols } = matrix;
  if (!Number.isInteger(k) || k < 1) throw new AnalyticsInputError(`k must be a whole number of at least 1, got ${k}`);
  if (k > rows - 1) throw new AnalyticsInputError(`k=${k} needs at least ${k + 1} rows, got ${rows}`);
  const out = new Float64Array(rows);
  // The k smallest squared distances so far, ascending.
  const best = new Float64Array(k);
  for (let i = 0; i < rows; i++) {
    best.fill(Infinity);
    for (let j = 0; j < rows; j++) {
      if (j === i) continue;
      const d = dist2(values, cols, i, j);
      if (d >= best[k - 1]) continue;
      let p = k - 1;
      while (p > 0 && best[p - 1] > d) {
        best[p] = best[p - 1];
        p--;
      }
      best[p] = d;
    }
    out[i] = Math.sqrt(best[k - 1]);
  }
  return out.sort().reverse();
}
