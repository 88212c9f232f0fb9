/**
 * Gaussian mixture (server/analytics/gmm.ts) against independent references: one EM step worked
 * by hand in 1-D, recovery of two well-separated 2-D Gaussians (and BIC choosing k = 2), the
 * log-likelihood against a naive density with an explicit 2 × 2 inverse and determinant,
 * monotone EM, determinism, and degenerate input.
 */
import { describe, expect, it } from "vitest";
import { AnalyticsInputError, featureMatrix, matrixFromRows } from "../../server/analytics/feature-matrix";
import { gmm, gmmParameterCount } from "../../server/analytics/gmm";
import { SeededRandom } from "../../server/analytics/seeded-random";

function normal1(x: number, mu: number, v: number): number {
  return Math.exp(-((x - mu) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
}

/** N(x | μ, Σ) in 2-D with the explicit inverse [[d, −b], [−c, a]] / det. */
function normal2(x: number, y: number, mx: number, my: number, s: Float64Array, o: number): number {
  const a = s[o];
  const b = s[o + 1];
  const c = s[o + 2];
  const d = s[o + 3];
  const det = a * d - b * c;
  const dx = x - mx;
  const dy = y - my;
  const q = (d * dx * dx - (b + c) * dx * dy + a * dy * dy) / det;
  return Math.exp(-q / 2) / (2 * Math.PI * Math.sqrt(det));
}

/** Two seeded Gaussians: 600 rows at (0, 0) and 400 at (6, 6), with the given covariances. */
function twoGaussians(seed: number) {
  const rng = new SeededRandom(seed);
  const truth = [
    { n: 600, mean: [0, 0], cov: [1, 0.5, 0.5, 1] },
    { n: 400, mean: [6, 6], cov: [1, -0.3, -0.3, 0.5] },
  ];
  const rows: number[][] = [];
  const group: number[] = [];
  truth.forEach((t, g) => {
    // Cholesky of [[a, b], [b, d]]: l11 = √a, l21 = b / l11, l22 = √(d − l21²).
    const l11 = Math.sqrt(t.cov[0]);
    const l21 = t.cov[1] / l11;
    const l22 = Math.sqrt(t.cov[3] - l21 * l21);
    for (let i = 0; i < t.n; i++) {
      const z1 = rng.nextGaussian();
      const z2 = rng.nextGaussian();
      rows.push([t.mean[0] + l11 * z1, t.mean[1] + l21 * z1 + l22 * z2]);
      group.push(g);
    }
  });
  return { matrix: matrixFromRows(rows), rows, group, truth };
}

describe("Gaussian mixture: one EM step by hand (1-D)", () => {
  it("responsibilities, weights, means and variances follow the textbook formulas", async () => {
    const xs = [-1, 0, 0.5, 2, 4, 5, 7];
    const w = [0.4, 0.6];
    const mu = [0, 5];
    const v = [1, 4];
    // E step by hand.
    const r = xs.map((x) => {
      const p0 = w[0] * normal1(x, mu[0], v[0]);
      const p1 = w[1] * normal1(x, mu[1], v[1]);
      return [p0 / (p0 + p1), p1 / (p0 + p1)];
    });
    const ll0 = xs.reduce((s, x) => s + Math.log(w[0] * normal1(x, mu[0], v[0]) + w[1] * normal1(x, mu[1], v[1])), 0);
    // M step by hand.
    const nk = [0, 1].map((j) => r.reduce((s, ri) => s + ri[j], 0));
    const w1 = nk.map((x) => x / xs.length);
    const mu1 = [0, 1].map((j) => xs.reduce((s, x, i) => s + r[i][j] * x, 0) / nk[j]);
    const v1 = [0, 1].map((j) => xs.reduce((s, x, i) => s + r[i][j] * (x - mu1[j]) ** 2, 0) / nk[j]);
    const ll1 = xs.reduce((s, x) => s + Math.log(w1[0] * normal1(x, mu1[0], v1[0]) + w1[1] * normal1(x, mu1[1], v1[1])), 0);

    const fit = await gmm(featureMatrix(Float64Array.from(xs), xs.length, 1), 2, {
      initial: { k: 2, d: 1, weights: Float64Array.from(w), means: Float64Array.from(mu), covariances: Float64Array.from(v) },
      restarts: 1,
      maxIterations: 1,
      tolerance: 0,
      regularisation: 0,
    });
    expect(fit.iterations).toBe(1);
    expect(fit.logLikelihoodTrace[0]).toBeCloseTo(ll0, 10);
    expect(fit.logLikelihood).toBeCloseTo(ll1, 10);
    for (let j = 0; j < 2; j++) {
      expect(fit.weights[j]).toBeCloseTo(w1[j], 12);
      expect(fit.means[j]).toBeCloseTo(mu1[j], 12);
      expect(fit.covariances[j]).toBeCloseTo(v1[j], 12);
    }
    // Hard labels and max responsibility are those of the E step at the new parameters.
    xs.forEach((x, i) => {
      const p0 = w1[0] * normal1(x, mu1[0], v1[0]);
      const p1 = w1[1] * normal1(x, mu1[1], v1[1]);
      expect(fit.labels[i]).toBe(p1 > p0 ? 1 : 0);
      expect(fit.maxResponsibility[i]).toBeCloseTo(Math.max(p0, p1) / (p0 + p1), 12);
    });
  });
});

describe("Gaussian mixture: two well-separated 2-D Gaussians", () => {
  const data = twoGaussians(11);

  it("recovers the weights, means and covariances within sampling error", async () => {
    const fit = await gmm(data.matrix, 2, { seed: 1 });
    expect(fit.converged).toBe(true);
    const order = fit.means[0] < fit.means[2] ? [0, 1] : [1, 0];
    data.truth.forEach((t, g) => {
      const j = order[g];
      const n = t.n;
      expect(Math.abs(fit.weights[j] - n / 1000)).toBeLessThan(0.01);
      // Means: 4 standard errors (sd ≤ 1, n ≥ 400 → 0.2).
      for (let a = 0; a < 2; a++) expect(Math.abs(fit.means[j * 2 + a] - t.mean[a])).toBeLessThan(4 * Math.sqrt(t.cov[a * 3] / n));
      // Covariance entries: standard error of a (co)variance ≈ √((σ_aa σ_bb + σ_ab²) / n); 4 of them.
      for (let a = 0; a < 2; a++) {
        for (let b = 0; b < 2; b++) {
          const se = Math.sqrt((t.cov[a * 3] * t.cov[b * 3] + t.cov[a * 2 + b] ** 2) / n);
          expect(Math.abs(fit.covariances[j * 4 + a * 2 + b] - t.cov[a * 2 + b])).toBeLessThan(4 * se);
        }
      }
      // And against the group's own sample moments (the MLE if the groups were known): equal to about 0.005 (the few rows in the tails share a little responsibility).
      const members = data.rows.filter((_, i) => data.group[i] === g);
      const m = [0, 1].map((a) => members.reduce((s, r) => s + r[a], 0) / members.length);
      const c = (a: number, b: number) => members.reduce((s, r) => s + (r[a] - m[a]) * (r[b] - m[b]), 0) / members.length;
      expect(fit.means[j * 2]).toBeCloseTo(m[0], 2);
      expect(fit.means[j * 2 + 1]).toBeCloseTo(m[1], 2);
      expect(fit.covariances[j * 4 + 1]).toBeCloseTo(c(0, 1), 2);
      expect(fit.covariances[j * 4 + 3]).toBeCloseTo(c(1, 1), 2);
    });
    // Hard labels recover the groups; the separated groups are assigned with near certainty.
    const agree = data.group.filter((g, i) => fit.labels[i] === order[g]).length;
    expect(agree).toBe(1000);
    expect(Math.min(...fit.maxResponsibility)).toBeGreaterThan(0.95);
    expect(fit.maxResponsibility.reduce((s, r) => s + r, 0) / 1000).toBeGreaterThan(0.999);
  });

  it("BIC is lowest at k = 2 among k = 1 … 4, and BIC/AIC follow their formulas", async () => {
    const bics: number[] = [];
    for (let k = 1; k <= 4; k++) {
      const fit = await gmm(data.matrix, k, { seed: 1 });
      const p = (k - 1) + k * 2 + (k * 2 * 3) / 2;
      expect(fit.parameters).toBe(p);
      expect(gmmParameterCount(k, 2)).toBe(p);
      expect(fit.bic).toBeCloseTo(-2 * fit.logLikelihood + p * Math.log(1000), 8);
      expect(fit.aic).toBeCloseTo(-2 * fit.logLikelihood + 2 * p, 8);
      bics.push(fit.bic);
    }
    expect(bics.indexOf(Math.min(...bics)) + 1).toBe(2);
  });

  it("the log-likelihood equals a naive Σ log Σ w N(x | μ, Σ) with an explicit 2 × 2 inverse", async () => {
    for (const k of [2, 3]) {
      const fit = await gmm(data.matrix, k, { seed: 5 });
      let ll = 0;
      for (const [x, y] of data.rows) {
        let p = 0;
        for (let j = 0; j < k; j++) p += fit.weights[j] * normal2(x, y, fit.means[j * 2], fit.means[j * 2 + 1], fit.covariances, j * 4);
        ll += Math.log(p);
      }
      expect(fit.logLikelihood).toBeCloseTo(ll, 7);
    }
  });

  it("EM never lowers the log-likelihood (exactly without regularisation; within 1e-9 relative with it)", async () => {
    // Overlapping data and k = 3 so that EM takes many iterations.
    const rng = new SeededRandom(3);
    const rows = Array.from({ length: 400 }, (_, i) => [rng.nextGaussian() + (i % 2) * 1.5, rng.nextGaussian() * 0.7 + (i % 3) * 0.8]);
    const matrix = matrixFromRows(rows);
    for (const regularisation of [0, 1e-6]) {
      const fit = await gmm(matrix, 3, { seed: 2, restarts: 1, regularisation, tolerance: 1e-10, maxIterations: 500 });
      expect(fit.logLikelihoodTrace.length).toBeGreaterThan(10);
      const slack = regularisation === 0 ? 1e-12 : 1e-9;
      for (let t = 1; t < fit.logLikelihoodTrace.length; t++) {
        expect(fit.logLikelihoodTrace[t]).toBeGreaterThanOrEqual(fit.logLikelihoodTrace[t - 1] - slack * Math.abs(fit.logLikelihoodTrace[t - 1]));
      }
      expect(fit.logLikelihood).toBe(fit.logLikelihoodTrace[fit.logLikelihoodTrace.length - 1]);
    }
  });

  it("is deterministic for a seed, and more restarts never lower the kept log-likelihood", async () => {
    const a = await gmm(data.matrix, 3, { seed: 9 });
    const b = await gmm(data.matrix, 3, { seed: 9 });
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect(b.logLikelihood).toBe(a.logLikelihood);
    expect(Array.from(b.covariances)).toEqual(Array.from(a.covariances));
    const more = await gmm(data.matrix, 3, { seed: 9, restarts: 5 });
    expect(more.logLikelihood).toBeGreaterThanOrEqual(a.logLikelihood);
    expect(more.restartLogLikelihoods.slice(0, 3)).toEqual(a.restartLogLikelihoods);
  });
});

describe("Gaussian mixture: degenerate input", () => {
  it("refuses k > n, NaN, constant features and bad options with clear errors", async () => {
    const small = matrixFromRows([
      [1, 2],
      [2, 3],
      [3, 5],
    ]);
    await expect(gmm(small, 4)).rejects.toThrow(AnalyticsInputError);
    await expect(gmm(small, 4)).rejects.toThrow(/at least 4 rows/);
    await expect(gmm(matrixFromRows([[1, 2], [Number.NaN, 3], [2, 1]]), 2)).rejects.toThrow(AnalyticsInputError);
    await expect(
      gmm(
        matrixFromRows([
          [1, 7],
          [2, 7],
          [3, 7],
        ]),
        2,
      ),
    ).rejects.toThrow(/feature 2 has the same value in every row/);
    await expect(gmm(small, 0)).rejects.toThrow(RangeError);
    await expect(gmm(small, 2, { restarts: 0 })).rejects.toThrow(RangeError);
  });

  it("stays finite when a component would collapse onto duplicate rows (regularisation)", async () => {
    const rows = [...Array.from({ length: 5 }, () => [1, 1]), ...Array.from({ length: 30 }, (_, i) => [i % 7, (i * 3) % 11])];
    const fit = await gmm(matrixFromRows(rows), 3, { seed: 0 });
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    expect(Array.from(fit.covariances).every(Number.isFinite)).toBe(true);
  });
});
