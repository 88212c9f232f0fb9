/**
 * Latent class analysis (server/analytics/lca.ts): the log-likelihood against a hand computation;
 * k = 1 against its closed form (independent answers: Σ_j Σ_v n_jv ln(n_jv / n)); EM's result
 * against the log-likelihood recomputed at its parameters; recovery of known classes from
 * synthetic survey answers; determinism; BIC/AIC from their definitions; bad input.
 */
import { describe, expect, it } from "vitest";
import { AnalyticsInputError } from "../../server/analytics/feature-matrix";
import { encodeCategories, lca, lcaLogLikelihood, type CategoricalData } from "../../server/analytics/lca";
import { SeededRandom } from "../../server/analytics/seeded-random";
import { adjustedRandIndex } from "../../server/analytics/stability";

describe("lcaLogLikelihood", () => {
  it("equals a hand computation on three rows", () => {
    // Two binary variables, two classes: π = (0.6, 0.4); θ_1 = P(var = 1): class 0 (0.9, 0.2), class 1 (0.1, 0.7).
    const data: CategoricalData = { rows: 3, levels: [2, 2], codes: Int32Array.from([1, 1, 0, 0, 1, 0]) };
    const probabilities = [Float64Array.from([0.1, 0.9, 0.9, 0.1]), Float64Array.from([0.8, 0.2, 0.3, 0.7])];
    // Row (1,1): 0.6·0.9·0.2 + 0.4·0.1·0.7 = 0.108 + 0.028 = 0.136
    // Row (0,0): 0.6·0.1·0.8 + 0.4·0.9·0.3 = 0.048 + 0.108 = 0.156
    // Row (1,0): 0.6·0.9·0.8 + 0.4·0.1·0.3 = 0.432 + 0.012 = 0.444
    expect(lcaLogLikelihood(data, [0.6, 0.4], probabilities)).toBeCloseTo(Math.log(0.136) + Math.log(0.156) + Math.log(0.444), 12);
  });
});

/** Survey answers from two known classes (weights 0.65 / 0.35) over four questions. */
function synthetic(n: number, seed: number) {
  const r = new SeededRandom(seed);
  // P(answer) per class for questions with 2, 3, 2 and 3 options.
  const classes = [
    [[0.9, 0.1], [0.7, 0.2, 0.1], [0.8, 0.2], [0.1, 0.1, 0.8]],
    [[0.2, 0.8], [0.1, 0.2, 0.7], [0.15, 0.85], [0.6, 0.3, 0.1]],
  ];
  const truth: number[] = [];
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const c = r.next() < 0.65 ? 0 : 1;
    truth.push(c);
    rows.push(
      classes[c].map((p, j) => {
        let u = r.next();
        let v = 0;
        while (v < p.length - 1 && u >= p[v]) u -= p[v++];
        return `q${j + 1}-${"abc"[v]}`;
      }),
    );
  }
  return { rows, truth, classes };
}

describe("lca", () => {
  it("k = 1 has the closed-form log-likelihood of independent answers", () => {
    const { rows } = synthetic(500, 3);
    const { data } = encodeCategories(rows, ["q1", "q2", "q3", "q4"]);
    const fit = lca(data, 1, { seed: 1, restarts: 1 });
    let expected = 0;
    for (let j = 0; j < 4; j++) {
      const counts = new Map<string, number>();
      for (const r of rows) counts.set(r[j], (counts.get(r[j]) ?? 0) + 1);
      for (const c of counts.values()) expected += c * Math.log(c / 500);
    }
    expect(fit.logLikelihood).toBeCloseTo(expected, 8);
    expect(fit.parameters).toBe(0 + (1 + 2 + 1 + 2));
  });

  it("recovers two known classes from synthetic survey answers", () => {
    const { rows, truth, classes } = synthetic(3000, 7);
    const { data, categories } = encodeCategories(rows, ["q1", "q2", "q3", "q4"]);
    expect(categories[1]).toEqual(["q2-a", "q2-b", "q2-c"]);
    const fit = lca(data, 2, { seed: 5, restarts: 5 });
    expect(fit.converged).toBe(true);
    // Class 0 is the larger (0.65).
    expect(fit.weights[0]).toBeCloseTo(0.65, 1);
    expect(fit.weights[1]).toBeCloseTo(0.35, 1);
    for (let j = 0; j < 4; j++) {
      const L = data.levels[j];
      for (let c = 0; c < 2; c++) for (let v = 0; v < L; v++) expect(Math.abs(fit.probabilities[j][c * L + v] - classes[c][j][v])).toBeLessThan(0.05);
    }
    expect(adjustedRandIndex(fit.labels, truth)).toBeGreaterThan(0.6);
    // EM's reported LL is the LL at its parameters; BIC and AIC from their definitions.
    expect(lcaLogLikelihood(data, fit.weights, fit.probabilities)).toBeCloseTo(fit.logLikelihood, 6);
    const p = 1 + 2 * (1 + 2 + 1 + 2);
    expect(fit.parameters).toBe(p);
    expect(fit.bic).toBeCloseTo(-2 * fit.logLikelihood + p * Math.log(3000), 9);
    expect(fit.aic).toBeCloseTo(-2 * fit.logLikelihood + 2 * p, 9);
    // BIC prefers the true 2 classes over 1 and 3.
    const bics = [1, 2, 3].map((k) => lca(data, k, { seed: 5, restarts: 5 }).bic);
    expect(bics[1]).toBeLessThan(bics[0]);
    expect(bics[1]).toBeLessThan(bics[2]);
    // Labels are each row's largest posterior; sizes count them.
    expect(fit.sizes.reduce((s, v) => s + v, 0)).toBe(3000);
    for (const m of fit.maxPosterior) expect(m).toBeGreaterThanOrEqual(0.5 - 1e-12);
  });

  it("leaves the symmetric start on many rows (random posteriors would average out and stop at once)", () => {
    const { rows, truth } = synthetic(60_000, 13);
    const { data } = encodeCategories(rows, ["q1", "q2", "q3", "q4"]);
    const fit = lca(data, 2, { seed: 1, restarts: 1 });
    expect(fit.iterations).toBeGreaterThan(5);
    expect(Math.abs(fit.weights[0] - 0.65)).toBeLessThan(0.03);
    expect(adjustedRandIndex(fit.labels, truth)).toBeGreaterThan(0.6);
  });

  it("is deterministic for a seed, and more restarts never lower the log-likelihood", () => {
    const { rows } = synthetic(400, 9);
    const { data } = encodeCategories(rows, ["q1", "q2", "q3", "q4"]);
    const a = lca(data, 3, { seed: 2, restarts: 3 });
    const b = lca(data, 3, { seed: 2, restarts: 3 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.logLikelihood).toBe(b.logLikelihood);
    expect(lca(data, 3, { seed: 2, restarts: 6 }).logLikelihood).toBeGreaterThanOrEqual(a.logLikelihood);
  });

  it("refuses bad input clearly", () => {
    expect(() => lca({ rows: 2, levels: [2], codes: Int32Array.from([0, 2]) }, 1)).toThrow(/Row 2, variable 1: category code 2 is outside 0..1/);
    expect(() => lca({ rows: 1, levels: [2], codes: Int32Array.from([0]) }, 2)).toThrow(AnalyticsInputError);
    const many = Array.from({ length: 30 }, (_, i) => [`v${i}`]);
    expect(() => encodeCategories(many, ["Favourite shop"])).toThrow('"Favourite shop" has 30 different values; latent class analysis takes categorical answers with at most 20.');
  });
});
