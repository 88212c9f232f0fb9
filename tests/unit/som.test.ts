/**
 * Self-organizing map (server/analytics/som.ts): a 1 × 10 map trained on points along a line
 * orders itself along it (the defining property of a SOM); hits, U-matrix, quantisation and
 * topographic error recomputed here from their definitions; clusters of the map recover three
 * separated blobs; determinism; grid size rule; bad input.
 */
import { describe, expect, it } from "vitest";
import { AnalyticsInputError, matrixFromRows } from "../../server/analytics/feature-matrix";
import { SeededRandom } from "../../server/analytics/seeded-random";
import { defaultGrid, somClusters, trainSom } from "../../server/analytics/som";
import { adjustedRandIndex } from "../../server/analytics/stability";

function blobs(perBlob: number, seed: number) {
  const r = new SeededRandom(seed);
  const centres = [
    [0, 0, 0],
    [6, 0, 6],
    [0, 6, -6],
  ];
  const rows = centres.flatMap((c) => Array.from({ length: perBlob }, () => c.map((v) => v + 0.6 * r.nextGaussian())));
  return { rows, truth: rows.map((_, i) => Math.floor(i / perBlob)) };
}

describe("trainSom", () => {
  it("orders a 1 × 10 map along points on a line", () => {
    const r = new SeededRandom(4);
    const rows = Array.from({ length: 500 }, () => [r.next() * 10]);
    const map = trainSom(matrixFromRows(rows), { rows: 1, cols: 10, seed: 1 });
    const w = Array.from(map.weights);
    const increasing = w.every((v, i) => i === 0 || v > w[i - 1]);
    const decreasing = w.every((v, i) => i === 0 || v < w[i - 1]);
    expect(increasing || decreasing).toBe(true);
    // Spread over the line: the ends near 0.5 and 9.5.
    expect(Math.min(...w)).toBeLessThan(1.5);
    expect(Math.max(...w)).toBeGreaterThan(8.5);
    expect(map.topographicError).toBeLessThan(0.05);
  });

  it("hits, U-matrix, quantisation and topographic error follow their definitions", () => {
    const { rows } = blobs(60, 2);
    const map = trainSom(matrixFromRows(rows), { rows: 4, cols: 5, seed: 3 });
    const d = 3;
    const node = (u: number) => Array.from(map.weights.subarray(u * d, (u + 1) * d));
    const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, t) => v - b[t]));
    let qe = 0;
    let te = 0;
    const hits = new Array(20).fill(0);
    rows.forEach((x, i) => {
      const order = Array.from({ length: 20 }, (_, u) => u).sort((a, b) => dist(x, node(a)) - dist(x, node(b)) || a - b);
      expect(map.bmu[i]).toBe(order[0]);
      hits[order[0]]++;
      qe += dist(x, node(order[0]));
      const [a, b] = order;
      if (Math.abs(Math.floor(a / 5) - Math.floor(b / 5)) + Math.abs((a % 5) - (b % 5)) !== 1) te++;
    });
    expect(map.hits).toEqual(hits);
    expect(map.quantisationError).toBeCloseTo(qe / rows.length, 9);
    expect(map.topographicError).toBeCloseTo(te / rows.length, 12);
    // U-matrix of the corner node 0: mean distance to nodes 1 and 5.
    expect(map.uMatrix[0]).toBeCloseTo((dist(node(0), node(1)) + dist(node(0), node(5))) / 2, 9);
    // An inner node (1, 2) = 7: neighbours 2, 12, 6, 8.
    expect(map.uMatrix[7]).toBeCloseTo([2, 12, 6, 8].reduce((s, v) => s + dist(node(7), node(v)), 0) / 4, 9);
  });

  it("is deterministic for a seed and chooses about 5·√n nodes", () => {
    const { rows } = blobs(40, 5);
    const a = trainSom(matrixFromRows(rows), { rows: 3, cols: 4, seed: 9 });
    const b = trainSom(matrixFromRows(rows), { rows: 3, cols: 4, seed: 9 });
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(defaultGrid(200)).toEqual({ rows: 8, cols: 8 });
    expect(defaultGrid(1_000_000)).toEqual({ rows: 12, cols: 12 });
    expect(defaultGrid(10)).toEqual({ rows: 4, cols: 4 });
  });

  it("refuses a map larger than the data", () => {
    expect(() => trainSom(matrixFromRows([[1], [2], [3]]), { rows: 2, cols: 2, seed: 1 })).toThrow(AnalyticsInputError);
    expect(() => trainSom(matrixFromRows([[1], [2], [3]]), { rows: 1, cols: 1, seed: 1 })).toThrow(/at least 2 nodes/);
  });
});

describe("somClusters", () => {
  it("k-means on the node weights recovers three separated blobs, each row with its node's cluster", async () => {
    const { rows, truth } = blobs(150, 7);
    const map = trainSom(matrixFromRows(rows), { rows: 6, cols: 6, seed: 2 });
    const { nodeClusters, labels } = await somClusters(map, 3, { seed: 2, restarts: 5 });
    expect(adjustedRandIndex(labels, truth)).toBeCloseTo(1, 9);
    labels.forEach((l, i) => expect(l).toBe(nodeClusters[map.bmu[i]]));
    await expect(somClusters(map, 40, { seed: 1, restarts: 1 })).rejects.toThrow(/nodes of the 6 × 6 map hold customers; k=40/);
  });
});
