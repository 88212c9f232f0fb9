import os from "node:os";
import { kmeans as mlKmeans } from "ml-kmeans";
import { type KmeansResult, kmeans } from "../../server/analytics/kmeans";
import { KmeansEngine, sharedFeatureMatrix } from "../../server/analytics/kmeans-engine";
import { defaultLocalTrials, greedyKmeansPlusPlus } from "../../server/analytics/kmeans-seeding";
import type { FeatureMatrix } from "../../server/analytics/feature-matrix";
import { SeededRandom, deriveSeed } from "../../server/analytics/seeded-random";

const ROWS = 1_000_000;
const FEATURES = 8;
const K = 8;
const ITERATIONS = 50;
const ML_ITERATIONS = 5;
const SEED = 20_240_601;

/**
 * Synthetic customers: 12 latent segments of unequal size, each a Gaussian with its own mean
 * (N(0, 2²) per feature) and spread (sd 0.6 to 1.6 per feature), so the 8 clusters asked for
 * overlap and k-means keeps moving for well over 50 iterations. Written straight into shared
 * memory, seeded, so every run clusters the same million rows.
 */
function syntheticCustomers(): FeatureMatrix {
  const random = new SeededRandom(SEED);
  const segments = 12;
  const means = Array.from({ length: segments }, () => Array.from({ length: FEATURES }, () => random.nextGaussian() * 2));
  const spreads = Array.from({ length: segments }, () => Array.from({ length: FEATURES }, () => 0.6 + random.next()));
  const weights = Array.from({ length: segments }, (_, s) => 1 / (s + 2));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = weights.map((_, s) => weights.slice(0, s + 1).reduce((a, b) => a + b, 0) / total);
  const matrix = sharedFeatureMatrix(ROWS, FEATURES);
  for (let i = 0; i < ROWS; i++) {
    const u = random.next();
    let s = 0;
    while (s < segments - 1 && u > cumulative[s]) s++;
    for (let t = 0; t < FEATURES; t++) matrix.values[i * FEATURES + t] = means[s][t] + spreads[s][t] * random.nextGaussian();
  }
  return matrix;
}

function ms(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

interface OurRun {
  workerStartMs: number;
  seedingMs: number;
  lloydMs: number;
  perIterationMs: number;
  totalMs: number;
  cpuMs: number;
  result: KmeansResult;
  initial: Float64Array;
}

/** Greedy k-means++ then exactly ITERATIONS Lloyd iterations (tolerance < 0), timed in parts. */
async function ours(matrix: FeatureMatrix, threads: number, bounds: boolean): Promise<OurRun> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const engine = await KmeansEngine.create(matrix, K, defaultLocalTrials(K), threads);
  try {
    const workerStartMs = ms(started);
    const seeding = process.hrtime.bigint();
    const initial = await greedyKmeansPlusPlus(engine, K, new SeededRandom(deriveSeed(SEED, 0)));
    const seedingMs = ms(seeding);
    const lloyd = process.hrtime.bigint();
    const result = await kmeans(matrix, K, { engine, initialCentres: initial, restarts: 1, maxIterations: ITERATIONS, tolerance: -1, bounds });
    const lloydMs = ms(lloyd);
    const used = process.cpuUsage(cpu);
    return {
      workerStartMs,
      seedingMs,
      lloydMs,
      perIterationMs: lloydMs / ITERATIONS,
      totalMs: ms(started),
      cpuMs: (used.user + used.system) / 1000,
      result,
      initial,
    };
  } finally {
    await engine.close();
  }
}

function summary(run: OurRun) {
  return {
    perIterationMs: round(run.perIterationMs),
    totalMs: Math.round(run.totalMs),
    workerStartMs: Math.round(run.workerStartMs),
    seedingMs: Math.round(run.seedingMs),
    lloydMs: Math.round(run.lloydMs),
    cpuMs: Math.round(run.cpuMs),
  };
}

/**
 * `npm run bench -- cluster`: k-means with k = 8 on 1M synthetic customers × 8 features, 50
 * Lloyd iterations, on one thread and on two (worker_threads split the assignment and the
 * seeding passes), with Hamerly's bounds (the default) and without (every distance computed);
 * then ml-kmeans (number[][]) for ML_ITERATIONS iterations from the same initial centres, per
 * iteration, and its centres compared with ours after as many iterations. Per-iteration times
 * include the final assignment pass (51 passes / 50). Needs no database.
 */
export async function clusterBench() {
  const generation = process.hrtime.bigint();
  const matrix = syntheticCustomers();
  const generationMs = ms(generation);
  // JIT warm-up on a slice, so that neither configuration pays for compilation in its timings.
  const warm = { values: matrix.values.subarray(0, 50_000 * FEATURES), rows: 50_000, cols: FEATURES };
  await kmeans(warm, K, { seed: 1, restarts: 1, maxIterations: 5 });
  await kmeans(warm, K, { seed: 1, restarts: 1, maxIterations: 5, bounds: false });

  const oneCore = await ours(matrix, 1, true);
  const twoCores = await ours(matrix, 2, true);
  const plainOneCore = await ours(matrix, 1, false);
  const plainTwoCores = await ours(matrix, 2, false);
  const identical =
    [twoCores, plainOneCore, plainTwoCores].every((r) => r.result.inertia === oneCore.result.inertia) &&
    [twoCores, plainOneCore, plainTwoCores].every((r) => r.result.labels.every((l, i) => l === oneCore.result.labels[i]));
  const oursPeakRssMb = process.resourceUsage().maxRSS / 1024;

  // ml-kmeans on the same rows as number[][], from the same initial centres.
  const rows: number[][] = new Array(ROWS);
  for (let i = 0; i < ROWS; i++) rows[i] = Array.from(matrix.values.subarray(i * FEATURES, (i + 1) * FEATURES));
  const initialRows = Array.from({ length: K }, (_, j) => Array.from(oneCore.initial.subarray(j * FEATURES, (j + 1) * FEATURES)));
  const mlStarted = process.hrtime.bigint();
  const ml = mlKmeans(rows, K, { initialization: initialRows, maxIterations: ML_ITERATIONS, tolerance: -1 });
  const mlMs = ms(mlStarted);
  const withMlPeakRssMb = process.resourceUsage().maxRSS / 1024;
  const short = await kmeans(matrix, K, { initialCentres: oneCore.initial, restarts: 1, maxIterations: ML_ITERATIONS, tolerance: -1 });
  let maxCentreDifference = 0;
  for (let j = 0; j < K; j++) {
    for (let t = 0; t < FEATURES; t++) maxCentreDifference = Math.max(maxCentreDifference, Math.abs(ml.centroids[j][t] - short.centres[j * FEATURES + t]));
  }
  const mlPerIterationMs = mlMs / ml.iterations;

  return {
    rows: ROWS,
    features: FEATURES,
    k: K,
    iterations: ITERATIONS,
    generationMs: Math.round(generationMs),
    oneCore: summary(oneCore),
    twoCores: summary(twoCores),
    plainLloydOneCore: summary(plainOneCore),
    plainLloydTwoCores: summary(plainTwoCores),
    sameResultEverywhere: identical,
    mlKmeans: { iterations: ml.iterations, perIterationMs: round(mlPerIterationMs), maxCentreDifferenceFromOurs: maxCentreDifference },
    ratioToMlKmeans: {
      oneCore: round(mlPerIterationMs / oneCore.perIterationMs, 2),
      twoCores: round(mlPerIterationMs / twoCores.perIterationMs, 2),
      plainOneCore: round(mlPerIterationMs / plainOneCore.perIterationMs, 2),
      plainTwoCores: round(mlPerIterationMs / plainTwoCores.perIterationMs, 2),
    },
    peakRssMb: { ours: Math.round(oursPeakRssMb), withMlKmeans: Math.round(withMlPeakRssMb) },
    finalInertia: oneCore.result.inertia,
    loadAverage1m: round(os.loadavg()[0], 2),
    targets: {
      oneCoreUnder5s: oneCore.totalMs < 5000,
      twoCoresUnder3s: twoCores.totalMs < 3000,
      atLeast2_5xMlKmeans: mlPerIterationMs / oneCore.perIterationMs >= 2.5,
      peakRssUnder600Mb: oursPeakRssMb < 600,
    },
  };
}

/**
 * `npm run bench -- cluster-algorithms`: the newer algorithms on the same 1M synthetic customers
 * × 8 features: Ward on 200 k-means micro-clusters (the large-n path), a 12 × 12 self-organizing
 * map (trained on 20,000 rows, then every row to its node) with k = 8 clusters on its nodes, and
 * latent class analysis on 1M synthetic answers to 6 questions of 3 options (k = 4, 10 starts).
 * Times in ms, one thread each; peak RSS of the process.
 */
export async function clusterAlgorithmsBench() {
  const { wardCluster, wardLabels } = await import("../../server/analytics/ward");
  const { defaultGrid, somClusters, trainSom } = await import("../../server/analytics/som");
  const { lca } = await import("../../server/analytics/lca");
  const matrix = syntheticCustomers();
  let started = process.hrtime.bigint();
  const ward = await wardCluster(matrix, { seed: 1 });
  const wardLabels8 = wardLabels(ward, K);
  const wardMs = ms(started);
  started = process.hrtime.bigint();
  const grid = defaultGrid(ROWS);
  const map = trainSom(matrix, { ...grid, seed: 1 });
  const somTrainMs = ms(started);
  const somK = await somClusters(map, K, { seed: 1, restarts: 10 });
  const somMs = ms(started);
  // Latent classes: 4 classes with their own answer probabilities.
  const random = new SeededRandom(SEED + 1);
  const questions = 6;
  const probs = Array.from({ length: 4 }, () => Array.from({ length: questions }, () => {
    const a = [random.next() + 0.1, random.next() + 0.1, random.next() + 0.1];
    const s = a[0] + a[1] + a[2];
    return a.map((v) => v / s);
  }));
  const codes = new Int32Array(ROWS * questions);
  for (let i = 0; i < ROWS; i++) {
    const c = Math.floor(random.next() * 4);
    for (let j = 0; j < questions; j++) {
      const u = random.next();
      codes[i * questions + j] = u < probs[c][j][0] ? 0 : u < probs[c][j][0] + probs[c][j][1] ? 1 : 2;
    }
  }
  started = process.hrtime.bigint();
  const classes = lca({ rows: ROWS, levels: new Array(questions).fill(3), codes }, 4, { seed: 1, restarts: 10 });
  const lcaMs = ms(started);
  return {
    rows: ROWS,
    features: FEATURES,
    ward: { method: ward.method, units: ward.tree.units, k: K, totalMs: Math.round(wardMs), sizes: Array.from({ length: K }, (_, c) => wardLabels8.filter((l) => l === c).length) },
    som: { grid: `${grid.rows}x${grid.cols}`, trainMs: Math.round(somTrainMs), withClustersMs: Math.round(somMs), k: K, clusters: new Set(somK.labels).size, quantisationError: round(map.quantisationError, 3), topographicError: round(map.topographicError, 3) },
    lca: { questions, levels: 3, k: 4, restarts: 10, keptRestartIterations: classes.iterations, converged: classes.converged, totalMs: Math.round(lcaMs) },
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
