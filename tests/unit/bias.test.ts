/**
 * Bias audit statistics (server/analytics/bias.ts) on constructed cases with known ratios,
 * worked by hand, and chi-square values from scipy 1.17.1 (chi2_contingency, correction=False).
 */
import { describe, expect, it } from "vitest";
import { biasFromCounts } from "../../server/analytics/bias";

describe("bias audit of one attribute", () => {
  // A: 50 of 100 selected (rate 0.5); B: 60 of 200 (0.3).
  const twoGroups = [
    { group: "A", n: 100, selected: 50 },
    { group: "B", n: 200, selected: 60 },
  ];

  it("a constructed case with a known ratio: DI 0.6 fails four-fifths", () => {
    const r = biasFromCounts("sex", twoGroups);
    const [a, b] = r.groups;
    expect([a.rate, b.rate]).toEqual([0.5, 0.3]);
    expect(r.maxRateGroup).toBe("A");
    expect(a.diVsMax).toBe(1);
    expect(b.diVsMax).toBeCloseTo(0.6, 15);
    expect([a.failsFourFifths, b.failsFourFifths]).toEqual([false, true]);
    // Shares of the 110 selected: 50/110 and 60/110; of the population 100/300 and 200/300.
    expect(a.shareOfSelected).toBeCloseTo(50 / 110, 15);
    expect(b.shareOfPopulation).toBeCloseTo(2 / 3, 15);
    // No reference group given: parity differences are against the most-selected group (A).
    expect(b.statisticalParityDifference).toBeCloseTo(-0.2, 15);
    expect(b.diVsReference).toBeNull();
    expect(r.minDiVsMax).toBeCloseTo(0.6, 15);
    expect(r.demographicParityRatio).toBeCloseTo(0.6, 15);
    expect(r.demographicParityDifference).toBeCloseTo(0.2, 15);
    expect(r.statisticalParityDifference).toBeCloseTo(-0.2, 15);
    // χ² on [[50, 50], [60, 140]]: column totals 110, 190 of 300; expected 36.667, 63.333, 73.333, 126.667;
    // every |O − E| = 13.333, so χ² = 177.78 · (1/36.667 + 1/63.333 + 1/73.333 + 1/126.667) = 11.4833, df 1,
    // p = erfc(√(χ²/2)) = 0.00070226 (scipy: 11.483253588516746, 0.0007022608401705319).
    expect(r.chi2?.chi2).toBeCloseTo(11.483253588516746, 10);
    expect(r.chi2?.df).toBe(1);
    expect(r.chi2?.p).toBeCloseTo(0.0007022608401705319, 12);
    expect(r.smallGroups).toEqual([]);
  });

  it("against a chosen reference group; a small group is warned about", () => {
    const r = biasFromCounts("sex", [...twoGroups, { group: "C", n: 10, selected: 3 }], "B");
    const c = r.groups[2];
    expect(c.small).toBe(true);
    expect(r.smallGroups).toEqual(["C"]);
    // Reference B (rate 0.3): A 0.5/0.3 = 1.6667, C 0.3/0.3 = 1; SPD of A = +0.2, of C = 0.
    expect(r.groups[0].diVsReference).toBeCloseTo(5 / 3, 14);
    expect(c.diVsReference).toBeCloseTo(1, 14);
    expect(r.groups[0].statisticalParityDifference).toBeCloseTo(0.2, 14);
    // The attribute's SPD: the lowest rate (0.3) minus the reference's (0.3) = 0.
    expect(r.statisticalParityDifference).toBeCloseTo(0, 14);
    // scipy chi2_contingency([[50,50],[60,140],[3,7]], correction=False): 11.697587709447014, p 0.0028833748305161244, dof 2.
    expect(r.chi2?.chi2).toBeCloseTo(11.697587709447014, 10);
    expect(r.chi2?.df).toBe(2);
    expect(r.chi2?.p).toBeCloseTo(0.0028833748305161244, 12);
  });

  it("nobody selected: no ratios, no test, nobody flagged", () => {
    const r = biasFromCounts("age band", [
      { group: "young", n: 40, selected: 0 },
      { group: "old", n: 50, selected: 0 },
    ]);
    expect(r.minDiVsMax).toBeNull();
    expect(r.groups.every((g) => g.diVsMax === null && !g.failsFourFifths)).toBe(true);
    expect(r.chi2).toBeNull();
  });

  it("says what is wrong with bad counts or an unknown reference group", () => {
    expect(() => biasFromCounts("sex", twoGroups, "Z")).toThrow(
      "the reference group 'Z' is not a value of 'sex' (its groups are: A, B)"
    );
    expect(() => biasFromCounts("sex", [{ group: "A", n: 3, selected: 4 }])).toThrow(/'sex' group 'A': selected \(4\)/);
  });
});
