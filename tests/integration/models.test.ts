/**
 * Model runs on real data: the mall customers file imported as customers (income and spending
 * score as numeric attributes; Genre and Age tagged protected by the import), clustered by the
 * job handler run directly (as import.test.ts runs imports).
 *
 * The k = 5 figures are checked twice, independently of server/analytics: against the values
 * of established software for this data (scikit-learn KMeans on StandardScaler-ed income and
 * spending: inertia 65.568, silhouette 0.5547), and against a naive computation of inertia and
 * silhouette from their definitions on data standardised here with the textbook formula,
 * using the stored assignments.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importFile } from "../../db/seed/data-factory";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { cancelModelRun, chooseK, clusterOptions, featureCheck, getModelRun, kDistancePlot, startModelRun } from "../../server/services/models";
import { handleModelRunJob, runModelRun } from "../../workers/jobs/model-run";
import { getSegment, previewDefinition } from "../../server/services/segments";
import { describeCondition } from "../../server/services/segments/describe";
import { createLogger } from "../../server/logger";
import { startWorkers } from "../../workers/runtime";
import { callerFor, jobsFor } from "../helpers/callers";
import { publishedSegment } from "../helpers/governance";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let t: TestDatabase;
let w: FactoryWorkspace;

const MALL = "../shared/data/mall_customers.csv";
const INPUT = {
  features: [
    { field: "attr:annual_income_k" as const, transform: "standard" as const },
    { field: "attr:spending_score_1_100" as const, transform: "standard" as const },
  ],
  kMin: 2,
  kMax: 8,
  seed: 1,
  restarts: 10,
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

async function start(input: Partial<typeof INPUT> = {}) {
  return (await startModelRun(w.ownerScope, { ...INPUT, ...input }, jobsFor(t.db))).runId;
}

async function labelsOf(runId: string): Promise<Map<string, number>> {
  const { rows } = await t.ownerQuery<{ external_id: string; cluster: number }>(
    `select c.external_id, a.cluster from model_run_assignments a join customers c on c.tenant_id = a.tenant_id and c.id = a.customer_id
      where a.run_id = $1 order by c.external_id`,
    [runId],
  );
  return new Map(rows.map((r) => [r.external_id, r.cluster]));
}

/** Income and spending standardised with the textbook formula (population sd), by customer id. */
async function mallStandardised(): Promise<Map<string, number[]>> {
  const lines = (await readFile(MALL, "utf8")).trim().split(/\r?\n/).slice(1);
  const raw = lines.map((l) => l.split(","));
  const x = raw.map((r) => [Number(r[3]), Number(r[4])]);
  const n = x.length;
  const mean = [0, 1].map((j) => x.reduce((s, r) => s + r[j], 0) / n);
  const sd = [0, 1].map((j) => Math.sqrt(x.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / n));
  return new Map(raw.map((r, i) => [r[0], x[i].map((v, j) => (v - mean[j]) / sd[j])]));
}

function naive(points: number[][], labels: number[]) {
  const dist = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  let sil = 0;
  for (let i = 0; i < points.length; i++) {
    const sums = new Map<number, { s: number; c: number }>();
    for (let j = 0; j < points.length; j++) {
      if (j === i) continue;
      const e = sums.get(labels[j]) ?? { s: 0, c: 0 };
      e.s += dist(points[i], points[j]);
      e.c++;
      sums.set(labels[j], e);
    }
    const own = sums.get(labels[i])!;
    const a = own.s / own.c;
    const b = Math.min(...[...sums].filter(([l]) => l !== labels[i]).map(([, e]) => e.s / e.c));
    sil += (b - a) / Math.max(a, b);
  }
  let inertia = 0;
  for (const l of new Set(labels)) {
    const members = points.filter((_, i) => labels[i] === l);
    const m = [0, 1].map((j) => members.reduce((s, r) => s + r[j], 0) / members.length);
    for (const r of members) inertia += (r[0] - m[0]) ** 2 + (r[1] - m[1]) ** 2;
  }
  return { silhouette: sil / points.length, inertia };
}

describe("a k-means model run on the mall customers", () => {
  let runId: string;

  it("recommends k = 5 with the established k = 5 inertia and silhouette, and stores it all", async () => {
    runId = await start();
    expect(await runModelRun(t.db, w.tenantId, runId)).toBe("completed");
    const got = await getModelRun(w.ownerScope, { runId });
    expect(got.run).toMatchObject({ status: "completed", progress: 1, recommendedK: 5, chosenK: 5, n: 200, codeVersion: expect.any(String) });
    expect(got.run.dataSnapshot).toMatchObject({ customerCount: 200, usedCount: 200 });
    expect(got.recommendation?.k).toBe(5);
    expect(got.recommendation?.reason).toContain("k=5");
    expect(got.results.map((r) => r.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const five = got.results.find((r) => r.k === 5)!;
    expect(five.inertia).toBeCloseTo(65.5684, 3);
    expect(five.silhouette).toBeCloseTo(0.5547, 3);
    expect(five.silhouetteSampled).toBe(false);
    expect(five.silhouetteSampleSize).toBe(200);
    // Independently: the stored assignments on data standardised here.
    const x = await mallStandardised();
    const labels = await labelsOf(runId);
    expect(labels.size).toBe(200);
    const ids = [...labels.keys()];
    const check = naive(
      ids.map((id) => x.get(id)!),
      ids.map((id) => labels.get(id)!),
    );
    expect(check.inertia).toBeCloseTo(65.5684, 3);
    expect(check.silhouette).toBeCloseTo(0.5547, 3);
    expect(five.inertia).toBeCloseTo(check.inertia, 8);
    expect(five.silhouette).toBeCloseTo(check.silhouette, 8);
    expect([...five.sizes].sort((a, b) => a - b)).toEqual(
      [1, 2, 3, 4, 5].map((c) => [...labels.values()].filter((l) => l === c).length).sort((a, b) => a - b),
    );
    // Profiles for every k; PCA sample of all 200 points coloured by the k = 5 clusters.
    expect(got.clusters.filter((c) => c.k === 5)).toHaveLength(5);
    expect(got.clusters.filter((c) => c.k === 8)).toHaveLength(8);
    const c5 = got.clusters.filter((c) => c.k === 5);
    expect(c5.reduce((s, c) => s + c.size, 0)).toBe(200);
    for (const c of c5) {
      expect(c.profile.map((p) => p.feature)).toEqual(["attr:annual_income_k", "attr:spending_score_1_100"]);
      expect(c.profile[0].kruskalWallisP).toBeLessThan(1e-6);
      expect(c.suggestedName).toMatch(/^[A-Z]/);
    }
    // The classic "high income, low spending" group is there, in the user's units.
    const rich = c5.find((c) => c.profile[0].mean > 80 && c.profile[1].mean < 25);
    expect(rich?.suggestedName).toMatch(/^(High Annual Income \(k\$\), low Spending Score|Low Spending Score \(1-100\), high Annual Income)/);
    expect(got.pca?.points).toHaveLength(200);
    expect(new Set(got.pca?.points.map((p) => p.cluster))).toEqual(new Set([1, 2, 3, 4, 5]));
    const audit = await t.ownerQuery("select action from audit_log where tenant_id = $1 and object_id = $2", [w.tenantId, runId]);
    expect(audit.rows.map((r) => r.action)).toEqual(["model.run.start"]);
  });

  it("gives the same labels when run again with the same parameters and data", async () => {
    const again = await start();
    expect(await runModelRun(t.db, w.tenantId, again)).toBe("completed");
    expect(await labelsOf(again)).toEqual(await labelsOf(runId));
    const a = (await getModelRun(w.ownerScope, { runId })).results;
    const b = (await getModelRun(w.ownerScope, { runId: again })).results;
    expect(b).toEqual(a);
  });

  it("chooses another k as a new run for that k, with the clusters the first run showed for it", async () => {
    const { runId: chosen } = await chooseK(w.ownerScope, { runId, k: 4 }, jobsFor(t.db));
    expect(await runModelRun(t.db, w.tenantId, chosen)).toBe("completed");
    const first = await getModelRun(w.ownerScope, { runId });
    const second = await getModelRun(w.ownerScope, { runId: chosen });
    expect(second.run).toMatchObject({ chosenK: 4, params: { ...INPUT, kMin: 4, kMax: 4 } });
    expect(second.results).toEqual(first.results.filter((r) => r.k === 4));
    expect(second.clusters).toEqual(first.clusters.filter((c) => c.k === 4));
    await expect(chooseK(w.ownerScope, { runId, k: 9 }, jobsFor(t.db))).rejects.toThrow("k=9 is outside this run's range (2 to 8).");
    const options = await clusterOptions(w.ownerScope);
    expect(options.find((o) => o.id === runId)?.clusters.map((c) => c.cluster)).toEqual([1, 2, 3, 4, 5]);
  });

  it("defines a segment by a cluster: publishing it makes exactly the run's customers of that cluster members", async () => {
    const rules = { combinator: "and" as const, children: [{ op: "in_cluster" as const, modelRunId: runId, cluster: 2 }] };
    expect(describeCondition(rules.children[0], { modelRun: () => "Mall k-means" })).toBe("is in cluster 2 of model run “Mall k-means”");
    const seg = await publishedSegment(w, "Cluster 2 of the mall run", rules);
    const members = await t.ownerQuery<{ customer_id: string }>(
      "select customer_id from segment_memberships where tenant_id = $1 and segment_id = $2 and to_version is null order by 1",
      [w.tenantId, seg.segmentId],
    );
    const assigned = await t.ownerQuery<{ customer_id: string }>(
      "select customer_id from model_run_assignments where tenant_id = $1 and run_id = $2 and cluster = 2 order by 1",
      [w.tenantId, runId],
    );
    expect(assigned.rows.length).toBeGreaterThan(10);
    expect(members.rows).toEqual(assigned.rows);
    // History words the rule with the run's finish time and k, not its id.
    const { history } = await getSegment(w.ownerScope, { segmentId: seg.segmentId });
    const { run } = await getModelRun(w.ownerScope, { runId });
    const when = `${run.finishedAt!.toISOString().slice(0, 16).replace("T", " ")} UTC`;
    expect(history[0].diff.rules.added.map((r) => r.text)).toEqual([`is in cluster 2 of model run “${when}, k = 5”`]);
  });

  it("refuses cluster conditions on a run that is unknown here, not completed, or has no such cluster", async () => {
    const cluster = (modelRunId: string, c = 1) => ({ combinator: "and" as const, children: [{ op: "in_cluster" as const, modelRunId, cluster: c }] });
    await expect(previewDefinition(w.ownerScope, { rules: cluster(runId, 9) })).rejects.toThrow("The model run has no cluster 9 (its clusters are 1 to 5).");
    const queued = await start();
    await expect(previewDefinition(w.ownerScope, { rules: cluster(queued) })).rejects.toThrow("A rule refers to a model run that is queued; only a completed run's clusters can be used.");
    const other = await makeWorkspace(t.db, "Other Co");
    await expect(previewDefinition(other.ownerScope, { rules: cluster(runId) })).rejects.toThrow("A rule refers to a model run that does not exist in this workspace.");
  });
});

describe("refusals and failures", () => {
  it("refuses protected attributes as features, naming them", async () => {
    await expect(start({ features: [{ field: "attr:age", transform: "none" }] as never })).rejects.toThrow(/"Age" is protected/);
    await expect(featureCheck(w.ownerScope, { features: [{ field: "attr:genre", transform: "none" }] })).rejects.toThrow(/protected|not a number/);
  });

  it("fails a run on too few customers with a readable error", async () => {
    const small = await makeWorkspace(t.db, "Tiny Co");
    await importFile(t.db, small.ownerScope, jobsFor(t.db), { kind: "customers", fileName: "one.csv", body: "customer_id,score\nA1,5\n" });
    const id = (await startModelRun(small.ownerScope, { features: [{ field: "attr:score", transform: "none" }], kMin: 2, kMax: 4 }, jobsFor(t.db))).runId;
    expect(await runModelRun(t.db, small.tenantId, id)).toBe("failed");
    const got = await getModelRun(small.ownerScope, { runId: id });
    expect(got.run.status).toBe("failed");
    expect(got.run.error).toBe("Only 1 customer has all the chosen features; k=4 needs at least 5. Choose a smaller k or other features.");
  });

  it("flags highly correlated features (the user decides)", async () => {
    const report = await featureCheck(w.ownerScope, {
      features: [
        { field: "attr:annual_income_k", transform: "none" },
        { field: "attr:spending_score_1_100", transform: "none" },
      ],
    });
    expect(report.n).toBe(200);
    expect(report.correlation[0][0]).toBe(1);
    expect(Math.abs(report.correlation[0][1]!)).toBeLessThan(0.1);
    expect(report.vif[0]).toBeGreaterThanOrEqual(1);
    expect(report.flags).toEqual([]);
    const same = await featureCheck(w.ownerScope, {
      features: [
        { field: "attr:annual_income_k", transform: "none" },
        { field: "attr:annual_income_k" as never, transform: "log1p" },
      ],
    }).catch((e: Error) => e);
    expect(same).toBeInstanceOf(Error);
  });
});

describe("cancelling and crashing", () => {
  it("cancels a queued run at once and a running one at its next k", async () => {
    const queued = await start();
    expect(await cancelModelRun(w.ownerScope, { runId: queued })).toEqual({ runId: queued, status: "cancelled" });
    expect(await runModelRun(t.db, w.tenantId, queued)).toBe("skipped");
    const running = await start();
    const outcome = await runModelRun(t.db, w.tenantId, running, {
      afterK: async (k) => {
        if (k === 3) expect(await cancelModelRun(w.ownerScope, { runId: running })).toMatchObject({ status: "running" });
      },
    });
    expect(outcome).toBe("cancelled");
    const got = await getModelRun(w.ownerScope, { runId: running });
    expect(got.run.status).toBe("cancelled");
    expect(got.results).toEqual([]);
    expect(await labelsOf(running)).toEqual(new Map());
  });

  it("retries a run that crashed mid-way into exactly one set of results", async () => {
    const id = await start();
    await expect(
      runModelRun(t.db, w.tenantId, id, {
        afterK: (k) => {
          if (k === 4) throw new Error("worker killed");
        },
      }),
    ).rejects.toThrow("worker killed");
    const mid = await getModelRun(w.ownerScope, { runId: id });
    expect(mid.run.status).toBe("running");
    expect(mid.results).toEqual([]);
    // Rows an earlier attempt might have left: the retry replaces them.
    await t.ownerQuery(
      `insert into model_run_results (tenant_id, run_id, k, inertia, silhouette, silhouette_sampled, calinski_harabasz, davies_bouldin, sizes)
       values ($1, $2, 2, -1, -1, false, -1, -1, '{1}')`,
      [w.tenantId, id],
    );
    expect(await runModelRun(t.db, w.tenantId, id)).toBe("completed");
    const got = await getModelRun(w.ownerScope, { runId: id });
    expect(got.results.map((r) => r.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(got.results.every((r) => r.inertia > 0)).toBe(true);
    expect((await labelsOf(id)).size).toBe(200);
    // A run whose last attempt crashes is marked failed, with the reason; earlier attempts leave it running.
    const doomed = await start({ kMax: 3 });
    const crash = { afterK: () => Promise.reject(new Error("out of memory")) };
    const job = { tenantId: w.tenantId, runId: doomed };
    await expect(handleModelRunJob(t.db, createLogger("silent"), job, { retryCount: 0, retryLimit: 3 }, crash)).rejects.toThrow("out of memory");
    expect((await getModelRun(w.ownerScope, { runId: doomed })).run.status).toBe("running");
    await expect(handleModelRunJob(t.db, createLogger("silent"), job, { retryCount: 3, retryLimit: 3 }, crash)).rejects.toThrow("out of memory");
    expect((await getModelRun(w.ownerScope, { runId: doomed })).run).toMatchObject({ status: "failed", error: "The run failed after 4 attempts: out of memory" });
    const counts = await t.ownerQuery<{ n: number }>("select count(*)::int as n from model_run_clusters where run_id = $1", [id]);
    expect(counts.rows[0].n).toBe([2, 3, 4, 5, 6, 7, 8].reduce((s, k) => s + k, 0));
  });
});

describe("through the API and the workers", () => {
  it("an analyst starts a run with models.start and a worker completes it, progress reaching 1", async () => {
    const workers = await startWorkers({ appUrl: t.appUrl, db: t.db, logger: createLogger("silent") });
    try {
      const { caller } = await callerFor(t.db, w.members.analyst.token, { tenantId: w.tenantId });
      const { runId, status } = await caller.models.start({ ...INPUT, kMax: 6 });
      expect(status).toBe("queued");
      let run = (await caller.models.get({ runId })).run;
      for (let i = 0; i < 150 && (run.status === "queued" || run.status === "running"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        run = (await caller.models.get({ runId })).run;
      }
      expect(run).toMatchObject({ status: "completed", progress: 1, recommendedK: 5 });
      expect((await caller.models.list()).map((r) => r.id)).toContain(runId);
    } finally {
      await workers.stop();
    }
  }, 60_000);
});

it("stores the subsampling stability of the chosen k: the mall's five groups come back in re-fits, and a cancel stops it", async () => {
  /*
   * Expectations from the data: income and spending of the mall customers form five visibly
   * separate groups (the four corners of the plane and the middle; the k = 5 silhouette above is
   * 0.55), so re-fits on 80% of the customers find the same five groups: mean ARI well above 0.8.
   * n = 200 is far below the row budget, so the default 20 replicates are used.
   */
  const id = await start({ kMin: 5, kMax: 5 });
  const messages: string[] = [];
  expect(
    await runModelRun(t.db, w.tenantId, id, {
      afterReplicate: async () => {
        messages.push((await getModelRun(w.ownerScope, { runId: id })).run.progressMessage ?? "");
      },
    }),
  ).toBe("completed");
  expect(messages[0]).toBe("Checking stability (replicate 1 of 20)");
  expect(messages).toHaveLength(20);
  const { run } = await getModelRun(w.ownerScope, { runId: id });
  const s = run.stability!;
  expect(s).toMatchObject({ method: "bootstrap", replicates: 20, sampleShare: 0.8, threshold: 0.6 });
  expect(s.ari.values).toHaveLength(20);
  expect(s.ari.mean).toBeGreaterThan(0.8);
  expect(s.ari.min).toBeLessThanOrEqual(s.ari.mean);
  expect(s.ari.max).toBeLessThanOrEqual(1);
  expect(s.clusters.map((c) => c.cluster)).toEqual([1, 2, 3, 4, 5]);
  for (const c of s.clusters) {
    expect(c.jaccardMin).toBeLessThanOrEqual(c.jaccardMean);
    expect(c.stable).toBe(c.jaccardMean >= 0.6);
  }
  // The same parameters give the same stability (seeded).
  const again = await start({ kMin: 5, kMax: 5 });
  expect(await runModelRun(t.db, w.tenantId, again)).toBe("completed");
  expect((await getModelRun(w.ownerScope, { runId: again })).run.stability).toEqual(s);
  // A cancel during the stability check stops the run without results.
  const cancelled = await start({ kMin: 5, kMax: 5 });
  const outcome = await runModelRun(t.db, w.tenantId, cancelled, {
    afterReplicate: async (done) => {
      if (done === 3) await cancelModelRun(w.ownerScope, { runId: cancelled });
    },
  });
  expect(outcome).toBe("cancelled");
  const got = await getModelRun(w.ownerScope, { runId: cancelled });
  expect(got.run).toMatchObject({ status: "cancelled", stability: null });
  expect(got.results).toEqual([]);
});

it("explains the mall clusters with a shallow tree whose rules, proposed as a segment, select mostly that cluster's customers", async () => {
  const { clusterRulesAsDefinition } = await import("../../server/services/models/explanation");
  const id = await start({ kMin: 5, kMax: 5 });
  expect(await runModelRun(t.db, w.tenantId, id)).toBe("completed");
  const { run } = await getModelRun(w.ownerScope, { runId: id });
  const e = run.explanation!;
  // Income and spending separate the five groups with axis-parallel cuts: a depth-3 tree gets almost all of them right.
  expect(e).toMatchObject({ trainedOn: 200 });
  expect(e.depth).toBeLessThanOrEqual(3);
  expect(e.accuracy).toBeGreaterThan(0.9);
  expect(e.rules.reduce((s, r) => s + r.support, 0)).toBe(200);
  for (const r of e.rules) for (const c of r.conditions) expect(["attr:annual_income_k", "attr:spending_score_1_100"]).toContain(c.feature);
  // The cluster whose rules are purest (of those with at least 10 customers), as a published segment.
  const byCluster = [1, 2, 3, 4, 5].map((cluster) => {
    const rules = e.rules.filter((r) => r.cluster === cluster);
    const support = rules.reduce((s, r) => s + r.support, 0);
    return { cluster, support, precision: support ? rules.reduce((s, r) => s + r.support * r.purity, 0) / support : 0 };
  });
  const best = byCluster.filter((c) => c.support >= 10).sort((a, b) => b.precision - a.precision)[0];
  const rules = clusterRulesAsDefinition(e, best.cluster);
  const seg = await publishedSegment(w, `Tree rules of cluster ${best.cluster}`, rules);
  const members = await t.ownerQuery<{ customer_id: string }>(
    "select customer_id from segment_memberships where tenant_id = $1 and segment_id = $2 and to_version is null",
    [w.tenantId, seg.segmentId],
  );
  const inCluster = new Set(
    (
      await t.ownerQuery<{ customer_id: string }>("select customer_id from model_run_assignments where tenant_id = $1 and run_id = $2 and cluster = $3", [
        w.tenantId,
        id,
        best.cluster,
      ])
    ).rows.map((r) => r.customer_id),
  );
  expect(members.rows).toHaveLength(best.support);
  const share = members.rows.filter((r) => inCluster.has(r.customer_id)).length / members.rows.length;
  expect(share).toBeGreaterThan(0.9);
  expect(share).toBeCloseTo(best.precision, 12);
});

/** Adjusted Rand index from the contingency table (Hubert & Arabie 1985), written here independently of server/analytics. */
function ariOf(a: number[], b: number[]): number {
  const choose2 = (x: number) => (x * (x - 1)) / 2;
  const table = new Map<string, number>();
  const rowsA = new Map<number, number>();
  const colsB = new Map<number, number>();
  a.forEach((x, i) => {
    table.set(`${x}|${b[i]}`, (table.get(`${x}|${b[i]}`) ?? 0) + 1);
    rowsA.set(x, (rowsA.get(x) ?? 0) + 1);
    colsB.set(b[i], (colsB.get(b[i]) ?? 0) + 1);
  });
  const index = [...table.values()].reduce((s, v) => s + choose2(v), 0);
  const sumA = [...rowsA.values()].reduce((s, v) => s + choose2(v), 0);
  const sumB = [...colsB.values()].reduce((s, v) => s + choose2(v), 0);
  const expected = (sumA * sumB) / choose2(a.length);
  return (index - expected) / ((sumA + sumB) / 2 - expected);
}

it("a Gaussian-mixture run on the mall customers recommends the k with the lowest stored BIC, and its k = 5 agrees with k-means' k = 5", async () => {
  const gmmRun = await start({ kMin: 2, kMax: 7, algorithm: "gmm" } as Partial<typeof INPUT>);
  expect(await runModelRun(t.db, w.tenantId, gmmRun)).toBe("completed");
  const got = await getModelRun(w.ownerScope, { runId: gmmRun });
  expect(got.run.algorithm).toBe("gmm");
  const metrics = got.run.params.gmmResults!;
  expect(metrics.map((m) => m.k)).toEqual([2, 3, 4, 5, 6, 7]);
  for (const m of metrics) {
    const p = m.k - 1 + m.k * 2 + m.k * 3;
    expect(m.bic).toBeCloseTo(-2 * m.logLikelihood + p * Math.log(200), 6);
    expect(m.meanMaxResponsibility).toHaveLength(m.k);
    for (const r of m.meanMaxResponsibility) expect(r === 0 || (r > 1 / m.k && r <= 1)).toBe(true);
  }
  const lowest = metrics.reduce((a, b) => (b.bic < a.bic ? b : a));
  expect(got.run.recommendedK).toBe(lowest.k);
  expect(got.run.chosenK).toBe(lowest.k);
  expect(got.run.recommendationReason).toContain("lowest BIC");
  // Hard-label metrics are stored for every k as for k-means (inertia of the hard labels).
  expect(got.results.map((r) => r.k)).toEqual([2, 3, 4, 5, 6, 7]);
  expect(got.run.stability?.refitAlgorithm).toBe("gmm");
  expect((await labelsOf(gmmRun)).size).toBe(200);
  // k = 5 of both algorithms (each k is fitted from the seed alone, so a k = 5-only run gives the range's k = 5).
  const gmmFive = await start({ kMin: 5, kMax: 5, algorithm: "gmm" } as Partial<typeof INPUT>);
  const kmeansFive = await start({ kMin: 5, kMax: 5 });
  expect(await runModelRun(t.db, w.tenantId, gmmFive)).toBe("completed");
  expect(await runModelRun(t.db, w.tenantId, kmeansFive)).toBe("completed");
  const g = await labelsOf(gmmFive);
  const k = await labelsOf(kmeansFive);
  const ids = [...k.keys()];
  expect(ids).toHaveLength(200);
  expect(ariOf(ids.map((id) => g.get(id)!), ids.map((id) => k.get(id)!))).toBeGreaterThan(0.8);
  // Old runs (no params.algorithm) stay k-means.
  expect((await getModelRun(w.ownerScope, { runId: kmeansFive })).run.algorithm).toBe("kmeans");
});

/** DBSCAN written here from Ester et al. (1996), O(n²): labels 0..c−1 in order of discovery, noise −1, border points to the first cluster that reaches them. */
function naiveDbscan(points: number[][], eps: number, minPts: number): number[] {
  const near = (i: number) => points.flatMap((p, j) => (Math.hypot(p[0] - points[i][0], p[1] - points[i][1]) <= eps ? [j] : []));
  const labels = new Array<number | undefined>(points.length).fill(undefined);
  let c = 0;
  for (let i = 0; i < points.length; i++) {
    if (labels[i] !== undefined) continue;
    const seeds = near(i);
    if (seeds.length < minPts) {
      labels[i] = -1;
      continue;
    }
    labels[i] = c;
    for (let q = 0; q < seeds.length; q++) {
      const j = seeds[q];
      if (labels[j] === -1) labels[j] = c;
      if (labels[j] !== undefined) continue;
      labels[j] = c;
      const more = near(j);
      if (more.length >= minPts) seeds.push(...more);
    }
    c++;
  }
  return labels as number[];
}

it("a DBSCAN run on the mall customers stores the clusters and outliers of a naive DBSCAN on the same standardised data", async () => {
  // eps from the k-distance curve (k = minPts − 1 = 4) of standardised income and spending: the
  // sorted 4-distances fall steeply from 1.30 over the first ~15 customers (0.69, 0.60, 0.49 at
  // the 5th, 10th, 15th) and flatten near 0.4 (0.43 at the 25th, 0.39 at the 35th, 0.33 at the
  // 50th): the knee is about 0.4. With eps = 0.4 and minPts = 5 the mall data has 4 dense groups
  // and 15 outliers (the middle group joins the two low-spending corners; the top-right and the
  // thin high-income/low-spending group stay apart).
  const runId = await start({ algorithm: "dbscan", eps: 0.4, minPts: 5, kMin: undefined, kMax: undefined } as Partial<typeof INPUT>);
  expect(await runModelRun(t.db, w.tenantId, runId)).toBe("completed");
  const got = await getModelRun(w.ownerScope, { runId });
  expect(got.run.algorithm).toBe("dbscan");
  const found = got.run.params.dbscanResult!;
  // Same order as the job (customers by id), so cluster numbers and border points must agree exactly.
  const { rows } = await t.ownerQuery<{ id: string; external_id: string }>(`select id, external_id from customers where tenant_id = $1 order by id`, [w.tenantId]);
  const x = await mallStandardised();
  const expected = naiveDbscan(rows.map((r) => x.get(r.external_id)!), 0.4, 5);
  const c = Math.max(...expected) + 1;
  const noise = expected.filter((l) => l === -1).length;
  expect(c).toBe(4);
  expect(noise).toBe(15);
  expect(found).toEqual({ clusters: c, noise, outlierCluster: c + 1 });
  expect(got.run.chosenK).toBe(c);
  expect(got.run.recommendedK).toBe(c);
  expect(got.run.recommendationReason).toContain("DBSCAN finds the number of clusters itself");
  expect(got.run.params.kMin).toBe(c);
  expect(got.run.stability).toBeNull();
  // Assignments: clusters 1..c, outliers c + 1.
  const stored = await labelsOf(runId);
  expect(rows.map((r) => stored.get(r.external_id))).toEqual(expected.map((l) => (l === -1 ? c + 1 : l + 1)));
  // One result row (k = c) with sizes of clusters then outliers; the metrics are on the non-noise customers.
  expect(got.results.map((r) => r.k)).toEqual([c]);
  const sizes = Array.from({ length: c }, (_, l) => expected.filter((v) => v === l).length);
  expect(got.results[0].sizes).toEqual([...sizes, noise]);
  const kept = expected.flatMap((l, i) => (l >= 0 ? [i] : []));
  const check = naive(
    kept.map((i) => x.get(rows[i].external_id)!),
    kept.map((i) => expected[i]),
  );
  expect(got.results[0].silhouette).toBeCloseTo(check.silhouette, 8);
  expect(got.results[0].inertia).toBeCloseTo(check.inertia, 8);
  // Profiles: the outliers are their own group, named so.
  const outliers = got.clusters.find((cl) => cl.k === c && cl.cluster === c + 1)!;
  expect(outliers.suggestedName).toBe("Outliers");
  expect(outliers.size).toBe(noise);
  // A DBSCAN run needs eps and minPts; k-means does not take them.
  await expect(start({ algorithm: "dbscan", kMin: undefined, kMax: undefined } as Partial<typeof INPUT>)).rejects.toThrow(/DBSCAN needs eps/);
  await expect(start({ eps: 0.4 } as Partial<typeof INPUT>)).rejects.toThrow(/eps and minPts are for DBSCAN only/);
});

it("the k-distance plot of the mall customers (minPts = 5) equals a naive 4th-nearest-neighbour distance on the standardised data", async () => {
  const plot = await kDistancePlot(w.ownerScope, { features: INPUT.features, minPts: 5 });
  expect(plot).toMatchObject({ k: 4, customers: 200, sampled: false, sampleSize: 200 });
  const x = [...(await mallStandardised()).values()];
  const naive4 = x
    .map((a, i) => x.filter((_, j) => j !== i).map((b) => Math.hypot(a[0] - b[0], a[1] - b[1])).sort((p, q) => p - q)[3])
    .sort((p, q) => q - p);
  expect(plot.points).toHaveLength(200);
  plot.points.forEach((p, i) => {
    expect(p.rank).toBe(i + 1);
    expect(p.distance).toBeCloseTo(naive4[i], 10);
  });
  // The knee hint sits where the curve flattens (the eps = 0.4 chosen above is close to it).
  expect(plot.knee.distance).toBeGreaterThan(0.25);
  expect(plot.knee.distance).toBeLessThan(0.6);
  await expect(kDistancePlot(w.ownerScope, { features: INPUT.features, minPts: 1 })).rejects.toThrow(/minPts is at least 2/);
});
