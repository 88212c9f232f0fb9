import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createDatabase } from "../../db/client";
import { makeWorkspace } from "../../db/seed/factories";
import { createHttpApp } from "../../server/app";
import { parseConfig } from "../../server/config";
import { createLogger } from "../../server/logger";
import { BUILD_DIR } from "../../server/http/remix";
import { createApiKey } from "../../server/services/api-keys";
import { createBoss, jobQueueFor } from "../../workers/queues";
import { publishedSegment } from "../helpers/governance";
import type { BenchDatabase } from "./bench-db";
import { BENCH_CUSTOMERS, seedBenchCustomers } from "./segments";

const LOAD_SECONDS = Number(process.env.BENCH_API_SECONDS ?? 15);
/**
 * Concurrent connections, one load run each (comma-separated). On this 2-core machine the server,
 * PostgreSQL and the load generator share the cores: past ~16 connections throughput stays flat
 * and the extra requests only queue (p99 grows with the queue), so both points are reported.
 */
const CONNECTIONS = (process.env.BENCH_API_CONNECTIONS ?? "16,32").split(",").map(Number);

interface LoadResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  "2xx": number;
}

function runLoad(url: string, key: string, connections: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.resolve("tests/bench/api-load.ts"), url, key, String(BENCH_CUSTOMERS), String(LOAD_SECONDS), String(connections)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load generator exited with ${code}`))));
  });
}

const mb = (bytes: number) => Math.round(bytes / 1048576);

/**
 * `npm run bench -- api` (after `npm run build`: the real server, Remix and all): 1M synthetic
 * customers (the segments bench's seeding) in four published segments, one of them everyone.
 * GET /api/v1/customers/{id}/segments for random customers under autocannon in a separate
 * process (req/s and latency), then the 1M-member segment streamed as CSV (rows/s and this
 * process's memory while it streams). Targets (issue #9): ≥ 3,000 req/s with p99 < 20 ms;
 * CSV ≥ 100k rows/s with flat memory.
 */
export async function apiBench(database: BenchDatabase) {
  if (!existsSync(path.join(BUILD_DIR, "server", "index.js"))) throw new Error("Run `npm run build` first: the api benchmark starts the real server.");
  const db = createDatabase(database.appUrl, { max: 16 });
  const config = parseConfig({ NODE_ENV: "production", LOG_LEVEL: "warn", API_RATE_LIMIT_PER_MINUTE: "1000000000" });
  const http = await createHttpApp({ config, db, logger: createLogger("warn"), jobs: jobQueueFor(createBoss(database.appUrl)) }, { ui: "production" });
  try {
    const w = await makeWorkspace(db, "Bench API");
    const seedStarted = Date.now();
    await seedBenchCustomers(database, w.tenantId);
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    const publishStarted = Date.now();
    await publishedSegment(w, "Frequent", { combinator: "and", children: [{ op: "gte", field: "frequency", value: 20 }] });
    await publishedSegment(w, "Big spenders", { combinator: "and", children: [{ op: "gte", field: "monetary", value: 6000 }] });
    await publishedSegment(w, "Recent", { combinator: "and", children: [{ op: "lte", field: "recency_days", value: 30 }] });
    const everyone = await publishedSegment(w, "Everyone", { combinator: "and", children: [] });
    const publishSeconds = (Date.now() - publishStarted) / 1000;
    await database.ownerQuery("analyze segment_memberships; analyze segments; analyze segment_versions");
    const { rows } = await database.ownerQuery<{ n: number; memberships: number }>(
      "select (select member_count from segments where id = $1) as n, (select count(*)::int from segment_memberships where to_version is null) as memberships",
      [everyone.segmentId],
    );
    const key = (await createApiKey(w.ownerScope, { name: "Bench", scopes: ["memberships:read", "exports:read"] })).key;

    await new Promise<void>((r) => http.server.listen(0, "127.0.0.1", r));
    const address = http.server.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    // Warm up (connection pool, plans, key cache), then measure.
    for (let i = 1; i <= 200; i++) await fetch(`${url}/api/v1/customers/B${String(i).padStart(7, "0")}/segments`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.text());
    const loads: { connections: number; load: LoadResult }[] = [];
    for (const connections of CONNECTIONS) loads.push({ connections, load: await runLoad(url, key, connections) });

    // CSV: every member of "Everyone", streamed; this process's memory sampled while it streams.
    global.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 25);
    const csvStarted = process.hrtime.bigint();
    const response = await fetch(`${url}/api/v1/segments/${everyone.segmentId}/members`, { headers: { authorization: `Bearer ${key}`, accept: "text/csv" } });
    let lines = 0;
    let bytes = 0;
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
    }
    const csvSeconds = Number(process.hrtime.bigint() - csvStarted) / 1e9;
    clearInterval(sampler);
    const rowsStreamed = lines - 1;

    return {
      customers: BENCH_CUSTOMERS,
      seedSeconds,
      publishSeconds,
      currentMemberships: rows[0].memberships,
      customerSegments: loads.map(({ connections, load }) => ({
        connections,
        seconds: LOAD_SECONDS,
        requestsPerSecond: load.requests.average,
        requests: load.requests.total,
        latencyMs: { p50: load.latency.p50, p90: load.latency.p90, p99: load.latency.p99, max: load.latency.max },
        errors: load.errors + load.timeouts,
        non2xx: load.non2xx,
        met: load.requests.average >= 3000 && load.latency.p99 < 20 && load.errors + load.timeouts + load.non2xx === 0,
      })),
      csvExport: {
        status: response.status,
        rows: rowsStreamed,
        expectedRows: rows[0].n,
        megabytes: mb(bytes),
        seconds: Math.round(csvSeconds * 100) / 100,
        rowsPerSecond: Math.round(rowsStreamed / csvSeconds),
        memoryMb: { rssBefore: mb(before.rss), rssPeak: mb(peakRss), heapBefore: mb(before.heapUsed), heapPeak: mb(peakHeap) },
      },
      targets: { requestsPerSecond: 3000, p99Ms: 20, csvRowsPerSecond: 100_000 },
    };
  } finally {
    await http.close();
    await db.close();
  }
}
