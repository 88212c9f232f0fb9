/**
 * The pure part of a model run: per-feature transforms, k-means for each k with its metrics,
 * the recommended k, cluster profiles for every k, a 2-D PCA with a seeded sample of points,
 * and the collinearity check (correlation matrix and VIF). No database here: the job
 * (workers/jobs/model-run.ts) loads the rows and stores what this returns. The CLI's
 * `cluster` command composes the same analytics (evaluateKs, recommendK) for a CSV file.
 */
import type { ModelAlgorithm, ModelGmmKMetrics, ModelLcaKMetrics, ModelSomResult, ModelWardResult } from "../../../db/schema/models";
import { lca, type CategoricalData } from "../../analytics/lca";
import { defaultGrid, somClusters, trainSom, type SomMap } from "../../analytics/som";
import { clusterProfiles } from "../../analytics/cluster-profiles";
import { calinskiHarabasz, daviesBouldin, silhouette } from "../../analytics/cluster-metrics";
import { evaluateKs, recommendK, type KEvaluation, type Recommendation } from "../../analytics/cluster-selection";
import { dbscan } from "../../analytics/dbscan";
import { gmm } from "../../analytics/gmm";
import { topOfTree, wardCluster, wardLabels } from "../../analytics/ward";
import { AnalyticsInputError, assertFinite, featureMatrix, type FeatureMatrix } from "../../analytics/feature-matrix";
import { pca2d } from "../../analytics/pca";
import { scaleFeatures, type ScaleMethod } from "../../analytics/scaling";
import { deriveSeed, SeededRandom } from "../../analytics/seeded-random";
import { column, mean, populationSd } from "../../analytics/stats-descriptive";

export const PCA_SAMPLE_SIZE = 2000;
/** Rows from which a run uses a second thread for k-means. */
export const LARGE_RUN = 200_000;

/** Applies each column's own transform (scaling.ts), naming the feature in any error. */
export function transformColumns(matrix: FeatureMatrix, transforms: readonly ScaleMethod[], names: readonly string[]): FeatureMatrix {
  const { rows, cols } = matrix;
  assertFinite(matrix, names);
  const out = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const scaled = scaleFeatures(featureMatrix(column(matrix, j), rows, 1), transforms[j], { names: [names[j]] }).matrix.values;
    for (let i = 0; i < rows; i++) out[i * cols + j] = scaled[i];
  }
  return featureMatrix(out, rows, cols);
}

export interface ClusterSummary {
  cluster: number;
  size: number;
  profile: { feature: string; mean: number; median: number; standardisedDifference: number; kruskalWallisH: number; kruskalWallisP: number }[];
  suggestedName: string;
  pcaX: number;
  pcaY: number;
}



export const DBSCAN_RECOMMENDATION_RULE = "DBSCAN finds the number of clusters itself (from eps and minPts)";

/** What a DBSCAN run found (see evaluateDbscan). */
export interface DbscanSummary {
  eps: number;
  minPts: number;
  /** Clusters found (the run's k); stored as clusters 1..clusters. */
  clusters: number;
  /** Noise customers; stored as cluster clusters + 1 ("Outliers") when there are any. */
  noise: number;
  /** 1-based stored cluster of the outliers, or null when there is no noise. */
  outlierCluster: number | null;
}

export const GMM_RECOMMENDATION_RULE = "lowest BIC (Bayesian information criterion) of the Gaussian mixture";

/** The recommended k of a Gaussian-mixture (or latent class) run: the lowest BIC (the smallest k on ties). */
export function recommendByBic(metrics: readonly { k: number; bic: number }[], model = "Gaussian mixture"): Recommendation {
  if (metrics.length === 0) throw new RangeError("no k was evaluated");
  const best = metrics.reduce((a, b) => (b.bic < a.bic ? b : a));
  const others = metrics.filter((m) => m !== best);
  const next = others.length ? others.reduce((a, b) => (b.bic < a.bic ? b : a)) : null;
  return {
    k: best.k,
    reason:
      `k=${best.k} has the lowest BIC of the ${model} (${best.bic.toFixed(1)})` +
      (next ? `, ${(next.bic - best.bic).toFixed(1)} below the next best (k=${next.k})` : "") +
      `; for ${model === "Gaussian mixture" ? "Gaussian mixtures" : "latent class models"} the BIC decides (likelihood penalised for the number of parameters), not the silhouette`,
  };
}

export interface ModelFit {
  n: number;
  evaluations: KEvaluation[];
  /** Only for Gaussian-mixture runs, in the order of `evaluations`. */
  gmm?: ModelGmmKMetrics[];
  /** Only for DBSCAN runs (one evaluation, k = clusters found). */
  dbscan?: DbscanSummary;
  /** Only for Ward runs: the top of the merge tree. */
  ward?: ModelWardResult;
  /** Only for self-organizing map runs: the map and each k's node clusters. */
  som?: SomSummary;
  /** Only for latent class runs, in the order of `evaluations`. */
  lca?: ModelLcaKMetrics[];
  recommendation: Recommendation;
  /**
   * Per k: every row's 0-based label, fixed groups included (the fitted clusters, DBSCAN's
   * outliers, then the fixed groups). Without constraints these are the evaluations' labels.
   */
  labels: Map<number, Int32Array>;
  /** Per k: the 0-based label of each fixed group (group g is label offset + g). */
  groupOffset: Map<number, number>;
  /** Rows of `raw` that were fitted (null: all of them). */
  fittedRows: Int32Array | null;
  /** Per k: the profile of each cluster. */
  clusters: Map<number, ClusterSummary[]>;
  pca: { explained: [number, number]; loadings: { feature: string; pc1: number; pc2: number }[]; scores: Float64Array } | null;
}

export interface FitOptions {
  ks: readonly number[];
  /** Default "kmeans". */
  algorithm?: ModelAlgorithm;
  /** Self-organizing map runs: the grid (default: defaultGrid(n)). */
  somGrid?: { rows: number; cols: number };
  /** Latent class runs: the fitted customers' answers (the matrices are their one-hot columns). */
  categorical?: { data: CategoricalData; fields: readonly string[]; categories: string[][] };
  /** DBSCAN only (ks is then ignored). */
  eps?: number;
  minPts?: number;
  seed: number;
  restarts: number;
  /** Threads for k-means (default: 2 from LARGE_RUN rows, else 1). */
  threads?: number;
  /**
   * Business-rule constraints: `group[i]` is the fixed group of row i of `raw` (−1: fitted).
   * Then `transformed` holds the fitted rows only (in row order), and `display` every row
   * transformed (for the PCA picture); the groups get the labels after the fitted clusters.
   */
  fixed?: { group: Int32Array; names: readonly string[]; display: FeatureMatrix };
  /** After each k (progress and cancellation; a throw stops the run). */
  onK?: (k: number, done: number, total: number) => void | Promise<void>;
}

/** "High income, low spend": the (at most two) features furthest from the base, ≥ 0.5 sd away. */
export function suggestName(profile: readonly { feature: string; standardisedDifference: number }[], labels: ReadonlyMap<string, string>): string {
  const notable = profile
    .filter((p) => Math.abs(p.standardisedDifference) >= 0.5)
    .sort((a, b) => Math.abs(b.standardisedDifference) - Math.abs(a.standardisedDifference))
    .slice(0, 2)
    .map((p) => `${p.standardisedDifference > 0 ? "high" : "low"} ${labels.get(p.feature) ?? p.feature}`);
  if (notable.length === 0) return "Close to average";
  const text = notable.join(", ");
  return text[0].toUpperCase() + text.slice(1);
}

/**
 * Fits every k on the transformed matrix; profiles are computed on `raw` (the user's units).
 * Deterministic: the same rows in the same order with the same options give the same labels.
 */
export async function fitModel(raw: FeatureMatrix, transformed: FeatureMatrix, names: readonly string[], labels: ReadonlyMap<string, string>, options: FitOptions): Promise<ModelFit> {
  const n = transformed.rows;
  const largest = Math.max(...options.ks);
  if (options.algorithm !== "dbscan" && n < largest + 1) {
    throw new AnalyticsInputError(
      `${n === 1 ? "Only 1 customer has" : `Only ${n} customers have`} all the chosen features; k=${largest} needs at least ${largest + 1}. Choose a smaller k or other features.`,
    );
  }
  let evaluations: KEvaluation[];
  let gmmMetrics: ModelGmmKMetrics[] | undefined;
  let recommendation: Recommendation;
  let dbscanSummary: DbscanSummary | undefined;
  let wardSummary: ModelWardResult | undefined;
  let somSummary: SomSummary | undefined;
  let lcaMetrics: ModelLcaKMetrics[] | undefined;
  if (options.algorithm === "dbscan") {
    let evaluation: KEvaluation;
    ({ evaluation, summary: dbscanSummary } = evaluateDbscan(transformed, options));
    evaluations = [evaluation];
    await options.onK?.(evaluation.k, 1, 1);
    recommendation = {
      k: evaluation.k,
      reason:
        `DBSCAN finds the number of clusters itself: ${dbscanSummary.clusters} cluster${dbscanSummary.clusters === 1 ? "" : "s"} and ` +
        `${dbscanSummary.noise} outlier${dbscanSummary.noise === 1 ? "" : "s"} with eps=${dbscanSummary.eps} and minPts=${dbscanSummary.minPts}`,
    };
  } else if (options.algorithm === "gmm") {
    ({ evaluations, metrics: gmmMetrics } = await evaluateGmmKs(transformed, options));
    recommendation = recommendByBic(gmmMetrics);
  } else if (options.algorithm === "ward") {
    ({ evaluations, ward: wardSummary } = await evaluateWardKs(transformed, options));
    recommendation = recommendK(evaluations);
  } else if (options.algorithm === "som") {
    ({ evaluations, som: somSummary } = await evaluateSomKs(transformed, options));
    recommendation = recommendK(evaluations);
  } else if (options.algorithm === "lca") {
    if (!options.categorical) throw new RangeError("a latent class run needs its categorical answers");
    ({ evaluations, metrics: lcaMetrics } = await evaluateLcaKs(options.categorical, transformed, options));
    recommendation = recommendByBic(lcaMetrics, "latent class model");
  } else {
    evaluations = await evaluateKs(transformed, options.ks, {
      seed: options.seed,
      restarts: options.restarts,
      // Both cores for large runs: the engine's results are identical on one or two threads.
      threads: options.threads ?? (n >= LARGE_RUN ? 2 : 1),
      onEvaluated: (e, i) => options.onK?.(e.k, i + 1, options.ks.length),
    });
    recommendation = recommendK(evaluations);
  }
  const fixed = options.fixed;
  let fittedRows: Int32Array | null = null;
  if (fixed) {
    if (fixed.group.length !== raw.rows) throw new RangeError("one fixed group entry per row is needed");
    const kept: number[] = [];
    for (let i = 0; i < raw.rows; i++) if (fixed.group[i] < 0) kept.push(i);
    if (kept.length !== n) throw new RangeError("the transformed matrix must hold exactly the rows outside the fixed groups");
    fittedRows = Int32Array.from(kept);
  }
  const allLabels = new Map<number, Int32Array>();
  const groupOffset = new Map<number, number>();
  for (const e of evaluations) {
    const offset = e.fit.sizes.length;
    groupOffset.set(e.k, offset);
    if (!fixed || !fittedRows) {
      allLabels.set(e.k, e.fit.labels);
      continue;
    }
    const labelsAll = new Int32Array(raw.rows);
    for (let i = 0; i < raw.rows; i++) labelsAll[i] = fixed.group[i] >= 0 ? offset + fixed.group[i] : -1;
    fittedRows.forEach((row, s) => (labelsAll[row] = e.fit.labels[s]));
    allLabels.set(e.k, labelsAll);
    const groupSizes = fixed.names.map(() => 0);
    for (let i = 0; i < raw.rows; i++) if (fixed.group[i] >= 0) groupSizes[fixed.group[i]]++;
    e.sizes = [...e.sizes, ...groupSizes];
  }
  const shown = fixed ? fixed.display : transformed;
  let pca: ModelFit["pca"] = null;
  if (shown.cols >= 2) {
    let projected: ReturnType<typeof pca2d> | null = null;
    try {
      projected = pca2d(shown, names);
    } catch (error) {
      if (!(error instanceof AnalyticsInputError)) throw error;
    }
    if (projected) {
      const d = shown.cols;
      pca = {
        explained: projected.explainedVarianceRatio,
        loadings: names.map((feature, j) => ({ feature, pc1: projected.components[j], pc2: projected.components[d + j] })),
        scores: projected.scores,
      };
    }
  }
  const clusters = new Map<number, ClusterSummary[]>();
  for (const e of evaluations) {
    const rowLabels = allLabels.get(e.k)!;
    const offset = groupOffset.get(e.k)!;
    const profiles = clusterProfiles(raw, rowLabels, names);
    const tests = new Map(profiles.tests.map((t) => [t.feature, t]));
    // k entries, or k + 1 for a DBSCAN run with outliers, then the fixed groups.
    const sums = new Float64Array((offset + (fixed?.names.length ?? 0)) * 2);
    if (pca) {
      for (let i = 0; i < raw.rows; i++) {
        sums[rowLabels[i] * 2] += pca.scores[i * 2];
        sums[rowLabels[i] * 2 + 1] += pca.scores[i * 2 + 1];
      }
    }
    clusters.set(
      e.k,
      profiles.clusters.map((c) => {
        const profile = c.features.map((f) => ({
          ...f,
          kruskalWallisH: tests.get(f.feature)?.statistic ?? 0,
          kruskalWallisP: tests.get(f.feature)?.pValue ?? 1,
        }));
        return {
          cluster: c.cluster,
          size: c.size,
          profile,
          suggestedName:
            fixed && c.cluster >= offset
              ? fixed.names[c.cluster - offset]
              : dbscanSummary && c.cluster + 1 === dbscanSummary.outlierCluster
                ? "Outliers"
                : suggestName(profile, labels),
          pcaX: pca && c.size ? sums[c.cluster * 2] / c.size : 0,
          pcaY: pca && c.size ? sums[c.cluster * 2 + 1] / c.size : 0,
        };
      }),
    );
  }
  return { n: raw.rows, evaluations, recommendation, labels: allLabels, groupOffset, fittedRows, clusters, pca, ...(gmmMetrics ? { gmm: gmmMetrics } : {}), ...(dbscanSummary ? { dbscan: dbscanSummary } : {}), ...(wardSummary ? { ward: wardSummary } : {}), ...(somSummary ? { som: somSummary } : {}), ...(lcaMetrics ? { lca: lcaMetrics } : {}) };
}

/**
 * One DBSCAN fit (server/analytics/dbscan.ts) on the transformed matrix. Its k is the number of
 * clusters found; the labels handed on (profiles, PCA colours, explanation, assignments) are
 * the clusters 0..k−1 and, when there is noise, the outliers as one more group k (stored 1-based
 * as cluster k + 1, "Outliers"). Silhouette, Calinski-Harabasz and Davies-Bouldin are computed on
 * the non-noise customers only (0 when fewer than two clusters were found: they need two);
 * inertia is that of the non-noise customers around their cluster means.
 */
export function evaluateDbscan(matrix: FeatureMatrix, options: FitOptions): { evaluation: KEvaluation; summary: DbscanSummary } {
  const eps = options.eps ?? Number.NaN;
  const minPts = options.minPts ?? Number.NaN;
  const fit = dbscan(matrix, { eps, minPts });
  const k = fit.clusters;
  if (k === 0) {
    throw new AnalyticsInputError(
      `DBSCAN found no cluster with eps=${eps} and minPts=${minPts}: every customer is an outlier. Choose a larger eps or a smaller minPts (the k-distance plot helps).`,
    );
  }
  const labels = Int32Array.from(fit.labels, (l) => (l < 0 ? k : l));
  const kept: number[] = [];
  for (let i = 0; i < matrix.rows; i++) if (fit.labels[i] >= 0) kept.push(i);
  const cols = matrix.cols;
  const values = new Float64Array(kept.length * cols);
  kept.forEach((i, s) => values.set(matrix.values.subarray(i * cols, (i + 1) * cols), s * cols));
  const clustered = featureMatrix(values, kept.length, cols);
  const clusteredLabels = Int32Array.from(kept, (i) => fit.labels[i]);
  const inertia = hardLabelInertia(clustered, clusteredLabels, k);
  const s = k >= 2 ? silhouette(clustered, clusteredLabels, { seed: options.seed }) : { score: 0, sampled: false, rowsUsed: kept.length };
  const sizes = fit.noise > 0 ? [...fit.sizes, fit.noise] : [...fit.sizes];
  const centres = new Float64Array(k * cols);
  for (let s2 = 0; s2 < kept.length; s2++) for (let t = 0; t < cols; t++) centres[clusteredLabels[s2] * cols + t] += values[s2 * cols + t] / fit.sizes[clusteredLabels[s2]];
  return {
    evaluation: {
      k,
      inertia,
      silhouette: s.score,
      calinskiHarabasz: k >= 2 ? calinskiHarabasz(clustered, clusteredLabels) : 0,
      daviesBouldin: k >= 2 ? daviesBouldin(clustered, clusteredLabels) : 0,
      sizes,
      fit: { k, centres, labels, sizes, inertia, iterations: 1, converged: true, restart: 0, restartInertias: [] },
      silhouetteSampled: s.sampled,
      silhouetteRows: s.rowsUsed,
    },
    summary: { eps, minPts, clusters: k, noise: fit.noise, outlierCluster: fit.noise > 0 ? k + 1 : null },
  };
}

/** Inertia of hard labels: Σ squared distance of each row to its cluster's mean (comparable with k-means'). */
export function hardLabelInertia(matrix: FeatureMatrix, labels: Int32Array, k: number): number {
  const { rows, cols, values } = matrix;
  const sums = new Float64Array(k * cols);
  const counts = new Float64Array(k);
  for (let i = 0; i < rows; i++) {
    counts[labels[i]]++;
    for (let t = 0; t < cols; t++) sums[labels[i] * cols + t] += values[i * cols + t];
  }
  let inertia = 0;
  for (let i = 0; i < rows; i++) {
    const c = labels[i] * cols;
    for (let t = 0; t < cols; t++) inertia += (values[i * cols + t] - sums[c + t] / counts[labels[i]]) ** 2;
  }
  return inertia;
}

/**
 * Gaussian mixtures for each k (server/analytics/gmm.ts, seeded with the run's seed and its
 * restarts): the hard labels (argmax responsibility) are scored with the same metrics as
 * k-means (inertia of the hard labels, silhouette, Calinski-Harabasz, Davies-Bouldin), and the
 * mixture's log-likelihood, BIC, AIC and per-cluster mean max responsibility are returned beside them.
 */
async function evaluateGmmKs(matrix: FeatureMatrix, options: FitOptions): Promise<{ evaluations: KEvaluation[]; metrics: ModelGmmKMetrics[] }> {
  const evaluations: KEvaluation[] = [];
  const metrics: ModelGmmKMetrics[] = [];
  for (const k of options.ks) {
    const fit = await gmm(matrix, k, { seed: options.seed, restarts: options.restarts });
    const inertia = hardLabelInertia(matrix, fit.labels, k);
    const s = silhouette(matrix, fit.labels, { seed: options.seed });
    const responsibilitySums = new Float64Array(k);
    for (let i = 0; i < matrix.rows; i++) responsibilitySums[fit.labels[i]] += fit.maxResponsibility[i];
    evaluations.push({
      k,
      inertia,
      silhouette: s.score,
      calinskiHarabasz: calinskiHarabasz(matrix, fit.labels),
      daviesBouldin: daviesBouldin(matrix, fit.labels),
      sizes: fit.sizes,
      // The KmeansResult shape carries the hard labels to profiles, PCA colours, stability and explanation.
      fit: {
        k,
        centres: fit.means,
        labels: fit.labels,
        sizes: fit.sizes,
        inertia,
        iterations: fit.iterations,
        converged: fit.converged,
        restart: fit.restart,
        restartInertias: [],
      },
      silhouetteSampled: s.sampled,
      silhouetteRows: s.rowsUsed,
    });
    metrics.push({
      k,
      logLikelihood: fit.logLikelihood,
      bic: fit.bic,
      aic: fit.aic,
      meanMaxResponsibility: fit.sizes.map((size, j) => (size ? responsibilitySums[j] / size : 0)),
      iterations: fit.iterations,
      converged: fit.converged,
    });
    await options.onK?.(k, evaluations.length, options.ks.length);
  }
  return { evaluations, metrics };
}

/**
 * Ward hierarchical clustering (server/analytics/ward.ts): ONE tree for the run (exact on every
 * customer up to WARD_EXACT_MAX, else on k-means micro-clusters), cut at each k, so the clusters
 * of consecutive k are nested ("multi-level segments"). Each cut gets the same metrics as k-means
 * (inertia of the labels, silhouette, Calinski-Harabasz, Davies-Bouldin) and the silhouette rule
 * recommends k. The top of the tree (WARD_TOP_LEAVES subtrees) is returned for the dendrogram.
 */
export async function evaluateWardKs(matrix: FeatureMatrix, options: Pick<FitOptions, "ks" | "seed" | "onK">): Promise<{ evaluations: KEvaluation[]; ward: ModelWardResult }> {
  const model = await wardCluster(matrix, { seed: options.seed });
  const evaluations: KEvaluation[] = [];
  const cols = matrix.cols;
  for (const k of options.ks) {
    const labels = wardLabels(model, k);
    const sizes = new Array<number>(k).fill(0);
    const centres = new Float64Array(k * cols);
    for (let i = 0; i < matrix.rows; i++) {
      sizes[labels[i]]++;
      for (let t = 0; t < cols; t++) centres[labels[i] * cols + t] += matrix.values[i * cols + t];
    }
    for (let c = 0; c < k; c++) for (let t = 0; t < cols; t++) centres[c * cols + t] /= sizes[c];
    const inertia = hardLabelInertia(matrix, labels, k);
    const s = silhouette(matrix, labels, { seed: options.seed });
    evaluations.push({
      k,
      inertia,
      silhouette: s.score,
      calinskiHarabasz: calinskiHarabasz(matrix, labels),
      daviesBouldin: daviesBouldin(matrix, labels),
      sizes,
      fit: { k, centres, labels, sizes, inertia, iterations: 0, converged: true, restart: 0, restartInertias: [] },
      silhouetteSampled: s.sampled,
      silhouetteRows: s.rowsUsed,
    });
    await options.onK?.(k, evaluations.length, options.ks.length);
  }
  const top = topOfTree(model.tree);
  return { evaluations, ward: { method: model.method, units: model.tree.units, cap: model.cap, leaves: top.leaves, merges: top.merges } };
}

export interface SomSummary {
  map: SomMap;
  /** Per k: each node's cluster (0-based). */
  nodeClusters: Map<number, Int32Array>;
}

/** The stored form of a run's map at its chosen k (clusters 1-based). */
export function somResult(summary: SomSummary, k: number): ModelSomResult {
  const { map } = summary;
  const nodes = map.rows * map.cols;
  const d = map.weights.length / nodes;
  return {
    rows: map.rows,
    cols: map.cols,
    weights: Array.from({ length: nodes }, (_, u) => Array.from(map.weights.subarray(u * d, (u + 1) * d))),
    hits: map.hits,
    uMatrix: map.uMatrix,
    nodeClusters: Array.from(summary.nodeClusters.get(k) ?? [], (c) => c + 1),
    quantisationError: map.quantisationError,
    topographicError: map.topographicError,
  };
}

/** Scores of one k's hard labels, as k-means' (inertia of the labels, silhouette, CH, DB). */
function scoreLabels(matrix: FeatureMatrix, k: number, labels: Int32Array, seed: number, iterations = 0): KEvaluation {
  const cols = matrix.cols;
  const sizes = new Array<number>(k).fill(0);
  const centres = new Float64Array(k * cols);
  for (let i = 0; i < matrix.rows; i++) {
    sizes[labels[i]]++;
    for (let t = 0; t < cols; t++) centres[labels[i] * cols + t] += matrix.values[i * cols + t];
  }
  for (let c = 0; c < k; c++) for (let t = 0; t < cols; t++) centres[c * cols + t] /= sizes[c] || 1;
  const inertia = hardLabelInertia(matrix, labels, k);
  const s = silhouette(matrix, labels, { seed });
  return {
    k,
    inertia,
    silhouette: s.score,
    calinskiHarabasz: calinskiHarabasz(matrix, labels),
    daviesBouldin: daviesBouldin(matrix, labels),
    sizes,
    fit: { k, centres, labels, sizes, inertia, iterations, converged: true, restart: 0, restartInertias: [] },
    silhouetteSampled: s.sampled,
    silhouetteRows: s.rowsUsed,
  };
}

/**
 * Self-organizing map (server/analytics/som.ts): ONE map per run on the transformed features
 * (grid from the parameters or defaultGrid), then for each k the clusters of k-means on the node
 * weights; customers take their best-matching node's cluster. Scored like k-means; the
 * silhouette rule recommends k.
 */
export async function evaluateSomKs(matrix: FeatureMatrix, options: Pick<FitOptions, "ks" | "seed" | "restarts" | "somGrid" | "onK">): Promise<{ evaluations: KEvaluation[]; som: SomSummary }> {
  const grid = options.somGrid ?? defaultGrid(matrix.rows);
  const map = trainSom(matrix, { ...grid, seed: options.seed });
  const evaluations: KEvaluation[] = [];
  const nodeClusters = new Map<number, Int32Array>();
  for (const k of options.ks) {
    const clusters = await somClusters(map, k, { seed: options.seed, restarts: options.restarts });
    nodeClusters.set(k, clusters.nodeClusters);
    evaluations.push(scoreLabels(matrix, k, clusters.labels, options.seed));
    await options.onK?.(k, evaluations.length, options.ks.length);
  }
  return { evaluations, som: { map, nodeClusters } };
}

/**
 * Latent class analysis (server/analytics/lca.ts) for each k on the categorical answers; the hard
 * classes (largest posterior) are scored like k-means on the answers' one-hot columns (`oneHot`)
 * and the fit, BIC, AIC and class-conditional probabilities are returned beside them. The lowest
 * BIC recommends k.
 */
export async function evaluateLcaKs(
  categorical: NonNullable<FitOptions["categorical"]>,
  oneHot: FeatureMatrix,
  options: Pick<FitOptions, "ks" | "seed" | "restarts" | "onK">,
): Promise<{ evaluations: KEvaluation[]; metrics: ModelLcaKMetrics[] }> {
  const evaluations: KEvaluation[] = [];
  const metrics: ModelLcaKMetrics[] = [];
  for (const k of options.ks) {
    const fit = lca(categorical.data, k, { seed: options.seed, restarts: options.restarts });
    const evaluation = scoreLabels(oneHot, k, fit.labels, options.seed, fit.iterations);
    evaluations.push(evaluation);
    const posteriorSums = new Float64Array(k);
    for (let i = 0; i < fit.labels.length; i++) posteriorSums[fit.labels[i]] += fit.maxPosterior[i];
    metrics.push({
      k,
      logLikelihood: fit.logLikelihood,
      bic: fit.bic,
      aic: fit.aic,
      parameters: fit.parameters,
      weights: Array.from(fit.weights),
      probabilities: categorical.fields.map((field, j) => {
        const L = categorical.data.levels[j];
        return { field, categories: categorical.categories[j], p: Array.from({ length: k }, (_, c) => Array.from(fit.probabilities[j].subarray(c * L, (c + 1) * L))) };
      }),
      meanMaxPosterior: fit.sizes.map((size, c) => (size ? posteriorSums[c] / size : 0)),
      iterations: fit.iterations,
      converged: fit.converged,
    });
    await options.onK?.(k, evaluations.length, options.ks.length);
  }
  return { evaluations, metrics };
}

/** One-hot columns of categorical answers (0/1), named "<field>=<category>". */
export function oneHotColumns(data: CategoricalData, fields: readonly string[], categories: string[][]): { matrix: FeatureMatrix; names: string[] } {
  const names = fields.flatMap((f, j) => categories[j].map((c) => `${f}=${c}`));
  const offsets: number[] = [];
  let width = 0;
  for (const L of data.levels) offsets.push(width), (width += L);
  const values = new Float64Array(data.rows * width);
  const J = fields.length;
  for (let i = 0; i < data.rows; i++) for (let j = 0; j < J; j++) values[i * width + offsets[j] + data.codes[i * J + j]] = 1;
  return { matrix: featureMatrix(values, data.rows, width), names };
}

/** At most PCA_SAMPLE_SIZE rows, chosen with the run's seed, in increasing row order. */
export function pcaSample(n: number, seed: number): Int32Array {
  if (n <= PCA_SAMPLE_SIZE) return Int32Array.from({ length: n }, (_, i) => i);
  return new SeededRandom(deriveSeed(seed, 7)).sampleIndexes(n, PCA_SAMPLE_SIZE);
}

export const CORRELATION_LIMIT = 0.9;
export const VIF_LIMIT = 10;

export interface CollinearityReport {
  n: number;
  features: string[];
  /** Pearson correlation; null where a feature is constant. */
  correlation: (number | null)[][];
  /** Variance inflation factor 1 / (1 − R²_j) = the j-th diagonal of the inverse correlation matrix; null when undefined. */
  vif: (number | null)[];
  flags: ({ kind: "correlation"; features: [string, string]; r: number } | { kind: "vif"; feature: string; vif: number | null; message: string })[];
}

/** Gauss–Jordan inverse with partial pivoting; null when (numerically) singular. */
function inverse(a: Float64Array, d: number): Float64Array | null {
  const m = Float64Array.from(a);
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) inv[i * d + i] = 1;
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r * d + c]) > Math.abs(m[p * d + c])) p = r;
    if (Math.abs(m[p * d + c]) < 1e-12) return null;
    if (p !== c) {
      for (let j = 0; j < d; j++) {
        [m[p * d + j], m[c * d + j]] = [m[c * d + j], m[p * d + j]];
        [inv[p * d + j], inv[c * d + j]] = [inv[c * d + j], inv[p * d + j]];
      }
    }
    const pivot = m[c * d + c];
    for (let j = 0; j < d; j++) {
      m[c * d + j] /= pivot;
      inv[c * d + j] /= pivot;
    }
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r * d + c];
      if (f === 0) continue;
      for (let j = 0; j < d; j++) {
        m[r * d + j] -= f * m[c * d + j];
        inv[r * d + j] -= f * inv[c * d + j];
      }
    }
  }
  return inv;
}

/** Correlation matrix and VIF of the (transformed) features; flags |r| > 0.9 and VIF > 10. The user decides. */
export function collinearity(matrix: FeatureMatrix, names: readonly string[]): CollinearityReport {
  const { rows: n, cols: d } = matrix;
  const cols = Array.from({ length: d }, (_, j) => column(matrix, j));
  const means = cols.map(mean);
  const sds = cols.map(populationSd);
  const r = new Float64Array(d * d);
  const correlation: (number | null)[][] = names.map(() => names.map(() => null));
  for (let p = 0; p < d; p++) {
    for (let q = p; q < d; q++) {
      if (!(sds[p] > 0 && sds[q] > 0) || n === 0) continue;
      let s = 0;
      for (let i = 0; i < n; i++) s += (cols[p][i] - means[p]) * (cols[q][i] - means[q]);
      const value = p === q ? 1 : Math.max(-1, Math.min(1, s / n / (sds[p] * sds[q])));
      r[p * d + q] = r[q * d + p] = value;
      correlation[p][q] = correlation[q][p] = value;
    }
  }
  const flags: CollinearityReport["flags"] = [];
  for (let p = 0; p < d; p++) {
    for (let q = p + 1; q < d; q++) {
      const value = correlation[p][q];
      if (value !== null && Math.abs(value) > CORRELATION_LIMIT) flags.push({ kind: "correlation", features: [names[p], names[q]], r: value });
    }
  }
  const constant = sds.map((s) => !(s > 0));
  let vif: (number | null)[] = names.map(() => null);
  if (d >= 2 && n > d && !constant.some(Boolean)) {
    const inv = inverse(r, d);
    if (inv) vif = names.map((_, j) => inv[j * d + j]);
    else names.forEach((feature) => flags.push({ kind: "vif", feature, vif: null, message: `${feature} is an exact linear combination of the other features` }));
  } else if (d >= 2) {
    names.forEach((feature, j) => {
      if (constant[j]) flags.push({ kind: "vif", feature, vif: null, message: `${feature} has the same value for every customer` });
    });
  } else if (d === 1) {
    vif = [1];
  }
  vif.forEach((v, j) => {
    if (v !== null && v > VIF_LIMIT) flags.push({ kind: "vif", feature: names[j], vif: v, message: `${names[j]} has a VIF of ${v.toFixed(1)} (above ${VIF_LIMIT})` });
  });
  return { n, features: [...names], correlation, vif, flags };
}
