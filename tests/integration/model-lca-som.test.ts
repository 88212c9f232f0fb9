/**
 * Latent class analysis and self-organizing maps as model runs, through the job.
 *
 * LCA: survey answers generated here from two known classes are imported as category attributes;
 * the run recommends k by BIC, its classes match the known ones, its stored log-likelihood is
 * recomputed here from the stored probabilities and the answers, and the profiles' shares are
 * counted here from the assignments.
 *
 * SOM: the mall customers on income and spending; every customer's stored cluster is the cluster
 * of its best-matching node, found here from the stored node weights on data standardised here.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importFile } from "../../db/seed/data-factory";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { SeededRandom } from "../../server/analytics/seeded-random";
import { adjustedRandIndex } from "../../server/analytics/stability";
import { getModelRun, startModelRun } from "../../server/services/models";
import { runModelRun } from "../../workers/jobs/model-run";
import { jobsFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let t: TestDatabase;
let survey: FactoryWorkspace;
let mall: FactoryWorkspace;

const QUESTIONS = ["channel", "price", "eco"] as const;
const OPTIONS: Record<(typeof QUESTIONS)[number], string[]> = { channel: ["online", "shop", "phone"], price: ["budget", "premium"], eco: ["yes", "no", "unsure"] };
const CLASSES = [
  { weight: 0.6, p: { channel: [0.8, 0.15, 0.05], price: [0.85, 0.15], eco: [0.2, 0.7, 0.1] } },
  { weight: 0.4, p: { channel: [0.1, 0.7, 0.2], price: [0.1, 0.9], eco: [0.8, 0.1, 0.1] } },
];
const people: { id: string; truth: number; answers: Record<string, string> }[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  survey = await makeWorkspace(t.db, "Survey Co");
  const r = new SeededRandom(21);
  const draw = (p: number[]) => {
    let u = r.next();
    let v = 0;
    while (v < p.length - 1 && u >= p[v]) u -= p[v++];
    return v;
  };
  for (let i = 0; i < 600; i++) {
    const truth = r.next() < 0.6 ? 0 : 1;
    const answers = Object.fromEntries(QUESTIONS.map((q) => [q, OPTIONS[q][draw(CLASSES[truth].p[q])]]));
    people.push({ id: `S${String(i).padStart(4, "0")}`, truth, answers });
  }
  const csv = ["customer_id,name,channel,price,eco", ...people.map((p) => `${p.id},Person ${p.id},${p.answers.channel},${p.answers.price},${p.answers.eco}`)].join("\n");
  expect((await importFile(t.db, survey.ownerScope, jobsFor(t.db), { kind: "customers", fileName: "survey.csv", body: Buffer.from(csv) })).outcome).toBe("completed");
  mall = await makeWorkspace(t.db, "Mall Co");
  const body = await readFile("../shared/data/mall_customers.csv");
  await importFile(t.db, mall.ownerScope, jobsFor(t.db), { kind: "customers", fileName: "mall.csv", body }, (m) => ({
    ...m,
    columns: m.columns.map((c) => (c.column === "CustomerID" ? { column: c.column, field: "external_id" } : c)),
  }));
});
afterAll(() => t.drop());

describe("a latent class run", () => {
  it("finds the two known classes in survey answers, with the likelihood and shares recomputed here", async () => {
    const features = QUESTIONS.map((q) => ({ field: `attr:${q}` as const, transform: "none" as const }));
    const { runId } = await startModelRun(survey.ownerScope, { features, kMin: 2, kMax: 4, seed: 3, restarts: 5, algorithm: "lca" }, jobsFor(t.db));
    expect(await runModelRun(t.db, survey.tenantId, runId)).toBe("completed");
    const got = await getModelRun(survey.ownerScope, { runId });
    const lca = got.run.params.lcaResults!;
    expect(lca.map((m) => m.k)).toEqual([2, 3, 4]);
    const best = lca.reduce((a, b) => (b.bic < a.bic ? b : a));
    expect(got.run.chosenK).toBe(best.k);
    expect(best.k).toBe(2);
    expect(got.recommendation?.reason).toMatch(/lowest BIC of the latent class model/);

    // Known classes: class 1 is the larger (0.6).
    const { rows } = await t.ownerQuery<{ external_id: string; cluster: number }>(
      `select c.external_id, a.cluster from model_run_assignments a join customers c on c.tenant_id = a.tenant_id and c.id = a.customer_id where a.run_id = $1`,
      [runId],
    );
    const stored = new Map(rows.map((r) => [r.external_id, r.cluster]));
    expect(stored.size).toBe(600);
    expect(adjustedRandIndex(people.map((p) => stored.get(p.id)!), people.map((p) => p.truth))).toBeGreaterThan(0.5);
    const two = lca.find((m) => m.k === 2)!;
    expect(two.weights[0]).toBeCloseTo(0.6, 1);
    for (const q of QUESTIONS) {
      const entry = two.probabilities.find((p) => p.field === `attr:${q}`)!;
      expect(entry.categories).toEqual([...OPTIONS[q]].sort());
      for (let c = 0; c < 2; c++) {
        entry.categories.forEach((cat, v) => expect(Math.abs(entry.p[c][v] - CLASSES[c].p[q][OPTIONS[q].indexOf(cat)])).toBeLessThan(0.08));
      }
    }
    // The stored log-likelihood from the stored parameters and the answers.
    let ll = 0;
    for (const p of people) {
      let sum = 0;
      for (let c = 0; c < 2; c++) {
        let prod = two.weights[c];
        for (const q of QUESTIONS) {
          const entry = two.probabilities.find((e) => e.field === `attr:${q}`)!;
          prod *= entry.p[c][entry.categories.indexOf(p.answers[q])];
        }
        sum += prod;
      }
      ll += Math.log(sum);
    }
    expect(two.logLikelihood).toBeCloseTo(ll, 6);
    expect(two.bic).toBeCloseTo(-2 * ll + (1 + 2 * (2 + 1 + 2)) * Math.log(600), 5);

    // Profiles: the share of each answer in each class, counted here.
    const profile = got.clusters.filter((c) => c.k === 2);
    expect(profile.map((c) => c.cluster)).toEqual([1, 2]);
    for (const c of profile) {
      const members = people.filter((p) => stored.get(p.id) === c.cluster);
      expect(c.size).toBe(members.length);
      const online = c.profile.find((f) => f.feature === "attr:channel=online")!;
      expect(online.mean).toBeCloseTo(members.filter((m) => m.answers.channel === "online").length / members.length, 12);
    }
    expect(got.run.explanation).toBeNull();
    expect(got.run.stability).toMatchObject({ refitAlgorithm: "lca", timeWindow: { status: "skipped" } });
  });

  it("refuses numeric features for latent class analysis and categorical ones for the others", async () => {
    const jobs = jobsFor(t.db);
    await expect(startModelRun(survey.ownerScope, { features: [{ field: "frequency" }], kMin: 2, kMax: 3, algorithm: "lca" }, jobs)).rejects.toThrow(
      /frequency is numeric; latent class analysis takes categorical answers/,
    );
    await expect(startModelRun(survey.ownerScope, { features: [{ field: "region" }], kMin: 2, kMax: 3 }, jobs)).rejects.toThrow(
      /region is categorical; choose latent class analysis for categorical answers/,
    );
    await expect(startModelRun(survey.ownerScope, { features: [{ field: "attr:nope" }], kMin: 2, kMax: 3, algorithm: "lca" }, jobs)).rejects.toThrow(
      /"attr:nope" is not a categorical field of this workspace/,
    );
  });
});

describe("a self-organizing map run", () => {
  it("gives every mall customer the cluster of its best-matching node, found here from the stored map", async () => {
    const { runId } = await startModelRun(
      mall.ownerScope,
      {
        features: [
          { field: "attr:annual_income_k", transform: "standard" },
          { field: "attr:spending_score_1_100", transform: "standard" },
        ],
        kMin: 3,
        kMax: 6,
        seed: 5,
        restarts: 5,
        algorithm: "som",
      },
      jobsFor(t.db),
    );
    expect(await runModelRun(t.db, mall.tenantId, runId)).toBe("completed");
    const got = await getModelRun(mall.ownerScope, { runId });
    const som = got.run.params.somResult!;
    expect(som).toMatchObject({ rows: 8, cols: 8 });
    expect(som.weights).toHaveLength(64);
    expect(som.hits.reduce((s, h) => s + h, 0)).toBe(200);
    const k = got.run.chosenK!;
    expect(new Set(som.nodeClusters).size).toBe(k);

    const lines = (await readFile("../shared/data/mall_customers.csv", "utf8")).trim().split(/\r?\n/).slice(1).map((l) => l.split(","));
    const x = lines.map((r) => [Number(r[3]), Number(r[4])]);
    const mean = [0, 1].map((j) => x.reduce((s, v) => s + v[j], 0) / x.length);
    const sd = [0, 1].map((j) => Math.sqrt(x.reduce((s, v) => s + (v[j] - mean[j]) ** 2, 0) / x.length));
    const { rows } = await t.ownerQuery<{ external_id: string; cluster: number }>(
      `select c.external_id, a.cluster from model_run_assignments a join customers c on c.tenant_id = a.tenant_id and c.id = a.customer_id where a.run_id = $1`,
      [runId],
    );
    const stored = new Map(rows.map((r) => [r.external_id, r.cluster]));
    let qe = 0;
    const hits = new Array(64).fill(0);
    lines.forEach((r, i) => {
      const z = x[i].map((v, j) => (v - mean[j]) / sd[j]);
      const dist = som.weights.map((w) => Math.hypot(z[0] - w[0], z[1] - w[1]));
      const bmu = dist.indexOf(Math.min(...dist));
      hits[bmu]++;
      qe += dist[bmu];
      expect(stored.get(r[0])).toBe(som.nodeClusters[bmu]);
    });
    expect(som.hits).toEqual(hits);
    expect(som.quantisationError).toBeCloseTo(qe / 200, 9);
    expect(got.run.stability).toMatchObject({ refitAlgorithm: "som", timeWindow: { status: "skipped" } });
  });
});
