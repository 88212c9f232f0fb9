import { describe, expect, it } from "vitest";
import { matrixFromRows } from "../../server/analytics/feature-matrix";
import { collinearity, suggestName, transformColumns } from "../../server/services/models/pipeline";

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe("collinearity", () => {
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const y = [2, 1, 4, 3, 6, 5, 8, 7, 10, 9];
  const z = [5, 3, 8, 1, 9, 2, 7, 4, 6, 10];

  it("gives Pearson correlations and, for two features, VIF = 1 / (1 − r²); flags |r| > 0.9", () => {
    const report = collinearity(matrixFromRows(x.map((v, i) => [v, y[i]])), ["x", "y"]);
    const r = pearson(x, y);
    expect(r).toBeGreaterThan(0.9);
    expect(report.correlation[0][1]).toBeCloseTo(r, 12);
    expect(report.vif[0]).toBeCloseTo(1 / (1 - r * r), 9);
    expect(report.vif[1]).toBeCloseTo(1 / (1 - r * r), 9);
    expect(report.flags).toContainEqual({ kind: "correlation", features: ["x", "y"], r: expect.closeTo(r, 12) });
  });

  it("computes VIF from the regression on the other features (three features)", () => {
    const report = collinearity(matrixFromRows(x.map((v, i) => [v, y[i], z[i]])), ["x", "y", "z"]);
    // R² of z on x and y by the normal equations on centred data, independently.
    const c = (a: number[]) => a.map((v) => v - a.reduce((s, u) => s + u, 0) / a.length);
    const [cx, cy, cz] = [c(x), c(y), c(z)];
    const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
    const [a11, a12, a22, b1, b2] = [dot(cx, cx), dot(cx, cy), dot(cy, cy), dot(cx, cz), dot(cy, cz)];
    const det = a11 * a22 - a12 * a12;
    const beta = [(a22 * b1 - a12 * b2) / det, (a11 * b2 - a12 * b1) / det];
    const fitted = cx.map((v, i) => beta[0] * v + beta[1] * cy[i]);
    const r2 = dot(fitted, fitted) / dot(cz, cz);
    expect(report.vif[2]).toBeCloseTo(1 / (1 - r2), 9);
  });

  it("flags exact collinearity and constant features without NaN", () => {
    const exact = collinearity(matrixFromRows(x.map((v) => [v, 2 * v + 1])), ["a", "b"]);
    expect(exact.vif).toEqual([null, null]);
    expect(exact.flags.filter((f) => f.kind === "vif")).toHaveLength(2);
    const constant = collinearity(matrixFromRows(x.map((v) => [v, 3])), ["a", "c"]);
    expect(constant.correlation[0][1]).toBeNull();
    expect(constant.flags).toEqual([{ kind: "vif", feature: "c", vif: null, message: "c has the same value for every customer" }]);
    expect(JSON.stringify(constant)).not.toContain("NaN");
  });
});

describe("transformColumns", () => {
  it("applies each column's own transform and names the feature in errors", () => {
    const m = transformColumns(matrixFromRows([[0, 1], [Math.E - 1, 3]]), ["log1p", "standard"], ["a", "b"]);
    expect(Array.from(m.values)).toEqual([0, -1, 1, 1]);
    expect(() => transformColumns(matrixFromRows([[1, 5], [2, 5]]), ["none", "standard"], ["a", "Score"])).toThrow(/Score/);
  });
});

describe("suggestName", () => {
  it("names the (at most two) features furthest from the base", () => {
    const labels = new Map([["i", "income"], ["s", "spend"], ["a", "age"]]);
    expect(suggestName([{ feature: "i", standardisedDifference: 1.2 }, { feature: "s", standardisedDifference: -1.5 }, { feature: "a", standardisedDifference: 0.7 }], labels)).toBe("Low spend, high income");
    expect(suggestName([{ feature: "i", standardisedDifference: 0.2 }], labels)).toBe("Close to average");
  });
});
