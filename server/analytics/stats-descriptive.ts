/**
 * Descriptive statistics of one feature (a column of a FeatureMatrix, or a plain array).
 *
 * - Mean: the arithmetic mean, summed in one pass.
 * - Variance / standard deviation: the POPULATION versions (divide by n, not n − 1), as used by
 *   "standard" scaling (scikit-learn's StandardScaler does the same); computed in two passes
 *   (mean first, then squared deviations) for accuracy.
 * - Quantile(p): R's type 7 / NumPy's default "linear" method: with the sorted values
 *   x[0..n−1], h = (n − 1)·p, quantile = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
 *   The median is quantile(0.5) (the middle value, or the mean of the two middle values).
 */
import type { FeatureMatrix } from "./feature-matrix";

/** Column j of a matrix, copied. */
export function column(matrix: FeatureMatrix, j: number): Float64Array {
  const { values, rows, cols } = matrix;
  const out = new Float64Array(rows);
  for (let i = 0, p = j; i < rows; i++, p += cols) out[i] = values[p];
  return out;
}

export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Population variance (divides by n). */
export function populationVariance(x: ArrayLike<number>): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const e = x[i] - m;
    s += e * e;
  }
  return s / x.length;
}

/** Population standard deviation (divides by n). */
export function populationSd(x: ArrayLike<number>): number {
  return Math.sqrt(populationVariance(x));
}

/** Quantile p ∈ [0, 1] of values already sorted ascending (type 7, see the module comment). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new RangeError("the quantile of no values is undefined");
  if (!(p >= 0 && p <= 1)) throw new RangeError(`a quantile level must be between 0 and 1, got ${p}`);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** A sorted copy (numeric order). */
export function sortedCopy(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x).sort();
}

export function quantile(x: ArrayLike<number>, p: number): number {
  return quantileSorted(sortedCopy(x), p);
}

export function median(x: ArrayLike<number>): number {
  return quantile(x, 0.5);
}
