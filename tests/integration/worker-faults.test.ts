/**
 * Worker faults (issue #10), with real `npm run worker` processes on one test database:
 * a worker is killed with SIGKILL in the middle of a job (a clustering run, a transactions
 * import, a KPI roll-up); another worker, already running, takes the job over once its lease lapses
 * (workers/queues.ts JOB_POLICY, workers/job-lease.ts) and its results are written exactly
 * once; no job is lost. An import whose database connection is cut is retried, not failed.
 * Two workers on one database each claim different jobs. A worker whose PostgreSQL connections
 * are all terminated keeps claiming and finishing jobs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { startImport, uploadFile } from "../../server/services/data";
import { requestRebuild } from "../../server/services/kpis";
import { startModelRun } from "../../server/services/models";
import { isDatabaseUnreachable } from "../../server/http/database-health";
import { createLogger } from "../../server/logger";
import { handleImportJob } from "../../workers/jobs/import";
import { JOB_POLICY } from "../../workers/queues";
import { seedBenchCustomers } from "../bench/segments";
import { jobsFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { killWorkerProcesses, startWorkerProcess, transactionsCsv, waitFor, type WorkerProcess } from "../helpers/worker";

let t: TestDatabase;
let w: FactoryWorkspace;
const CUSTOMERS = 30_000;
/** The customers a run clusters: every 97th seeded customer has opted out. */
const ACTIVE = CUSTOMERS - Math.floor(CUSTOMERS / 97);

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Fault Co");
  await seedBenchCustomers(t, w.tenantId, CUSTOMERS);
}, 120_000);
afterEach(killWorkerProcesses);
afterAll(() => t.drop());

/** Longest a killed worker's job can wait to be taken over, by the policy; plus start-up slack. */
const TAKEOVER_MS = (JOB_POLICY.leaseSeconds + JOB_POLICY.heartbeatSeconds + JOB_POLICY.maintenanceSeconds + 2 * JOB_POLICY.retryDelaySeconds + 20) * 1000;

async function jobOf(queue: string, key: string, value: string) {
  const { rows } = await t.ownerQuery<{ id: string; state: string; retry_count: number }>(
    `select id, state, retry_count from pgboss.job where name = $1 and data->>'${key}' = $2
     union all select id, state, retry_count from pgboss.archive where name = $1 and data->>'${key}' = $2`,
    [queue, value],
  );
  return rows;
}

async function startedOn(jobId: string): Promise<number> {
  const { rows } = await t.ownerQuery<{ started_on: Date }>("select started_on from pgboss.job where id = $1", [jobId]);
  return rows[0].started_on.getTime();
}

async function started(worker: WorkerProcess) {
  await waitFor("the worker to start", async () => (worker.logged("workers started").length ? true : null), 60_000);
}

const FEATURES = [
  { field: "recency_days" as const, transform: "standard" as const },
  { field: "frequency" as const, transform: "standard" as const },
  { field: "monetary" as const, transform: "log1p" as const },
];

describe("a worker killed with SIGKILL in the middle of a clustering run", () => {
  it("has its run taken over by another worker, which writes the results exactly once", async () => {
    const first = startWorkerProcess(t);
    await started(first);
    const { runId } = await startModelRun(w.ownerScope, { features: FEATURES, kMin: 2, kMax: 7, seed: 7, restarts: 8 }, jobsFor(t.db));
    // While it runs, the worker renews the job's lease (pg-boss would otherwise expire it after leaseSeconds).
    const claimed = await waitFor("the job to be claimed", async () => {
      const [job] = await jobOf("model-run", "runId", runId);
      return job?.state === "active" ? await startedOn(job.id) : null;
    });
    await waitFor("the lease to be renewed", async () => ((await startedOn((await jobOf("model-run", "runId", runId))[0].id)) > claimed ? true : null), 30_000);
    // Mid-way: at least two of the six k fitted, the results not yet written.
    await waitFor(
      "the run to be half-way",
      async () => {
        const { rows } = await t.ownerQuery("select status, progress from model_runs where id = $1", [runId]);
        return rows[0].status === "running" && rows[0].progress >= 0.05 + (0.75 * 2) / 6 ? true : null;
      },
      120_000,
      20,
    );
    const second = startWorkerProcess(t);
    await started(second);
    await first.killHard();

    const mid = await t.ownerQuery<{ status: string; n: number }>(
      "select status, (select count(*)::int from model_run_assignments where run_id = $1) as n from model_runs where id = $1",
      [runId],
    );
    expect(mid.rows[0]).toEqual({ status: "running", n: 0 });
    expect(first.logged("model run job finished")).toEqual([]);
    // The lease lapses and the job is claimed again (its second attempt), within the policy's bound.
    await waitFor(
      "the job to be claimed again",
      async () => {
        const [job] = await jobOf("model-run", "runId", runId);
        return job.retry_count === 1 && job.state !== "retry" ? true : null;
      },
      TAKEOVER_MS,
    );

    const done = await waitFor(
      "another worker to finish the run",
      async () => {
        const { rows } = await t.ownerQuery("select status, n, chosen_k from model_runs where id = $1", [runId]);
        return rows[0].status === "running" ? null : rows[0];
      },
      TAKEOVER_MS + 120_000,
    );
    expect(done).toMatchObject({ status: "completed", n: ACTIVE });
    const written = await t.ownerQuery<{ assignments: number; customers: number; results: number; ks: number; clusters: number; keys: number }>(
      `select (select count(*)::int from model_run_assignments where run_id = $1) as assignments,
              (select count(distinct customer_id)::int from model_run_assignments where run_id = $1) as customers,
              (select count(*)::int from model_run_results where run_id = $1) as results,
              (select count(distinct k)::int from model_run_results where run_id = $1) as ks,
              (select count(*)::int from model_run_clusters where run_id = $1) as clusters,
              (select count(distinct (k, cluster))::int from model_run_clusters where run_id = $1) as keys`,
      [runId],
    );
    // One assignment per customer; one result per k = 2..7; k clusters per k: 2+3+…+7 = 27.
    expect(written.rows[0]).toEqual({ assignments: ACTIVE, customers: ACTIVE, results: 6, ks: 6, clusters: 27, keys: 27 });
    const sizes = await t.ownerQuery<{ total: number }>("select sum(size)::int as total from model_run_clusters where run_id = $1 and k = $2", [runId, done.chosen_k]);
    expect(sizes.rows[0].total).toBe(ACTIVE);

    // The job was not lost: one job, completed, on its second attempt, by the second worker.
    const jobs = await waitFor("the job to be completed", async () => {
      const rows = await jobOf("model-run", "runId", runId);
      return rows.some((j) => j.state !== "completed") ? null : rows;
    }, TAKEOVER_MS);
    expect(jobs.map((j) => ({ state: j.state, retry_count: j.retry_count }))).toEqual([{ state: "completed", retry_count: 1 }]);
    expect(second.logged("model run job finished").map((l) => [l.runId, l.outcome])).toEqual([[runId, "completed"]]);
  }, 300_000);
});

const IMPORT_ROWS = 120_000;

describe("a worker killed with SIGKILL in the middle of an import", () => {
  it("has the import taken over by another running worker, every row imported exactly once", async () => {
    const v = await makeWorkspace(t.db, "Import Fault Co");
    const up = await uploadFile(v.ownerScope, { kind: "transactions", fileName: "faults.csv" }, [transactionsCsv(IMPORT_ROWS)], 1 << 30);
    const first = startWorkerProcess(t);
    await started(first);
    await startImport(v.ownerScope, { importId: up.importId, mapping: up.mapping }, jobsFor(t.db));
    await waitFor(
      "the import to be a third read",
      async () => {
        const { rows } = await t.ownerQuery("select status, rows_read from imports where id = $1", [up.importId]);
        return rows[0].status === "running" && rows[0].rows_read >= IMPORT_ROWS / 3 ? true : null;
      },
      120_000,
      20,
    );
    const second = startWorkerProcess(t);
    await started(second);
    await first.killHard();
    const none = await t.ownerQuery<{ n: number }>("select count(*)::int as n from transactions where tenant_id = $1", [v.tenantId]);
    expect(none.rows[0].n).toBe(0);

    const done = await waitFor(
      "another worker to complete the import",
      async () => {
        const { rows } = await t.ownerQuery("select status, rows_read, rows_imported, rows_failed from imports where id = $1", [up.importId]);
        return rows[0].status === "running" ? null : rows[0];
      },
      TAKEOVER_MS + 120_000,
    );
    expect(done).toEqual({ status: "completed", rows_read: IMPORT_ROWS, rows_imported: IMPORT_ROWS, rows_failed: 0 });
    const { rows } = await t.ownerQuery<{ n: number; keys: number; imports: number }>(
      "select count(*)::int as n, count(distinct id)::int as keys, count(distinct import_id)::int as imports from transactions where tenant_id = $1",
      [v.tenantId],
    );
    expect(rows[0]).toEqual({ n: IMPORT_ROWS, keys: IMPORT_ROWS, imports: 1 });
    const audit = await t.ownerQuery<{ n: number }>("select count(*)::int as n from audit_log where tenant_id = $1 and action = 'import.complete' and object_id = $2", [
      v.tenantId,
      up.importId,
    ]);
    expect(audit.rows[0].n).toBe(1);
    // The queued job ends completed (its retry found the import done, or did it), never failed or left active.
    await waitFor("the import job to complete", async () => {
      const jobs = await jobOf("data-import", "importId", up.importId);
      return jobs.length === 1 && jobs[0].state === "completed" ? true : null;
    }, TAKEOVER_MS);
  }, 300_000);
});

describe("an import whose database connection is cut in the middle", () => {
  it("is retried, not marked failed, and the retry imports every row exactly once", async () => {
    const v = await makeWorkspace(t.db, "Cut Co");
    const up = await uploadFile(v.ownerScope, { kind: "transactions", fileName: "cut.csv" }, [transactionsCsv(IMPORT_ROWS)], 1 << 30);
    await startImport(v.ownerScope, { importId: up.importId, mapping: up.mapping }, jobsFor(t.db));
    const log = createLogger("silent");
    const first = handleImportJob(t.db, jobsFor(t.db), log, { tenantId: v.tenantId, importId: up.importId });
    const outcome = first.then(
      (value) => ({ resolved: value }),
      (err: unknown) => ({ lostDatabase: isDatabaseUnreachable(err) }),
    );
    await waitFor(
      "the import to be a third read",
      async () => {
        const { rows } = await t.ownerQuery("select status, rows_read from imports where id = $1", [up.importId]);
        return rows[0].status === "running" && rows[0].rows_read >= IMPORT_ROWS / 3 ? true : null;
      },
      120_000,
      20,
    );
    // The backend of the import's transaction: the one holding its advisory lock.
    const cut = await t.ownerQuery<{ ok: boolean }>(
      "select pg_terminate_backend(pid) as ok from pg_locks where locktype = 'advisory' and classid = 727003 and granted and database = (select oid from pg_database where datname = current_database())",
    );
    expect(cut.rows.map((r) => r.ok)).toEqual([true]);
    // Thrown as a lost database (so pg-boss retries the job); the import is not failed and holds no rows.
    expect(await outcome).toEqual({ lostDatabase: true });
    const after = await t.ownerQuery("select status, error, rows_imported from imports where id = $1", [up.importId]);
    expect(after.rows[0]).toEqual({ status: "running", error: null, rows_imported: 0 });
    const none = await t.ownerQuery<{ n: number }>("select count(*)::int as n from transactions where tenant_id = $1", [v.tenantId]);
    expect(none.rows[0].n).toBe(0);

    expect(await handleImportJob(t.db, jobsFor(t.db), log, { tenantId: v.tenantId, importId: up.importId })).toBe("completed");
    const { rows } = await t.ownerQuery<{ n: number; keys: number }>("select count(*)::int as n, count(distinct id)::int as keys from transactions where tenant_id = $1", [v.tenantId]);
    expect(rows[0]).toEqual({ n: IMPORT_ROWS, keys: IMPORT_ROWS });
    const audit = await t.ownerQuery<{ n: number }>("select count(*)::int as n from audit_log where tenant_id = $1 and action = 'import.complete' and object_id = $2", [
      v.tenantId,
      up.importId,
    ]);
    expect(audit.rows[0].n).toBe(1);
  }, 300_000);
});

describe("a worker killed with SIGKILL in the middle of a KPI roll-up", () => {
  it("has the run taken over by another worker; the roll-ups are written once", async () => {
    const r = await makeWorkspace(t.db, "Rollup Fault Co");
    await seedBenchCustomers(t, r.tenantId, 20_000);
    await t.ownerQuery(
      `insert into transactions (tenant_id, id, customer_external_id, invoice_no, quantity, unit_price, occurred_at, import_id)
       select $1, 'L' || i, 'B' || lpad((1 + i % 20000)::text, 7, '0'), 'I' || (i / 3), 1 + i % 4, 1.5 + (i % 50) / 10.0,
              timestamptz '2011-01-01 10:00:00+00' + make_interval(days => i % 365), gen_random_uuid()
       from generate_series(1, 300000) i`,
      [r.tenantId],
    );
    const first = startWorkerProcess(t);
    await started(first);
    const { runId } = await requestRebuild(r.ownerScope);
    await waitFor(
      "the roll-up to be computing",
      async () => {
        const { rows } = await t.ownerQuery("select status, progress from kpi_rollup_runs where id = $1", [runId]);
        return rows[0].status === "running" && rows[0].progress > 0 ? true : null;
      },
      120_000,
      20,
    );
    const second = startWorkerProcess(t);
    await started(second);
    await first.killHard();
    const mid = await t.ownerQuery<{ status: string; n: number }>(
      "select status, (select count(*)::int from kpi_rollups where tenant_id = $2) as n from kpi_rollup_runs where id = $1",
      [runId, r.tenantId],
    );
    expect(mid.rows[0]).toEqual({ status: "running", n: 0 });

    const done = await waitFor(
      "another worker to finish the roll-up",
      async () => {
        const { rows } = await t.ownerQuery("select status, rows_written from kpi_rollup_runs where id = $1", [runId]);
        return rows[0].status === "running" ? null : rows[0];
      },
      TAKEOVER_MS + 120_000,
    );
    expect(done.status).toBe("completed");
    const stored = await t.ownerQuery<{ n: number; keys: number }>(
      "select count(*)::int as n, count(distinct (grain, region_id, period_start, segment_id, kpi_id))::int as keys from kpi_rollups where tenant_id = $1",
      [r.tenantId],
    );
    expect(stored.rows[0].n).toBeGreaterThan(0);
    expect(stored.rows[0]).toEqual({ n: done.rows_written, keys: done.rows_written });
    const jobs = await jobOf("kpi-rollup", "runId", runId);
    expect(jobs.map((j) => ({ state: j.state, retry_count: j.retry_count }))).toEqual([{ state: "completed", retry_count: 1 }]);
    // (The workers also run roll-ups the other tests' imports queued: only this run's lines count.)
    const ofRun = (wk: WorkerProcess) => wk.logged("kpi roll-up").filter((l) => l.runId === runId);
    expect(ofRun(first)).toEqual([]);
    expect(ofRun(second).map((l) => l.outcome)).toEqual(["completed"]);
  }, 300_000);
});

describe("two worker processes on one database", () => {
  it("claim different jobs: every run is done once, and both do some", async () => {
    const workers = [startWorkerProcess(t), startWorkerProcess(t)];
    await Promise.all(workers.map(started));
    const runIds: string[] = [];
    for (let i = 0; i < 6; i++) runIds.push((await startModelRun(w.ownerScope, { features: FEATURES, kMin: 2, kMax: 3, seed: i, restarts: 2 }, jobsFor(t.db))).runId);
    await waitFor(
      "every run to complete",
      async () => {
        const { rows } = await t.ownerQuery<{ n: number }>("select count(*)::int as n from model_runs where id = any($1) and status = 'completed'", [runIds]);
        return rows[0].n === runIds.length ? true : null;
      },
      240_000,
    );
    const byWorker = workers.map((wk) => wk.logged("model run job finished").map((l) => l.runId as string));
    expect([...byWorker[0], ...byWorker[1]].sort()).toEqual([...runIds].sort());
    expect(byWorker[0].length).toBeGreaterThan(0);
    expect(byWorker[1].length).toBeGreaterThan(0);
    for (const runId of runIds) {
      expect((await jobOf("model-run", "runId", runId)).map((j) => [j.state, j.retry_count])).toEqual([["completed", 0]]);
    }
    const { rows } = await t.ownerQuery<{ n: number; distinct: number }>(
      "select count(*)::int as n, count(distinct (run_id, customer_id))::int as distinct from model_run_assignments where run_id = any($1)",
      [runIds],
    );
    expect(rows[0]).toEqual({ n: ACTIVE * runIds.length, distinct: ACTIVE * runIds.length });
  }, 300_000);
});

describe("a worker whose PostgreSQL connections are all terminated", () => {
  it("keeps running, and claims and finishes the jobs queued afterwards", async () => {
    // The test's own connections (already open) are spared; every one opened after is the worker's.
    const before = await t.ownerQuery<{ pid: number }>("select pid from pg_stat_activity where datname = current_database()");
    const worker = startWorkerProcess(t);
    await started(worker);
    // Every backend the worker opened: its pool, pg-boss's connections (claiming, maintenance).
    const cut = await t.ownerQuery<{ n: number }>(
      "select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and not (pid = any($1))",
      [before.rows.map((r) => r.pid)],
    );
    expect(cut.rows[0].n).toBeGreaterThan(0);
    const runIds: string[] = [];
    for (let i = 0; i < 2; i++) runIds.push((await startModelRun(w.ownerScope, { features: FEATURES, kMin: 2, kMax: 2, seed: 100 + i, restarts: 1 }, jobsFor(t.db))).runId);
    await waitFor(
      "both runs to complete",
      async () => {
        const { rows } = await t.ownerQuery<{ n: number }>("select count(*)::int as n from model_runs where id = any($1) and status = 'completed'", [runIds]);
        return rows[0].n === runIds.length ? true : null;
      },
      240_000,
    );
    expect(worker.logged("model run job finished").map((l) => l.runId as string).sort()).toEqual([...runIds].sort());
    for (const runId of runIds) {
      expect((await jobOf("model-run", "runId", runId)).map((j) => j.state)).toEqual(["completed"]);
    }
  }, 300_000);
});
