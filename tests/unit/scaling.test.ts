/** Feature transforms: hand-worked values and clear errors for constant features and NaN. */
import { describe, expect, it } from "vitest";
import { AnalyticsInputError, featureMatrix, matrixFromRows } from "../../server/analytics/feature-matrix";
import { log1pTransform, robustScale, scaleFeatures, standardise, winsorise } from "../../server/analytics/scaling";
import { median, quantile } from "../../server/analytics/stats-descriptive";

const column = (values: number[]) => featureMatrix(Float64Array.from(values), values.length, 1);

describe("standard scaling", () => {
  it("uses the population standard deviation", () => {
    // [1, 2, 3, 4]: mean 2.5, population variance (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25.
    const { matrix, parameters } = standardise(column([1, 2, 3, 4]));
    const sd = Math.sqrt(1.25);
    [-1.5, -0.5, 0.5, 1.5].forEach((v, i) => expect(matrix.values[i]).toBeCloseTo(v / sd, 14));
    expect(parameters.center?.[0]).toBe(2.5);
    expect(parameters.scale?.[0]).toBeCloseTo(sd, 14);
  });

  it("names a constant feature instead of dividing by zero", () => {
    const m = matrixFromRows([[1, 0.1], [2, 0.1], [3, 0.1]]);
    expect(() => standardise(m, { names: ["Age", "Rate"] })).toThrow(
      "feature 'Rate' is constant (every value is 0.1), so its standard deviation is 0 and it cannot be standardised; leave it out",
    );
    let caught: unknown;
    try {
      standardise(m, { names: ["Age", "Rate"] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AnalyticsInputError);
    expect(caught).toMatchObject({ feature: "Rate" });
  });

  it("names the row and feature of a missing value", () => {
    const m = matrixFromRows([[1, 2], [3, 4], [Number.NaN, 6]]);
    expect(() => standardise(m, { names: ["Income", "Score"] })).toThrow("row 3, feature 'Income': missing value (NaN); every value must be a finite number");
    for (const method of ["none", "log1p", "robust", "winsorise"] as const) {
      expect(() => scaleFeatures(m, method, { names: ["Income", "Score"] })).toThrow(/row 3, feature 'Income': missing value/);
    }
  });
});

describe("other transforms", () => {
  it("type-7 quantiles", () => {
    // [1, 2, 3, 4, 100]: h = 4p; p = 0.25 → x[1] = 2; p = 0.75 → x[3] = 4; p = 0.1 → 1 + 0.4·1 = 1.4.
    expect(quantile([100, 3, 1, 4, 2], 0.25)).toBe(2);
    expect(quantile([100, 3, 1, 4, 2], 0.75)).toBe(4);
    expect(quantile([100, 3, 1, 4, 2], 0.1)).toBeCloseTo(1.4, 14);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("robust scaling: (x − median) / IQR", () => {
    // median 3, IQR 4 − 2 = 2.
    expect(Array.from(robustScale(column([1, 2, 3, 4, 100])).matrix.values)).toEqual([-1, -0.5, 0, 0.5, 48.5]);
    expect(() => robustScale(column([5, 5, 5, 5, 9]), { names: ["Visits"] })).toThrow(/feature 'Visits' has an interquartile range of 0/);
  });

  it("log1p, refusing values ≤ −1", () => {
    const out = log1pTransform(column([0, Math.E - 1, 9])).matrix.values;
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo(1, 14);
    expect(out[2]).toBeCloseTo(Math.log(10), 14);
    expect(() => log1pTransform(column([1, -1]), { names: ["Spend"] })).toThrow("row 2, feature 'Spend': log1p needs values above −1, got -1");
  });

  it("winsorising at chosen quantiles", () => {
    // 1..10 and 100 (n = 11): the 0.1 quantile is x[1] = 2 and the 0.9 quantile x[9] = 10.
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100];
    expect(Array.from(winsorise(column(values), { lower: 0.1, upper: 0.9 }).matrix.values)).toEqual([2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10]);
    expect(() => winsorise(column(values), { lower: 0.9, upper: 0.1 })).toThrow(RangeError);
  });

  it("'none' returns the data unchanged", () => {
    const m = column([3, 1, 2]);
    expect(scaleFeatures(m, "none").matrix).toBe(m);
  });
});
