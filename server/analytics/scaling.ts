/**
 * Feature transforms applied column by column before clustering. Each returns a new matrix
 * and the parameters it used, so the same transform can be applied to new rows later.
 *
 * - "none":       x unchanged.
 * - "standard":   (x − mean) / sd, sd the POPULATION standard deviation (divide by n). A
 *                 constant feature (sd = 0) is an error naming it, never a column of NaN.
 * - "log1p":      ln(1 + x), for skewed non-negative amounts; a value ≤ −1 is an error naming
 *                 its row and feature.
 * - "robust":     (x − median) / IQR, IQR = Q3 − Q1 with type-7 quantiles (see
 *                 stats-descriptive.ts), as scikit-learn's RobustScaler; IQR = 0 is an error.
 * - "winsorise":  each value clamped to [q_lower, q_upper], the type-7 quantiles of its column
 *                 at the chosen levels (default 0.01 and 0.99); no rescaling.
 *
 * Every transform first checks that all values are finite (assertFinite): a NaN or missing
 * value anywhere is an error naming its row and feature.
 */
import { AnalyticsInputError, type FeatureMatrix, assertFinite, featureMatrix, featureName } from "./feature-matrix";
import { column, mean, populationSd, quantileSorted, sortedCopy } from "./stats-descriptive";

export type ScaleMethod = "none" | "standard" | "log1p" | "robust" | "winsorise";
export const SCALE_METHODS: readonly ScaleMethod[] = ["none", "standard", "log1p", "robust", "winsorise"];

export interface ScaleOptions {
  /** Feature names for error messages ("feature N" when absent). */
  names?: readonly string[];
  /** Winsorising levels, 0 ≤ lower < upper ≤ 1. Defaults 0.01 and 0.99. */
  lower?: number;
  upper?: number;
}

/**
 * The transform as `(x − center[j]) / scale[j]` (standard, robust, none) or as per-column
 * bounds (winsorise: `lower[j]`, `upper[j]`), or log1p (no parameters).
 */
export interface ScaleParameters {
  method: ScaleMethod;
  center?: Float64Array;
  scale?: Float64Array;
  lowerBound?: Float64Array;
  upperBound?: Float64Array;
}

export interface ScaledMatrix {
  matrix: FeatureMatrix;
  parameters: ScaleParameters;
}

function isConstant(x: Float64Array): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] !== x[0]) return false;
  return true;
}

/** Applies `(x − center[j]) / scale[j]` to every value. */
function affine(matrix: FeatureMatrix, center: Float64Array, scale: Float64Array): FeatureMatrix {
  const { values, rows, cols } = matrix;
  const out = new Float64Array(values.length);
  for (let p = 0; p < values.length; p++) {
    const j = p % cols;
    out[p] = (values[p] - center[j]) / scale[j];
  }
  return featureMatrix(out, rows, cols);
}

export function standardise(matrix: FeatureMatrix, options: ScaleOptions = {}): ScaledMatrix {
  assertFinite(matrix, options.names);
  const center = new Float64Array(matrix.cols);
  const scale = new Float64Array(matrix.cols);
  for (let j = 0; j < matrix.cols; j++) {
    const x = column(matrix, j);
    center[j] = mean(x);
    scale[j] = populationSd(x);
    // Test constancy directly: the rounded mean of equal values can differ from them by an ulp,
    // which would give a tiny non-zero sd and huge scaled values instead of an error.
    if (isConstant(x) || !(scale[j] > 0)) {
      const feature = featureName(j, options.names);
      throw new AnalyticsInputError(
        `feature '${feature}' is constant (every value is ${x[0]}), so its standard deviation is 0 and it cannot be standardised; leave it out`,
        { feature },
      );
    }
  }
  return { matrix: affine(matrix, center, scale), parameters: { method: "standard", center, scale } };
}

export function robustScale(matrix: FeatureMatrix, options: ScaleOptions = {}): ScaledMatrix {
  assertFinite(matrix, options.names);
  const center = new Float64Array(matrix.cols);
  const scale = new Float64Array(matrix.cols);
  for (let j = 0; j < matrix.cols; j++) {
    const sorted = sortedCopy(column(matrix, j));
    center[j] = quantileSorted(sorted, 0.5);
    scale[j] = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
    if (!(scale[j] > 0)) {
      const feature = featureName(j, options.names);
      throw new AnalyticsInputError(
        `feature '${feature}' has an interquartile range of 0 (at least half its values are ${center[j]}), so it cannot be robust-scaled`,
        { feature },
      );
    }
  }
  return { matrix: affine(matrix, center, scale), parameters: { method: "robust", center, scale } };
}

export function log1pTransform(matrix: FeatureMatrix, options: ScaleOptions = {}): ScaledMatrix {
  assertFinite(matrix, options.names);
  const { values, rows, cols } = matrix;
  const out = new Float64Array(values.length);
  for (let p = 0; p < values.length; p++) {
    if (values[p] <= -1) {
      const row = Math.floor(p / cols) + 1;
      const feature = featureName(p % cols, options.names);
      throw new AnalyticsInputError(`row ${row}, feature '${feature}': log1p needs values above −1, got ${values[p]}`, { row, feature });
    }
    out[p] = Math.log1p(values[p]);
  }
  return { matrix: featureMatrix(out, rows, cols), parameters: { method: "log1p" } };
}

export function winsorise(matrix: FeatureMatrix, options: ScaleOptions = {}): ScaledMatrix {
  assertFinite(matrix, options.names);
  const lower = options.lower ?? 0.01;
  const upper = options.upper ?? 0.99;
  if (!(lower >= 0 && lower < upper && upper <= 1)) {
    throw new RangeError(`winsorising levels must satisfy 0 ≤ lower < upper ≤ 1, got ${lower} and ${upper}`);
  }
  const { values, rows, cols } = matrix;
  const lowerBound = new Float64Array(cols);
  const upperBound = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    const sorted = sortedCopy(column(matrix, j));
    lowerBound[j] = quantileSorted(sorted, lower);
    upperBound[j] = quantileSorted(sorted, upper);
  }
  const out = new Float64Array(values.length);
  for (let p = 0; p < values.length; p++) {
    const j = p % cols;
    out[p] = Math.min(upperBound[j], Math.max(lowerBound[j], values[p]));
  }
  return { matrix: featureMatrix(out, rows, cols), parameters: { method: "winsorise", lowerBound, upperBound } };
}

/** Applies the named transform (see the module comment). */
export function scaleFeatures(matrix: FeatureMatrix, method: ScaleMethod, options: ScaleOptions = {}): ScaledMatrix {
  switch (method) {
    case "none":
      assertFinite(matrix, options.names);
      return { matrix, parameters: { method: "none" } };
    case "standard":
      return standardise(matrix, options);
    case "log1p":
      return log1pTransform(matrix, options);
    case "robust":
      return robustScale(matrix, options);
    case "winsorise":
      return winsorise(matrix, options);
  }
}
