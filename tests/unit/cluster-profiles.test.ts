/** Cluster profiles (means, medians, standardised differences, Kruskal-Wallis) and 2-D PCA. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { clusterProfiles } from "../../server/analytics/cluster-profiles";
import { AnalyticsInputError, matrixFromRows } from "../../server/analytics/feature-matrix";
import { pca2d, symmetricEigen } from "../../server/analytics/pca";

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/data");

describe("cluster profiles", () => {
  it("works the hand example: clusters {0, 1, 2} and {6, 7, 11}", () => {
    /*
     * Overall mean 4.5; population variance (20.25 + 12.25 + 6.25 + 2.25 + 6.25 + 42.25)/6 = 89.5/6.
     * Cluster A: mean 1, median 1, standardised difference (1 − 4.5)/sd; B: mean 8, median 7.
     * Kruskal-Wallis: ranks 1-3 and 4-6, H = 27/7 (see stats-tests.test.ts), df 1.
     */
    const m = matrixFromRows([[0], [1], [2], [6], [7], [11]]);
    const p = clusterProfiles(m, [4, 4, 4, 9, 9, 9], ["Spend"]);
    const sd = Math.sqrt(89.5 / 6);
    expect(p.overall).toEqual([{ feature: "Spend", mean: 4.5, sd: expect.closeTo(sd, 12), median: 4 }]);
    expect(p.clusters.map((c) => [c.cluster, c.size, c.features[0].mean, c.features[0].median])).toEqual([
      [4, 3, 1, 1],
      [9, 3, 8, 7],
    ]);
    expect(p.clusters[0].features[0].standardisedDifference).toBeCloseTo(-3.5 / sd, 12);
    expect(p.clusters[1].features[0].standardisedDifference).toBeCloseTo(3.5 / sd, 12);
    expect(p.tests).toEqual([{ feature: "Spend", statistic: expect.closeTo(27 / 7, 12), df: 1, pValue: expect.any(Number) }]);
  });

  it("refuses missing values", () => {
    expect(() => clusterProfiles(matrixFromRows([[1], [Number.NaN]]), [0, 1], ["Age"])).toThrow(AnalyticsInputError);
  });
});

describe("PCA", () => {
  it("Jacobi eigen-decomposition: A v = λ v, orthonormal vectors, sorted values", () => {
    const a = Float64Array.from([4, 1, 2, 0.5, 1, 3, 0, 1, 2, 0, 5, 1.5, 0.5, 1, 1.5, 2]);
    const { values, vectors } = symmetricEigen(a, 4);
    for (let i = 0; i < 4; i++) {
      for (let r = 0; r < 4; r++) {
        let av = 0;
        for (let c = 0; c < 4; c++) av += a[r * 4 + c] * vectors[i * 4 + c];
        expect(av).toBeCloseTo(values[i] * vectors[i * 4 + r], 12);
      }
      for (let j = 0; j < 4; j++) {
        let dot = 0;
        for (let r = 0; r < 4; r++) dot += vectors[i * 4 + r] * vectors[j * 4 + r];
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
      }
      if (i > 0) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
    }
    // Trace is preserved: 4 + 3 + 5 + 2.
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(14, 12);
  });

  it("iris: the first component matches power iteration on the correlation matrix", () => {
    const rows = readFileSync(path.join(DATA, "iris.csv"), "utf8").trim().split(/\r?\n/).slice(1).map((l) => l.split(",").slice(0, 4).map(Number));
    const p = pca2d(matrixFromRows(rows));
    // Independent: correlation matrix from the textbook formula, then power iteration.
    const n = rows.length;
    const mean = [0, 1, 2, 3].map((t) => rows.reduce((s, r) => s + r[t], 0) / n);
    const sd = [0, 1, 2, 3].map((t) => Math.sqrt(rows.reduce((s, r) => s + (r[t] - mean[t]) ** 2, 0) / n));
    const corr = [0, 1, 2, 3].map((a) => [0, 1, 2, 3].map((b) => rows.reduce((s, r) => s + ((r[a] - mean[a]) / sd[a]) * ((r[b] - mean[b]) / sd[b]), 0) / n));
    let v = [1, 1, 1, 1];
    for (let it = 0; it < 500; it++) {
      const w = corr.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
      const norm = Math.hypot(...w);
      v = w.map((x) => x / norm);
    }
    const lambda = corr.map((row) => row.reduce((s, x, j) => s + x * v[j], 0)).reduce((s, x, j) => s + x * v[j], 0);
    expect(p.eigenvalues[0]).toBeCloseTo(lambda, 10);
    expect(p.explainedVarianceRatio[0]).toBeCloseTo(lambda / 4, 10);
    const sign = Math.sign(v[2]);
    for (let t = 0; t < 4; t++) expect(p.components[t]).toBeCloseTo(sign * v[t], 8);
    expect(p.explainedVarianceRatio[0] + p.explainedVarianceRatio[1]).toBeLessThan(1);
    // Scores have the component's variance (population) and mean 0.
    const s0 = Array.from({ length: n }, (_, i) => p.scores[i * 2]);
    expect(s0.reduce((s, x) => s + x, 0) / n).toBeCloseTo(0, 12);
    expect(s0.reduce((s, x) => s + x * x, 0) / n).toBeCloseTo(lambda, 10);
  });

  it("refuses a single feature and a constant feature", () => {
    expect(() => pca2d(matrixFromRows([[1], [2]]))).toThrow(/at least 2 features/);
    expect(() => pca2d(matrixFromRows([[1, 5], [2, 5], [3, 5]]), ["Age", "Flag"])).toThrow(/feature 'Flag' is constant/);
  });
});
