/**
 * Principal components of STANDARDISED data, for 2-D scatter plots of clusters.
 *
 * - The data are standardised first ((x − mean) / population sd; see scaling.ts, so a constant
 *   feature is an error naming it). The covariance matrix of standardised data (dividing by n)
 *   is the correlation matrix R.
 * - R is diagonalised with the cyclic Jacobi eigenvalue method (rotations zeroing each
 *   off-diagonal element in turn, until the off-diagonal sum of squares is below 1e-22 of the
 *   total), which is exact to rounding for the small d of feature sets.
 * - Components are sorted by eigenvalue, largest first. Each eigenvector's sign is fixed so that
 *   its largest-magnitude loading is positive (the first such on ties), so results are
 *   reproducible. Explained variance ratio = eigenvalue / Σ eigenvalues (= eigenvalue / d).
 * - Scores: the standardised rows projected on the first two components.
 */
import { AnalyticsInputError, type FeatureMatrix } from "./feature-matrix";
import { standardise } from "./scaling";

export interface Eigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** Eigenvectors as rows (vectors[i·d … i·d + d − 1] belongs to values[i]), unit length. */
  vectors: Float64Array;
}

/** Eigen-decomposition of a symmetric d × d matrix (row-major) by cyclic Jacobi rotations. */
export function symmetricEigen(matrix: Float64Array, d: number): Eigen {
  if (matrix.length !== d * d) throw new RangeError(`a ${d} × ${d} matrix needs ${d * d} values, got ${matrix.length}`);
  const a = Float64Array.from(matrix);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  let total = 0;
  for (const x of a) total += x * x;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += 2 * a[p * d + q] * a[p * d + q];
    if (off <= 1e-22 * total || off === 0) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < d; r++) {
          const arp = a[r * d + p];
          const arq = a[r * d + q];
          a[r * d + p] = c * arp - s * arq;
          a[r * d + q] = s * arp + c * arq;
        }
        for (let r = 0; r < d; r++) {
          const apr = a[p * d + r];
          const aqr = a[q * d + r];
          a[p * d + r] = c * apr - s * aqr;
          a[q * d + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < d; r++) {
          const vrp = v[r * d + p];
          const vrq = v[r * d + q];
          v[r * d + p] = c * vrp - s * vrq;
          v[r * d + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((x, y) => a[y * d + y] - a[x * d + x] || x - y);
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  order.forEach((col, i) => {
    values[i] = a[col * d + col];
    let largest = 0;
    for (let r = 1; r < d; r++) if (Math.abs(v[r * d + col]) > Math.abs(v[largest * d + col])) largest = r;
    const sign = v[largest * d + col] < 0 ? -1 : 1;
    for (let r = 0; r < d; r++) vectors[i * d + r] = sign * v[r * d + col];
  });
  return { values, vectors };
}

export interface Pca2d {
  /** The two components as rows (2 × d), unit length. */
  components: Float64Array;
  /** Eigenvalues of the correlation matrix, all d, largest first. */
  eigenvalues: Float64Array;
  /** Share of total variance of the first two components. */
  explainedVarianceRatio: [number, number];
  /** n × 2 row-major scores. */
  scores: Float64Array;
}

/** 2-D PCA of standardised data (see the module comment). Needs at least 2 features. */
export function pca2d(matrix: FeatureMatrix, names?: readonly string[]): Pca2d {
  const { cols: d, rows: n } = matrix;
  if (d < 2) throw new AnalyticsInputError(`a 2-D projection needs at least 2 features, got ${d}`);
  const z = standardise(matrix, { names }).matrix.values;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < d; p++) {
      const zp = z[i * d + p];
      for (let q = p; q < d; q++) cov[p * d + q] += zp * z[i * d + q];
    }
  }
  for (let p = 0; p < d; p++) {
    for (let q = p; q < d; q++) {
      cov[p * d + q] /= n;
      cov[q * d + p] = cov[p * d + q];
    }
  }
  const { values, vectors } = symmetricEigen(cov, d);
  const total = values.reduce((s, x) => s + x, 0);
  const scores = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += z[i * d + t] * vectors[c * d + t];
      scores[i * 2 + c] = s;
    }
  }
  return {
    components: vectors.slice(0, 2 * d),
    eigenvalues: values,
    explainedVarianceRatio: [values[0] / total, values[1] / total],
    scores,
  };
}
