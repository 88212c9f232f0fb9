/**
 * k-means: the known optimum region on iris against ml-kmeans and exhaustive restarts,
 * determinism, identical results with and without Hamerly's bounds and on one or two threads,
 * the empty-cluster rule worked by hand, degenerate input, and the seeded PRNG.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { kmeans as mlKmeans } from "ml-kmeans";
import { describe, expect, it } from "vitest";
import { AnalyticsInputError, featureMatrix, matrixFromRows } from "../../server/analytics/feature-matrix";
import { kmeans } from "../../server/analytics/kmeans";
import { KmeansEngine } from "../../server/analytics/kmeans-engine";
import { defaultLocalTrials, greedyKmeansPlusPlus } from "../../server/analytics/kmeans-seeding";
import { standardise } from "../../server/analytics/scaling";
import { SeededRandom, deriveSeed } from "../../server/analytics/seeded-random";

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/data");

function readColumns(file: string, names: string[]): number[][] {
  const [header, ...lines] = readFileSync(path.join(DATA, file), "utf8").trim().split(/\r?\n/);
  const cols = header.split(",");
  const idx = names.map((n) => cols.indexOf(n));
  return lines.map((l) => idx.map((i) => Number(l.split(",")[i])));
}

const IRIS = readColumns("iris.csv", ["sepal_length", "sepal_width", "petal_length", "petal_width"]);
const MALL = readColumns("mall_customers.csv", ["Annual Income (k$)", "Spending Score (1-100)"]);

/** Σ squared distance of each row to the mean of its cluster (independent of both libraries). */
function withinSumOfSquares(rows: number[][], labels: ArrayLike<number>): number {
  const groups = new Map<number, number[][]>();
  rows.forEach((r, i) => groups.set(labels[i], [...(groups.get(labels[i]) ?? []), r]));
  let w = 0;
  for (const members of groups.values()) {
    const mean = members[0].map((_, t) => members.reduce((s, r) => s + r[t], 0) / members.length);
    for (const r of members) w += r.reduce((s, v, t) => s + (v - mean[t]) ** 2, 0);
  }
  return w;
}

/** The best inertia ml-kmeans (k-means++ in ml.js) finds over many seeds. */
function mlBestInertia(rows: number[][], k: number, seeds: number): number {
  let best = Infinity;
  for (let seed = 1; seed <= seeds; seed++) {
    const result = mlKmeans(rows, k, { seed, initialization: "kmeans++", maxIterations: 300 });
    best = Math.min(best, withinSumOfSquares(rows, result.clusters));
  }
  return best;
}

function synthetic(n: number, d: number, centres: number, seed: number) {
  const random = new SeededRandom(seed);
  const means = Array.from({ length: centres }, () => Array.from({ length: d }, () => random.nextGaussian() * 3));
  const values = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = random.nextInt(centres);
    for (let t = 0; t < d; t++) values[i * d + t] = means[c][t] + random.nextGaussian();
  }
  return featureMatrix(values, n, d);
}

describe("k-means reaches the known optimum region", () => {
  it("iris (unscaled, four measurements), k = 3: the default 10 restarts reach the best of 200 restarts and of ml-kmeans' 100 seeds", async () => {
    const m = matrixFromRows(IRIS);
    const ours = await kmeans(m, 3, { seed: 0, restarts: 10 });
    const exhaustive = await kmeans(m, 3, { seed: 12345, restarts: 200 });
    const ml = mlBestInertia(IRIS, 3, 100);
    expect(ours.inertia / withinSumOfSquares(IRIS, ours.labels)).toBeCloseTo(1, 12);
    expect(ours.inertia).toBeCloseTo(exhaustive.inertia, 9);
    expect(ours.inertia).toBeLessThanOrEqual(ml * (1 + 1e-12));
    expect(Number(ours.inertia.toPrecision(3))).toBe(Number(ml.toPrecision(3)));
    expect(ours.converged).toBe(true);
  });

  it("iris, k = 2..6: 200 restarts are never worse than ml-kmeans' best of 100 seeds, and agree to 3 significant figures", async () => {
    const m = matrixFromRows(IRIS);
    for (const k of [2, 4, 5, 6]) {
      const exhaustive = await kmeans(m, k, { seed: 12345, restarts: 200 });
      const ml = mlBestInertia(IRIS, k, 100);
      expect(exhaustive.inertia, `k=${k}`).toBeLessThanOrEqual(ml * (1 + 1e-12));
      expect(Number(exhaustive.inertia.toPrecision(3)), `k=${k}`).toBe(Number(ml.toPrecision(3)));
    }
  });

  it("iris k = 3 separates setosa exactly (rows 1-50)", async () => {
    const fit = await kmeans(matrixFromRows(IRIS), 3, { seed: 0 });
    const setosa = fit.labels[0];
    expect(Array.from(fit.labels.subarray(0, 50)).every((l) => l === setosa)).toBe(true);
    expect(Array.from(fit.labels.subarray(50)).some((l) => l === setosa)).toBe(false);
    expect([...fit.sizes].sort((a, b) => a - b)).toEqual([38, 50, 62]);
  });

  it("mall customers (income, spending; standardised), k = 5: as good as ml-kmeans' best", async () => {
    const m = standardise(matrixFromRows(MALL)).matrix;
    const rows = Array.from({ length: m.rows }, (_, i) => Array.from(m.values.subarray(i * 2, i * 2 + 2)));
    const ours = await kmeans(m, 5, { seed: 0 });
    const ml = mlBestInertia(rows, 5, 50);
    expect(ours.inertia).toBeLessThanOrEqual(ml * (1 + 1e-12));
    expect(Number(ours.inertia.toPrecision(3))).toBe(Number(ml.toPrecision(3)));
  });
});

describe("determinism", () => {
  it("gives identical labels and centres for the same seed, and restart r is the same whatever the restart count", async () => {
    const m = standardise(matrixFromRows(MALL)).matrix;
    const a = await kmeans(m, 6, { seed: 42, restarts: 8 });
    const b = await kmeans(m, 6, { seed: 42, restarts: 8 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.centres)).toEqual(Array.from(b.centres));
    expect(a.restartInertias).toEqual(b.restartInertias);
    const fewer = await kmeans(m, 6, { seed: 42, restarts: 3 });
    expect(fewer.restartInertias).toEqual(a.restartInertias.slice(0, 3));
    expect(a.inertia).toBeLessThanOrEqual(fewer.inertia);
  });

  it("gives the same result with and without Hamerly's bounds", async () => {
    // 20,001 rows: the last block has an odd number of rows (plain passes take rows in pairs).
    const big = synthetic(20_001, 5, 6, 7);
    for (const [m, k] of [[matrixFromRows(IRIS), 4], [big, 6], [big, 9]] as const) {
      const bounded = await kmeans(m, k, { seed: 3, restarts: 2 });
      const plain = await kmeans(m, k, { seed: 3, restarts: 2, bounds: false });
      expect(Array.from(bounded.labels)).toEqual(Array.from(plain.labels));
      expect(Array.from(bounded.centres)).toEqual(Array.from(plain.centres));
      expect(bounded.inertia).toBe(plain.inertia);
      expect(bounded.iterations).toBe(plain.iterations);
    }
  });

  it("gives bit-identical results on one thread and on two (worker thread)", async () => {
    const m = synthetic(40_000, 8, 8, 11);
    const one = await kmeans(m, 8, { seed: 5, restarts: 2, maxIterations: 30 });
    const two = await kmeans(m, 8, { seed: 5, restarts: 2, maxIterations: 30, threads: 2 });
    expect(Array.from(two.labels)).toEqual(Array.from(one.labels));
    expect(Array.from(two.centres)).toEqual(Array.from(one.centres));
    expect(two.inertia).toBe(one.inertia);
  });

  it("handles more than eight features (the general kernel) the same way", async () => {
    const m = synthetic(3_000, 11, 4, 2);
    const bounded = await kmeans(m, 4, { seed: 1, restarts: 2 });
    const plain = await kmeans(m, 4, { seed: 1, restarts: 2, bounds: false });
    expect(Array.from(bounded.labels)).toEqual(Array.from(plain.labels));
    expect(bounded.inertia / withinSumOfSquares(Array.from({ length: 3000 }, (_, i) => Array.from(m.values.subarray(i * 11, i * 11 + 11))), bounded.labels)).toBeCloseTo(1, 10);
  });
});

describe("empty clusters", () => {
  it("re-seeds an empty cluster at the row farthest from its centre (worked by hand)", async () => {
    /*
     * Rows 0, 1, 2, 10, 11, 12 (one feature); start from centres 1, 11 and 1000.
     * Iteration 1: {0, 1, 2} → centre 0, {10, 11, 12} → centre 1, centre 2 gets nothing.
     * Squared distances to the own centre: 1, 0, 1, 1, 0, 1; the largest (1) first occurs at
     * row 0 (value 0), whose cluster keeps 2 rows, so cluster 2 is re-seeded at 0 and cluster 0
     * becomes {1, 2}: centres 1.5, 11, 0. Iteration 2 assigns 0 → 2, 1 and 2 → 0 (|1 − 1.5| <
     * |1 − 0|), 10-12 → 1; nothing moves: converged. Inertia 0.25 + 0.25 + 1 + 0 + 1 = 2.5.
     */
    const m = featureMatrix(Float64Array.from([0, 1, 2, 10, 11, 12]), 6, 1);
    const fit = await kmeans(m, 3, { initialCentres: Float64Array.from([1, 11, 1000]), restarts: 1 });
    expect(Array.from(fit.labels)).toEqual([2, 0, 0, 1, 1, 1]);
    expect(Array.from(fit.centres)).toEqual([1.5, 11, 0]);
    expect(fit.sizes).toEqual([2, 3, 1]);
    expect(fit.inertia).toBe(2.5);
  });
});

describe("degenerate input is a clear error, not NaN", () => {
  it("k > n, fewer distinct rows than k, NaN and infinite values, bad options", async () => {
    const small = matrixFromRows([[1, 2], [3, 4], [5, 6]]);
    await expect(kmeans(small, 4)).rejects.toThrow(new AnalyticsInputError("k = 4 clusters need at least 4 rows; the data has 3"));
    const repeated = matrixFromRows([[1, 1], [1, 1], [2, 2], [2, 2], [1, 1]]);
    await expect(kmeans(repeated, 3)).rejects.toThrow("the data has only 2 distinct rows, fewer than the 3 clusters asked for");
    const missing = matrixFromRows([[1, 2], [3, Number.NaN], [5, 6]]);
    await expect(kmeans(missing, 2)).rejects.toThrow("row 2, feature 'feature 2': missing value (NaN); every value must be a finite number");
    const infinite = matrixFromRows([[1, 2], [3, 4], [Infinity, 6]]);
    await expect(kmeans(infinite, 2)).rejects.toThrow("row 3, feature 'feature 1': infinite value (Infinity)");
    await expect(kmeans(small, 0)).rejects.toThrow(RangeError);
    await expect(kmeans(small, 2, { seed: -1 })).rejects.toThrow(/seed must be an integer from 0/);
    await expect(kmeans(small, 2, { restarts: 0 })).rejects.toThrow(/restarts must be a whole number/);
  });

  it("k = n puts every row in its own cluster with inertia 0", async () => {
    const fit = await kmeans(matrixFromRows([[0], [5], [9]]), 3, { seed: 0 });
    expect(fit.inertia).toBe(0);
    expect([...fit.labels].sort()).toEqual([0, 1, 2]);
  });
});

describe("greedy k-means++ seeding", () => {
  it("picks k distinct data rows, reproducibly", async () => {
    const m = matrixFromRows(IRIS);
    const engine = await KmeansEngine.create(m, 5, defaultLocalTrials(5));
    try {
      const a = await greedyKmeansPlusPlus(engine, 5, new SeededRandom(9));
      const b = await greedyKmeansPlusPlus(engine, 5, new SeededRandom(9));
      expect(Array.from(a)).toEqual(Array.from(b));
      const keys = new Set<string>();
      for (let j = 0; j < 5; j++) {
        const centre = Array.from(a.subarray(j * 4, j * 4 + 4));
        expect(IRIS.some((row) => row.every((v, t) => v === centre[t]))).toBe(true);
        keys.add(centre.join(","));
      }
      expect(keys.size).toBe(5);
    } finally {
      await engine.close();
    }
    expect([1, 2, 3, 8, 10, 20].map(defaultLocalTrials)).toEqual([2, 2, 3, 4, 4, 4]);
  });
});

describe("SeededRandom (mulberry32)", () => {
  /** mulberry32 as published by Tommy Ettinger (2017), for comparison. */
  function reference(seed: number): () => number {
    let a = seed;
    return () => {
      a |= 0;
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (t ^ (t >>> 14)) >>> 0;
    };
  }

  it("matches the reference generator and stays in range", () => {
    for (const seed of [0, 1, 42, 0xffffffff]) {
      const ours = new SeededRandom(seed);
      const ref = reference(seed);
      for (let i = 0; i < 1000; i++) expect(ours.nextUint32()).toBe(ref());
    }
    const r = new SeededRandom(7);
    for (let i = 0; i < 10_000; i++) {
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
      const j = r.nextInt(7);
      expect(Number.isInteger(j) && j >= 0 && j < 7).toBe(true);
    }
    const sample = new SeededRandom(1).sampleIndexes(100, 30);
    expect(new Set(sample).size).toBe(30);
    expect(Array.from(sample)).toEqual([...sample].sort((a, b) => a - b));
    expect(deriveSeed(5, 0)).not.toBe(deriveSeed(5, 1));
    expect(deriveSeed(5, 0)).toBe(deriveSeed(5, 0));
  });
});
