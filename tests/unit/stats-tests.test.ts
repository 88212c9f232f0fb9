/**
 * Chi-square survival function (own regularised incomplete gamma) against closed forms and an
 * independent numerical integration; Kruskal-Wallis H on hand-worked examples.
 */
import { describe, expect, it } from "vitest";
import { chiSquareSurvival, logGamma, regularizedGammaP, regularizedGammaQ } from "../../server/analytics/stats-distributions";
import { averageRanks, kruskalWallis } from "../../server/analytics/stats-rank-tests";

/** erfc(z) = (2/√π) ∫_z^∞ e^{−t²} dt by composite Simpson's rule on [z, z + 12] (independent of the library). */
function erfc(z: number): number {
  const steps = 20_000;
  const h = 12 / steps;
  let s = 0;
  for (let i = 0; i <= steps; i++) {
    const t = z + i * h;
    const w = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    s += w * Math.exp(-t * t);
  }
  return ((s * h) / 3) * (2 / Math.sqrt(Math.PI));
}

/** Closed form for even df: Q = e^{−x/2} Σ_{i<df/2} (x/2)^i / i!. */
function evenSurvival(x: number, df: number): number {
  let term = 1;
  let sum = 1;
  for (let i = 1; i < df / 2; i++) {
    term *= x / 2 / i;
    sum += term;
  }
  return Math.exp(-x / 2) * sum;
}

describe("log-gamma and the incomplete gamma functions", () => {
  it("logGamma matches factorials, Γ(1/2) = √π and the reflection formula", () => {
    let factorial = 1;
    for (let n = 1; n <= 25; n++) {
      // Γ(n) = (n − 1)!
      expect(Math.abs(logGamma(n) - Math.log(factorial)), `n=${n}`).toBeLessThan(1e-12 * Math.max(1, Math.log(factorial)));
      factorial *= n;
    }
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    // Γ(x) Γ(1 − x) = π / sin(πx).
    for (const x of [0.1, 0.3, 0.45]) expect(logGamma(x) + logGamma(1 - x)).toBeCloseTo(Math.log(Math.PI / Math.sin(Math.PI * x)), 12);
  });

  it("P + Q = 1 and P(1, x) = 1 − e^{−x}", () => {
    for (const a of [0.5, 1, 2.5, 10, 40]) {
      for (const x of [0.01, 0.5, 1, 3, 10, 50]) {
        expect(regularizedGammaP(a, x) + regularizedGammaQ(a, x)).toBeCloseTo(1, 13);
      }
    }
    for (const x of [0.001, 0.3, 2, 9]) expect(regularizedGammaP(1, x)).toBeCloseTo(-Math.expm1(-x), 14);
    expect(regularizedGammaQ(3, 0)).toBe(1);
    expect(() => regularizedGammaP(0, 1)).toThrow(RangeError);
  });
});

describe("chi-square survival function", () => {
  it("matches the closed form for even degrees of freedom", () => {
    for (const df of [2, 4, 6, 10, 30]) {
      for (const x of [0.1, 1, 2.5, 7.3, 15, 40, 90]) {
        const expected = evenSurvival(x, df);
        expect(Math.abs(chiSquareSurvival(x, df) - expected) / expected, `df=${df} x=${x}`).toBeLessThan(1e-11);
      }
    }
  });

  it("matches erfc (integrated numerically) for df = 1 and df = 3", () => {
    for (const x of [0.05, 0.5, 1, 3.84, 6.63, 12, 25]) {
      const e = erfc(Math.sqrt(x / 2));
      expect(Math.abs(chiSquareSurvival(x, 1) - e) / e, `df=1 x=${x}`).toBeLessThan(1e-9);
      // df = 3: Q = erfc(√(x/2)) + √(2x/π) e^{−x/2}.
      const q3 = e + Math.sqrt((2 * x) / Math.PI) * Math.exp(-x / 2);
      expect(Math.abs(chiSquareSurvival(x, 3) - q3) / q3, `df=3 x=${x}`).toBeLessThan(1e-9);
    }
  });

  it("gives 0.05 at the tabulated 5% critical values (4 significant figures)", () => {
    const table: [number, number][] = [
      [1, 3.841],
      [2, 5.991],
      [3, 7.815],
      [4, 9.488],
      [9, 16.92],
    ];
    for (const [df, critical] of table) expect(chiSquareSurvival(critical, df), `df=${df}`).toBeCloseTo(0.05, 3);
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareSurvival(1e6, 3)).toBe(0);
  });
});

describe("Kruskal-Wallis", () => {
  it("averages tied ranks", () => {
    expect(Array.from(averageRanks([10, 20, 20, 5, 20]))).toEqual([2, 4, 4, 1, 4]);
  });

  it("computes H without ties (worked by hand)", () => {
    /*
     * Groups {1, 2, 3} and {4, 5, 6}: ranks are the values; R = 6 and 15, N = 6.
     * H = 12/(6·7) · (36/3 + 225/3) − 3·7 = (2/7)·87 − 21 = 27/7. df = 1.
     */
    const r = kruskalWallis([1, 2, 3, 4, 5, 6], [0, 0, 0, 1, 1, 1]);
    expect(r.statistic).toBeCloseTo(27 / 7, 12);
    expect(r.df).toBe(1);
    expect(r.pValue).toBeCloseTo(erfc(Math.sqrt(27 / 14)), 9);
  });

  it("corrects for ties (worked by hand)", () => {
    /*
     * Groups {1, 2, 2} and {2, 3, 4}: sorted 1 2 2 2 3 4, ranks 1, 3, 3, 3, 5, 6.
     * R = 1+3+3 = 7 and 3+5+6 = 14; H = (2/7)·(49/3 + 196/3) − 21 = 7/3.
     * One tie group of 3: C = 1 − (27 − 3)/(216 − 6) = 31/35; H = (7/3)/(31/35) = 245/93.
     */
    const r = kruskalWallis([1, 2, 2, 2, 3, 4], [0, 0, 0, 1, 1, 1]);
    expect(r.statistic).toBeCloseTo(245 / 93, 12);
    expect(r.pValue).toBeCloseTo(erfc(Math.sqrt(245 / 186)), 9);
  });

  it("uses g − 1 degrees of freedom and handles all-equal values", () => {
    /*
     * Three groups {1,2}, {3,4}, {5,6}: R = 3, 7, 11; H = 12/42 · (9 + 49 + 121)/2 − 21
     * = (2/7)(89.5) − 21 = 179/7 − 147/7 = 32/7; df = 2, p = e^{−H/2}.
     */
    const r = kruskalWallis([1, 2, 3, 4, 5, 6], [0, 0, 1, 1, 2, 2]);
    expect(r.statistic).toBeCloseTo(32 / 7, 12);
    expect(r.df).toBe(2);
    expect(r.pValue).toBeCloseTo(Math.exp(-16 / 7), 12);
    expect(kruskalWallis([4, 4, 4, 4], [0, 0, 1, 1])).toEqual({ statistic: 0, df: 1, pValue: 1 });
    expect(() => kruskalWallis([1, 2], [0, 0])).toThrow(/at least two non-empty groups/);
  });
});
