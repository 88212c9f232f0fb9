/**
 * Business-rule constraints on model runs, on the mall customers: a fixed group "High earners"
 * (annual income > 100k) is assigned by its rule and left out of fitting; the rest are clustered
 * exactly as they would be without them.
 *
 * Independent checks: the fixed group's members are the CSV rows with income > 100 (read here from
 * the file); the remaining customers' k = 5 inertia equals a naive inertia on data standardised
 * here with the textbook formula over those customers only; and their labels equal a fit of the
 * same pipeline on just those rows (the definition of "clustered as without them").
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { importFile } from "../../db/seed/data-factory";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { featureMatrix } from "../../server/analytics/feature-matrix";
import { fitModel, getModelRun, startModelRun, transformColumns } from "../../server/services/models";
import { previewDefinition } from "../../server/services/segments";
import { runModelRun } from "../../workers/jobs/model-run";
import { jobsFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let t: TestDatabase;
let w: FactoryWorkspace;
const MALL = "../shared/data/mall_customers.csv";
const FEATURES = [
  { field: "attr:annual_income_k" as const, transform: "standard" as const },
  { field: "attr:spending_score_1_100" as const, transform: "standard" as const },
];
const HIGH_EARNERS = {
  name: "High earners",
  rules: { combinator: "and" as const, children: [{ op: "gt" as const, field: "attr:annual_income_k" as const, value: 100 }] },
};

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Mall Co");
  const body = await readFile(MALL);
  const r = await importFile(t.db, w.ownerScope, jobsFor(t.db), { kind: "customers", fileName: "mall_customers.csv", body }, (m) => ({
    ...m,
    columns: m.columns.map((c) => (c.column === "CustomerID" ? { column: c.column, field: "external_id" } : c)),
  }));
  expect(r.outcome).toBe("completed");
});
afterAll(() => t.drop());

async function mallRows() {
  const lines = (await readFile(MALL, "utf8")).trim().split(/\r?\n/).slice(1);
  return lines.map((l) => l.split(",")).map((r) => ({ id: r[0], income: Number(r[3]), spending: Number(r[4]) }));
}

it("puts exactly the rule's customers in the named fixed group after the fitted clusters, and clusters the rest as without them", async () => {
  const { runId } = await startModelRun(w.ownerScope, { features: FEATURES, kMin: 4, kMax: 6, seed: 3, restarts: 10, constraints: [HIGH_EARNERS] }, jobsFor(t.db));
  expect(await runModelRun(t.db, w.tenantId, runId)).toBe("completed");
  const got = await getModelRun(w.ownerScope, { runId });
  const k = got.run.chosenK!;
  expect(got.run.n).toBe(200);
  const mall = await mallRows();
  const high = new Set(mall.filter((r) => r.income > 100).map((r) => r.id));
  expect(high.size).toBe(14);
  expect(got.run.params.constraintGroups).toEqual([{ name: "High earners", cluster: k + 1, size: 14 }]);

  const { rows } = await t.ownerQuery<{ external_id: string; id: string; cluster: number }>(
    `select c.external_id, c.id, a.cluster from model_run_assignments a join customers c on c.tenant_id = a.tenant_id and c.id = a.customer_id
      where a.run_id = $1 order by c.id`,
    [runId],
  );
  expect(rows).toHaveLength(200);
  // Exactly the rule's matches are in the fixed group, and none of them in a fitted cluster.
  expect(new Set(rows.filter((r) => r.cluster === k + 1).map((r) => r.external_id))).toEqual(high);
  for (const r of rows) if (high.has(r.external_id)) expect(r.cluster).toBe(k + 1);
  for (const r of rows) if (!high.has(r.external_id)) expect(r.cluster).toBeLessThanOrEqual(k);

  // Every k's profiles list the fixed group last, named, with its 14 customers; sizes include it.
  for (const res of got.results) {
    const ofK = got.clusters.filter((c) => c.k === res.k);
    expect(ofK.map((c) => c.cluster)).toEqual(Array.from({ length: res.k + 1 }, (_, i) => i + 1));
    expect(ofK.at(-1)).toMatchObject({ cluster: res.k + 1, size: 14, suggestedName: "High earners" });
    expect(res.sizes).toHaveLength(res.k + 1);
    expect(res.sizes.at(-1)).toBe(14);
    expect(res.sizes.slice(0, -1).reduce((s, v) => s + v, 0)).toBe(186);
  }
  // Its mean income (profile, original units) is that of the 14 rows in the file.
  const incomeMean = [...high].reduce((s, id) => s + mall.find((r) => r.id === id)!.income, 0) / 14;
  const groupProfile = got.clusters.find((c) => c.k === k && c.cluster === k + 1)!.profile;
  expect(groupProfile.find((p) => p.feature === "attr:annual_income_k")!.mean).toBeCloseTo(incomeMean, 9);

  // The rest: the naive inertia of the stored labels on textbook-standardised data of those 186 customers only.
  const byId = new Map(mall.map((r) => [r.id, r]));
  const rest = rows.filter((r) => !high.has(r.external_id));
  const x = rest.map((r) => [byId.get(r.external_id)!.income, byId.get(r.external_id)!.spending]);
  const mean = [0, 1].map((j) => x.reduce((s, v) => s + v[j], 0) / x.length);
  const sd = [0, 1].map((j) => Math.sqrt(x.reduce((s, v) => s + (v[j] - mean[j]) ** 2, 0) / x.length));
  const z = x.map((v) => v.map((u, j) => (u - mean[j]) / sd[j]));
  let inertia = 0;
  for (const c of new Set(rest.map((r) => r.cluster))) {
    const members = z.filter((_, i) => rest[i].cluster === c);
    const m = [0, 1].map((j) => members.reduce((s, v) => s + v[j], 0) / members.length);
    for (const v of members) inertia += (v[0] - m[0]) ** 2 + (v[1] - m[1]) ** 2;
  }
  expect(got.results.find((r) => r.k === k)!.inertia).toBeCloseTo(inertia, 6);

  // "As without them": the same pipeline on just those 186 rows (same order, seed, restarts) gives the same labels and metrics.
  const raw = featureMatrix(Float64Array.from(x.flat()), x.length, 2);
  const alone = await fitModel(raw, transformColumns(raw, ["standard", "standard"], ["income", "spending"]), FEATURES.map((f) => f.field), new Map(), {
    ks: [4, 5, 6],
    seed: 3,
    restarts: 10,
  });
  expect(alone.recommendation.k).toBe(k);
  expect(Array.from(alone.labels.get(k)!, (l) => l + 1)).toEqual(rest.map((r) => r.cluster));
  for (const e of alone.evaluations) {
    const stored = got.results.find((r) => r.k === e.k)!;
    expect(stored.silhouette).toBeCloseTo(e.silhouette, 12);
    expect(stored.sizes.slice(0, -1)).toEqual(e.sizes);
  }
  // Stability is of the fitted clusters only.
  expect(got.run.stability!.clusters.map((c) => c.cluster)).toEqual(Array.from({ length: k }, (_, i) => i + 1));

  // The fixed group is usable in segment rules: "in cluster k + 1" selects exactly the 14.
  const preview = await previewDefinition(w.ownerScope, { rules: { combinator: "and", children: [{ op: "in_cluster", modelRunId: runId, cluster: k + 1 }] } });
  expect(preview.matching).toBe(14);
});

it("the first matching fixed group wins, and a group nobody matches is empty", async () => {
  const lowSpenders = { name: "Low spenders", rules: { combinator: "and" as const, children: [{ op: "lt" as const, field: "attr:spending_score_1_100" as const, value: 20 }] } };
  const nobody = { name: "Nobody", rules: { combinator: "and" as const, children: [{ op: "gt" as const, field: "attr:annual_income_k" as const, value: 1000 }] } };
  const { runId } = await startModelRun(w.ownerScope, { features: FEATURES, kMin: 3, kMax: 3, seed: 1, restarts: 4, constraints: [HIGH_EARNERS, lowSpenders, nobody] }, jobsFor(t.db));
  expect(await runModelRun(t.db, w.tenantId, runId)).toBe("completed");
  const got = await getModelRun(w.ownerScope, { runId });
  const mall = await mallRows();
  const high = mall.filter((r) => r.income > 100).length;
  const lowOnly = mall.filter((r) => r.income <= 100 && r.spending < 20).length;
  expect(got.run.params.constraintGroups).toEqual([
    { name: "High earners", cluster: 4, size: high },
    { name: "Low spenders", cluster: 5, size: lowOnly },
    { name: "Nobody", cluster: 6, size: 0 },
  ]);
  expect(got.results[0].sizes).toHaveLength(6);
  expect(got.results[0].sizes.slice(3)).toEqual([high, lowOnly, 0]);
  // An empty group has no profile row (no customer to describe).
  expect(got.clusters.map((c) => c.suggestedName).slice(3)).toEqual(["High earners", "Low spenders"]);
});

it("refuses constraints that cannot work, saying which group and why", async () => {
  const jobs = jobsFor(t.db);
  const base = { features: FEATURES, kMin: 2, kMax: 3, seed: 1, restarts: 2 };
  await expect(
    startModelRun(w.ownerScope, { ...base, constraints: [{ name: "By age", rules: { combinator: "and", children: [{ op: "gt", field: "attr:age", value: 60 }] } }] }, jobs),
  ).rejects.toThrow(/Fixed group "By age": 'age' is a protected attribute/);
  await expect(startModelRun(w.ownerScope, { ...base, constraints: [HIGH_EARNERS, { ...HIGH_EARNERS, name: "high EARNERS" }] }, jobs)).rejects.toThrow(
    /two fixed groups have the same name/,
  );
  await expect(startModelRun(w.ownerScope, { ...base, constraints: [{ ...HIGH_EARNERS, name: "  " }] }, jobs)).rejects.toThrow(/give the fixed group a name/);
  await expect(startModelRun(w.ownerScope, { ...base, kMax: 14, constraints: [HIGH_EARNERS, { ...HIGH_EARNERS, name: "Two" }] }, jobs)).rejects.toThrow(
    /the largest k plus the 2 fixed groups must not exceed 15 clusters/,
  );
  // Everyone in a fixed group: nothing left to cluster, said in words.
  const all = { name: "Everyone", rules: { combinator: "and" as const, children: [{ op: "gte" as const, field: "attr:annual_income_k" as const, value: 0 }] } };
  const { runId } = await startModelRun(w.ownerScope, { ...base, constraints: [all] }, jobs);
  expect(await runModelRun(t.db, w.tenantId, runId)).toBe("failed");
  expect((await getModelRun(w.ownerScope, { runId })).run.error).toMatch(/No customer has all the chosen features and falls in no fixed group; k=3 needs at least 4/);
});
