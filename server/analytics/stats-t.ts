/**
 * The normal and Student-t distributions, for confidence intervals of lift (server/analytics/lift.ts).
 *
 * - Regularised incomplete beta I_x(a, b): the continued fraction of Numerical Recipes 3rd ed.
 *   §6.4 (betacf, modified Lentz), used directly when x < (a + 1) / (a + b + 2) and through the
 *   symmetry I_x(a, b) = 1 − I_{1−x}(b, a) otherwise, where the fraction converges fast. The
 *   prefactor x^a (1−x)^b / (a B(a, b)) is built from logGamma (stats-distributions.ts).
 * - Student-t with ν > 0 degrees of freedom (ν need not be an integer, as Welch–Satterthwaite
 *   gives): the upper tail P(T > t) = ½ I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0, computed directly so a
 *   small tail is not lost to cancellation; the CDF by symmetry.
 * - The t quantile solves P(T > t) = α for t > 0 by Newton's method on the tail (its derivative
 *   is −density), kept inside a bisection bracket so every step is safe; |error| < 1e-12
 *   relative in t.
 * - The standard normal: Φ(z) = ½ (1 + erf(z/√2)) with erf(x) = P(½, x²) (regularised incomplete
 *   gamma); its quantile starts from Acklam's rational approximation (relative error 1.15e-9) and
 *   is polished by two Newton steps on Φ.
 */
import { logGamma, regularizedGammaP, regularizedGammaQ } from "./stats-distributions";

const EPSILON = 1e-15;
const MAX_TERMS = 10_000;
const TINY = 1e-300;

/** Continued fraction for I_x(a, b) (Numerical Recipes betacf); valid for x < (a + 1) / (a + b + 2). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_TERMS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0) || !Number.isFinite(a) || !Number.isFinite(b)) {
    throw new RangeError(`the incomplete beta function needs a, b > 0, got a = ${a}, b = ${b}`);
  }
  if (!(x >= 0 && x <= 1)) throw new RangeError(`the incomplete beta function needs 0 ≤ x ≤ 1, got ${x}`);
  if (x === 0) return 0;
  if (x === 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(b, a, 1 - x)) / b;
}

function checkDf(df: number): void {
  if (!(df > 0)) throw new RangeError(`Student-t degrees of freedom must be > 0, got ${df}`);
}

/** P(T > t) for T ~ t(df). */
export function studentTSurvival(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) throw new RangeError("the t statistic is NaN");
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  const half = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? half : 1 - half;
}

/** P(T ≤ t) for T ~ t(df). */
export function studentTCdf(t: number, df: number): number {
  return studentTSurvival(-t, df);
}

/** Density of t(df) at t. */
export function studentTDensity(t: number, df: number): number {
  checkDf(df);
  const logC = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  return Math.exp(logC - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/** The p-quantile of t(df): the t with P(T ≤ t) = p, 0 < p < 1. */
export function studentTQuantile(p: number, df: number): number {
  checkDf(df);
  if (!(p > 0 && p < 1)) throw new RangeError(`a quantile needs 0 < p < 1, got ${p}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  const alpha = 1 - p;
  let lo = 0;
  let hi = 1;
  while (studentTSurvival(hi, df) > alpha) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return Infinity;
  }
  let t = Math.min(Math.max(normalQuantile(p), lo), hi);
  for (let i = 0; i < 200; i++) {
    const f = studentTSurvival(t, df) - alpha;
    if (f > 0) lo = t;
    else hi = t;
    const newton = t + f / studentTDensity(t, df);
    const next = newton > lo && newton < hi ? newton : (lo + hi) / 2;
    if (Math.abs(next - t) <= 1e-14 * Math.max(1, Math.abs(t))) return next;
    t = next;
  }
  return t;
}

/** Φ(z), the standard normal CDF. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) throw new RangeError("the z statistic is NaN");
  if (z === Infinity) return 1;
  if (z === -Infinity) return 0;
  const x = (z * z) / 2;
  return z >= 0 ? 0.5 + 0.5 * regularizedGammaP(0.5, x) : 0.5 * regularizedGammaQ(0.5, x);
}

function normalDensity(z: number): number {
  return Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
}

const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

function acklam(p: number): number {
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    const [c0, c1, c2, c3, c4, c5] = ACKLAM_C;
    const [d0, d1, d2, d3] = ACKLAM_D;
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - pLow) return -acklam(1 - p);
  const q = p - 0.5;
  const r = q * q;
  const [a0, a1, a2, a3, a4, a5] = ACKLAM_A;
  const [b0, b1, b2, b3, b4] = ACKLAM_B;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/** The p-quantile of the standard normal, 0 < p < 1. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`a quantile needs 0 < p < 1, got ${p}`);
  let z = acklam(p);
  for (let i = 0; i < 2; i++) z -= (normalCdf(z) - p) / normalDensity(z);
  return z;
}
