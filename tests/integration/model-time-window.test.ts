/**
 * Time-window stability: customers and orders generated here (three kinds: steady big spenders,
 * one-time buyers early in the year, regulars), a k-means run on recency, frequency and spend.
 *
 * Independent checks: the features "as of" the cutoff (only orders before it, recency counted to
 * it) against a computation here from the generated orders; the customers compared are exactly
 * the run's customers with an order before the cutoff; the ARI is that of the stored assignments
 * against a k-means fit (same seed and restarts) of a matrix built and standardised here from
 * those orders; and a run on attributes only says why it has no time window.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { importFile } from "../../db/seed/data-factory";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { featureMatrix } from "../../server/analytics/feature-matrix";
import { kmeans } from "../../server/analytics/kmeans";
import { adjustedRandIndex, clusterwiseJaccard } from "../../server/analytics/stability";
import { featureValues } from "../../server/services/data/features";
import { getModelRun, startModelRun } from "../../server/services/models";
import { windowCutoff } from "../../server/services/models/time-window";
import { runModelRun } from "../../workers/jobs/model-run";
import { jobsFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let t: TestDatabase;
let w: FactoryWorkspace;
const DAY = 86_400_000;

interface Order {
  customer: string;
  invoice: string;
  day: number;
  quantity: number;
  price: number;
}
const orders: Order[] = [];
const customers: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Window Co");
  let seed = 11;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const start = Date.UTC(2011, 0, 1);
  let invoice = 500000;
  for (let i = 0; i < 150; i++) {
    const id = `W${String(i).padStart(4, "0")}`;
    customers.push(id);
    const kind = i % 3;
    const n = kind === 0 ? 6 + Math.floor(rnd() * 6) : kind === 1 ? 1 : 2 + Math.floor(rnd() * 3);
    for (let o = 0; o < n; o++) {
      const day = kind === 1 ? Math.floor(rnd() * 120) : Math.floor(rnd() * 360);
      orders.push({ customer: id, invoice: String(invoice++), day, quantity: kind === 0 ? 10 + Math.floor(rnd() * 10) : 1 + Math.floor(rnd() * 4), price: Math.round((2 + rnd() * 8) * 100) / 100 });
    }
  }
  const custCsv = ["customer_id,name", ...customers.map((c) => `${c},Customer ${c}`)].join("\n");
  const fmt = (day: number) => new Date(start + day * DAY).toISOString().slice(0, 10);
  const orderCsv = [
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country",
    ...orders.map((o) => `${o.invoice},S1,ITEM,${o.quantity},${fmt(o.day)} 10:00:00,${o.price},${o.customer},United Kingdom`),
  ].join("\n");
  const jobs = jobsFor(t.db);
  expect((await importFile(t.db, w.ownerScope, jobs, { kind: "customers", fileName: "c.csv", body: Buffer.from(custCsv) })).outcome).toBe("completed");
  expect((await importFile(t.db, w.ownerScope, jobs, { kind: "transactions", fileName: "o.csv", body: Buffer.from(orderCsv) })).outcome).toBe("completed");
});
afterAll(() => t.drop());

it("featureValues as of a day counts only earlier orders, to that day; without a day it equals the stored features", async () => {
  const stored = await t.ownerQuery<{ customer_id: string; recency_days: number; frequency: number; monetary: number }>(
    "select customer_id, recency_days, frequency, monetary from customer_features where tenant_id = $1",
    [w.tenantId],
  );
  const now = await t.db.withTenant(w.tenantId, (tx) => featureValues(tx, w.tenantId));
  expect(now.customers).toHaveLength(stored.rows.length);
  const byId = new Map(stored.rows.map((r) => [r.customer_id, r]));
  for (const c of now.customers) expect(byId.get(c.customerId)).toMatchObject({ recency_days: c.recencyDays, frequency: c.frequency, monetary: c.monetary });

  const cutoff = "2011-06-01";
  const cut = (Date.parse(`${cutoff}T00:00:00Z`) - Date.UTC(2011, 0, 1)) / DAY;
  const then = await t.db.withTenant(w.tenantId, (tx) => featureValues(tx, w.tenantId, undefined, cutoff));
  expect(then.referenceDate).toBe(cutoff);
  const ids = await t.ownerQuery<{ id: string; external_id: string }>("select id, external_id from customers where tenant_id = $1", [w.tenantId]);
  const external = new Map(ids.rows.map((r) => [r.id, r.external_id]));
  const expected = new Map<string, { recency: number; frequency: number; monetary: number }>();
  for (const c of customers) {
    const before = orders.filter((o) => o.customer === c && o.day < cut);
    if (!before.length) continue;
    const last = Math.max(...before.map((o) => o.day));
    expected.set(c, { recency: cut - last, frequency: before.length, monetary: Math.round(before.reduce((s, o) => s + o.quantity * o.price, 0) * 100) / 100 });
  }
  expect(then.customers).toHaveLength(expected.size);
  for (const c of then.customers) {
    const e = expected.get(external.get(c.customerId)!)!;
    expect({ recency: c.recencyDays, frequency: c.frequency }).toEqual({ recency: e.recency, frequency: e.frequency });
    expect(c.monetary).toBeCloseTo(e.monetary, 6);
  }
});

it("a run stores the time-window stability of its clusters on the data of 90 days earlier", async () => {
  const features = [
    { field: "recency_days" as const, transform: "standard" as const },
    { field: "frequency" as const, transform: "standard" as const },
    { field: "monetary" as const, transform: "log1p" as const },
  ];
  const { runId } = await startModelRun(w.ownerScope, { features, kMin: 3, kMax: 3, seed: 4, restarts: 5 }, jobsFor(t.db));
  expect(await runModelRun(t.db, w.tenantId, runId)).toBe("completed");
  const { run } = await getModelRun(w.ownerScope, { runId });
  const tw = run.stability!.timeWindow!;
  expect(tw.status).toBe("computed");
  if (tw.status !== "computed") return;
  const lastDay = Math.max(...orders.map((o) => o.day));
  const reference = new Date(Date.UTC(2011, 0, 1) + (lastDay + 1) * DAY).toISOString().slice(0, 10);
  expect(run.dataSnapshot!.referenceDate).toBe(reference);
  expect(tw.cutoff).toBe(windowCutoff(reference));
  const cut = lastDay + 1 - 90;
  // The customers compared: every run customer with an order before the cutoff.
  const earlier = customers.filter((c) => orders.some((o) => o.customer === c && o.day < cut));
  expect(tw.customers).toBe(earlier.length);
  expect(tw.windowDays).toBe(90);

  // Rebuild the earlier window here (in the run's row order = customer id order) and re-fit.
  const { rows } = await t.ownerQuery<{ external_id: string; cluster: number }>(
    `select c.external_id, a.cluster from model_run_assignments a join customers c on c.tenant_id = a.tenant_id and c.id = a.customer_id
      where a.run_id = $1 order by c.id`,
    [runId],
  );
  const compared = rows.filter((r) => earlier.includes(r.external_id));
  const x = compared.map((r) => {
    const before = orders.filter((o) => o.customer === r.external_id && o.day < cut);
    return [cut - Math.max(...before.map((o) => o.day)), before.length, Math.log1p(Math.round(before.reduce((s, o) => s + o.quantity * o.price, 0) * 100) / 100)];
  });
  const mean = [0, 1].map((j) => x.reduce((s, v) => s + v[j], 0) / x.length);
  const sd = [0, 1].map((j) => Math.sqrt(x.reduce((s, v) => s + (v[j] - mean[j]) ** 2, 0) / x.length));
  const z = x.map((v) => [(v[0] - mean[0]) / sd[0], (v[1] - mean[1]) / sd[1], v[2]]);
  const refit = await kmeans(featureMatrix(Float64Array.from(z.flat()), z.length, 3), 3, { seed: 4, restarts: 5 });
  const reference0 = compared.map((r) => r.cluster - 1);
  expect(tw.ari).toBeCloseTo(adjustedRandIndex(reference0, refit.labels), 9);
  const jaccards = clusterwiseJaccard(reference0, refit.labels);
  expect(tw.clusters.map((c) => c.jaccard)).toEqual(jaccards.map((j) => expect.closeTo(j.jaccard, 9)));
  for (const c of tw.clusters) expect(c.stable).toBe(c.jaccard >= 0.6);
});

it("a run on attributes only says why it has no time window", async () => {
  const body = await readFile("../shared/data/mall_customers.csv");
  const mall = await makeWorkspace(t.db, "Mall Co");
  await importFile(t.db, mall.ownerScope, jobsFor(t.db), { kind: "customers", fileName: "mall.csv", body }, (m) => ({
    ...m,
    columns: m.columns.map((c) => (c.column === "CustomerID" ? { column: c.column, field: "external_id" } : c)),
  }));
  const { runId } = await startModelRun(
    mall.ownerScope,
    { features: [{ field: "attr:annual_income_k", transform: "standard" }, { field: "attr:spending_score_1_100", transform: "standard" }], kMin: 5, kMax: 5, seed: 1, restarts: 3 },
    jobsFor(t.db),
  );
  expect(await runModelRun(t.db, mall.tenantId, runId)).toBe("completed");
  expect((await getModelRun(mall.ownerScope, { runId })).run.stability!.timeWindow).toEqual({
    status: "skipped",
    reason: "The run uses no purchase-history feature: attributes have no history to go back in.",
  });
});
