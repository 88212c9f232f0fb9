import { fork, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createDatabase } from "../../db/client";
import { makeWorkspace, type FactoryUser } from "../../db/seed/factories";
import { segments } from "../../db/schema";
import { loadDoc } from "../../server/collab/store";
import { BUILD_DIR } from "../../server/http/remix";
import { createApiKey } from "../../server/services/api-keys";
import { startImport, uploadFile } from "../../server/services/data";
import { startModelRun } from "../../server/services/models";
import { swotDocName } from "../../server/services/swot/board-doc";
import { createBoss, jobQueueFor } from "../../workers/queues";
import { cookieOf } from "../helpers/collab";
import { publishedSegment } from "../helpers/governance";
import { transactionsCsv } from "../helpers/worker";
import type { BenchDatabase } from "./bench-db";
import type { LoadConfig, LoadResult } from "./collab-load";
import type { PagesConfig, PagesResult } from "./load-pages";
import { seedBenchCustomers } from "./segments";

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const CUSTOMERS = Number(process.env.BENCH_LOAD_CUSTOMERS ?? 100_000);
/** BENCH_LOAD_SCALE (default 1) scales the three loads together, e.g. 0.2 for a look at a slow machine. */
const SCALE = Number(process.env.BENCH_LOAD_SCALE ?? 1);
const DOCS = 30;
const CLIENTS_PER_DOC = Math.max(2, Math.round(10 * SCALE));
const EDITS_PER_CLIENT_PER_SECOND = 5;
const BROWSERS = Math.max(1, Math.round(50 * SCALE));
const THINK_MS: [number, number] = [1_000, 5_000];
const API_RATE = Math.max(1, Math.round(1_000 * SCALE));
/** BENCH_LOAD_WORKERS=separate: the jobs run in an `npm run worker` process instead of the server's (production's layout). */
const SEPARATE_WORKER = process.env.BENCH_LOAD_WORKERS === "separate";
const API_CONNECTIONS = 20;
const IMPORT_ROWS = 100_000;
const WARM_UP_MS = 3_000;

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (!address || typeof address !== "object") throw new Error("no free port");
  return address.port;
}

/**
 * The built server as `npm start` runs it (NODE_ENV=production, workers in-process), on the
 * bench database. Its warnings and errors (pino JSON on stdout) are kept in `logs`.
 */
async function startServer(database: BenchDatabase, port: number, logs: { level: number; msg: string; err?: { message?: string } }[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: database.ownerUrl,
      APP_DB_ROLE: "quorum_app",
      APP_DB_PASSWORD: "quorum-app-local",
      SEED: "never",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      WORKERS_IN_PROCESS: SEPARATE_WORKER ? "false" : "true",
      API_RATE_LIMIT_PER_MINUTE: "1000000000",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (line.startsWith("{")) logs.push(JSON.parse(line) as (typeof logs)[number]);
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    if (Date.now() > deadline) throw new Error("the server did not answer /healthz within 120 s");
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Sample {
  at: number;
  cpuSeconds: number;
  rssMb: number;
}

/** CPU time (user + system) and resident memory of process `pid`, from /proc. */
async function sampleProcess(pid: number): Promise<Sample> {
  const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, "utf8"), readFile(`/proc/${pid}/status`, "utf8")]);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of /proc/<pid>/stat (utime, stime) in clock ticks, 100 per second on Linux.
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return { at: performance.now(), cpuSeconds, rssMb: mb(rssKb * 1024) };
}

/** Least-squares slope of RSS over time, in MB per minute. */
function slopeMbPerMinute(samples: Sample[]): number {
  const n = samples.length;
  if (n < 2) return NaN;
  const xs = samples.map((s) => s.at / 60_000);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = samples.reduce((a, s) => a + s.rssMb, 0) / n;
  const sxy = samples.reduce((a, s, i) => a + (xs[i] - mx) * (s.rssMb - my), 0);
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  return round2(sxy / sxx);
}

type Message<R> = { type: string; result?: R; error?: string };

/** A load generator in a child process, driven over IPC (start → ready, go → done). */
function generator<C, R>(file: string, config: C) {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), [], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  const next = (type: string) =>
    new Promise<Message<R>>((resolve, reject) => {
      const onMessage = (m: Message<R>) => {
        if (m.type === "failed") reject(new Error(`the load generator ${file} failed: ${m.error}`));
        else if (m.type === type) resolve(m);
        else return;
        child.off("message", onMessage);
      };
      child.on("message", onMessage);
      child.once("exit", (code) => code !== 0 && reject(new Error(`the load generator ${file} exited with ${code}`)));
    });
  const ready = next("ready");
  child.send({ type: "start", config });
  return {
    ready,
    go() {
      const done = next("done");
      child.send({ type: "go" });
      return done.then((m) => m.result as R);
    },
  };
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

function apiLoad(url: string, key: string, seconds: number): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.resolve("tests/bench/api-load.ts"), url, key, String(CUSTOMERS), String(seconds), String(API_CONNECTIONS), String(API_RATE)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as AutocannonResult) : reject(new Error(`the API load generator exited with ${code}`))));
  });
}

/**
 * `npm run bench -- load` (after `npm run build`; issue #10). One server process as `npm start`
 * runs it (built Remix app, tRPC, socket.io, the job workers in-process) over BENCH_LOAD_CUSTOMERS
 * (100,000) synthetic customers, and, for BENCH_LOAD_SECONDS (60), from separate processes
 * (BENCH_LOAD_SCALE scales the three loads; BENCH_LOAD_WORKERS=separate runs the jobs in an
 * `npm run worker` process instead):
 * 300 co-editing clients on 30 SWOT boards making 5 edits a second each (tests/bench/collab-load.ts),
 * 50 signed-in browsers loading pages and their tRPC queries with 1–5 s think time
 * (tests/bench/load-pages.ts), and 1,000 REST lookups a second (autocannon, tests/bench/api-load.ts);
 * a clustering run and a 100,000-row transactions import are started 10 s in.
 * Reports errors, lost updates, propagation and latencies, the server's CPU and memory over time
 * and the jobs' durations. Targets: zero errors and lost updates, edit p99 < 150 ms, API p99 < 50 ms,
 * memory steady.
 */
export async function loadBench(database: BenchDatabase) {
  if (!existsSync(path.join(BUILD_DIR, "server", "index.js"))) throw new Error("Run `npm run build` first: the load benchmark starts the real server.");
  const db = createDatabase(database.appUrl, { max: 4 });
  let server: ChildProcess | null = null;
  let worker: ChildProcess | null = null;
  try {
    const w = await makeWorkspace(db, "Bench Load");
    await seedBenchCustomers(database, w.tenantId, CUSTOMERS);
    const published = [
      await publishedSegment(w, "Frequent", { combinator: "and", children: [{ op: "gte", field: "frequency", value: 20 }] }),
      await publishedSegment(w, "Recent", { combinator: "and", children: [{ op: "lte", field: "recency_days", value: 30 }] }),
    ];
    const boards = await db.withTenant(w.tenantId, async (tx) =>
      (
        await tx
          .insert(segments)
          .values(Array.from({ length: DOCS }, (_, i) => ({ tenantId: w.tenantId, name: `Load board ${i + 1}`, priority: 100 + i, status: "active" as const })))
          .returning({ id: segments.id })
      ).map((r) => r.id),
    );
    const key = (await createApiKey(w.ownerScope, { name: "Load", scopes: ["memberships:read"] })).key;
    const upload = await uploadFile(w.ownerScope, { kind: "transactions", fileName: "load.csv" }, [transactionsCsv(IMPORT_ROWS)], 1 << 30);
    await database.ownerQuery("analyze");

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const serverStarted = performance.now();
    const serverLogs: Parameters<typeof startServer>[2] = [];
    server = await startServer(database, port, serverLogs);
    if (SEPARATE_WORKER) {
      worker = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], {
        env: { ...process.env, DATABASE_URL: database.ownerUrl, APP_DB_ROLE: "quorum_app", APP_DB_PASSWORD: "quorum-app-local", LOG_LEVEL: "warn" },
        stdio: ["ignore", "ignore", "inherit"],
      });
    }
    const serverStartSeconds = round2((performance.now() - serverStarted) / 1000);
    const pid = server.pid!;

    const writers: FactoryUser[] = [w.owner, w.members.admin, w.members.committee, w.members.analyst];
    const segmentId = published[0].segmentId;
    const collab = generator<LoadConfig, LoadResult>("./collab-load.ts", {
      url,
      tenantId: w.tenantId,
      docs: boards.map(swotDocName),
      users: writers.map((u) => ({ id: u.id, name: u.name, cookie: cookieOf(u) })),
      clientsPerBoard: CLIENTS_PER_DOC,
      editsPerSecond: CLIENTS_PER_DOC * EDITS_PER_CLIENT_PER_SECOND,
      warmUpMs: WARM_UP_MS,
      durationMs: SECONDS * 1000 - WARM_UP_MS,
    });
    const pages = generator<PagesConfig, PagesResult>("./load-pages.ts", {
      url,
      cookies: writers.map(cookieOf),
      browsers: BROWSERS,
      thinkMs: THINK_MS,
      durationMs: SECONDS * 1000,
      pages: [
        // The home page reads the audit log only for roles with audit:read; not every browser has it.
        { path: "/", trpc: [["members.list", undefined], ["regions.list", undefined]] },
        { path: "/segments", trpc: [["segments.list", undefined], ["segments.proposals", {}]] },
        { path: `/segments/${segmentId}`, trpc: [["segments.get", { segmentId }], ["segments.proposals", { segmentId }], ["swot.get", { segmentId }]] },
        { path: `/swot/${boards[0]}`, trpc: [["swot.get", { segmentId: boards[0] }]] },
        { path: "/monitoring", trpc: [["monitoring.overview", undefined]] },
        { path: "/data", trpc: [["data.overview", undefined], ["data.imports", undefined]] },
        { path: "/models", trpc: [["models.list", { limit: 100 }], ["models.features", undefined]] },
      ],
    });
    await Promise.all([collab.ready, pages.ready]);

    const samples: Sample[] = [await sampleProcess(pid)];
    const sampler = setInterval(() => void sampleProcess(pid).then((s) => samples.push(s), () => {}), 1_000);
    const started = performance.now();
    const results = Promise.all([collab.go(), pages.go(), apiLoad(url, key, SECONDS)]);
    // The jobs start once the load is on: a clustering run over every customer and an import.
    const jobs = jobQueueFor(createBoss(database.appUrl));
    await new Promise((r) => setTimeout(r, Math.min(10_000, (SECONDS * 1000) / 6)));
    const { runId } = await startModelRun(
      w.ownerScope,
      {
        features: [
          { field: "recency_days", transform: "standard" },
          { field: "frequency", transform: "standard" },
          { field: "monetary", transform: "log1p" },
        ],
        kMin: 2,
        kMax: 6,
        seed: 1,
        restarts: 4,
      },
      jobs,
    );
    await startImport(w.ownerScope, { importId: upload.importId, mapping: upload.mapping }, jobs);
    const [edits, browsing, api] = await results;
    const loadSeconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    samples.push(await sampleProcess(pid));

    // Every client's last edit must be stored (acknowledged means stored).
    let missingInPostgres = 0;
    for (const [doc, finals] of Object.entries(edits.finalValues)) {
      const stored = await db.withTenant(w.tenantId, (tx) => loadDoc(tx, w.tenantId, doc));
      const bench = stored.getMap<number>("bench");
      for (const [sender, seq] of Object.entries(finals)) if (bench.get(sender) !== seq) missingInPostgres++;
    }

    // The jobs: durations, and whether they were done within the load window.
    const jobDeadline = Date.now() + 300_000;
    let job: { run_status: string; run_seconds: number | null; import_status: string; import_seconds: number | null; imported: number };
    for (;;) {
      const { rows } = await database.ownerQuery<typeof job>(
        `select r.status as run_status, extract(epoch from r.finished_at - r.started_at)::float8 as run_seconds,
                i.status as import_status, extract(epoch from i.finished_at - i.started_at)::float8 as import_seconds, i.rows_imported as imported
         from model_runs r, imports i where r.id = $1 and i.id = $2`,
        [runId, upload.importId],
      );
      job = rows[0];
      const settled = (s: string) => ["completed", "failed", "cancelled"].includes(s);
      if ((settled(job.run_status) && settled(job.import_status)) || Date.now() > jobDeadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const measured = samples.filter((s) => s.at >= started + WARM_UP_MS);
    const cpuShare = (a: Sample, b: Sample) => round2(((b.cpuSeconds - a.cpuSeconds) / ((b.at - a.at) / 1000)) * 100);
    const perTenSeconds: number[] = [];
    for (let i = 10; i < samples.length; i += 10) perTenSeconds.push(cpuShare(samples[i - 10], samples[i]));
    const apiErrors = api.errors + api.timeouts + api.non2xx;
    const lostUpdates = edits.lostInFlight + edits.unacknowledged + missingInPostgres;
    const jobErrors = (job.run_status === "completed" ? 0 : 1) + (job.import_status === "completed" ? 0 : 1);
    return {
      seconds: SECONDS,
      scale: SCALE,
      workers: SEPARATE_WORKER ? "separate process" : "in the server process",
      customers: CUSTOMERS,
      machine: { cores: os.cpus().length, loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10) },
      serverStartSeconds,
      errors: {
        total: apiErrors + browsing.errors + jobErrors,
        api: apiErrors,
        pages: browsing.errors,
        jobs: jobErrors,
        firstPageErrors: browsing.firstErrors,
        serverLogErrors: serverLogs.filter((l) => l.level >= 50).length,
        serverLogWarnings: serverLogs.filter((l) => l.level === 40).length,
        firstServerLogs: [...new Set(serverLogs.map((l) => `${l.msg}${l.err?.message ? `: ${l.err.message}` : ""}`))].slice(0, 10),
      },
      lostUpdates: { total: lostUpdates, neverReceived: edits.lostInFlight, unacknowledged: edits.unacknowledged, missingInPostgres },
      coEditing: {
        clients: edits.clients,
        documents: DOCS,
        edits: edits.edits,
        targetEditsPerSecond: DOCS * CLIENTS_PER_DOC * EDITS_PER_CLIENT_PER_SECOND,
        achievedEditsPerSecond: edits.achievedEditsPerSecond,
        propagation: { samples: edits.samples, medianMs: edits.medianMs, p99Ms: edits.p99Ms, maxMs: edits.maxMs },
        connectAllMs: edits.connectMs,
        generatorCpuPercentOfOneCore: edits.generatorCpuPercent,
      },
      api: {
        targetRequestsPerSecond: API_RATE,
        achievedRequestsPerSecond: Math.round(api.requests.total / SECONDS),
        requests: api.requests.total,
        latencyMs: { p50: api.latency.p50, p90: api.latency.p90, p99: api.latency.p99, max: api.latency.max },
      },
      pages: { browsers: browsing.browsers, pageViews: browsing.pageViews, pageViewsPerSecond: browsing.pageViewsPerSecond, requests: browsing.requests },
      jobs: {
        clustering: { status: job.run_status, seconds: job.run_seconds === null ? null : round2(job.run_seconds) },
        import: { status: job.import_status, seconds: job.import_seconds === null ? null : round2(job.import_seconds), rows: job.imported, expected: IMPORT_ROWS },
      },
      server: {
        cpuPercentOfOneCore: measured.length > 1 ? cpuShare(measured[0], measured[measured.length - 1]) : NaN,
        cpuPercentPer10s: perTenSeconds,
        rssMb: {
          start: measured[0]?.rssMb,
          mid: measured[Math.floor(measured.length / 2)]?.rssMb,
          end: measured[measured.length - 1]?.rssMb,
          peak: Math.max(...samples.map((s) => s.rssMb)),
          slopeMbPerMinute: slopeMbPerMinute(measured),
        },
        rssMbPer10s: samples.filter((_, i) => i % 10 === 0).map((s) => s.rssMb),
      },
      loadSeconds: round2(loadSeconds),
      targets: { errors: 0, lostUpdates: 0, editP99Ms: 150, apiP99Ms: 50 },
      met: apiErrors + browsing.errors + jobErrors === 0 && lostUpdates === 0 && edits.p99Ms < 150 && api.latency.p99 < 50,
    };
  } finally {
    for (const child of [server, worker]) {
      if (!child || child.exitCode !== null) continue;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await db.close();
  }
}
