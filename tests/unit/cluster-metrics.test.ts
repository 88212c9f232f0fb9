/**
 * Clustering metrics: hand-worked tiny data, then agreement with a second, naive implementation
 * (textbook double loops over number[][]) on the real data sets, for the labels our k-means
 * produces.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { calinskiHarabasz, daviesBouldin, inertia, silhouette, silhouetteSamples } from "../../server/analytics/cluster-metrics";
import { RECOMMENDATION_RULE, evaluateKs, recommendK, type KScore } from "../../server/analytics/cluster-selection";
import { AnalyticsInputError, matrixFromRows, matrixToRows } from "../../server/analytics/feature-matrix";
import { standardise } from "../../server/analytics/scaling";

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/data");

/** Numeric columns of a small CSV (no quoted fields in these files). */
function readColumns(file: string, names: string[]): number[][] {
  const [header, ...lines] = readFileSync(path.join(DATA, file), "utf8").trim().split(/\r?\n/);
  const cols = header.split(",");
  const idx = names.map((n) => cols.indexOf(n));
  return lines.map((l) => {
    const f = l.split(",");
    return idx.map((i) => Number(f[i]));
  });
}

// ---- naive reference implementations (straight from the definitions) ----
function dist(a: number[], b: number[]): number {
  return Math.sqrt(a.reduce((s, v, t) => s + (v - b[t]) ** 2, 0));
}
function meansOf(x: number[][], labels: number[]): Map<number, number[]> {
  const groups = new Map<number, number[][]>();
  x.forEach((row, i) => groups.set(labels[i], [...(groups.get(labels[i]) ?? []), row]));
  return new Map([...groups].map(([l, rows]) => [l, rows[0].map((_, t) => rows.reduce((s, r) => s + r[t], 0) / rows.length)]));
}
function naiveSilhouette(x: number[][], labels: number[]): number {
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const byCluster = new Map<number, number[]>();
    for (let j = 0; j < x.length; j++) {
      if (j !== i) byCluster.set(labels[j], [...(byCluster.get(labels[j]) ?? []), dist(x[i], x[j])]);
    }
    const own = byCluster.get(labels[i]) ?? [];
    if (own.length === 0) continue;
    const a = own.reduce((s, v) => s + v, 0) / own.length;
    let b = Infinity;
    for (const [l, ds] of byCluster) if (l !== labels[i]) b = Math.min(b, ds.reduce((s, v) => s + v, 0) / ds.length);
    total += (b - a) / Math.max(a, b);
  }
  return total / x.length;
}
function naiveWithin(x: number[][], labels: number[]): number {
  const m = meansOf(x, labels);
  return x.reduce((s, row, i) => s + dist(row, m.get(labels[i]) ?? []) ** 2, 0);
}
function naiveCalinskiHarabasz(x: number[][], labels: number[]): number {
  const m = meansOf(x, labels);
  const overall = x[0].map((_, t) => x.reduce((s, r) => s + r[t], 0) / x.length);
  let between = 0;
  for (const [l, c] of m) between += labels.filter((v) => v === l).length * dist(c, overall) ** 2;
  const k = m.size;
  return (between / (k - 1)) / (naiveWithin(x, labels) / (x.length - k));
}
function naiveDaviesBouldin(x: number[][], labels: number[]): number {
  const m = meansOf(x, labels);
  const ids = [...m.keys()];
  const s = new Map(ids.map((l) => {
    const members = x.filter((_, i) => labels[i] === l);
    return [l, members.reduce((acc, r) => acc + dist(r, m.get(l) ?? []), 0) / members.length];
  }));
  let total = 0;
  for (const i of ids) {
    let worst = 0;
    for (const j of ids) if (j !== i) worst = Math.max(worst, ((s.get(i) ?? 0) + (s.get(j) ?? 0)) / dist(m.get(i) ?? [], m.get(j) ?? []));
    total += worst;
  }
  return total / ids.length;
}

/*
 * Hand-worked example: six points on a line (second coordinate 0), clusters A = {0, 1, 2} and
 * B = {6, 7, 11}. Means 1 and 8; overall mean 27/6 = 4.5.
 * - Inertia W = (1 + 0 + 1) + (4 + 1 + 9) = 16.
 * - Between B = 3·(1 − 4.5)² + 3·(8 − 4.5)² = 73.5; CH = (73.5 / 1) / (16 / (6 − 2)) = 18.375.
 * - DB: S_A = (1 + 0 + 1)/3 = 2/3, S_B = (2 + 1 + 3)/3 = 2, centroid distance 7;
 *   R = (2/3 + 2)/7 = 8/21 for both clusters, so DB = 8/21.
 * - Silhouette, s = (b − a)/max(a, b):
 *     x=0: a = (1+2)/2 = 1.5, b = (6+7+11)/3 = 8  → 13/16
 *     x=1: a = 1,            b = (5+6+10)/3 = 7  → 6/7
 *     x=2: a = 1.5,          b = (4+5+9)/3  = 6  → 3/4
 *     x=6: a = (1+5)/2 = 3,  b = (6+5+4)/3  = 5  → 2/5
 *     x=7: a = 2.5,          b = (7+6+5)/3  = 6  → 7/12
 *     x=11: a = 4.5,         b = (11+10+9)/3 = 10 → 11/20
 *   mean = (1365 + 1440 + 1260 + 672 + 980 + 924) / 1680 / 6 = 6641/10080.
 */
const TINY = matrixFromRows([[0, 0], [1, 0], [2, 0], [6, 0], [7, 0], [11, 0]]);
const TINY_LABELS = [0, 0, 0, 1, 1, 1];

describe("metrics on the hand-worked example", () => {
  it("inertia, Calinski-Harabasz and Davies-Bouldin", () => {
    expect(inertia(TINY, TINY_LABELS)).toBeCloseTo(16, 12);
    expect(calinskiHarabasz(TINY, TINY_LABELS)).toBeCloseTo(18.375, 12);
    expect(daviesBouldin(TINY, TINY_LABELS)).toBeCloseTo(8 / 21, 12);
  });

  it("silhouette per row and overall", () => {
    const s = silhouetteSamples(TINY, TINY_LABELS);
    const expected = [13 / 16, 6 / 7, 3 / 4, 2 / 5, 7 / 12, 11 / 20];
    expected.forEach((v, i) => expect(s[i]).toBeCloseTo(v, 12));
    expect(silhouette(TINY, TINY_LABELS)).toEqual({ score: expect.closeTo(6641 / 10080, 12), rowsUsed: 6, sampled: false });
  });

  it("does not depend on the label numbers", () => {
    const relabelled = [7, 7, 7, 3, 3, 3];
    expect(silhouette(TINY, relabelled).score).toBeCloseTo(6641 / 10080, 12);
    expect(calinskiHarabasz(TINY, relabelled)).toBeCloseTo(18.375, 12);
    expect(daviesBouldin(TINY, relabelled)).toBeCloseTo(8 / 21, 12);
  });

  it("gives a row alone in its cluster a silhouette of 0 (Rousseeuw)", () => {
    // Clusters {0, 1, 2}, {6, 7}, {11}: the singleton's s is 0 by definition.
    const s = silhouetteSamples(TINY, [0, 0, 0, 1, 1, 2]);
    expect(s[5]).toBe(0);
    // x=6: a = 1, b = min((6+5+4)/3, 5/1) = 5 → 4/5.
    expect(s[3]).toBeCloseTo(4 / 5, 12);
  });

  it("refuses fewer than 2 or more than n − 1 clusters instead of returning NaN", () => {
    expect(() => silhouette(TINY, [0, 0, 0, 0, 0, 0])).toThrow(AnalyticsInputError);
    expect(() => calinskiHarabasz(TINY, [0, 1, 2, 3, 4, 5])).toThrow(/between 2 and n − 1 = 5 clusters; the labels have 6/);
    expect(() => daviesBouldin(TINY, [0, 0, 0, 0, 0, 0])).toThrow(AnalyticsInputError);
    expect(() => silhouette(TINY, [0, 0, 1])).toThrow(/3 labels for 6 rows/);
    expect(() => inertia(TINY, [0, 0, 0, 1, 1, -1])).toThrow(/row 6: a cluster label must be an integer ≥ 0/);
  });
});

describe("silhouette sampling above the sample size", () => {
  it("scores a seeded random sample, reproducibly, close to the exact value", () => {
    const rows = readColumns("iris.csv", ["sepal_length", "sepal_width", "petal_length", "petal_width"]);
    const species = readFileSync(path.join(DATA, "iris.csv"), "utf8").trim().split(/\r?\n/).slice(1).map((l) => l.split(",")[4]);
    const labels = species.map((s) => ["setosa", "versicolor", "virginica"].indexOf(s));
    const m = matrixFromRows(rows);
    const exact = silhouette(m, labels);
    const a = silhouette(m, labels, { sampleSize: 100, seed: 3 });
    const b = silhouette(m, labels, { sampleSize: 100, seed: 3 });
    expect(exact.sampled).toBe(false);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ rowsUsed: 100, sampled: true });
    expect(Math.abs(a.score - exact.score)).toBeLessThan(0.05);
    // The sample is scored as a data set of its own: the same as the exact score of those rows.
    expect(silhouette(m, labels, { sampleSize: 150 })).toEqual(exact);
  });
});

describe("agreement with the naive implementation on real data", () => {
  it("iris, unscaled, k = 2..6", async () => {
    const rows = readColumns("iris.csv", ["sepal_length", "sepal_width", "petal_length", "petal_width"]);
    const m = matrixFromRows(rows);
    const evaluations = await evaluateKs(m, [2, 3, 4, 5, 6], { seed: 1, restarts: 5 });
    for (const e of evaluations) {
      const labels = Array.from(e.fit.labels);
      expect(e.silhouette, `k=${e.k}`).toBeCloseTo(naiveSilhouette(rows, labels), 10);
      expect(e.calinskiHarabasz / naiveCalinskiHarabasz(rows, labels)).toBeCloseTo(1, 10);
      expect(e.daviesBouldin).toBeCloseTo(naiveDaviesBouldin(rows, labels), 10);
      expect(e.inertia / naiveWithin(rows, labels)).toBeCloseTo(1, 10);
      expect(e.sizes.reduce((s, v) => s + v, 0)).toBe(150);
    }
  });

  it("mall customers, income and spending score standardised, k = 2..10", async () => {
    const raw = readColumns("mall_customers.csv", ["Annual Income (k$)", "Spending Score (1-100)"]);
    const m = standardise(matrixFromRows(raw)).matrix;
    const rows = matrixToRows(m);
    const evaluations = await evaluateKs(m, [2, 3, 4, 5, 6, 7, 8, 9, 10], { seed: 0, restarts: 10 });
    for (const e of evaluations) {
      const labels = Array.from(e.fit.labels);
      expect(e.silhouette, `k=${e.k}`).toBeCloseTo(naiveSilhouette(rows, labels), 10);
      expect(e.calinskiHarabasz / naiveCalinskiHarabasz(rows, labels)).toBeCloseTo(1, 10);
      expect(e.daviesBouldin).toBeCloseTo(naiveDaviesBouldin(rows, labels), 10);
      expect(e.inertia / naiveWithin(rows, labels)).toBeCloseTo(1, 10);
    }
    // The five income × spending groups of this data set are its best-known feature.
    expect(recommendK(evaluations).k).toBe(5);
    const five = evaluations[3];
    expect([...five.sizes].sort((a, b) => a - b)).toEqual([22, 23, 35, 39, 81]);
  });
});

describe("recommended k", () => {
  const score = (k: number, silhouette: number, calinskiHarabasz: number): KScore => ({
    k,
    silhouette,
    calinskiHarabasz,
    inertia: 0,
    daviesBouldin: 0,
    sizes: [],
  });

  it("is the highest silhouette when no other is within 0.01", () => {
    expect(recommendK([score(2, 0.4, 300), score(3, 0.55, 100), score(4, 0.5, 200)])).toEqual({
      k: 3,
      reason: "k=3 has the highest silhouette (0.550)",
    });
  });

  it("breaks a silhouette tie (within 0.01) by Calinski-Harabasz, then by the smaller k", () => {
    const r = recommendK([score(2, 0.545, 150), score(3, 0.55, 100), score(4, 0.539, 400)]);
    expect(r.k).toBe(2);
    expect(r.reason).toBe(
      "k=2: its silhouette (0.545) is within 0.01 of the best (0.550 at k=3), and among those (k=2, 3) it has the highest Calinski-Harabasz index (150.0)",
    );
    expect(recommendK([score(5, 0.5, 100), score(4, 0.5, 100)]).k).toBe(4);
    expect(RECOMMENDATION_RULE).toMatch(/highest silhouette/);
  });
});
