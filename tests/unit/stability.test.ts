/** Adjusted Rand index and clusterwise Jaccard on hand-worked contingency tables. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adjustedRandIndex, clusterwiseJaccard } from "../../server/analytics/stability";

describe("adjusted Rand index", () => {
  it("is 1 for identical partitions, whatever the label numbers", () => {
    const x = [0, 0, 1, 1, 2, 2, 2];
    expect(adjustedRandIndex(x, x)).toBe(1);
    expect(adjustedRandIndex(x, [5, 5, 0, 0, 9, 9, 9])).toBe(1);
  });

  it("matches hand-worked contingency tables", () => {
    /*
     * a = 000111, b = 001122. Table rows a, columns b: [2 1 0; 0 1 2].
     * index = C(2)+C(1)+C(1)+C(2) = 2; Σ C(a_i) = C(3)+C(3) = 6; Σ C(b_j) = 3·C(2) = 3;
     * expected = 6·3 / C(6) = 18/15 = 1.2; max = (6 + 3)/2 = 4.5;
     * ARI = (2 − 1.2) / (4.5 − 1.2) = 0.8 / 3.3 = 8/33.
     */
    expect(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2])).toBeCloseTo(8 / 33, 14);
    /*
     * a = 0011, b = 0012: index = C(2) = 1; Σ C(a) = 2; Σ C(b) = 1; expected = 2/6 = 1/3;
     * max = 1.5; ARI = (2/3) / (7/6) = 4/7.
     */
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(4 / 7, 14);
    expect(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(4 / 7, 14);
    /*
     * a = 0011, b = 0101: every cell 1, index 0; Σ C(a) = Σ C(b) = 2; expected = 4/6;
     * max = 2; ARI = (0 − 2/3) / (2 − 2/3) = −1/2.
     */
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 14);
    // One cluster against all singletons: index 0, expected 0, max 3 → 0.
    expect(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    // Both trivial (max = expected): identical partitions, 1 by convention.
    expect(adjustedRandIndex([3, 3, 3], [1, 1, 1])).toBe(1);
  });

  it("is symmetric, at most 1, and 1 under any relabelling (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })), { minLength: 2, maxLength: 60 }), (pairs) => {
        const a = pairs.map((p) => p[0]);
        const b = pairs.map((p) => p[1]);
        const ab = adjustedRandIndex(a, b);
        expect(ab).toBeCloseTo(adjustedRandIndex(b, a), 12);
        expect(ab).toBeLessThanOrEqual(1 + 1e-12);
        expect(adjustedRandIndex(a, a.map((v) => 10 - v))).toBe(1);
      }),
    );
  });

  it("rejects labelings of different lengths", () => {
    expect(() => adjustedRandIndex([0, 1], [0, 1, 1])).toThrow(/different lengths/);
  });
});

describe("clusterwise Jaccard", () => {
  it("finds each reference cluster's best match (worked by hand)", () => {
    /*
     * Reference A0 = {0,1,2}, A1 = {3,4,5}; re-fit B1 = {0,1}, B0 = {2,3,4,5}.
     * J(A0,B1) = 2/3, J(A0,B0) = 1/6 → 2/3 with B1; J(A1,B0) = 3/4, J(A1,B1) = 0 → 3/4 with B0.
     */
    expect(clusterwiseJaccard([0, 0, 0, 1, 1, 1], [1, 1, 0, 0, 0, 0])).toEqual([
      { cluster: 0, jaccard: 2 / 3, bestMatch: 1 },
      { cluster: 1, jaccard: 3 / 4, bestMatch: 0 },
    ]);
  });

  it("is 1 for every cluster of an identical re-fit with other label numbers", () => {
    expect(clusterwiseJaccard([2, 2, 7, 7, 7], [0, 0, 1, 1, 1]).map((c) => c.jaccard)).toEqual([1, 1]);
  });
});
