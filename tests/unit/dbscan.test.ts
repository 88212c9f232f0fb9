/**
 * DBSCAN (server/analytics/dbscan.ts) against independent references: a hand-drawn 2-D example
 * with border points shared by two clusters and noise, equality with a reference written here
 * from the DEFINITION (core points, connected components of core points numbered by their
 * lowest core index, each border point to the lowest-numbered cluster among its core
 * neighbours) on seeded random data, kDistances against a sort of all distances, and bad input.
 */
import { describe, expect, it } from "vitest";
import { dbscan, kDistances } from "../../server/analytics/dbscan";
import { AnalyticsInputError, featureMatrix, matrixFromRows } from "../../server/analytics/feature-matrix";
import { SeededRandom } from "../../server/analytics/seeded-random";

/** DBSCAN labels from the definition, with O(n²) distances. */
function naiveDbscan(rows: number[][], eps: number, minPts: number): number[] {
  const n = rows.length;
  const d = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, t) => s + (v - b[t]) ** 2, 0));
  const nbrs = rows.map((a) => rows.map((b, j) => (d(a, b) <= eps ? j : -1)).filter((j) => j >= 0));
  const core = nbrs.map((l) => l.length >= minPts);
  const labels = new Array<number>(n).fill(-1);
  let c = 0;
  for (let i = 0; i < n; i++) {
    if (!core[i] || labels[i] !== -1) continue;
    // Connected component of core points (depth-first), numbered by its lowest core index.
    const stack = [i];
    labels[i] = c;
    while (stack.length) {
      const p = stack.pop()!;
      for (const q of nbrs[p]) if (core[q] && labels[q] === -1) (labels[q] = c), stack.push(q);
    }
    c++;
  }
  for (let i = 0; i < n; i++) {
    if (core[i]) continue;
    const reaching = nbrs[i].filter((j) => core[j]).map((j) => labels[j]);
    labels[i] = reaching.length ? Math.min(...reaching) : -1;
  }
  return labels;
}

function blobs(seed: number, dims: number, n: number): number[][] {
  const rng = new SeededRandom(seed);
  const centres = [0, 1, 2].map(() => Array.from({ length: dims }, () => rng.next() * 10));
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (i % 7 === 0) rows.push(Array.from({ length: dims }, () => rng.next() * 12 - 1));
    else {
      const c = centres[i % 3];
      rows.push(c.map((v) => v + rng.nextGaussian() * (0.4 + 0.3 * (i % 3))));
    }
  }
  return rows;
}

describe("dbscan", () => {
  it("hand-drawn example: clusters, a border point shared by two clusters, noise", () => {
    // eps = 1, minPts = 4 (the point itself counted). On the x-axis:
    //   row 3 (0,0)  row 2 (0.5,0)  row 1 (1,0)  row 0 (2,0)  row 4 (3,0)  row 5 (3.5,0)  row 6 (4,0)
    // plus row 7 (10,10) and row 8 (4,5) far from everything.
    // Neighbourhoods (distance ≤ 1):
    //   row 0: {0, 1, 4}        → 3 < 4, not core
    //   row 1: {0, 1, 2, 3}     → core
    //   row 2: {1, 2, 3}        → not core (row 0 is 1.5 away)
    //   row 3: {1, 2, 3}        → not core
    //   row 4: {0, 4, 5, 6}     → core
    //   row 5: {4, 5, 6}, row 6: {4, 5, 6} → not core
    //   rows 7, 8: alone        → noise
    // Row 0 is visited first and is noise for now; row 1 (the first core point) starts cluster 0
    // and reaches rows 0, 2, 3 (border points). Row 4 starts cluster 1 and reaches 5 and 6; row 0
    // is within eps of row 4 too, but stays in cluster 0, the first cluster that reached it.
    const rows = [[2, 0], [1, 0], [0.5, 0], [0, 0], [3, 0], [3.5, 0], [4, 0], [10, 10], [4, 5]];
    const r = dbscan(matrixFromRows(rows), { eps: 1, minPts: 4 });
    expect(Array.from(r.labels)).toEqual([0, 0, 0, 0, 1, 1, 1, -1, -1]);
    expect(Array.from(r.core)).toEqual([0, 1, 0, 0, 1, 0, 0, 0, 0]);
    expect(r.clusters).toBe(2);
    expect(r.sizes).toEqual([4, 3]);
    expect(r.noise).toBe(2);
    // Put cluster B's core point first: the shared border point now goes to B (cluster 0).
    const swapped = [rows[4], rows[5], rows[6], rows[0], rows[1], rows[2], rows[3], rows[7], rows[8]];
    expect(Array.from(dbscan(matrixFromRows(swapped), { eps: 1, minPts: 4 }).labels)).toEqual([0, 0, 0, 0, 1, 1, 1, -1, -1]);
    // minPts = 3: row 0 ({0, 1, 4}) becomes core and joins both sides into one cluster.
    expect(Array.from(dbscan(matrixFromRows(rows), { eps: 1, minPts: 3 }).labels)).toEqual([0, 0, 0, 0, 0, 0, 0, -1, -1]);
  });

  for (const dims of [1, 2, 3, 6]) {
    for (const [eps, minPts] of [
      [0.3, 3],
      [0.6, 5],
      [1.2, 10],
      [2.5, 2],
    ] as const) {
      it(`equals the definition on seeded data (d=${dims}, eps=${eps}, minPts=${minPts})`, () => {
        const rows = blobs(dims * 100 + minPts, dims, 400);
        const r = dbscan(matrixFromRows(rows), { eps, minPts });
        const expected = naiveDbscan(rows, eps, minPts);
        expect(Array.from(r.labels)).toEqual(expected);
        expect(r.clusters).toBe(Math.max(-1, ...expected) + 1);
        expect(r.noise).toBe(expected.filter((l) => l === -1).length);
      });
    }
  }

  it("kDistances equals the k-th smallest distance to other rows, sorted descending", () => {
    const rows = blobs(7, 2, 300);
    for (const k of [1, 3, 9]) {
      const expected = rows
        .map((a, i) => rows.filter((_, j) => j !== i).map((b) => Math.hypot(a[0] - b[0], a[1] - b[1])).sort((x, y) => x - y)[k - 1])
        .sort((x, y) => y - x);
      const got = Array.from(kDistances(matrixFromRows(rows), k));
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 10));
    }
    // Duplicates: distance 0.
    expect(Array.from(kDistances(matrixFromRows([[1, 1], [1, 1], [4, 5]]), 1))).toEqual([5, 0, 0]);
  });

  it("degenerate inputs: one row, identical rows, clear errors", () => {
    expect(Array.from(dbscan(matrixFromRows([[1, 2]]), { eps: 1, minPts: 2 }).labels)).toEqual([-1]);
    expect(Array.from(dbscan(matrixFromRows([[1], [1], [1]]), { eps: 1e-9, minPts: 3 }).labels)).toEqual([0, 0, 0]);
    const m = matrixFromRows([[0, 0], [1, 1]]);
    expect(() => dbscan(m, { eps: 0, minPts: 3 })).toThrow(/eps must be a positive number/);
    expect(() => dbscan(m, { eps: Number.NaN, minPts: 3 })).toThrow(AnalyticsInputError);
    expect(() => dbscan(m, { eps: 1, minPts: 1 })).toThrow(/minPts must be a whole number of at least 2/);
    expect(() => dbscan(m, { eps: 1, minPts: 2.5 })).toThrow(/minPts/);
    expect(() => dbscan(matrixFromRows([[0, Number.NaN]]), { eps: 1, minPts: 2 })).toThrow(/row 1, feature 2/);
    expect(() => dbscan(featureMatrix(new Float64Array(50_001), 50_001, 1), { eps: 1, minPts: 2 })).toThrow(/at most 50,000 rows.*k-means or a Gaussian mixture/);
    expect(() => kDistances(m, 2)).toThrow(/needs at least 3 rows/);
    expect(() => kDistances(m, 0)).toThrow(/k must be/);
  });
});
