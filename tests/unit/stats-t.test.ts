/**
 * Student-t and normal distributions (server/analytics/stats-t.ts) against printed tables:
 * t quantiles from the standard two-sided t table (e.g. Abramowitz & Stegun Table 26.10,
 * NIST/SEMATECH e-Handbook 1.3.6.7.2) to the digits printed there, closed forms for the
 * incomplete beta and the t distribution with 1, 2 and 4 degrees of freedom.
 */
import { describe, expect, it } from "vitest";
import { normalCdf, normalQuantile, regularizedBeta, studentTCdf, studentTQuantile, studentTSurvival } from "../../server/analytics/stats-t";

describe("regularised incomplete beta", () => {
  it("matches closed forms", () => {
    // I_x(1, 1) = x; I_x(a, 1) = x^a; I_0.5(2, 3) = 11/16 (sum of binomial terms).
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(regularizedBeta(0.7, 3, 1)).toBeCloseTo(0.343, 14);
    expect(regularizedBeta(0.5, 2, 3)).toBeCloseTo(11 / 16, 14);
    // Symmetry I_x(a, b) = 1 − I_{1−x}(b, a), across both branches of the continued fraction.
    expect(regularizedBeta(0.9, 2.5, 7) + regularizedBeta(0.1, 7, 2.5)).toBeCloseTo(1, 14);
  });

  it("names a bad argument", () => {
    expect(() => regularizedBeta(1.2, 1, 1)).toThrow(/0 ≤ x ≤ 1, got 1.2/);
    expect(() => regularizedBeta(0.5, 0, 1)).toThrow(/a, b > 0/);
  });
});

describe("Student-t distribution", () => {
  it("has the closed-form CDFs of 1, 2 and 4 degrees of freedom", () => {
    for (const t of [-3, -0.5, 0, 0.7, 2, 10]) {
      // ν = 1 (Cauchy): ½ + atan(t)/π; ν = 2: ½ + t / (2√(2 + t²)).
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 13);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 13);
    }
    // ν = 4: P(T > t) = ½ − (3/4)·s·(1 − s²/3), s = t/√(4 + t²). At t = 2: s = 1/√2.
    const s = 1 / Math.SQRT2;
    expect(studentTSurvival(2, 4)).toBeCloseTo(0.5 - 0.75 * s * (1 - (s * s) / 3), 14);
  });

  it("gives the two-sided 95%, one-sided 95% and 99% quantiles of the t table", () => {
    const table: [p: number, df: number, t: number][] = [
      [0.975, 1, 12.706],
      [0.975, 2, 4.303],
      [0.975, 5, 2.571],
      [0.975, 10, 2.228],
      [0.975, 30, 2.042],
      [0.975, 120, 1.98],
      [0.95, 10, 1.812],
      [0.95, 60, 1.671],
      [0.995, 20, 2.845],
      [0.9995, 3, 12.924],
    ];
    for (const [p, df, t] of table) expect(studentTQuantile(p, df)).toBeCloseTo(t, 3);
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.228, 3);
    // Exact for ν = 2: t_p = (2p − 1) √(2 / (4p(1 − p))).
    expect(studentTQuantile(0.9, 2)).toBeCloseTo(0.8 * Math.sqrt(2 / (4 * 0.9 * 0.1)), 12);
    // Large ν tends to the normal quantile.
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 5);
  });

  it("inverts its own CDF for fractional degrees of freedom (Welch–Satterthwaite)", () => {
    for (const df of [1.5, 17.776, 250.3]) {
      for (const p of [0.6, 0.975, 0.9999]) expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 12);
    }
  });
});

describe("standard normal", () => {
  it("gives the usual quantiles and CDF values", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 9);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829304, 9);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 9);
    // Φ(−5) = 2.8665157e-7 (table of the normal tail), kept relative in the far tail.
    expect(normalCdf(-5) / 2.8665157187919391e-7).toBeCloseTo(1, 9);
  });
});
