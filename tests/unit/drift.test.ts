/**
 * Drift statistics (server/analytics/drift.ts) on hand-worked cases, textbook tables, a second
 * (naive) implementation and values from scipy 1.17.1 (an independent implementation; the
 * calls are written next to each value).
 */
import { describe, expect, it } from "vitest";
import {
  PSI_FLOOR,
  binShares,
  categoricalDrift,
  chiSquareIndependence,
  driftBand,
  jensenShannonDistance,
  kolmogorovSurvival,
  ksAsymptoticP,
  ksExactP,
  numericDrift,
  psiEdges,
} from "../../server/analytics/drift";
import { chiSquareSurvival } from "../../server/analytics/stats-distributions";
import { radixSortFloat64 } from "../../server/analytics/radix-sort";
import { SeededRandom } from "../../server/analytics/seeded-random";

/** Relative agreement to `sf` significant figures. */
function sameSigFigs(actual: number, expected: number, sf = 3): void {
  expect(Number(actual.toPrecision(sf))).toBe(Number(expected.toPrecision(sf)));
}

/** sup |F_a − F_b| by counting at every value of the pooled sample: O((n + m)²). */
function naiveKs(a: number[], b: number[]): number {
  let d = 0;
  for (const t of [...a, ...b]) {
    const fa = a.filter((x) => x <= t).length / a.length;
    const fb = b.filter((x) => x <= t).length / b.length;
    d = Math.max(d, Math.abs(fa - fb));
  }
  return d;
}

/** P(D ≥ d) by enumerating every split of the pooled ranks 1..n+m into n and m values. */
function enumeratedKsP(n: number, m: number, d: number): number {
  let hits = 0;
  let total = 0;
  const choose = (start: number, picked: number[]) => {
    if (picked.length === n) {
      const a = picked;
      const b = Array.from({ length: n + m }, (_, i) => i).filter((i) => !a.includes(i));
      total++;
      if (naiveKs(a, b) >= d - 1e-12) hits++;
      return;
    }
    for (let i = start; i < n + m; i++) choose(i + 1, [...picked, i]);
  };
  choose(0, []);
  return hits / total;
}

describe("PSI bins and PSI", () => {
  it("fits the bins on the reference's deciles (type 7), closed on the right", () => {
    // 1..10: h = 9k/10, so the k-th decile is 1 + 0.9k: 1.9, 2.8, …, 9.1.
    const ref = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    const edges = psiEdges(ref);
    expect(edges.map((e) => Number(e.toFixed(10)))).toEqual([1.9, 2.8, 3.7, 4.6, 5.5, 6.4, 7.3, 8.2, 9.1]);
    expect(Array.from(binShares(ref, edges))).toEqual(Array(10).fill(0.1));
  });

  it("merges repeated edges (ties) and puts a value equal to an edge in the lower bin", () => {
    // Deciles of [0,0,0,0,0,0,1,2,3,4]: h = 0.9k → 0, 0, 0, 0, 0, 0.4, 1.3, 2.2, 3.1 → edges 0, 0.4, 1.3, 2.2, 3.1.
    const ref = Float64Array.from([0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    const edges = psiEdges(ref);
    expect(edges.map((e) => Number(e.toFixed(10)))).toEqual([0, 0.4, 1.3, 2.2, 3.1]);
    expect(Array.from(binShares(ref, edges))).toEqual([0.6, 0, 0.1, 0.1, 0.1, 0.1]);
    // 0..10: h = k exactly, so the edges are the data values 1..9; a value equal to an edge (0 ≤ 0, 3 ≤ 3)
    // goes to the bin below it: (−∞, 1] holds 0, (2, 3] holds both 3s, (9, ∞) holds 9.5.
    const integers = psiEdges(Float64Array.from({ length: 11 }, (_, i) => i));
    expect(integers).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(binShares(Float64Array.from([0, 3, 3, 9.5]), integers))).toEqual([
      0.25, 0, 0.5, 0, 0, 0, 0, 0, 0, 0.25,
    ]);
  });

  it("identical samples give PSI 0, no drift and zero distances", () => {
    const rng = new SeededRandom(3);
    const x = Float64Array.from({ length: 5000 }, () => rng.next() * 100);
    const r = numericDrift(x, x.slice().reverse());
    expect(r.psi).toBe(0);
    expect(r.band).toBe("none");
    expect(r.ks).toBe(0);
    expect(r.ksP).toBe(1);
    expect(r.jensenShannon).toBe(0);
    expect(r.wassersteinNorm).toBe(0);
  });

  it("a shift of 1 on 1..10: PSI, JS, KS and Wasserstein worked by hand", () => {
    const ref = Array.from({ length: 10 }, (_, i) => i + 1);
    const cur = ref.map((x) => x + 1);
    const r = numericDrift(ref, cur);
    // Current shares over the bins (≤1.9], …, (9.1, ∞): 0 in the first, 0.2 in the last, 0.1 elsewhere.
    expect(r.currentShares.map((s) => Number(s.toFixed(12)))).toEqual([0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2]);
    // PSI = (0.0001 − 0.1)·ln(0.0001/0.1) + (0.2 − 0.1)·ln 2 = 0.0999·6.907755279 + 0.0693147181 = 0.7593994702.
    expect(r.psi).toBeCloseTo(0.0999 * Math.log(1000) + 0.1 * Math.log(2), 12);
    expect(r.psi).toBeCloseTo(0.75939947, 8);
    expect(r.band).toBe("act");
    // JS: m = 0.05 in bin 1, 0.15 in bin 10, 0.1 elsewhere. KL(p‖m) = 0.1·log2(2) + 0.1·log2(2/3) = 0.0415037;
    // KL(q‖m) = 0.2·log2(4/3) = 0.0830075; JSD = ½(0.0415037 + 0.0830075) = 0.0622556; distance √ = 0.2495107.
    expect(r.jensenShannon).toBeCloseTo(Math.sqrt(0.5 * (0.1 + 0.1 * Math.log2(2 / 3) + 0.2 * Math.log2(4 / 3))), 12);
    expect(r.jensenShannon).toBeCloseTo(0.2495107, 6);
    // KS: F_ref − F_cur = 0.1 at every x in 1..10, so D = 0.1, and every path touches |i − j| ≥ 1: p = 1.
    expect(r.ks).toBeCloseTo(0.1, 12);
    expect(r.ksP).toBe(1);
    // W1 = every unit of mass moved by 1 = 1; the reference's population sd is √(99/12) = 2.8722813.
    expect(r.wasserstein).toBeCloseTo(1, 12);
    expect(r.wassersteinNorm).toBeCloseTo(1 / Math.sqrt(99 / 12), 12);
  });

  it("an injected shift crosses the bands: none → watch → act", () => {
    const rng = new SeededRandom(11);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const ref = Float64Array.from({ length: 20_000 }, normal);
    const bands = [0, 0.35, 0.7].map((shift) =>
      numericDrift(
        ref,
        Float64Array.from({ length: 20_000 }, () => normal() + shift)
      )
    );
    expect(bands.map((b) => b.band)).toEqual(["none", "watch", "act"]);
    // A shift of δ sd moves W1 by δ: the normalised Wasserstein reads the shift back.
    expect(bands[2].wassersteinNorm).toBeCloseTo(0.7, 1);
  });

  it("the bands follow the thresholds, which must be ordered", () => {
    expect(driftBand(0.0999)).toBe("none");
    expect(driftBand(0.1)).toBe("watch");
    expect(driftBand(0.25)).toBe("act");
    expect(driftBand(0.15, { watch: 0.2, act: 0.3 })).toBe("none");
    expect(() => driftBand(0.1, { watch: 0.3, act: 0.2 })).toThrow(/watch ≤ act/);
  });

  it("the floor keeps PSI finite when a bin is empty", () => {
    const r = numericDrift([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [100, 100, 100]);
    expect(Number.isFinite(r.psi)).toBe(true);
    expect(r.currentShares[9]).toBe(1);
    // Nine empty bins at the floor, one bin at 1 against 0.1.
    expect(r.psi).toBeCloseTo(9 * (PSI_FLOOR - 0.1) * Math.log(PSI_FLOOR / 0.1) + 0.9 * Math.log(10), 10);
  });

  it("refuses empty or non-finite samples, saying which", () => {
    expect(() => numericDrift([], [1])).toThrow(/reference sample is empty/);
    expect(() => numericDrift([1, 2], [1, Number.NaN])).toThrow(/current sample's value 2 is not a finite number/);
  });
});

describe("Kolmogorov–Smirnov", () => {
  it("D agrees with a naive O(n²) implementation, ties included", () => {
    const rng = new SeededRandom(5);
    for (let trial = 0; trial < 20; trial++) {
      const a = Array.from({ length: 5 + trial * 3 }, () => Math.floor(rng.next() * 12));
      const b = Array.from({ length: 7 + trial * 2 }, () => Math.floor(rng.next() * 15));
      expect(numericDrift(a, b).ks).toBeCloseTo(naiveKs(a, b), 12);
    }
  });

  it("the Kolmogorov distribution matches the table of critical values (λ for α = 0.10, 0.05, 0.01, 0.001)", () => {
    sameSigFigs(kolmogorovSurvival(1.2238), 0.1);
    sameSigFigs(kolmogorovSurvival(1.3581), 0.05);
    sameSigFigs(kolmogorovSurvival(1.6276), 0.01);
    sameSigFigs(kolmogorovSurvival(1.9495), 0.001);
    // Both series agree where they meet (λ = 1.18) and Q(0.5) = 0.9639452 (scipy kstwobign.sf(0.5)).
    expect(kolmogorovSurvival(0.5)).toBeCloseTo(0.9639452436648751, 9);
  });

  it("exact p-values equal complete enumeration of the orderings", () => {
    // n = m = 5, D = 1: only the two orderings with one sample entirely below the other: 2 / C(10, 5) = 2/252.
    expect(ksExactP(1, 5, 5)).toBeCloseTo(2 / 252, 14);
    for (const [n, m] of [
      [5, 5],
      [4, 6],
      [3, 7],
    ]) {
      for (const d of [0.3, 0.5, 0.6, 0.8]) {
        const D = Math.ceil(d * n * m - 1e-9) / (n * m);
        expect(ksExactP(D, n, m), `n=${n} m=${m} D=${D}`).toBeCloseTo(enumeratedKsP(n, m, D), 12);
      }
    }
  });

  it("exact p-values match Massey's table and scipy's exact method", () => {
    // n = m = 10: P(D ≥ 0.6) = 0.0524 (Massey 1951), 0.7 → 0.0123, 0.8 → 0.00206;
    // scipy.stats.ks_2samp(range(10), [x + s for x in range(10)], method="exact") for s = 5.5, 6.5, 7.5.
    expect(ksExactP(0.6, 10, 10)).toBeCloseTo(0.05244755244755244, 12);
    expect(ksExactP(0.7, 10, 10)).toBeCloseTo(0.012340600575894691, 12);
    expect(ksExactP(0.8, 10, 10)).toBeCloseTo(0.002056766762649115, 12);
    // Unequal sizes (scipy ks_2samp exact on the 25 / 20 values below: D = 0.23, p = 0.5286364448145011).
    const a = [
      0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37, 1.77, 1.09, -1.28,
      2.36, 1.31, 1.05, -0.32, -0.4, 1.06, -2.47,
    ];
    const b = [
      2.2, 1.66, 1.38, 0.2, 0.36, 0, 0.96, 1.56, 0.44, 1.5, -0.3, 0.66, 2.31, 3.29, -0.27, -0.37, 0.38, 0.7, 0.52,
      -0.71,
    ];
    const r = numericDrift(a, b);
    expect(r.ks).toBeCloseTo(0.23, 12);
    expect(r.ksMethod).toBe("exact");
    expect(r.ksP).toBeCloseTo(0.5286364448145011, 12);
    // The same pair: scipy wasserstein_distance / np.std(a) = 0.5574411479800556.
    expect(r.wassersteinNorm).toBeCloseTo(0.5574411479800556, 12);
  });

  it("the asymptotic p with Stephens's correction is close to the exact one at n = 1000, m = 900", () => {
    // scipy ks_2samp(range(1000), [1.07x + 10.5 for x < 900], method="exact"): D = 0.0272222, p = 0.8624963.
    const d = 0.02722222222222222;
    expect(ksExactP(d, 1000, 900)).toBeCloseTo(0.8624963067648309, 9);
    // kstwobign.sf((√nₑ + 0.12 + 0.11/√nₑ)·D) = 0.869695179581813 (scipy).
    expect(ksAsymptoticP(d, 1000, 900)).toBeCloseTo(0.869695179581813, 9);
  });

  it("large samples switch to the asymptotic p-value", () => {
    const rng = new SeededRandom(8);
    const x = Float64Array.from({ length: 5000 }, () => rng.next());
    const y = Float64Array.from({ length: 5000 }, () => rng.next() * 1.02);
    const r = numericDrift(x, y);
    expect(r.ksMethod).toBe("asymptotic");
    expect(r.ksP).toBeCloseTo(ksAsymptoticP(r.ks, 5000, 5000), 14);
  });
});

describe("Jensen–Shannon and chi-square", () => {
  it("JS distance of disjoint shares is 1, of equal shares 0, and symmetric", () => {
    expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(1, 14);
    expect(jensenShannonDistance([0.2, 0.8], [0.2, 0.8])).toBe(0);
    expect(jensenShannonDistance([0.1, 0.9], [0.5, 0.5])).toBeCloseTo(
      jensenShannonDistance([0.5, 0.5], [0.1, 0.9]),
      15
    );
  });

  it("chi-square p-values at the textbook critical values of df 1..10 are 0.05 and 0.01", () => {
    const at05 = [3.841, 5.991, 7.815, 9.488, 11.07, 12.592, 14.067, 15.507, 16.919, 18.307];
    const at01 = [6.635, 9.21, 11.345, 13.277, 15.086, 16.812, 18.475, 20.09, 21.666, 23.209];
    at05.forEach((x, i) => sameSigFigs(chiSquareSurvival(x, i + 1), 0.05));
    at01.forEach((x, i) => sameSigFigs(chiSquareSurvival(x, i + 1), 0.01));
  });

  it("categorical drift: chi-square of homogeneity worked by hand", () => {
    // Reference a:10 b:20 c:30, current 20 each. Column totals 30, 40, 50 of 120: expected 15, 20, 25 per row.
    // χ² = 2·(5²/15 + 0 + 5²/25) = 2·(1.6667 + 1) = 5.3333, df 2, p = e^{−χ²/2} = e^{−2.6667} = 0.0694835.
    const r = categoricalDrift(
      new Map([
        ["a", 10],
        ["b", 20],
        ["c", 30],
      ]),
      new Map([
        ["a", 20],
        ["b", 20],
        ["c", 20],
      ])
    );
    expect(r.chi2).toBeCloseTo(16 / 3, 12);
    expect(r.chi2Df).toBe(2);
    expect(r.chi2P).toBeCloseTo(Math.exp(-8 / 3), 12);
    // PSI = (1/3 − 1/6)·ln 2 + 0 + (1/3 − 1/2)·ln(2/3) = 0.1155245 + 0.0675775 = 0.1831020 → watch.
    expect(r.psi).toBeCloseTo((1 / 6) * Math.log(2) + (-1 / 6) * Math.log(2 / 3), 12);
    expect(r.band).toBe("watch");
    // scipy jensenshannon([1/6, 1/3, 1/2], [1/3, 1/3, 1/3], 2) = 0.18036064000662413.
    expect(r.jensenShannon).toBeCloseTo(0.18036064000662413, 12);
  });

  it("a category seen in only one sample is a bin of its own; one category alone has nothing to test", () => {
    const r = categoricalDrift(
      new Map([["x", 50]]),
      new Map([
        ["x", 40],
        ["y", 10],
      ])
    );
    expect(r.categories).toEqual(["x", "y"]);
    expect(r.referenceShares).toEqual([1, 0]);
    const single = categoricalDrift(new Map([["x", 5]]), new Map([["x", 9]]));
    expect([single.psi, single.chi2, single.chi2P]).toEqual([0, 0, 1]);
    expect(
      chiSquareIndependence([
        [3, 0],
        [4, 0],
      ])
    ).toBeNull();
  });
});

describe("radix sort of float64 values", () => {
  it("orders like Float64Array.prototype.sort: negatives, zeros, ties, tiny and huge magnitudes", () => {
    const rng = new SeededRandom(21);
    const specials = [0, -0, 1e-310, -1e-310, 1e300, -1e300, Number.MAX_VALUE, -Number.MAX_VALUE, 0.1, -0.1];
    const x = Float64Array.from({ length: 50_000 }, (_, i) =>
      i % 7 === 0 ? specials[i % specials.length] : i % 3 === 0 ? Math.floor(rng.next() * 20) - 10 : (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 12 - 6),
    );
    const expected = Float64Array.from(x).sort();
    const sorted = radixSortFloat64(x);
    expect(sorted.length).toBe(x.length);
    expect(sorted.every((v, i) => Object.is(v, expected[i]))).toBe(true);
    // The input is left as it was.
    expect(x[0]).toBe(0);
  });
});
