/**
 * Rank-based tests of whether groups differ, used to say which features separate clusters.
 *
 * - Ranks: average ranks (ties get the mean of the ranks they span), 1-based, as R's `rank`
 *   and SciPy's `rankdata` default.
 * - Kruskal–Wallis H (Kruskal & Wallis 1952): with N values in g non-empty groups, n_i values
 *   and rank sum R_i in group i,
 *     H = 12 / (N (N + 1)) · Σ R_i² / n_i − 3 (N + 1),
 *   corrected for ties by dividing by C = 1 − Σ (t³ − t) / (N³ − N), t the size of each group
 *   of tied values (R's `kruskal.test`, SciPy's `kruskal`). The p-value is the chi-square
 *   approximation P(χ²(g − 1) ≥ H). When every value is equal (C = 0) there is nothing to
 *   rank: H = 0 and p = 1.
 */
import { chiSquareSurvival } from "./stats-distributions";

/** Average ranks (1-based) of the values; ties share the mean of their ranks. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2;
    for (let p = start; p < end; p++) ranks[order[p]] = rank;
    start = end;
  }
  return ranks;
}

export interface KruskalWallisResult {
  /** Tie-corrected H. */
  statistic: number;
  /** Degrees of freedom: non-empty groups − 1. */
  df: number;
  pValue: number;
}

/** Kruskal–Wallis test of `values` split by `groups` (a group id per value). Needs ≥ 2 non-empty groups. */
export function kruskalWallis(values: ArrayLike<number>, groups: ArrayLike<number>): KruskalWallisResult {
  const n = values.length;
  if (groups.length !== n) throw new RangeError(`${groups.length} group ids for ${n} values`);
  for (let i = 0; i < n; i++) if (Number.isNaN(values[i])) throw new RangeError(`value ${i + 1} is NaN`);
  const ranks = averageRanks(values);
  const rankSums = new Map<number, { sum: number; count: number }>();
  for (let i = 0; i < n; i++) {
    const g = rankSums.get(groups[i]) ?? { sum: 0, count: 0 };
    g.sum += ranks[i];
    g.count++;
    rankSums.set(groups[i], g);
  }
  const df = rankSums.size - 1;
  if (df < 1) throw new RangeError("the Kruskal-Wallis test needs at least two non-empty groups");
  let tieSum = 0;
  const sorted = Float64Array.from(values).sort();
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && sorted[end] === sorted[start]) end++;
    const t = end - start;
    tieSum += t * t * t - t;
    start = end;
  }
  const correction = 1 - tieSum / (n * n * n - n);
  if (correction <= 0) return { statistic: 0, df, pValue: 1 };
  let s = 0;
  for (const { sum, count } of rankSums.values()) s += (sum * sum) / count;
  const h = ((12 / (n * (n + 1))) * s - 3 * (n + 1)) / correction;
  const statistic = Math.max(0, h);
  return { statistic, df, pValue: chiSquareSurvival(statistic, df) };
}
