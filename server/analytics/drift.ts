/**
 * Distribution drift between a reference sample and a current sample of one feature.
 *
 * Numeric features (`numericDrift`):
 * - PSI = Σ (cur% − ref%) · ln(cur% / ref%) over BINS fitted on the reference only: the edges are
 *   the reference's quantiles at 1/10, 2/10, …, 9/10 (type 7, see stats-descriptive.ts), with
 *   repeated edges merged, so a reference with heavy ties gets fewer than ten bins. Bins are
 *   closed on the right: bin k holds e(k−1) < x ≤ e(k), the first bin everything ≤ e(1) and the
 *   last everything > e(last) (a value equal to an edge goes to the lower bin — the tie
 *   convention). A bin's share is floored at PSI_FLOOR = 0.0001 (in both samples, without
 *   renormalising) so an empty bin gives a large but finite term instead of ln 0.
 * - Kolmogorov–Smirnov two-sample D = sup_x |F_ref(x) − F_cur(x)| over the empirical CDFs (tied
 *   values are stepped together). Its two-sided p-value is EXACT when n_ref · n_cur ≤
 *   KS_EXACT_MAX_CELLS = 10⁷ (the share of the C(n+m, n) equally likely orderings of the pooled
 *   sample whose path reaches D, by dynamic programming in O(n·m); exact for continuous data, conservative with
 *   ties), otherwise the Kolmogorov asymptotic Q_KS(λ) with Stephens's effective-n correction
 *   λ = (√nₑ + 0.12 + 0.11/√nₑ) · D, nₑ = n·m/(n+m) (Numerical Recipes 3rd ed. §14.3.3).
 * - Jensen–Shannon distance, base 2 (in [0, 1]), on the same bins as PSI, without the floor:
 *   √(½ KL(p‖m) + ½ KL(q‖m)), m = (p + q)/2 — what scipy.spatial.distance.jensenshannon(p, q, 2)
 *   returns.
 * - Normalised Wasserstein-1: W1 = ∫ |F_ref(x) − F_cur(x)| dx (the earth mover's distance of the
 *   two empirical distributions), divided by the reference's population standard deviation, so
 *   0.5 reads "the mass moved half a reference standard deviation on average". When the
 *   reference is constant (sd 0) it is 0 if W1 is 0 and null otherwise.
 *
 * Categorical features (`categoricalDrift`): PSI and Jensen–Shannon over the categories seen in
 * either sample (each category is a bin; same floor), and Pearson's chi-square test of
 * homogeneity on the 2 × K table of counts (df = K − 1; with one category, χ² = 0 and p = 1).
 *
 * The band (`driftBand`) is read from PSI: below `watch` (default 0.1) "none", below `act`
 * (default 0.25) "watch", otherwise "act". Large samples make every p-value tiny even for
 * differences nobody cares about, so the band uses the effect size, never a p-value.
 */
import { chiSquareSurvival } from "./stats-distributions";
import { radixSortFloat64 } from "./radix-sort";
import { populationSd, quantileSorted } from "./stats-descriptive";

export const PSI_BINS = 10;
export const PSI_FLOOR = 0.0001;
export const KS_EXACT_MAX_CELLS = 10_000_000;

export type DriftBand = "none" | "watch" | "act";

export interface DriftThresholds {
  /** PSI at or above this is "watch". */
  watch: number;
  /** PSI at or above this is "act". */
  act: number;
}

export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = { watch: 0.1, act: 0.25 };

export class DriftInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DriftInputError";
  }
}

export function driftBand(psi: number, thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS): DriftBand {
  if (!(thresholds.watch > 0 && thresholds.act >= thresholds.watch)) {
    throw new DriftInputError(
      `drift thresholds need 0 < watch ≤ act, got watch ${thresholds.watch} and act ${thresholds.act}`
    );
  }
  if (psi >= thresholds.act) return "act";
  if (psi >= thresholds.watch) return "watch";
  return "none";
}

/** PSI of two share vectors over the same bins, each share floored at PSI_FLOOR. */
export function psiFromShares(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  let psi = 0;
  for (let k = 0; k < reference.length; k++) {
    const r = Math.max(reference[k], PSI_FLOOR);
    const c = Math.max(current[k], PSI_FLOOR);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/** Jensen–Shannon distance (base 2) of two share vectors over the same bins. */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let divergence = 0;
  for (let k = 0; k < p.length; k++) {
    const m = (p[k] + q[k]) / 2;
    if (p[k] > 0) divergence += 0.5 * p[k] * Math.log2(p[k] / m);
    if (q[k] > 0) divergence += 0.5 * q[k] * Math.log2(q[k] / m);
  }
  return Math.sqrt(Math.max(0, divergence));
}

/** Number of values in an ascending array that are ≤ x. */
function countAtMost(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The PSI bin edges of a sorted reference: its deciles, repeated values merged. */
export function psiEdges(sortedReference: ArrayLike<number>, bins = PSI_BINS): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = quantileSorted(sortedReference, k / bins);
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/** Shares of a sorted sample in the bins (−∞, e1], (e1, e2], …, (e_last, ∞). */
export function binShares(sorted: ArrayLike<number>, edges: readonly number[]): Float64Array {
  const shares = new Float64Array(edges.length + 1);
  let below = 0;
  for (let k = 0; k < edges.length; k++) {
    const upTo = countAtMost(sorted, edges[k]);
    shares[k] = (upTo - below) / sorted.length;
    below = upTo;
  }
  shares[edges.length] = (sorted.length - below) / sorted.length;
  return shares;
}

export interface KsSweep {
  /** sup |F_ref − F_cur|. */
  d: number;
  /** ∫ |F_ref − F_cur| dx. */
  w1: number;
}

/** One merge of two ascending samples: the KS statistic and the Wasserstein-1 distance. */
export function ksAndWasserstein(a: Float64Array, b: Float64Array): KsSweep {
  const n = a.length;
  const m = b.length;
  const invN = 1 / n;
  const invM = 1 / m;
  let i = 0;
  let j = 0;
  let d = 0;
  let w1 = 0;
  let previous = a[0] < b[0] ? a[0] : b[0];
  while (i < n || j < m) {
    let x: number;
    if (j >= m) x = a[i];
    else if (i >= n) x = b[j];
    else x = a[i] <= b[j] ? a[i] : b[j];
    // Between the previous distinct value and x the CDFs are constant.
    const before = i * invN - j * invM;
    w1 += (before < 0 ? -before : before) * (x - previous);
    while (i < n && a[i] === x) i++;
    while (j < m && b[j] === x) j++;
    const gap = i * invN - j * invM;
    const size = gap < 0 ? -gap : gap;
    if (size > d) d = size;
    previous = x;
  }
  return { d, w1 };
}

/**
 * Kolmogorov's survival function Q_KS(λ) = P(K > λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}; for small λ
 * the equivalent 1 − (√(2π)/λ) Σ_{k≥1} e^{−(2k−1)²π²/(8λ²)}, which converges fast there.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (!(lambda >= 0)) throw new RangeError(`the Kolmogorov distribution needs λ ≥ 0, got ${lambda}`);
  if (lambda < 1e-3) return 1;
  if (lambda < 1.18) {
    const y = Math.exp(-(Math.PI * Math.PI) / (8 * lambda * lambda));
    let sum = 0;
    for (let k = 1; k <= 20; k++) sum += Math.pow(y, (2 * k - 1) * (2 * k - 1));
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * sum));
  }
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** The asymptotic two-sided p-value with Stephens's effective-n correction. */
export function ksAsymptoticP(d: number, n: number, m: number): number {
  const ne = (n * m) / (n + m);
  const root = Math.sqrt(ne);
  return kolmogorovSurvival((root + 0.12 + 0.11 / root) * d);
}

/**
 * Exact two-sided P(D ≥ d) for samples of n and m values from one continuous distribution: the
 * pooled ordering is a random lattice path from (0, 0) to (n, m); D ≥ d exactly when the path
 * touches |i·m − j·n| ≥ d·n·m. The probability of never touching is propagated step by step
 * (from (i, j) the next value is a reference value with probability (n − i)/(n − i + m − j)).
 */
export function ksExactP(d: number, n: number, m: number): number {
  const bound = Math.round(d * n * m);
  if (bound <= 0) return 1;
  const outside = (i: number, j: number) => Math.abs(i * m - j * n) >= bound;
  // row[j] = P(reach (i, j) without touching the boundary); the probability flowing into a
  // boundary cell is summed directly (a sum of positive terms keeps tiny p-values accurate).
  let row = new Float64Array(m + 1);
  let next = new Float64Array(m + 1);
  row[0] = 1;
  let exited = 0;
  for (let i = 0; i <= n; i++) {
    next.fill(0);
    for (let j = 0; j <= m; j++) {
      const mass = row[j];
      if (mass === 0) continue;
      const left = n - i + m - j;
      if (left === 0) continue;
      if (i < n) {
        const flow = mass * ((n - i) / left);
        if (outside(i + 1, j)) exited += flow;
        else next[j] += flow;
      }
      if (j < m) {
        const flow = mass * ((m - j) / left);
        if (outside(i, j + 1)) exited += flow;
        else row[j + 1] += flow;
      }
    }
    [row, next] = [next, row];
  }
  return Math.min(1, exited);
}

export interface KsTest {
  d: number;
  p: number;
  method: "exact" | "asymptotic";
}

function ksPValue(d: number, n: number, m: number): KsTest {
  if (n * m <= KS_EXACT_MAX_CELLS) return { d, p: ksExactP(d, n, m), method: "exact" };
  return { d, p: ksAsymptoticP(d, n, m), method: "asymptotic" };
}

export interface NumericDrift {
  type: "numeric";
  nReference: number;
  nCurrent: number;
  /** The PSI bin edges (reference deciles, repeats merged). */
  edges: number[];
  referenceShares: number[];
  currentShares: number[];
  psi: number;
  ks: number;
  ksP: number;
  ksMethod: "exact" | "asymptotic";
  jensenShannon: number;
  /** W1 / reference population sd; null when the reference is constant and W1 > 0. */
  wassersteinNorm: number | null;
  wasserstein: number;
  band: DriftBand;
}

function checkNumeric(name: string, x: ArrayLike<number>): void {
  if (x.length === 0)
    throw new DriftInputError(`the ${name} sample is empty; drift needs at least one value in each sample`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]))
      throw new DriftInputError(`the ${name} sample's value ${i + 1} is not a finite number (${x[i]})`);
  }
}

/** Drift of a numeric feature; the samples are not modified (sorted copies are made). */
export function numericDrift(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS
): NumericDrift {
  checkNumeric("reference", reference);
  checkNumeric("current", current);
  const asFloat64 = (x: ArrayLike<number>) => (x instanceof Float64Array ? x : Float64Array.from(x));
  return numericDriftSorted(
    radixSortFloat64(asFloat64(reference)),
    radixSortFloat64(asFloat64(current)),
    thresholds
  );
}

/** Drift of a numeric feature from samples already sorted ascending (finite values). */
export function numericDriftSorted(
  reference: Float64Array,
  current: Float64Array,
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS
): NumericDrift {
  if (reference.length === 0 || current.length === 0) {
    throw new DriftInputError("drift needs at least one value in each sample");
  }
  const edges = psiEdges(reference);
  const referenceShares = binShares(reference, edges);
  const currentShares = binShares(current, edges);
  const psi = psiFromShares(referenceShares, currentShares);
  const { d, w1 } = ksAndWasserstein(reference, current);
  const ks = ksPValue(d, reference.length, current.length);
  const sd = populationSd(reference);
  return {
    type: "numeric",
    nReference: reference.length,
    nCurrent: current.length,
    edges,
    referenceShares: Array.from(referenceShares),
    currentShares: Array.from(currentShares),
    psi,
    ks: d,
    ksP: ks.p,
    ksMethod: ks.method,
    jensenShannon: jensenShannonDistance(referenceShares, currentShares),
    wassersteinNorm: sd > 0 ? w1 / sd : w1 === 0 ? 0 : null,
    wasserstein: w1,
    band: driftBand(psi, thresholds),
  };
}

export interface ChiSquareTest {
  chi2: number;
  df: number;
  p: number;
}

/** Pearson's chi-square test of independence on an r × c table of counts (rows × columns). */
export function chiSquareIndependence(table: readonly (readonly number[])[]): ChiSquareTest | null {
  const rowTotals = table.map((row) => row.reduce((s, v) => s + v, 0));
  const cols = table[0]?.length ?? 0;
  const colTotals = Array.from({ length: cols }, (_, c) => table.reduce((s, row) => s + row[c], 0));
  const keptRows = rowTotals.map((t, r) => (t > 0 ? r : -1)).filter((r) => r >= 0);
  const keptCols = colTotals.map((t, c) => (t > 0 ? c : -1)).filter((c) => c >= 0);
  // A table with one non-empty row or column has no association to test.
  if (keptRows.length < 2 || keptCols.length < 2) return null;
  const total = rowTotals.reduce((s, v) => s + v, 0);
  let chi2 = 0;
  for (const r of keptRows) {
    for (const c of keptCols) {
      const expected = (rowTotals[r] * colTotals[c]) / total;
      const diff = table[r][c] - expected;
      chi2 += (diff * diff) / expected;
    }
  }
  const df = (keptRows.length - 1) * (keptCols.length - 1);
  return { chi2, df, p: chiSquareSurvival(chi2, df) };
}

export interface CategoricalDrift {
  type: "categorical";
  nReference: number;
  nCurrent: number;
  categories: string[];
  referenceShares: number[];
  currentShares: number[];
  psi: number;
  chi2: number;
  chi2Df: number;
  chi2P: number;
  jensenShannon: number;
  band: DriftBand;
}

/** Drift of a categorical feature from its counts per category in each sample. */
export function categoricalDrift(
  reference: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS
): CategoricalDrift {
  const categories = [...new Set([...reference.keys(), ...current.keys()])].sort();
  const refCounts = categories.map((c) => reference.get(c) ?? 0);
  const curCounts = categories.map((c) => current.get(c) ?? 0);
  const nReference = refCounts.reduce((s, v) => s + v, 0);
  const nCurrent = curCounts.reduce((s, v) => s + v, 0);
  if (nReference === 0 || nCurrent === 0) {
    throw new DriftInputError("drift needs at least one value in each sample");
  }
  const referenceShares = refCounts.map((v) => v / nReference);
  const currentShares = curCounts.map((v) => v / nCurrent);
  const psi = psiFromShares(referenceShares, currentShares);
  const test = chiSquareIndependence([refCounts, curCounts]);
  return {
    type: "categorical",
    nReference,
    nCurrent,
    categories,
    referenceShares,
    currentShares,
    psi,
    chi2: test?.chi2 ?? 0,
    chi2Df: test?.df ?? 0,
    chi2P: test?.p ?? 1,
    jensenShannon: jensenShannonDistance(referenceShares, currentShares),
    band: driftBand(psi, thresholds),
  };
}

/** Counts per category of a list of values. */
export function categoryCounts(values: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}
