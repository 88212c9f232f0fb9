/**
 * Ward hierarchical clustering (Ward 1963), exact, by the nearest-neighbour chain (Murtagh 1983).
 *
 * Definitions
 * - Units are rows of the matrix, each with a weight (1 for customers; the customer count for a
 *   micro-cluster). A cluster is represented by its weight w and centroid c.
 * - Merge cost of clusters A and B: the increase of the within-cluster sum of squares,
 *   ΔSSE(A, B) = w_A w_B / (w_A + w_B) · ‖c_A − c_B‖². The merge HEIGHT is reported as
 *   √(2 ΔSSE) = √(2 w_A w_B / (w_A + w_B)) · ‖c_A − c_B‖, the convention of scipy's
 *   linkage(method="ward") and R's hclust(method="ward.D2"): two single points merge at their
 *   Euclidean distance.
 * - Every step merges the pair with the smallest cost (agglomerative Ward). Ward's cost is
 *   reducible, so the nearest-neighbour chain finds the same merges in O(n²·d) time and O(n·d)
 *   memory; they are then sorted by height (stable: a child always precedes its parent).
 *   Ties between candidate neighbours go to the previous chain element (which the chain needs
 *   to terminate), then to the lowest unit index.
 * - Merges are numbered like scipy's linkage: ids 0..n−1 are the units, merge i creates id n + i.
 * - Cutting at k clusters applies the first n − k merges; clusters are numbered 0..k−1 in order of
 *   their first unit. Cuts are nested: the clusters at k are unions of those at k + 1.
 *
 * Large n (`wardCluster`): exact Ward on every row up to WARD_EXACT_MAX rows; above, on
 * WARD_MICRO_CLUSTERS k-means micro-clusters (fitted on a seeded sample of at most
 * WARD_MICRO_SAMPLE rows, then every row assigned to its nearest micro-centre, whose centroid and
 * weight are recomputed from all of its rows). Ward then merges the micro-clusters as weighted
 * centroids — their merge costs are exactly those of the micro-clusters as clusters — and each row
 * gets its micro-cluster's cluster.
 */
import { AnalyticsInputError, assertFinite, featureMatrix, type FeatureMatrix } from "./feature-matrix";
import { kmeans } from "./kmeans";
import { deriveSeed, SeededRandom } from "./seeded-random";

export const WARD_EXACT_MAX = 5_000;
export const WARD_MICRO_CLUSTERS = 200;
export const WARD_MICRO_SAMPLE = 50_000;
/** Leaves of the stored top of the tree (the dendrogram on the run page). */
export const WARD_TOP_LEAVES = 30;
/** Seed stream of the micro-cluster sample and fit. */
const MICRO_STREAM = 0x3a7d;

export interface WardMerge {
  /** Ids merged: < units for a unit, units + i for the cluster of merge i. */
  a: number;
  b: number;
  /** √(2 ΔSSE) (see the module comment). */
  height: number;
  /** Total weight (customers) of the merged cluster. */
  size: number;
}

export interface WardTree {
  units: number;
  weights: Float64Array;
  /** units − 1 merges in increasing height. */
  merges: WardMerge[];
}

/** Exact Ward linkage of the rows of `matrix` (weights default to 1). */
export function wardLinkage(matrix: FeatureMatrix, weights?: ArrayLike<number>): WardTree {
  const { rows: n, cols: d, values } = matrix;
  if (n < 1) throw new AnalyticsInputError("Ward clustering needs at least one row.");
  assertFinite(matrix);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = weights ? weights[i] : 1;
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`row ${i + 1}: a weight must be a positive number, got ${v}`);
    w[i] = v;
  }
  const weightsCopy = Float64Array.from(w);
  const c = Float64Array.from(values);
  const alive = new Uint8Array(n).fill(1);
  // The smallest unit index in each slot's cluster (slots are reused by the merged cluster).
  const rep = Int32Array.from({ length: n }, (_, i) => i);
  const found: { a: number; b: number; height: number; size: number; order: number }[] = [];
  const chain: number[] = [];
  let remaining = n;
  let first = 0;
  const cost = (p: number, q: number) => {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const diff = c[p * d + t] - c[q * d + t];
      s += diff * diff;
    }
    return ((w[p] * w[q]) / (w[p] + w[q])) * s;
  };
  while (remaining > 1) {
    if (chain.length === 0) {
      while (!alive[first]) first++;
      chain.push(first);
    }
    const a = chain[chain.length - 1];
    const prev = chain.length >= 2 ? chain[chain.length - 2] : -1;
    let best = -1;
    let bestCost = Infinity;
    if (prev >= 0) {
      best = prev;
      bestCost = cost(a, prev);
    }
    for (let q = 0; q < n; q++) {
      if (!alive[q] || q === a || q === prev) continue;
      const v = cost(a, q);
      if (v < bestCost || (v === bestCost && best !== prev && q < best)) {
        bestCost = v;
        best = q;
      }
    }
    if (best === prev) {
      chain.pop();
      chain.pop();
      // Merge a and prev into the lower slot.
      const keep = Math.min(a, prev);
      const drop = Math.max(a, prev);
      const size = w[a] + w[prev];
      for (let t = 0; t < d; t++) c[keep * d + t] = (w[a] * c[a * d + t] + w[prev] * c[prev * d + t]) / size;
      found.push({ a: rep[a], b: rep[prev], height: Math.sqrt(2 * bestCost), size, order: found.length });
      rep[keep] = Math.min(rep[a], rep[prev]);
      w[keep] = size;
      alive[drop] = 0;
      remaining--;
    } else {
      chain.push(best);
    }
  }
  found.sort((x, y) => x.height - y.height || x.order - y.order);
  // Ids as scipy's linkage: follow each unit's current cluster id with a union-find.
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const idOf = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const merges: WardMerge[] = found.map((m, i) => {
    const ra = find(m.a);
    const rb = find(m.b);
    const ids = [idOf[ra], idOf[rb]].sort((x, y) => x - y);
    parent[rb] = ra;
    idOf[ra] = n + i;
    return { a: ids[0], b: ids[1], height: m.height, size: m.size };
  });
  return { units: n, weights: weightsCopy, merges };
}

/** The units' clusters (0..k−1, numbered by first unit) when the tree is cut into k clusters. */
export function cutTree(tree: WardTree, k: number): Int32Array {
  const n = tree.units;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`k must be between 1 and ${n}, got ${k}`);
  const parent = Int32Array.from({ length: 2 * n - 1 }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (let i = 0; i < n - k; i++) {
    const m = tree.merges[i];
    parent[find(m.a)] = n + i;
    parent[find(m.b)] = n + i;
  }
  const number = new Map<number, number>();
  const labels = new Int32Array(n);
  for (let u = 0; u < n; u++) {
    const root = find(u);
    let l = number.get(root);
    if (l === undefined) number.set(root, (l = number.size));
    labels[u] = l;
  }
  return labels;
}

/**
 * The top of the tree for a dendrogram: its last `leaves − 1` merges over `leaves` subtrees (the
 * clusters at that cut, numbered as `cutTree` numbers them). Node ids: 0..leaves−1 are the
 * subtrees, leaves + i is the i-th of the returned merges.
 */
export function topOfTree(tree: WardTree, maxLeaves = WARD_TOP_LEAVES): { leaves: { size: number }[]; merges: WardMerge[] } {
  const n = tree.units;
  const L = Math.min(n, maxLeaves);
  const cut = cutTree(tree, L);
  const sizes = new Float64Array(L);
  for (let u = 0; u < n; u++) sizes[cut[u]] += tree.weights[u];
  // Map the tree's ids at the cut to leaf ids: a unit's leaf is its cluster at the cut.
  const nodeOf = new Map<number, number>();
  const leafOfTreeId = (id: number, memo: Map<number, number>): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    // An id below the cut: any unit under it gives its leaf.
    let x = id;
    while (x >= n) x = tree.merges[x - n].a;
    const leaf = cut[x];
    memo.set(id, leaf);
    return leaf;
  };
  const memo = new Map<number, number>();
  const merges: WardMerge[] = [];
  for (let i = n - L; i < n - 1; i++) {
    const m = tree.merges[i];
    const a = nodeOf.get(m.a) ?? leafOfTreeId(m.a, memo);
    const b = nodeOf.get(m.b) ?? leafOfTreeId(m.b, memo);
    nodeOf.set(n + i, L + merges.length);
    merges.push({ a: Math.min(a, b), b: Math.max(a, b), height: m.height, size: m.size });
  }
  return { leaves: Array.from(sizes, (size) => ({ size })), merges };
}

export interface WardModel {
  /** "sample": exact Ward on every row; "centroids": on k-means micro-clusters. */
  method: "sample" | "centroids";
  /** WARD_EXACT_MAX for "sample", the micro-clusters asked for with "centroids". */
  cap: number;
  tree: WardTree;
  /** Each row's unit (its micro-cluster), or null when the units are the rows. */
  unitOf: Int32Array | null;
}

export interface WardOptions {
  seed: number;
  /** Default WARD_EXACT_MAX. */
  exactMax?: number;
  /** Default WARD_MICRO_CLUSTERS. */
  microClusters?: number;
  /** Default WARD_MICRO_SAMPLE. */
  microSample?: number;
}

/** Ward on the rows (exact up to exactMax rows) or on micro-clusters (see the module comment). */
export async function wardCluster(matrix: FeatureMatrix, options: WardOptions): Promise<WardModel> {
  const exactMax = options.exactMax ?? WARD_EXACT_MAX;
  const { rows: n, cols: d, values } = matrix;
  if (n <= exactMax) return { method: "sample", cap: exactMax, tree: wardLinkage(matrix), unitOf: null };
  const m = options.microClusters ?? WARD_MICRO_CLUSTERS;
  const sampleSize = Math.min(n, options.microSample ?? WARD_MICRO_SAMPLE);
  const seed = deriveSeed(options.seed, MICRO_STREAM);
  const picked = sampleSize === n ? null : Int32Array.from(new SeededRandom(seed).sampleIndexes(n, sampleSize)).sort();
  const sample = picked
    ? featureMatrix(Float64Array.from({ length: sampleSize * d }, (_, v) => values[picked[Math.floor(v / d)] * d + (v % d)]), sampleSize, d)
    : matrix;
  const micro = await kmeans(sample, m, { seed, restarts: 1, maxIterations: 100 });
  // Every row to its nearest micro-centre (the lowest index on ties), then exact centroids and weights.
  const unit = new Int32Array(n);
  const sums = new Float64Array(m * d);
  const counts = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestD = Infinity;
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = values[i * d + t] - micro.centres[j * d + t];
        s += diff * diff;
        if (s >= bestD) break;
      }
      if (s < bestD) (bestD = s), (best = j);
    }
    unit[i] = best;
    counts[best]++;
    for (let t = 0; t < d; t++) sums[best * d + t] += values[i * d + t];
  }
  // Drop empty micro-clusters (possible after the re-assignment) and renumber.
  const newIndex = new Int32Array(m).fill(-1);
  let u = 0;
  for (let j = 0; j < m; j++) if (counts[j] > 0) newIndex[j] = u++;
  const centroids = new Float64Array(u * d);
  const weights = new Float64Array(u);
  for (let j = 0; j < m; j++) {
    if (newIndex[j] < 0) continue;
    weights[newIndex[j]] = counts[j];
    for (let t = 0; t < d; t++) centroids[newIndex[j] * d + t] = sums[j * d + t] / counts[j];
  }
  for (let i = 0; i < n; i++) unit[i] = newIndex[unit[i]];
  return { method: "centroids", cap: m, tree: wardLinkage(featureMatrix(centroids, u, d), weights), unitOf: unit };
}

/**
 * Each row's cluster (0..k−1) at k clusters: its unit's cluster, numbered by first unit (for
 * exact Ward the units are the rows, so by first row). The dendrogram's leaves use the same
 * order, so a cluster's number is the rank of its lowest leaf.
 */
export function wardLabels(model: WardModel, k: number): Int32Array {
  if (k > model.tree.units) {
    throw new AnalyticsInputError(`Ward clustering found only ${model.tree.units} distinct groups to merge; k=${k} is more than that.`);
  }
  const units = cutTree(model.tree, k);
  if (!model.unitOf) return units;
  return Int32Array.from(model.unitOf, (u) => units[u]);
}
