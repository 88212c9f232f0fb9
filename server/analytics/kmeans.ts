/**
 * k-means (Lloyd's algorithm) with greedy k-means++ seeding and restarts.
 *
 * Definitions
 * - Objective (inertia): Σᵢ ‖xᵢ − c_label(i)‖², squared Euclidean distance of each row to its
 *   centre, on the data as given (scale it first; see scaling.ts).
 * - Seeding: greedy k-means++ (kmeans-seeding.ts) with 2 + ⌊ln k⌋ local trials per centre.
 * - Restarts: `restarts` (n_init) independent seedings and Lloyd runs; the run with the lowest
 *   final inertia is kept (the earliest on ties). Restart r draws its random numbers from
 *   SeededRandom(deriveSeed(seed, r)), so with the same seed restart r is the same whatever the
 *   number of restarts: more restarts can only find an equal or lower inertia. With the same
 *   seed, restarts and options the labels and centres are identical on every run, and for any
 *   number of threads (see kmeans-kernel.ts).
 * - Iteration: assign every row to its nearest centre, then move each centre to the mean of its
 *   rows. Hamerly's bounds (kmeans-kernel.ts) skip distance computations that cannot change a
 *   label; `bounds: false` computes every distance instead, with the same result.
 * - Convergence (as scikit-learn): stop when the total squared centre shift Σⱼ ‖cⱼ′ − cⱼ‖² is at
 *   most `tolerance` × (mean over features of the population variance), or after
 *   `maxIterations` iterations. A negative tolerance never stops early (benchmarks). After the
 *   last iteration the rows are assigned once more to the final centres, so labels, sizes and
 *   inertia always describe the returned centres (in the rare case that this last assignment
 *   leaves a cluster without rows, its size is 0).
 * - Empty clusters: when a cluster gets no rows, it is re-seeded at the row farthest from the
 *   centre it was assigned to (as scikit-learn does): the rows are ranked by squared distance to
 *   their own centre, largest first (lowest row index on ties), skipping rows that are the last
 *   remaining row of their cluster; the i-th empty cluster takes the i-th such row, which is
 *   relabelled at once (its coordinates move from its old cluster's sum to the empty one's).
 */
import { AnalyticsInputError, type FeatureMatrix, assertFinite } from "./feature-matrix";
import { BLOCK_ROWS, STATS_PER_BLOCK, sumWidth } from "./kmeans-kernel";
import { KmeansEngine } from "./kmeans-engine";
import { defaultLocalTrials, greedyKmeansPlusPlus } from "./kmeans-seeding";
import { SeededRandom, checkSeed, deriveSeed } from "./seeded-random";
import { column, populationVariance } from "./stats-descriptive";

export interface KmeansOptions {
  /** Seed of the random numbers (integer 0 … 2^32 − 1). Default 0. */
  seed?: number;
  /** Independent seedings; the lowest inertia is kept. Default 10 (scikit-learn's classic n_init). */
  restarts?: number;
  /** Default 300 (scikit-learn). */
  maxIterations?: number;
  /** Relative tolerance on the centre shift (see the module comment). Default 1e-4. */
  tolerance?: number;
  /** Candidates per centre in greedy k-means++. Default 2 + ⌊ln k⌋. */
  localTrials?: number;
  /** Use Hamerly's bounds. Default true; false computes all k distances for every row. */
  bounds?: boolean;
  /** Threads for assignment and seeding (the calling one plus workers). Default 1. */
  threads?: number;
  /** Run on this engine (created for the same matrix) instead of creating one; it is not closed. */
  engine?: KmeansEngine;
  /** Start Lloyd from these centres (k × cols) instead of seeding; restarts must then be 1. */
  initialCentres?: Float64Array;
}

export interface KmeansResult {
  k: number;
  /** k × cols, row-major. */
  centres: Float64Array;
  /** Cluster (0 … k − 1) of each row, in input order. */
  labels: Int32Array;
  /** Rows per cluster. */
  sizes: number[];
  /** Σ squared distance of each row to its centre. */
  inertia: number;
  /** Lloyd iterations of the kept run. */
  iterations: number;
  /** Whether the kept run met the tolerance before maxIterations. */
  converged: boolean;
  /** Which restart was kept (0-based). */
  restart: number;
  /** Final inertia of every restart, in order. */
  restartInertias: number[];
}

interface Totals {
  sums: Float64Array;
  counts: Float64Array;
  inertia: number;
  changed: number;
}

function addBlocks(engine: KmeansEngine, k: number): Totals {
  const { cols, blockSums, blockCounts, blockStats } = engine.buffers;
  const width = sumWidth(cols);
  const sums = new Float64Array(k * cols);
  const counts = new Float64Array(k);
  let inertia = 0;
  let changed = 0;
  for (let b = 0; b < engine.blocks; b++) {
    const sumsBase = b * k * width;
    for (let j = 0; j < k; j++) for (let t = 0; t < cols; t++) sums[j * cols + t] += blockSums[sumsBase + j * width + t];
    for (let j = 0; j < k; j++) counts[j] += blockCounts[b * k + j];
    inertia += blockStats[b * STATS_PER_BLOCK];
    changed += blockStats[b * STATS_PER_BLOCK + 1];
  }
  return { sums, counts, inertia, changed };
}

/**
 * Re-seeds empty clusters at the farthest rows (see the module comment): each chosen row is
 * relabelled and moved between its block's partial sums, and its Hamerly bounds are reset so
 * that the next bounded pass recomputes it. Returns whether anything was re-seeded.
 */
function relocateEmptyClusters(engine: KmeansEngine, centres: Float64Array, k: number, counts: Float64Array): boolean {
  const { values, rows, cols, labels, upper, lower, blockSums, blockCounts } = engine.buffers;
  const empty: number[] = [];
  for (let j = 0; j < k; j++) if (counts[j] === 0) empty.push(j);
  if (empty.length === 0) return false;
  const distance = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = labels[i] * cols;
    let s = 0;
    for (let t = 0; t < cols; t++) {
      const e = values[i * cols + t] - centres[c + t];
      s += e * e;
    }
    distance[i] = s;
  }
  const order = Int32Array.from({ length: rows }, (_, i) => i).sort((a, b) => distance[b] - distance[a] || a - b);
  const remaining = Float64Array.from(counts);
  const width = sumWidth(cols);
  let next = 0;
  for (const target of empty) {
    while (next < rows && remaining[labels[order[next]]] <= 1) next++;
    if (next === rows) throw new AnalyticsInputError(`cannot fill ${empty.length} empty clusters: too few rows`);
    const i = order[next++];
    const from = labels[i];
    const b = Math.floor(i / BLOCK_ROWS);
    for (let t = 0; t < cols; t++) {
      blockSums[(b * k + from) * width + t] -= values[i * cols + t];
      blockSums[(b * k + target) * width + t] += values[i * cols + t];
    }
    blockCounts[b * k + from]--;
    blockCounts[b * k + target]++;
    remaining[from]--;
    remaining[target] = 1;
    labels[i] = target;
    upper[i] = Infinity;
    lower[i] = 0;
  }
  return true;
}

function halfSeparation(centres: Float64Array, k: number, cols: number): Float64Array {
  const half = new Float64Array(k).fill(Infinity);
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      let s = 0;
      for (let t = 0; t < cols; t++) {
        const e = centres[a * cols + t] - centres[b * cols + t];
        s += e * e;
      }
      const h = Math.sqrt(s) / 2;
      if (h < half[a]) half[a] = h;
      if (h < half[b]) half[b] = h;
    }
  }
  return half;
}

interface LloydOptions {
  maxIterations: number;
  /** Absolute tolerance on the total squared centre shift. */
  tolerance: number;
  bounds: boolean;
}

type LloydRun = Omit<KmeansResult, "restart" | "restartInertias">;

/** Lloyd iterations from `initial` on the engine's data (see the module comment). */
export async function lloyd(engine: KmeansEngine, k: number, initial: Float64Array, options: LloydOptions): Promise<LloydRun> {
  const { cols, labels } = engine.buffers;
  labels.fill(-1);
  let centres = Float64Array.from(initial);
  let iterations = 0;
  let converged = false;
  await engine.run({ kind: "full", centres, k, fresh: true, recordBounds: options.bounds });
  for (;;) {
    let totals = addBlocks(engine, k);
    if (relocateEmptyClusters(engine, centres, k, totals.counts)) totals = addBlocks(engine, k);
    const next = new Float64Array(k * cols);
    const moved = new Float64Array(k);
    let shift = 0;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < cols; t++) {
        const p = j * cols + t;
        next[p] = totals.sums[p] / totals.counts[j];
        const e = next[p] - centres[p];
        s += e * e;
      }
      moved[j] = Math.sqrt(s);
      shift += s;
    }
    centres = next;
    iterations++;
    if (shift <= options.tolerance) converged = true;
    const last = converged || iterations >= options.maxIterations;
    if (options.bounds) {
      await engine.run({ kind: "bounded", centres, k, moved, halfSeparation: halfSeparation(centres, k, cols), exactInertia: last });
    } else {
      await engine.run({ kind: "full", centres, k, fresh: false, recordBounds: false });
    }
    if (last) break;
  }
  const final = addBlocks(engine, k);
  return {
    k,
    centres,
    labels: Int32Array.from(labels),
    sizes: Array.from(final.counts),
    inertia: final.inertia,
    iterations,
    converged,
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number ≥ 1, got ${value}`);
  return value;
}

/** Mean over features of the population variance (scikit-learn's scale for the tolerance). */
function meanVariance(matrix: FeatureMatrix): number {
  let total = 0;
  for (let j = 0; j < matrix.cols; j++) total += populationVariance(column(matrix, j));
  return total / matrix.cols;
}

/**
 * k-means of the rows of `matrix` into k clusters (see the module comment). Throws
 * AnalyticsInputError for NaN/infinite values, k > rows, or fewer distinct rows than k.
 */
export async function kmeans(matrix: FeatureMatrix, k: number, options: KmeansOptions = {}): Promise<KmeansResult> {
  positiveInteger("k", k);
  assertFinite(matrix);
  if (k > matrix.rows) throw new AnalyticsInputError(`k = ${k} clusters need at least ${k} rows; the data has ${matrix.rows}`);
  const seed = checkSeed(options.seed ?? 0);
  const restarts = positiveInteger("restarts", options.restarts ?? 10);
  const maxIterations = positiveInteger("maxIterations", options.maxIterations ?? 300);
  const localTrials = positiveInteger("localTrials", options.localTrials ?? defaultLocalTrials(k));
  const relative = options.tolerance ?? 1e-4;
  if (Number.isNaN(relative)) throw new RangeError("tolerance must be a number");
  const lloydOptions: LloydOptions = {
    maxIterations,
    tolerance: relative < 0 ? -1 : relative * meanVariance(matrix),
    bounds: options.bounds ?? true,
  };
  if (options.initialCentres) {
    if (options.initialCentres.length !== k * matrix.cols) throw new RangeError(`initialCentres must hold k × cols = ${k * matrix.cols} values`);
    if (restarts !== 1) throw new RangeError("initialCentres allows only 1 restart");
  }
  if (options.engine && (options.engine.maxK < k || options.engine.maxTrials < localTrials)) {
    throw new RangeError(`the engine passed in has room for k ≤ ${options.engine.maxK} and ${options.engine.maxTrials} local trials`);
  }
  const engine = options.engine ?? (await KmeansEngine.create(matrix, k, localTrials, options.threads ?? 1));
  try {
    let best: LloydRun | null = null;
    let bestRestart = 0;
    const restartInertias: number[] = [];
    for (let r = 0; r < restarts; r++) {
      const initial = options.initialCentres ?? (await greedyKmeansPlusPlus(engine, k, new SeededRandom(deriveSeed(seed, r)), localTrials));
      const run = await lloyd(engine, k, initial, lloydOptions);
      restartInertias.push(run.inertia);
      if (best === null || run.inertia < best.inertia) {
        best = run;
        bestRestart = r;
      }
    }
    if (best === null) throw new Error("unreachable: no k-means restart ran");
    return { ...best, restart: bestRestart, restartInertias };
  } finally {
    if (!options.engine) await engine.close();
  }
}
