/**
 * Self-organizing map (Kohonen), batch training on a rectangular grid, for a view of
 * high-dimensional behaviour: similar customers land on the same or neighbouring nodes.
 *
 * Definitions
 * - Grid: rows × cols nodes; node (r, c) has index r·cols + c; grid distance is Euclidean between
 *   (r, c) positions. Default size (`defaultGrid`): about 5·√n nodes (Vesanto's rule of thumb),
 *   square, between 3 × 3 and 12 × 12.
 * - Initialisation: node weights are distinct training rows drawn with SeededRandom(seed).
 * - Batch training (Kohonen 2001): `epochs` passes; in each, every training row finds its best-
 *   matching unit (BMU: the nearest node, the lowest index on ties), then every node moves to the
 *   neighbourhood-weighted mean Σ_i h(bmu_i, node) x_i / Σ_i h(bmu_i, node) with the Gaussian
 *   h = exp(−d²/(2σ²)); σ falls exponentially from max(rows, cols)/2 to 0.5 over the epochs.
 *   Training uses a seeded sample of at most SOM_TRAIN_SAMPLE rows; every row then gets its BMU.
 * - Hits: rows per node. U-matrix: a node's mean weight distance to its 4-neighbours.
 *   Quantisation error: mean distance of a row to its BMU. Topographic error: the share of rows
 *   whose two nearest nodes are not 4-neighbours on the grid.
 * - Clusters (`somClusters`): k-means on the weights of the nodes that have hits (seeded, with
 *   restarts); every row takes its BMU's cluster, nodes without hits their nearest centre's.
 */
import { AnalyticsInputError, assertFinite, featureMatrix, type FeatureMatrix } from "./feature-matrix";
import { kmeans } from "./kmeans";
import { deriveSeed, SeededRandom } from "./seeded-random";

export const SOM_TRAIN_SAMPLE = 20_000;
export const SOM_EPOCHS = 30;
export const SOM_MAX_SIDE = 12;

export function defaultGrid(n: number): { rows: number; cols: number } {
  const side = Math.max(3, Math.min(SOM_MAX_SIDE, Math.round(Math.sqrt(5 * Math.sqrt(Math.max(1, n))))));
  return { rows: side, cols: side };
}

export interface SomOptions {
  rows: number;
  cols: number;
  seed: number;
  epochs?: number;
  trainSample?: number;
}

export interface SomMap {
  rows: number;
  cols: number;
  /** nodes × d, row-major. */
  weights: Float64Array;
  /** Each row's best-matching unit. */
  bmu: Int32Array;
  hits: number[];
  uMatrix: number[];
  quantisationError: number;
  topographicError: number;
}

function nearestTwo(values: Float64Array, i: number, weights: Float64Array, nodes: number, d: number): [number, number, number] {
  let best = 0;
  let bestD = Infinity;
  let second = -1;
  let secondD = Infinity;
  for (let u = 0; u < nodes; u++) {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const diff = values[i * d + t] - weights[u * d + t];
      s += diff * diff;
    }
    if (s < bestD) {
      second = best;
      secondD = bestD;
      best = u;
      bestD = s;
    } else if (s < secondD) {
      second = u;
      secondD = s;
    }
  }
  return [best, second, bestD];
}

/** Trains a map on the rows of `matrix` (see the module comment). */
export function trainSom(matrix: FeatureMatrix, options: SomOptions): SomMap {
  const { rows: n, cols: d, values } = matrix;
  const { rows: R, cols: C } = options;
  const nodes = R * C;
  if (!Number.isInteger(R) || !Number.isInteger(C) || R < 1 || C < 1 || nodes < 2) throw new RangeError(`a map needs at least 2 nodes, got ${R} × ${C}`);
  if (n < nodes) throw new AnalyticsInputError(`A ${R} × ${C} map needs at least ${nodes} customers; there are ${n}. Choose a smaller grid.`);
  assertFinite(matrix);
  const random = new SeededRandom(options.seed);
  const trainSize = Math.min(n, options.trainSample ?? SOM_TRAIN_SAMPLE);
  const train = trainSize === n ? Int32Array.from({ length: n }, (_, i) => i) : Int32Array.from(random.sampleIndexes(n, trainSize)).sort();
  const weights = new Float64Array(nodes * d);
  const init = new SeededRandom(deriveSeed(options.seed, 1)).sampleIndexes(trainSize, nodes);
  for (let u = 0; u < nodes; u++) weights.set(values.subarray(train[init[u]] * d, (train[init[u]] + 1) * d), u * d);
  const epochs = options.epochs ?? SOM_EPOCHS;
  const sigma0 = Math.max(R, C) / 2;
  const sigma1 = 0.5;
  const sums = new Float64Array(nodes * d);
  const counts = new Float64Array(nodes);
  const grid2 = new Float64Array(nodes * nodes);
  for (let a = 0; a < nodes; a++) {
    for (let b = 0; b < nodes; b++) grid2[a * nodes + b] = (Math.floor(a / C) - Math.floor(b / C)) ** 2 + ((a % C) - (b % C)) ** 2;
  }
  for (let e = 0; e < epochs; e++) {
    const sigma = epochs > 1 ? sigma0 * (sigma1 / sigma0) ** (e / (epochs - 1)) : sigma1;
    sums.fill(0);
    counts.fill(0);
    for (const i of train) {
      const [b] = nearestTwo(values, i, weights, nodes, d);
      counts[b]++;
      for (let t = 0; t < d; t++) sums[b * d + t] += values[i * d + t];
    }
    for (let u = 0; u < nodes; u++) {
      let den = 0;
      const num = new Float64Array(d);
      for (let b = 0; b < nodes; b++) {
        if (!counts[b]) continue;
        const h = Math.exp(-grid2[b * nodes + u] / (2 * sigma * sigma));
        den += h * counts[b];
        for (let t = 0; t < d; t++) num[t] += h * sums[b * d + t];
      }
      if (den > 1e-300) for (let t = 0; t < d; t++) weights[u * d + t] = num[t] / den;
    }
  }
  const bmu = new Int32Array(n);
  const hits = new Array<number>(nodes).fill(0);
  let qe = 0;
  let te = 0;
  const neighbours = (a: number, b: number) => grid2[a * nodes + b] === 1;
  for (let i = 0; i < n; i++) {
    const [b, s, dist2] = nearestTwo(values, i, weights, nodes, d);
    bmu[i] = b;
    hits[b]++;
    qe += Math.sqrt(dist2);
    if (!neighbours(b, s)) te++;
  }
  const uMatrix = Array.from({ length: nodes }, (_, u) => {
    const r = Math.floor(u / C);
    const c = u % C;
    let total = 0;
    let count = 0;
    for (const [rr, cc] of [
      [r - 1, c],
      [r + 1, c],
      [r, c - 1],
      [r, c + 1],
    ]) {
      if (rr < 0 || rr >= R || cc < 0 || cc >= C) continue;
      const v = rr * C + cc;
      let s = 0;
      for (let t = 0; t < d; t++) s += (weights[u * d + t] - weights[v * d + t]) ** 2;
      total += Math.sqrt(s);
      count++;
    }
    return count ? total / count : 0;
  });
  return { rows: R, cols: C, weights, bmu, hits, uMatrix, quantisationError: qe / n, topographicError: te / n };
}

/** k clusters of the map (see the module comment): each node's and each row's cluster (0..k−1). */
export async function somClusters(map: SomMap, k: number, options: { seed: number; restarts: number }): Promise<{ nodeClusters: Int32Array; labels: Int32Array }> {
  const nodes = map.rows * map.cols;
  const d = map.weights.length / nodes;
  const used = map.hits.flatMap((h, u) => (h > 0 ? [u] : []));
  if (used.length < k) {
    throw new AnalyticsInputError(`Only ${used.length} nodes of the ${map.rows} × ${map.cols} map hold customers; k=${k} needs at least ${k}. Choose a smaller k or a larger grid.`);
  }
  const matrix = featureMatrix(Float64Array.from({ length: used.length * d }, (_, v) => map.weights[used[Math.floor(v / d)] * d + (v % d)]), used.length, d);
  const fit = await kmeans(matrix, k, { seed: options.seed, restarts: options.restarts });
  const nodeClusters = new Int32Array(nodes);
  for (let u = 0; u < nodes; u++) {
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += (map.weights[u * d + t] - fit.centres[c * d + t]) ** 2;
      if (s < bestD) (bestD = s), (best = c);
    }
    nodeClusters[u] = best;
  }
  used.forEach((u, s) => (nodeClusters[u] = fit.labels[s]));
  return { nodeClusters, labels: Int32Array.from(map.bmu, (u) => nodeClusters[u]) };
}
