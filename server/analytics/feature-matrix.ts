/**
 * The numeric input of the clustering modules: n rows (customers) × d columns (features),
 * stored flat and row-major in a Float64Array (`values[i * cols + j]` is row i, feature j), so
 * a million rows of eight features is one 64 MB buffer with no per-row objects.
 *
 * Errors about the data itself (missing values, constant features, too few rows) are thrown as
 * `AnalyticsInputError`, which names the row (1-based, in input order) and the feature, so a
 * caller can show "row 14, feature 'Age': missing value (NaN)" without guessing.
 */

export interface FeatureMatrix {
  readonly values: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** Bad analytics input: the message says what was wrong and where. */
export class AnalyticsInputError extends Error {
  /** 1-based row in input order, when one row is at fault. */
  readonly row?: number;
  /** The feature's name (or "feature N", 1-based), when one feature is at fault. */
  readonly feature?: string;
  constructor(message: string, where: { row?: number; feature?: string } = {}) {
    super(message);
    this.name = "AnalyticsInputError";
    this.row = where.row;
    this.feature = where.feature;
  }
}

/** Wraps a flat row-major buffer; throws RangeError when its length is not rows × cols. */
export function featureMatrix(values: Float64Array, rows: number, cols: number): FeatureMatrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 1) {
    throw new RangeError(`a feature matrix needs a whole number of rows and at least one column, got ${rows} × ${cols}`);
  }
  if (values.length !== rows * cols) {
    throw new RangeError(`a ${rows} × ${cols} feature matrix needs ${rows * cols} values, got ${values.length}`);
  }
  return { values, rows, cols };
}

/** Copies rows of equal length into a FeatureMatrix. */
export function matrixFromRows(rows: readonly (readonly number[])[]): FeatureMatrix {
  if (rows.length === 0) throw new AnalyticsInputError("no rows: at least one row is needed");
  const cols = rows[0].length;
  const values = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) throw new RangeError(`row ${i + 1} has ${row.length} values, expected ${cols} (as row 1)`);
    values.set(row, i * cols);
  });
  return featureMatrix(values, rows.length, cols);
}

/** The rows as plain arrays (for small data, display and cross-checks). */
export function matrixToRows(matrix: FeatureMatrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < matrix.rows; i++) out.push(Array.from(matrix.values.subarray(i * matrix.cols, (i + 1) * matrix.cols)));
  return out;
}

/** The display name of feature j: its given name, or "feature j+1". */
export function featureName(j: number, names?: readonly string[]): string {
  return names?.[j] ?? `feature ${j + 1}`;
}

/**
 * Throws AnalyticsInputError at the first value that is NaN (missing) or ±Infinity, naming its
 * row (1-based) and feature; also when `names` is given with the wrong length.
 */
export function assertFinite(matrix: FeatureMatrix, names?: readonly string[]): void {
  if (names && names.length !== matrix.cols) {
    throw new RangeError(`${names.length} feature names given for ${matrix.cols} columns`);
  }
  const { values, cols } = matrix;
  for (let p = 0; p < values.length; p++) {
    const v = values[p];
    if (v - v !== 0) {
      const row = Math.floor(p / cols) + 1;
      const feature = featureName(p % cols, names);
      const what = Number.isNaN(v) ? "missing value (NaN)" : `infinite value (${v})`;
      throw new AnalyticsInputError(`row ${row}, feature '${feature}': ${what}; every value must be a finite number`, { row, feature });
    }
  }
}
