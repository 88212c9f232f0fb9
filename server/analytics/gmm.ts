/**
 * Gaussian mixture model (full covariance) fitted by expectation–maximisation, for groups that
 * overlap: every row gets a responsibility (posterior probability) for every component instead of
 * one hard label.
 *
 * Definitions (n rows, d features, k components)
 * - Density: p(x) = Σⱼ wⱼ N(x | μⱼ, Σⱼ), N the multivariate normal. Log densities use the
 *   Cholesky factor L of Σⱼ: log N = −½ (d ln 2π + 2 Σ ln Lₜₜ + ‖L⁻¹(x − μⱼ)‖²).
 * - E step: log rᵢⱼ = log wⱼ + log N(xᵢ | μⱼ, Σⱼ) − log Σₘ wₘ N(xᵢ | μₘ, Σₘ), the last term by
 *   log-sum-exp (subtract the row's largest term before exponentiating), so far-away rows do not
 *   underflow to 0/0.
 * - M step (textbook): Nⱼ = Σᵢ rᵢⱼ, wⱼ = Nⱼ / n, μⱼ = Σᵢ rᵢⱼ xᵢ / Nⱼ,
 *   Σⱼ = Σᵢ rᵢⱼ (xᵢ − μⱼ)(xᵢ − μⱼ)ᵀ / Nⱼ + ε I.
 * - Regularisation: ε = `regularisation` (default 1e-6) × trace(S) / d, S the covariance of the
 *   whole data (population), i.e. 1e-6 × the mean feature variance, added to the diagonal of every
 *   component's covariance at initialisation and after every M step. It keeps a component that
 *   collapses onto a few (or identical) rows positive definite; with standardised features it is
 *   1e-6. Because of it the M step is not the exact maximiser, so the log-likelihood can in
 *   principle fall by an amount of the order of ε; with `regularisation: 0` EM is monotone.
 *   Nⱼ also gets 10 × machine epsilon added (as scikit-learn) so an empty component does not divide by 0.
 * - Initialisation: per restart r, k-means (server/analytics/kmeans.ts: greedy k-means++ and
 *   Lloyd, one seeding, seeded with deriveSeed(seed, r)) gives hard labels; the weights, means and
 *   covariances of those clusters (plus ε I) are the starting parameters.
 * - Restarts: `restarts` (default 3) independent initialisations; the run with the highest final
 *   log-likelihood is kept (the earliest on ties). Deterministic for a seed.
 * - Convergence: stop when |LLₜ − LLₜ₋₁| ≤ tolerance × |LLₜ| (relative change, default 1e-6), or
 *   after `maxIterations` (default 200) EM iterations. The returned parameters are those of the
 *   last M step, and the log-likelihood, labels and responsibilities are evaluated at them.
 * - Hard labels: argmax of the responsibilities (lowest component on ties); `maxResponsibility`
 *   is that largest responsibility per row (how clearly the row belongs to its component).
 * - Free parameters p = (k − 1) + k·d + k·d(d + 1)/2; BIC = −2 LL + p ln n; AIC = −2 LL + 2p.
 *
 * Errors (AnalyticsInputError): NaN/infinite values, k > n, a constant feature (zero variance,
 * which makes every covariance singular up to the regularisation and the likelihood meaningless).
 */
import { AnalyticsInputError, type FeatureMatrix, assertFinite } from "./feature-matrix";
import { kmeans } from "./kmeans";
import { checkSeed, deriveSeed } from "./seeded-random";

export interface GmmParameters {
  k: number;
  d: number;
  /** k mixing weights (sum 1). */
  weights: Float64Array;
  /** k × d, row-major. */
  means: Float64Array;
  /** k × d × d, each component's covariance row-major. */
  covariances: Float64Array;
}

export interface GmmOptions {
  seed?: number;
  /** Independent k-means initialisations; the highest log-likelihood is kept. Default 3. */
  restarts?: number;
  /** Default 200. */
  maxIterations?: number;
  /** Relative log-likelihood change that stops EM. Default 1e-6. */
  tolerance?: number;
  /** ε = regularisation × trace(data covariance) / d is added to every covariance's diagonal. Default 1e-6. */
  regularisation?: number;
  /** Start EM from these parameters instead of k-means (restarts must then be 1). */
  initial?: GmmParameters;
}

export interface GmmResult extends GmmParameters {
  logLikelihood: number;
  /** EM iterations (M steps) of the kept run. */
  iterations: number;
  converged: boolean;
  /** Component (0 … k − 1) with the largest responsibility, per row. */
  labels: Int32Array;
  /** The largest responsibility per row. */
  maxResponsibility: Float64Array;
  /** Rows per hard label. */
  sizes: number[];
  /** Free parameters p. */
  parameters: number;
  bic: number;
  aic: number;
  /** Log-likelihood before the first M step and after every M step (of the kept run). */
  logLikelihoodTrace: number[];
  restart: number;
  restartLogLikelihoods: number[];
}

const LN_2PI = Math.log(2 * Math.PI);

/** Cholesky factor (lower, row-major) of a d × d matrix at `offset`; null when not positive definite. */
function cholesky(a: Float64Array, offset: number, d: number): Float64Array | null {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[offset + i * d + j];
      for (let t = 0; t < j; t++) s -= l[i * d + t] * l[j * d + t];
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j];
      }
    }
  }
  return l;
}

export function gmmParameterCount(k: number, d: number): number {
  return k - 1 + k * d + (k * d * (d + 1)) / 2;
}

/** ε of the module comment: regularisation × trace of the data's population covariance / d. */
export function regularisationEpsilon(matrix: FeatureMatrix, regularisation = 1e-6): number {
  const { rows, cols, values } = matrix;
  let total = 0;
  for (let j = 0; j < cols; j++) {
    let m = 0;
    for (let i = 0; i < rows; i++) m += values[i * cols + j];
    m /= rows;
    let v = 0;
    for (let i = 0; i < rows; i++) v += (values[i * cols + j] - m) ** 2;
    total += v / rows;
  }
  return (regularisation * total) / cols;
}

interface EStep {
  logLikelihood: number;
  /** n × k responsibilities. */
  resp: Float64Array;
}

/** The E step at `p`: responsibilities and the log-likelihood Σᵢ log Σⱼ wⱼ N(xᵢ | μⱼ, Σⱼ). */
export function expectation(matrix: FeatureMatrix, p: GmmParameters): EStep {
  const { rows: n, values } = matrix;
  const { k, d } = p;
  const factors: Float64Array[] = [];
  const constants = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const l = cholesky(p.covariances, j * d * d, d);
    if (!l) throw new AnalyticsInputError(`component ${j + 1}'s covariance is not positive definite`);
    factors.push(l);
    let logDet = 0;
    for (let t = 0; t < d; t++) logDet += 2 * Math.log(l[t * d + t]);
    constants[j] = Math.log(p.weights[j]) - 0.5 * (d * LN_2PI + logDet);
  }
  const resp = new Float64Array(n * k);
  const z = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let top = -Infinity;
    for (let j = 0; j < k; j++) {
      const l = factors[j];
      let q = 0;
      // Forward substitution: z = L⁻¹ (x − μ); q = ‖z‖².
      for (let a = 0; a < d; a++) {
        let s = values[i * d + a] - p.means[j * d + a];
        for (let b = 0; b < a; b++) s -= l[a * d + b] * z[b];
        z[a] = s / l[a * d + a];
        q += z[a] * z[a];
      }
      const v = constants[j] - 0.5 * q;
      resp[i * k + j] = v;
      if (v > top) top = v;
    }
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(resp[i * k + j] - top);
    const lse = top + Math.log(s);
    for (let j = 0; j < k; j++) resp[i * k + j] = Math.exp(resp[i * k + j] - lse);
    total += lse;
  }
  return { logLikelihood: total, resp };
}

/** The M step from responsibilities (n × k), with ε added to every covariance's diagonal. */
export function maximisation(matrix: FeatureMatrix, resp: Float64Array, k: number, epsilon: number): GmmParameters {
  const { rows: n, cols: d, values } = matrix;
  const weights = new Float64Array(k);
  const means = new Float64Array(k * d);
  const covariances = new Float64Array(k * d * d);
  const nk = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const r = resp[i * k + j];
      nk[j] += r;
      for (let a = 0; a < d; a++) means[j * d + a] += r * values[i * d + a];
    }
  }
  for (let j = 0; j < k; j++) {
    nk[j] += 10 * Number.EPSILON;
    weights[j] = nk[j] / n;
    for (let a = 0; a < d; a++) means[j * d + a] /= nk[j];
  }
  const diff = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const r = resp[i * k + j];
      if (r === 0) continue;
      for (let a = 0; a < d; a++) diff[a] = values[i * d + a] - means[j * d + a];
      const base = j * d * d;
      for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) covariances[base + a * d + b] += r * diff[a] * diff[b];
    }
  }
  for (let j = 0; j < k; j++) {
    const base = j * d * d;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b <= a; b++) {
        const v = covariances[base + a * d + b] / nk[j];
        covariances[base + a * d + b] = v;
        covariances[base + b * d + a] = v;
      }
      covariances[base + a * d + a] += epsilon;
    }
  }
  let sum = 0;
  for (let j = 0; j < k; j++) sum += weights[j];
  for (let j = 0; j < k; j++) weights[j] /= sum;
  return { k, d, weights, means, covariances };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number ≥ 1, got ${value}`);
  return value;
}

interface EmRun {
  params: GmmParameters;
  e: EStep;
  iterations: number;
  converged: boolean;
  trace: number[];
}

function em(matrix: FeatureMatrix, start: GmmParameters, maxIterations: number, tolerance: number, epsilon: number): EmRun {
  let params = start;
  let e = expectation(matrix, params);
  const trace = [e.logLikelihood];
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    params = maximisation(matrix, e.resp, start.k, epsilon);
    const next = expectation(matrix, params);
    iterations++;
    trace.push(next.logLikelihood);
    const change = Math.abs(next.logLikelihood - e.logLikelihood);
    e = next;
    if (change <= tolerance * Math.abs(next.logLikelihood)) {
      converged = true;
      break;
    }
  }
  return { params, e, iterations, converged, trace };
}

/** Hard-label initial parameters: the weight, mean and covariance (+ ε I) of each k-means cluster. */
function fromLabels(matrix: FeatureMatrix, labels: Int32Array, k: number, epsilon: number): GmmParameters {
  const resp = new Float64Array(matrix.rows * k);
  for (let i = 0; i < matrix.rows; i++) resp[i * k + labels[i]] = 1;
  return maximisation(matrix, resp, k, epsilon);
}

/** Fits a k-component full-covariance Gaussian mixture (see the module comment). */
export async function gmm(matrix: FeatureMatrix, k: number, options: GmmOptions = {}): Promise<GmmResult> {
  positiveInteger("k", k);
  assertFinite(matrix);
  const { rows: n, cols: d, values } = matrix;
  if (k > n) throw new AnalyticsInputError(`k = ${k} components need at least ${k} rows; the data has ${n}`);
  for (let j = 0; j < d; j++) {
    let constant = true;
    for (let i = 1; i < n && constant; i++) if (values[i * d + j] !== values[j]) constant = false;
    if (constant) throw new AnalyticsInputError(`feature ${j + 1} has the same value in every row; a Gaussian mixture needs every feature to vary`, { feature: `feature ${j + 1}` });
  }
  const seed = checkSeed(options.seed ?? 0);
  const restarts = positiveInteger("restarts", options.restarts ?? 3);
  const maxIterations = positiveInteger("maxIterations", options.maxIterations ?? 200);
  const tolerance = options.tolerance ?? 1e-6;
  if (!(tolerance >= 0)) throw new RangeError("tolerance must be a number ≥ 0");
  const epsilon = regularisationEpsilon(matrix, options.regularisation ?? 1e-6);
  if (options.initial) {
    if (options.initial.k !== k || options.initial.d !== d) throw new RangeError(`initial parameters must be for k = ${k} and d = ${d}`);
    if (restarts !== 1) throw new RangeError("initial parameters allow only 1 restart");
  }
  let best: EmRun | null = null;
  let bestRestart = 0;
  const restartLogLikelihoods: number[] = [];
  for (let r = 0; r < restarts; r++) {
    let start = options.initial;
    if (!start) {
      const init = await kmeans(matrix, k, { seed: deriveSeed(seed, r), restarts: 1 });
      start = fromLabels(matrix, init.labels, k, epsilon);
    }
    const run = em(matrix, start, maxIterations, tolerance, epsilon);
    restartLogLikelihoods.push(run.e.logLikelihood);
    if (best === null || run.e.logLikelihood > best.e.logLikelihood) {
      best = run;
      bestRestart = r;
    }
  }
  if (best === null) throw new Error("unreachable: no EM restart ran");
  const labels = new Int32Array(n);
  const maxResponsibility = new Float64Array(n);
  const sizes = new Array<number>(k).fill(0);
  const { resp } = best.e;
  for (let i = 0; i < n; i++) {
    let arg = 0;
    for (let j = 1; j < k; j++) if (resp[i * k + j] > resp[i * k + arg]) arg = j;
    labels[i] = arg;
    maxResponsibility[i] = resp[i * k + arg];
    sizes[arg]++;
  }
  const ll = best.e.logLikelihood;
  const p = gmmParameterCount(k, d);
  return {
    ...best.params,
    logLikelihood: ll,
    iterations: best.iterations,
    converged: best.converged,
    labels,
    maxResponsibility,
    sizes,
    parameters: p,
    bic: -2 * ll + p * Math.log(n),
    aic: -2 * ll + 2 * p,
    logLikelihoodTrace: best.trace,
    restart: bestRestart,
    restartLogLikelihoods,
  };
}
