/**
 * Lift intervals (server/analytics/lift.ts) against published and hand-worked values.
 * - Newcombe (1998), Statistics in Medicine 17:873–890, Table II: 56/70 − 48/80 has Wald
 *   interval 0.0575 to 0.3425 (method 1) and hybrid score interval 0.0524 to 0.3339 (method 10);
 *   9/10 − 3/10 has Wald 0.2605 to 0.9395 and hybrid 0.1705 to 0.8090.
 * - R's t.test(extra ~ group, data = sleep) (Welch): t = −1.8608, df = 17.776, p = 0.07939,
 *   95% CI −3.3654832 to 0.2054832.
 */
import { describe, expect, it } from "vitest";
import { conversionLift, conversionVerdict, meanGroup, revenueVerdict, welchLift, wilsonInterval } from "../../server/analytics/lift";

describe("conversion lift", () => {
  it("reproduces Newcombe's Table II examples (Wald and hybrid score)", () => {
    const a = conversionLift({ n: 70, conversions: 56 }, { n: 80, conversions: 48 });
    expect(a.difference).toBeCloseTo(0.2, 12);
    expect(a.wald.low).toBeCloseTo(0.0575, 4);
    expect(a.wald.high).toBeCloseTo(0.3425, 4);
    expect(a.interval.low).toBeCloseTo(0.0524, 4);
    expect(a.interval.high).toBeCloseTo(0.3339, 4);
    expect(a.significant).toBe(true);
    const b = conversionLift({ n: 10, conversions: 9 }, { n: 10, conversions: 3 });
    expect(b.wald.low).toBeCloseTo(0.2605, 4);
    expect(b.wald.high).toBeCloseTo(0.9395, 4);
    expect(b.interval.low).toBeCloseTo(0.1705, 4);
    expect(b.interval.high).toBeCloseTo(0.809, 4);
  });

  it("matches a hand-worked case: 120/1000 treated against 100/1000 holdout", () => {
    // Wald: d = 0.02, se = √(0.12·0.88/1000 + 0.1·0.9/1000) = √0.0001956 = 0.0139857;
    // d ± 1.959964·se = −0.0074114 to 0.0474114. Pooled z: p = 0.11, se = √(0.11·0.89·0.002)
    // = 0.0139929, z = 1.429297, two-sided p = 0.152916.
    const r = conversionLift({ n: 1000, conversions: 120 }, { n: 1000, conversions: 100 });
    expect(r.wald.low).toBeCloseTo(-0.0074114, 6);
    expect(r.wald.high).toBeCloseTo(0.0474114, 6);
    expect(r.pValue).toBeCloseTo(0.152916, 5);
    expect(r.significant).toBe(false);
    expect(r.interval.low).toBeLessThan(0);
    expect(conversionVerdict(r)).toMatch(/^\+2\.0 points \(95% CI −0\.\d to \+4\.\d\): not distinguishable from no effect$/);
  });

  it("the Wilson interval of 0/10 is 0 to z²/(n + z²)", () => {
    const z2 = 1.959963985 ** 2;
    const w = wilsonInterval(0, 10);
    expect(w.low).toBe(0);
    expect(w.high).toBeCloseTo(z2 / (10 + z2), 8);
  });

  it("says which group is bad", () => {
    expect(() => conversionLift({ n: 0, conversions: 0 }, { n: 10, conversions: 1 })).toThrow(/treated group needs at least one customer/);
    expect(() => conversionLift({ n: 10, conversions: 1 }, { n: 10, conversions: 11 })).toThrow(/holdout group's conversions .* from 0 to 10, got 11/);
  });
});

describe("revenue per customer lift (Welch)", () => {
  const group1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
  const group2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

  it("reproduces R's Welch t-test on the sleep data", () => {
    const r = welchLift(meanGroup(group1), meanGroup(group2));
    expect(r.difference).toBeCloseTo(-1.58, 12);
    expect(r.df).toBeCloseTo(17.776, 3);
    expect(r.difference / r.standardError).toBeCloseTo(-1.8608, 4);
    expect(r.pValue).toBeCloseTo(0.07939, 5);
    expect(r.interval.low).toBeCloseTo(-3.3654832, 6);
    expect(r.interval.high).toBeCloseTo(0.2054832, 6);
    expect(revenueVerdict(r)).toBe("−1.58 per customer (95% CI −3.37 to +0.21): not distinguishable from no effect");
  });

  it("matches a hand-worked case with equal variances and sizes (df = 2n − 2)", () => {
    // n = 5 each, s² = 2.5 each: se = √(2.5/5 + 2.5/5) = 1, ν = 1² / (2 · 0.25/4) = 8, t₀.₉₇₅,₈ = 2.306004.
    const r = welchLift(meanGroup([4, 5, 6, 7, 8]), meanGroup([1, 2, 3, 4, 5]));
    expect(r.standardError).toBeCloseTo(1, 14);
    expect(r.df).toBeCloseTo(8, 12);
    expect(r.interval.low).toBeCloseTo(3 - 2.306004, 6);
    expect(r.interval.high).toBeCloseTo(3 + 2.306004, 6);
    expect(r.significant).toBe(true);
    expect(revenueVerdict(r)).toBe("+3.00 per customer (95% CI +0.69 to +5.31): significant");
  });

  it("needs two customers per group", () => {
    expect(() => welchLift(meanGroup([1]), meanGroup([1, 2]))).toThrow(/treated group needs at least two customers/);
  });
});
