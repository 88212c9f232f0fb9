/**
 * Lift of a campaign over its holdout (decision 015).
 *
 * Conversion — difference of proportions d = p_t − p_h (treated − holdout):
 * - The reported interval is Newcombe's hybrid score interval (Newcombe 1998, "Interval
 *   estimation for the difference between independent proportions", Statistics in Medicine 17,
 *   method 10): with Wilson score intervals (l_t, u_t) and (l_h, u_h) of each proportion,
 *   d − √((p_t − l_t)² + (u_h − p_h)²) to d + √((u_t − p_t)² + (p_h − l_h)²). It keeps close to
 *   nominal coverage for small groups and rates near 0 or 1, where the Wald interval does not.
 * - The Wald (unpooled) interval d ± z √(p_t(1−p_t)/n_t + p_h(1−p_h)/n_h) is reported alongside.
 * - The p-value is the two-sided pooled two-proportion z-test. "Significant" means the reported
 *   (Newcombe) interval excludes 0.
 *
 * Revenue per customer — difference of means (customers without revenue count as 0):
 * - Welch's t interval: d ± t_{1−α/2, ν} √(s_t²/n_t + s_h²/n_h) with the Welch–Satterthwaite
 *   ν = (s_t²/n_t + s_h²/n_h)² / ((s_t²/n_t)²/(n_t−1) + (s_h²/n_h)²/(n_h−1)); the p-value is the
 *   two-sided Welch test; "significant" when the interval excludes 0.
 */
import { normalCdf, normalQuantile, studentTQuantile, studentTSurvival } from "./stats-t";

export interface Interval {
  low: number;
  high: number;
}

export interface ProportionGroup {
  n: number;
  conversions: number;
}

export interface ConversionLift {
  treatedRate: number;
  holdoutRate: number;
  /** treatedRate − holdoutRate. */
  difference: number;
  /** Newcombe hybrid score interval (the reported one). */
  interval: Interval;
  wald: Interval;
  pValue: number;
  significant: boolean;
  confidence: number;
}

export interface MeanGroup {
  n: number;
  mean: number;
  /** Sample variance (n − 1 denominator). */
  variance: number;
}

export interface MeanLift {
  treatedMean: number;
  holdoutMean: number;
  difference: number;
  interval: Interval;
  standardError: number;
  df: number;
  pValue: number;
  significant: boolean;
  confidence: number;
}

function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`the confidence level must be between 0 and 1, got ${confidence}`);
}

function checkProportion(name: string, g: ProportionGroup): void {
  if (!Number.isInteger(g.n) || g.n < 1) throw new RangeError(`the ${name} group needs at least one customer, got n = ${g.n}`);
  if (!Number.isInteger(g.conversions) || g.conversions < 0 || g.conversions > g.n) {
    throw new RangeError(`the ${name} group's conversions must be a whole number from 0 to ${g.n}, got ${g.conversions}`);
  }
}

/** Wilson score interval of a proportion x/n. */
export function wilsonInterval(x: number, n: number, confidence = 0.95): Interval {
  checkConfidence(confidence);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = x / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export function conversionLift(treated: ProportionGroup, holdout: ProportionGroup, confidence = 0.95): ConversionLift {
  checkConfidence(confidence);
  checkProportion("treated", treated);
  checkProportion("holdout", holdout);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const pt = treated.conversions / treated.n;
  const ph = holdout.conversions / holdout.n;
  const d = pt - ph;
  const wt = wilsonInterval(treated.conversions, treated.n, confidence);
  const wh = wilsonInterval(holdout.conversions, holdout.n, confidence);
  const interval = {
    low: d - Math.sqrt((pt - wt.low) ** 2 + (wh.high - ph) ** 2),
    high: d + Math.sqrt((wt.high - pt) ** 2 + (ph - wh.low) ** 2),
  };
  const waldSe = Math.sqrt((pt * (1 - pt)) / treated.n + (ph * (1 - ph)) / holdout.n);
  const pooled = (treated.conversions + holdout.conversions) / (treated.n + holdout.n);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / treated.n + 1 / holdout.n));
  const pValue = pooledSe === 0 ? 1 : 2 * (1 - normalCdf(Math.abs(d) / pooledSe));
  return {
    treatedRate: pt,
    holdoutRate: ph,
    difference: d,
    interval,
    wald: { low: d - z * waldSe, high: d + z * waldSe },
    pValue,
    significant: interval.low > 0 || interval.high < 0,
    confidence,
  };
}

/** Size, mean and sample variance of a list of values. */
export function meanGroup(values: ArrayLike<number>): MeanGroup {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = n > 0 ? sum / n : 0;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return { n, mean, variance: n > 1 ? ss / (n - 1) : 0 };
}

export function welchLift(treated: MeanGroup, holdout: MeanGroup, confidence = 0.95): MeanLift {
  checkConfidence(confidence);
  for (const [name, g] of [["treated", treated], ["holdout", holdout]] as const) {
    if (!Number.isInteger(g.n) || g.n < 2) throw new RangeError(`the ${name} group needs at least two customers for a t interval, got n = ${g.n}`);
    if (!(g.variance >= 0)) throw new RangeError(`the ${name} group's variance must be ≥ 0, got ${g.variance}`);
  }
  const d = treated.mean - holdout.mean;
  const vt = treated.variance / treated.n;
  const vh = holdout.variance / holdout.n;
  const se = Math.sqrt(vt + vh);
  if (se === 0) {
    return {
      treatedMean: treated.mean,
      holdoutMean: holdout.mean,
      difference: d,
      interval: { low: d, high: d },
      standardError: 0,
      df: treated.n + holdout.n - 2,
      pValue: d === 0 ? 1 : 0,
      significant: d !== 0,
      confidence,
    };
  }
  const df = (vt + vh) ** 2 / (vt ** 2 / (treated.n - 1) + vh ** 2 / (holdout.n - 1));
  const t = studentTQuantile(1 - (1 - confidence) / 2, df);
  const interval = { low: d - t * se, high: d + t * se };
  return {
    treatedMean: treated.mean,
    holdoutMean: holdout.mean,
    difference: d,
    interval,
    standardError: se,
    df,
    pValue: 2 * studentTSurvival(Math.abs(d) / se, df),
    significant: interval.low > 0 || interval.high < 0,
    confidence,
  };
}

function signed(value: number, digits: number): string {
  const fixed = Math.abs(value).toFixed(digits);
  if (Number(fixed) === 0) return fixed;
  return `${value < 0 ? "−" : "+"}${fixed}`;
}

function verdict(estimate: string, low: string, high: string, confidence: number, significant: boolean): string {
  const pct = Math.round(confidence * 100);
  return `${estimate} (${pct}% CI ${low} to ${high}): ${significant ? "significant" : "not distinguishable from no effect"}`;
}

/** "+2.1 points (95% CI +0.4 to +3.8): significant" — points are percentage points. */
export function conversionVerdict(lift: ConversionLift): string {
  const pts = (x: number) => signed(x * 100, 1);
  return verdict(`${pts(lift.difference)} points`, pts(lift.interval.low), pts(lift.interval.high), lift.confidence, lift.significant);
}

/** "+3.20 per customer (95% CI +0.80 to +5.60): significant". */
export function revenueVerdict(lift: MeanLift): string {
  const money = (x: number) => signed(x, 2);
  return verdict(`${money(lift.difference)} per customer`, money(lift.interval.low), money(lift.interval.high), lift.confidence, lift.significant);
}
