/**
 * Ward clustering (server/analytics/ward.ts) against independent references:
 * - a hand-worked example on a line (merge heights √(2 w_A w_B/(w_A+w_B))·|c_A − c_B| worked out below);
 * - a naive O(n³) agglomeration written here from the DEFINITION (merge the pair whose union
 *   increases the within-cluster sum of squares least, the SSE computed from the members), on
 *   seeded random data, on iris (4 measurements, raw) and on the mall customers (income and
 *   spending, standardised here with the textbook formula): every merge height, and the
 *   partitions at k = 3, 4, 5;
 * - weights: a weighted point is a cluster of that many identical points;
 * - micro-clusters for large n, the cut nesting, the dendrogram top and bad input.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AnalyticsInputError, featureMatrix, matrixFromRows } from "../../server/analytics/feature-matrix";
import { SeededRandom } from "../../server/analytics/seeded-random";
import { adjustedRandIndex } from "../../server/analytics/stability";
import { cutTree, topOfTree, wardCluster, wardLabels, wardLinkage } from "../../server/analytics/ward";

/** Naive Ward: O(n²) pairs per step, each pair's SSE increase from its members' sums. Returns heights and partitions per k. */
function naiveWard(rows: number[][], ks: number[]) {
  const d = rows[0].length;
  type C = { members: number[]; sum: number[]; sq: number };
  let clusters: C[] = rows.map((r, i) => ({ members: [i], sum: [...r], sq: r.reduce((s, v) => s + v * v, 0) }));
  const sse = (c: { members: number[]; sum: number[]; sq: number }) => c.sq - c.sum.reduce((s, v) => s + v * v, 0) / c.members.length;
  const heights: number[] = [];
  const partitions = new Map<number, number[]>();
  const record = () => {
    if (!ks.includes(clusters.length)) return;
    const labels = new Array<number>(rows.length);
    clusters.forEach((c, j) => c.members.forEach((i) => (labels[i] = j)));
    partitions.set(clusters.length, canonical(labels));
  };
  record();
  while (clusters.length > 1) {
    let best = [0, 1];
    let bestCost = Infinity;
    for (let p = 0; p < clusters.length; p++) {
      for (let q = p + 1; q < clusters.length; q++) {
        const u = { members: [...clusters[p].members, ...clusters[q].members], sum: clusters[p].sum.map((v, t) => v + clusters[q].sum[t]), sq: clusters[p].sq + clusters[q].sq };
        const cost = sse(u) - sse(clusters[p]) - sse(clusters[q]);
        if (cost < bestCost) (bestCost = cost), (best = [p, q]);
      }
    }
    const [p, q] = best;
    const merged = { members: [...clusters[p].members, ...clusters[q].members], sum: clusters[p].sum.map((v, t) => v + clusters[q].sum[t]), sq: clusters[p].sq + clusters[q].sq };
    heights.push(Math.sqrt(2 * Math.max(0, bestCost)));
    clusters = clusters.filter((_, j) => j !== p && j !== q).concat([merged]);
    record();
  }
  void d;
  return { heights, partitions };
}

/** Labels renumbered by first appearance (so equal partitions compare equal). */
function canonical(labels: ArrayLike<number>): number[] {
  const map = new Map<number, number>();
  return Array.from(labels, (l) => {
    if (!map.has(l)) map.set(l, map.size);
    return map.get(l)!;
  });
}

function randomRows(n: number, d: number, seed: number): number[][] {
  const r = new SeededRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => r.nextGaussian()));
}

function standardise(rows: number[][]): number[][] {
  const n = rows.length;
  const d = rows[0].length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const sd = Array.from({ length: d }, (_, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / n));
  return rows.map((r) => r.map((v, j) => (v - mean[j]) / sd[j]));
}

describe("wardLinkage", () => {
  it("merges 0, 1, 5, 6, 20 on a line at the hand-worked heights", () => {
    // {0,1}: √(2·1·1/2)·1 = 1; {5,6}: 1; {0,1}+{5,6}: centroids 0.5 and 5.5, √(2·2·2/4)·5 = √50;
    // then 20 with the four (centroid 3): √(2·4·1/5)·17 = √462.4.
    const tree = wardLinkage(matrixFromRows([[0], [1], [5], [6], [20]]));
    expect(tree.merges.map((m) => m.height)).toEqual([1, 1, Math.sqrt(50), Math.sqrt(462.4)].map((h) => expect.closeTo(h, 12)));
    expect(tree.merges.map(({ a, b, size }) => ({ a, b, size }))).toEqual([
      { a: 0, b: 1, size: 2 },
      { a: 2, b: 3, size: 2 },
      { a: 5, b: 6, size: 4 },
      { a: 4, b: 7, size: 5 },
    ]);
    expect(Array.from(cutTree(tree, 3))).toEqual([0, 0, 1, 1, 2]);
    expect(Array.from(cutTree(tree, 2))).toEqual([0, 0, 0, 0, 1]);
    expect(Array.from(cutTree(tree, 5))).toEqual([0, 1, 2, 3, 4]);
  });

  it("equals the naive definition on seeded random data: every height and every partition", () => {
    for (const [n, d, seed] of [
      [40, 2, 1],
      [75, 3, 2],
      [60, 5, 3],
    ]) {
      const rows = randomRows(n, d, seed);
      const ks = Array.from({ length: n }, (_, i) => i + 1);
      const naive = naiveWard(rows, ks);
      const tree = wardLinkage(matrixFromRows(rows));
      expect(tree.merges).toHaveLength(n - 1);
      tree.merges.forEach((m, i) => expect(m.height).toBeCloseTo(naive.heights[i], 9));
      for (const k of ks) expect(canonical(cutTree(tree, k))).toEqual(naive.partitions.get(k));
    }
  });

  it("treats a weighted point as that many identical points", () => {
    const rows = randomRows(12, 2, 9);
    const weights = [3, 1, 2, 1, 1, 4, 1, 2, 1, 1, 1, 2];
    const weighted = wardLinkage(matrixFromRows(rows), weights);
    const expanded = rows.flatMap((r, i) => Array.from({ length: weights[i] }, () => r));
    const naive = naiveWard(expanded, []);
    // The expanded points first merge their duplicates at height 0; the rest are the weighted merges.
    const positive = naive.heights.filter((h) => h > 1e-6);
    expect(positive).toHaveLength(11);
    weighted.merges.forEach((m, i) => expect(m.height).toBeCloseTo(positive[i], 9));
    expect(weighted.merges.at(-1)!.size).toBe(20);
  });

  it("cuts are nested: each cluster at k is a union of clusters at k + 1", () => {
    const tree = wardLinkage(matrixFromRows(randomRows(80, 3, 4)));
    for (let k = 1; k < 80; k++) {
      const coarse = cutTree(tree, k);
      const fine = cutTree(tree, k + 1);
      const parentOf = new Map<number, number>();
      for (let i = 0; i < 80; i++) {
        expect(parentOf.get(fine[i]) ?? coarse[i]).toBe(coarse[i]);
        parentOf.set(fine[i], coarse[i]);
      }
    }
  });

  it("refuses bad input with a clear error", () => {
    expect(() => wardLinkage(featureMatrix(new Float64Array(0), 0, 2))).toThrow(AnalyticsInputError);
    expect(() => wardLinkage(matrixFromRows([[1], [Number.NaN]]))).toThrow(AnalyticsInputError);
    expect(() => wardLinkage(matrixFromRows([[1], [2]]), [1, 0])).toThrow(/row 2: a weight must be a positive number/);
    expect(() => cutTree(wardLinkage(matrixFromRows([[1], [2]])), 3)).toThrow(/k must be between 1 and 2/);
  });
});

describe("real data against the naive definition", () => {
  const iris = readFileSync("../shared/data/iris.csv", "utf8").trim().split(/\r?\n/).slice(1).map((l) => l.split(",").slice(0, 4).map(Number));
  const mall = standardise(
    readFileSync("../shared/data/mall_customers.csv", "utf8").trim().split(/\r?\n/).slice(1).map((l) => l.split(",").slice(3, 5).map(Number)),
  );

  for (const [name, rows] of [
    ["iris (150 × 4, raw)", iris],
    ["mall (200 × 2, standardised)", mall],
  ] as const) {
    it(`${name}: every merge is a least-cost merge of the definition, and the partitions at k = 3, 4, 5 are the naive ones`, () => {
      const tree = wardLinkage(matrixFromRows(rows));
      // Both files hold duplicate rows and many equal distances (the mall's integer grid gives 71
      // tied merge heights), so the order of equal-cost merges, and with it the low levels of the
      // tree, is not unique. Replaying our merges: each must cost the minimum over all pairs then.
      const members = new Map<number, number[]>(rows.map((_, i) => [i, [i]]));
      const sse = (ids: number[]) => {
        const m = rows[0].map((_, t) => ids.reduce((s, i) => s + rows[i][t], 0) / ids.length);
        return ids.reduce((s, i) => s + rows[i].reduce((u, v, t) => u + (v - m[t]) ** 2, 0), 0);
      };
      const increase = (p: number[], q: number[]) => sse([...p, ...q]) - sse(p) - sse(q);
      tree.merges.forEach((m, i) => {
        const live = [...members.values()];
        let least = Infinity;
        for (let p = 0; p < live.length; p++) for (let q = p + 1; q < live.length; q++) least = Math.min(least, increase(live[p], live[q]));
        const a = members.get(m.a)!;
        const b = members.get(m.b)!;
        expect(increase(a, b)).toBeCloseTo(least, 9);
        expect(m.height).toBeCloseTo(Math.sqrt(2 * Math.max(0, increase(a, b))), 9);
        expect(m.size).toBe(a.length + b.length);
        members.delete(m.a);
        members.delete(m.b);
        members.set(rows.length + i, [...a, ...b]);
      });
      const naive = naiveWard(rows, [3, 4, 5]);
      for (const k of [3, 4, 5]) expect(canonical(cutTree(tree, k))).toEqual(naive.partitions.get(k));
      tree.merges.slice(-4).forEach((m, i) => expect(m.height).toBeCloseTo(naive.heights.slice(-4)[i], 9));
    });
  }

  it("iris at k = 3 separates setosa exactly (the first 50 rows are one cluster)", () => {
    const labels = cutTree(wardLinkage(matrixFromRows(iris)), 3);
    expect(new Set(Array.from(labels.subarray(0, 50))).size).toBe(1);
    expect(Array.from(labels.subarray(50)).includes(labels[0])).toBe(false);
  });
});

describe("wardCluster", () => {
  it("uses every row exactly up to the cap, and k-means micro-clusters above it", async () => {
    // Three well-separated blobs of 700 rows.
    const r = new SeededRandom(5);
    const centres = [
      [0, 0],
      [8, 0],
      [0, 8],
    ];
    const rows = centres.flatMap((c) => Array.from({ length: 700 }, () => [c[0] + r.nextGaussian(), c[1] + r.nextGaussian()]));
    const truth = rows.map((_, i) => Math.floor(i / 700));
    const exact = await wardCluster(matrixFromRows(rows), { seed: 1 });
    expect(exact).toMatchObject({ method: "sample", unitOf: null });
    expect(exact.tree.units).toBe(2100);
    const micro = await wardCluster(matrixFromRows(rows), { seed: 1, exactMax: 1000, microClusters: 50, microSample: 1500 });
    expect(micro.method).toBe("centroids");
    expect(micro.tree.units).toBeLessThanOrEqual(50);
    expect(micro.tree.merges.at(-1)!.size).toBe(2100);
    for (const model of [exact, micro]) expect(adjustedRandIndex(wardLabels(model, 3), truth)).toBeCloseTo(1, 9);
    // Each row has its micro-cluster's cluster.
    const labels = wardLabels(micro, 5);
    const byUnit = new Map<number, number>();
    micro.unitOf!.forEach((u, i) => {
      expect(byUnit.get(u) ?? labels[i]).toBe(labels[i]);
      byUnit.set(u, labels[i]);
    });
    // Deterministic for a seed.
    const again = await wardCluster(matrixFromRows(rows), { seed: 1, exactMax: 1000, microClusters: 50, microSample: 1500 });
    expect(Array.from(wardLabels(again, 4))).toEqual(Array.from(wardLabels(micro, 4)));
  });

  it("the dendrogram top: leaves are the clusters at its cut, merges are the tree's last ones", () => {
    const tree = wardLinkage(matrixFromRows(randomRows(50, 2, 8)));
    const top = topOfTree(tree, 6);
    expect(top.leaves).toHaveLength(6);
    expect(top.leaves.reduce((s, l) => s + l.size, 0)).toBe(50);
    expect(top.merges.map((m) => m.height)).toEqual(tree.merges.slice(-5).map((m) => m.height));
    expect(top.merges.at(-1)).toMatchObject({ b: 6 + 3, size: 50 });
    // Cutting the top into 2 gives the sizes of the tree's cut at 2.
    const cut2 = cutTree(tree, 2);
    const last = top.merges.at(-1)!;
    const sizeOf = (id: number): number => (id < 6 ? top.leaves[id].size : top.merges[id - 6].size);
    expect([sizeOf(last.a), sizeOf(last.b)].sort()).toEqual([cut2.filter((l) => l === 0).length, cut2.filter((l) => l === 1).length].sort());
  });
});
