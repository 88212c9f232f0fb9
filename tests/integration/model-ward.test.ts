/**
 * A Ward model run on the mall customers, through the job: the stored clusters at k = 3..5 are
 * those of a naive Ward written here from the definition (merge the pair whose union increases
 * the within-cluster sum of squares least) on income and spending standardised here with the
 * textbook formula; inertia per k as computed here; the stored dendrogram top ends with the
 * naive's last merge heights; stability re-fits Ward trees.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { importFile } from "../../db/seed/data-factory";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { adjustedRandIndex } from "../../server/analytics/stability";
import { getModelRun, startModelRun } from "../../server/services/models";
import { runModelRun } from "../../workers/jobs/model-run";
import { jobsFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let t: TestDatabase;
let w: FactoryWorkspace;
const MALL = "../shared/data/mall_customers.csv";

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

/** Naive Ward on rows: partitions (by row) at the ks asked for, and every merge height. */
function naiveWard(rows: number[][], ks: number[]) {
  let clusters = rows.map((_, i) => [i]);
  const sse = (ids: number[]) => {
    const m = rows[0].map((_, t) => ids.reduce((s, i) => s + rows[i][t], 0) / ids.length);
    return ids.reduce((s, i) => s + rows[i].reduce((u, v, t) => u + (v - m[t]) ** 2, 0), 0);
  };
  const own = clusters.map(sse);
  let sseOf = new Map(clusters.map((c, j) => [c, own[j]]));
  const heights: number[] = [];
  const partitions = new Map<number, number[]>();
  while (clusters.length > 1) {
    let best = [0, 1];
    let bestCost = Infinity;
    for (let p = 0; p < clusters.length; p++) {
      for (let q = p + 1; q < clusters.length; q++) {
        const cost = sse([...clusters[p], ...clusters[q]]) - sseOf.get(clusters[p])! - sseOf.get(clusters[q])!;
        if (cost < bestCost - 1e-12) (bestCost = cost), (best = [p, q]);
      }
    }
    const merged = [...clusters[best[0]], ...clusters[best[1]]];
    clusters = clusters.filter((_, j) => j !== best[0] && j !== best[1]).concat([merged]);
    sseOf = new Map([...sseOf, [merged, sse(merged)]]);
    heights.push(Math.sqrt(2 * Math.max(0, bestCost)));
    if (ks.includes(clusters.length)) {
      const labels = new Array<number>(rows.length);
      clusters.forEach((c, j) => c.forEach((i) => (labels[i] = j)));
      partitions.set(clusters.length, labels);
    }
  }
  return { heights, partitions };
}

it("a Ward run on the mall customers stores the naive Ward clusters, inertia and top merges, and re-fits Ward trees for stability", async () => {
  const { runId } = await startModelRun(
    w.ownerScope,
    {
      features: [
        { field: "attr:annual_income_k", transform: "standard" },
        { field: "attr:spending_score_1_100", transform: "standard" },
      ],
      kMin: 3,
      kMax: 5,
      seed: 2,
      restarts: 1,
      algorithm: "ward",
    },
    jobsFor(t.db),
  );
  expect(await runModelRun(t.db, w.tenantId, runId)).toBe("completed");
  const got = await getModelRun(w.ownerScope, { runId });
  expect(got.run.algorithm).toBe("ward");
  const k = got.run.chosenK!;
  expect(got.results.map((r) => r.k)).toEqual([3, 4, 5]);

  const lines = (await readFile(MALL, "utf8")).trim().split(/\r?\n/).slice(1).map((l) => l.split(","));
  const x = lines.map((r) => [Number(r[3]), Number(r[4])]);
  const mean = [0, 1].map((j) => x.reduce((s, v) => s + v[j], 0) / x.length);
  const sd = [0, 1].map((j) => Math.sqrt(x.reduce((s, v) => s + (v[j] - mean[j]) ** 2, 0) / x.length));
  const z = x.map((v) => v.map((u, j) => (u - mean[j]) / sd[j]));
  const naive = naiveWard(z, [3, 4, 5]);

  // Inertia per k: the naive partition's within-cluster sum of squares.
  for (const kk of [3, 4, 5]) {
    const labels = naive.partitions.get(kk)!;
    let inertia = 0;
    for (const c of new Set(labels)) {
      const members = z.filter((_, i) => labels[i] === c);
      const m = [0, 1].map((j) => members.reduce((s, v) => s + v[j], 0) / members.length);
      for (const v of members) inertia += (v[0] - m[0]) ** 2 + (v[1] - m[1]) ** 2;
    }
    expect(got.results.find((r) => r.k === kk)!.inertia).toBeCloseTo(inertia, 8);
    expect([...got.results.find((r) => r.k === kk)!.sizes].sort((a, b) => a - b)).toEqual(
      [...new Set(labels)].map((c) => labels.filter((l) => l === c).length).sort((a, b) => a - b),
    );
  }
  // The chosen k's stored assignments are the naive partition (up to numbering).
  const { rows } = await t.ownerQuery<{ external_id: string; cluster: number }>(
    `select c.external_id, a.cluster from model_run_assignments a join customers c on c.tenant_id = a.tenant_id and c.id = a.customer_id where a.run_id = $1`,
    [runId],
  );
  const stored = new Map(rows.map((r) => [r.external_id, r.cluster]));
  expect(adjustedRandIndex(lines.map((r) => stored.get(r[0])!), naive.partitions.get(k)!)).toBeCloseTo(1, 12);

  // The dendrogram top: 30 leaves over the 200 customers, 29 merges ending with the naive's last heights.
  const ward = got.run.params.wardResult!;
  expect(ward).toMatchObject({ method: "sample", units: 200, cap: 5000 });
  expect(ward.leaves).toHaveLength(30);
  expect(ward.leaves.reduce((s, l) => s + l.size, 0)).toBe(200);
  expect(ward.merges).toHaveLength(29);
  ward.merges.slice(-5).forEach((m, i) => expect(m.height).toBeCloseTo(naive.heights.slice(-5)[i], 9));
  expect(ward.merges.at(-1)!.size).toBe(200);

  expect(got.run.stability).toMatchObject({ method: "bootstrap", refitAlgorithm: "ward", replicates: 20 });
  expect(got.run.stability!.clusters).toHaveLength(k);
});
