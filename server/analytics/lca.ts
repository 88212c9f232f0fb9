/**
 * Latent class analysis (Lazarsfeld & Henry 1968; as poLCA) for categorical answers: each
 * customer belongs to one of k latent classes with probability π_c, and within a class the
 * answers to the J variables are independent, answer v of variable j having probability θ_cjv.
 *
 * Definitions
 * - Data: n rows × J variables of category codes 0..L_j − 1 (no missing values: the caller
 *   leaves out rows with a missing answer).
 * - Log-likelihood: LL = Σ_i ln Σ_c π_c Π_j θ_cj[x_ij] (computed in log space).
 * - EM: E-step posteriors r_ic ∝ π_c Π_j θ_cj[x_ij]; M-step π_c = Σ_i r_ic / n and
 *   θ_cjv = Σ_i r_ic [x_ij = v] / Σ_i r_ic. Probabilities are floored at PROBABILITY_FLOOR (and
 *   renormalised) so that an answer never seen in a class keeps a finite log.
 * - Starts: each restart r draws random class-conditional probabilities (each in 0.1 + U(0, 1),
 *   normalised) from SeededRandom(deriveSeed(seed, r)) with equal weights and begins with an
 *   E-step; the highest final LL is kept (the earliest on ties). Stops when the LL changes by
 *   less than `tolerance` × |LL| or after `maxIterations`.
 * - EM runs on the distinct answer patterns weighted by their counts (exactly the same sums as
 *   over the rows; at most Π_j L_j patterns, so 1M customers cost what their patterns cost).
 * - Parameters: p = (k − 1) + k Σ_j (L_j − 1); BIC = −2 LL + p ln n; AIC = −2 LL + 2p.
 * - Classes are numbered by decreasing weight π_c (label switching made deterministic); a
 *   row's class is its largest posterior (the lowest class on ties).
 */
import { AnalyticsInputError } from "./feature-matrix";
import { deriveSeed, SeededRandom } from "./seeded-random";

export const PROBABILITY_FLOOR = 1e-10;

export interface CategoricalData {
  rows: number;
  /** Number of categories of each variable (L_j ≥ 1). */
  levels: readonly number[];
  /** rows × J codes, row-major; code of row i, variable j at i·J + j, in 0..L_j − 1. */
  codes: Int32Array;
}

export interface LcaOptions {
  seed?: number;
  /** Default 10. */
  restarts?: number;
  /** Default 1000. */
  maxIterations?: number;
  /** Relative LL change. Default 1e-10. */
  tolerance?: number;
}

export interface LcaResult {
  k: number;
  /** Class weights π_c (decreasing). */
  weights: Float64Array;
  /** Per variable j: k × L_j row-major class-conditional probabilities θ_cjv. */
  probabilities: Float64Array[];
  labels: Int32Array;
  /** Each row's largest posterior. */
  maxPosterior: Float64Array;
  sizes: number[];
  logLikelihood: number;
  parameters: number;
  bic: number;
  aic: number;
  iterations: number;
  converged: boolean;
  restart: number;
}

function checkData(data: CategoricalData): void {
  const J = data.levels.length;
  if (J < 1) throw new AnalyticsInputError("Latent class analysis needs at least one categorical variable.");
  if (data.codes.length !== data.rows * J) throw new RangeError(`${data.codes.length} codes for ${data.rows} rows × ${J} variables`);
  for (let i = 0; i < data.rows; i++) {
    for (let j = 0; j < J; j++) {
      const v = data.codes[i * J + j];
      if (!Number.isInteger(v) || v < 0 || v >= data.levels[j]) {
        throw new AnalyticsInputError(`Row ${i + 1}, variable ${j + 1}: category code ${v} is outside 0..${data.levels[j] - 1}.`);
      }
    }
  }
}

/** LL of the data under given weights and probabilities (log space). */
export function lcaLogLikelihood(data: CategoricalData, weights: ArrayLike<number>, probabilities: readonly ArrayLike<number>[]): number {
  const J = data.levels.length;
  const k = weights.length;
  const logs = new Float64Array(k);
  let ll = 0;
  for (let i = 0; i < data.rows; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = Math.log(weights[c]);
      for (let j = 0; j < J; j++) s += Math.log(probabilities[j][c * data.levels[j] + data.codes[i * J + j]]);
      logs[c] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logs[c] - max);
    ll += max + Math.log(sum);
  }
  return ll;
}

interface Fit {
  weights: Float64Array;
  probabilities: Float64Array[];
  posterior: Float64Array;
  ll: number;
  iterations: number;
  converged: boolean;
}

/** Distinct answer patterns with their counts (EM is exact on them and costs O(patterns), not O(rows)). */
interface Patterns extends CategoricalData {
  counts: Float64Array;
  total: number;
}

function mStep(data: Patterns, k: number, posterior: Float64Array, weights: Float64Array, probabilities: Float64Array[]): void {
  const { rows: n, levels } = data;
  const J = levels.length;
  weights.fill(0);
  for (const p of probabilities) p.fill(0);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = posterior[i * k + c] * data.counts[i];
      weights[c] += r;
      for (let j = 0; j < J; j++) probabilities[j][c * levels[j] + data.codes[i * J + j]] += r;
    }
  }
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < J; j++) {
      const L = levels[j];
      let total = 0;
      for (let v = 0; v < L; v++) {
        const p = weights[c] > 0 ? probabilities[j][c * L + v] / weights[c] : 1 / L;
        probabilities[j][c * L + v] = Math.max(PROBABILITY_FLOOR, p);
        total += probabilities[j][c * L + v];
      }
      for (let v = 0; v < L; v++) probabilities[j][c * L + v] /= total;
    }
  }
  let total = 0;
  for (let c = 0; c < k; c++) total += (weights[c] = Math.max(PROBABILITY_FLOOR, weights[c] / data.total));
  for (let c = 0; c < k; c++) weights[c] /= total;
}

/** E-step: posteriors into `posterior`, returns the LL. */
function eStep(data: Patterns, k: number, weights: Float64Array, probabilities: Float64Array[], posterior: Float64Array): number {
  const J = data.levels.length;
  const logW = Float64Array.from(weights, Math.log);
  const logP = probabilities.map((p) => Float64Array.from(p, Math.log));
  let ll = 0;
  for (let i = 0; i < data.rows; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = logW[c];
      for (let j = 0; j < J; j++) s += logP[j][c * data.levels[j] + data.codes[i * J + j]];
      posterior[i * k + c] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += posterior[i * k + c] = Math.exp(posterior[i * k + c] - max);
    for (let c = 0; c < k; c++) posterior[i * k + c] /= sum;
    ll += data.counts[i] * (max + Math.log(sum));
  }
  return ll;
}

function fitOnce(data: Patterns, k: number, seed: number, maxIterations: number, tolerance: number): Fit {
  const n = data.rows;
  // Random class-conditional probabilities (as poLCA) and equal weights, then an E-step: random
  // posteriors would average out over many rows and start every class at the same point.
  const random = new SeededRandom(seed);
  const posterior = new Float64Array(n * k);
  const weights = new Float64Array(k).fill(1 / k);
  const probabilities = data.levels.map((L) => {
    const p = new Float64Array(k * L);
    for (let c = 0; c < k; c++) {
      let total = 0;
      for (let v = 0; v < L; v++) total += p[c * L + v] = 0.1 + random.next();
      for (let v = 0; v < L; v++) p[c * L + v] /= total;
    }
    return p;
  });
  let ll = eStep(data, k, weights, probabilities, posterior);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    mStep(data, k, posterior, weights, probabilities);
    const next = eStep(data, k, weights, probabilities, posterior);
    iterations++;
    const change = next - ll;
    ll = next;
    if (Number.isFinite(change) && Math.abs(change) <= tolerance * Math.abs(ll)) {
      converged = true;
      break;
    }
  }
  return { weights, probabilities, posterior, ll, iterations, converged };
}

/** Latent class analysis with k classes (see the module comment). */
export function lca(data: CategoricalData, k: number, options: LcaOptions = {}): LcaResult {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number ≥ 1, got ${k}`);
  checkData(data);
  const n = data.rows;
  if (n < k) throw new AnalyticsInputError(`Latent class analysis with ${k} classes needs at least ${k} customers; there are ${n}.`);
  const restarts = options.restarts ?? 10;
  const seed = options.seed ?? 0;
  const J = data.levels.length;
  // Distinct answer patterns, numbered by first row.
  const patternOf = new Int32Array(n);
  const index = new Map<string, number>();
  const patternCodes: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = data.codes.subarray(i * J, (i + 1) * J);
    const key = row.join(",");
    let p = index.get(key);
    if (p === undefined) {
      index.set(key, (p = counts.length));
      counts.push(0);
      for (const v of row) patternCodes.push(v);
    }
    counts[p]++;
    patternOf[i] = p;
  }
  const patterns: Patterns = { rows: counts.length, levels: data.levels, codes: Int32Array.from(patternCodes), counts: Float64Array.from(counts), total: n };
  let best: Fit | null = null;
  let bestRestart = 0;
  for (let r = 0; r < restarts; r++) {
    const fit = fitOnce(patterns, k, deriveSeed(seed, r), options.maxIterations ?? 1000, options.tolerance ?? 1e-10);
    if (!best || fit.ll > best.ll) (best = fit), (bestRestart = r);
  }
  const fit = best!;
  // Classes by decreasing weight (the lowest original index on ties).
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => fit.weights[b] - fit.weights[a] || a - b);
  const weights = Float64Array.from(order, (c) => fit.weights[c]);
  const probabilities = data.levels.map((L, j) => {
    const out = new Float64Array(k * L);
    order.forEach((c, to) => out.set(fit.probabilities[j].subarray(c * L, (c + 1) * L), to * L));
    return out;
  });
  const labels = new Int32Array(n);
  const maxPosterior = new Float64Array(n);
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    const q = patternOf[i];
    let bestC = 0;
    for (let to = 1; to < k; to++) if (fit.posterior[q * k + order[to]] > fit.posterior[q * k + order[bestC]]) bestC = to;
    labels[i] = bestC;
    maxPosterior[i] = fit.posterior[q * k + order[bestC]];
    sizes[bestC]++;
  }
  const parameters = k - 1 + k * data.levels.reduce((s, L) => s + L - 1, 0);
  return {
    k,
    weights,
    probabilities,
    labels,
    maxPosterior,
    sizes,
    logLikelihood: fit.ll,
    parameters,
    bic: -2 * fit.ll + parameters * Math.log(n),
    aic: -2 * fit.ll + 2 * parameters,
    iterations: fit.iterations,
    converged: fit.converged,
    restart: bestRestart,
  };
}

/**
 * Category codes from string answers: each variable's categories sorted (code = index), rows
 * with a missing answer must be left out by the caller. At most `maxLevels` categories per variable.
 */
export function encodeCategories(rows: readonly (readonly string[])[], names: readonly string[], maxLevels = 20): { data: CategoricalData; categories: string[][] } {
  const J = names.length;
  const categories = names.map((_, j) => [...new Set(rows.map((r) => r[j]))].sort());
  categories.forEach((cats, j) => {
    if (cats.length > maxLevels) {
      throw new AnalyticsInputError(`"${names[j]}" has ${cats.length} different values; latent class analysis takes categorical answers with at most ${maxLevels}.`);
    }
  });
  const index = categories.map((cats) => new Map(cats.map((c, v) => [c, v])));
  const codes = new Int32Array(rows.length * J);
  rows.forEach((r, i) => r.forEach((v, j) => (codes[i * J + j] = index[j].get(v)!)));
  return { data: { rows: rows.length, levels: categories.map((c) => c.length), codes }, categories };
}
