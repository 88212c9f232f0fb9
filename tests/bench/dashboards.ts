import { createDatabase, type Database } from "../../db/client";
import { makeWorkspace } from "../../db/seed/factories";
import { runImport, startImport, uploadFile } from "../../server/services/data";
import { dashboard, queueRollup, runRollup } from "../../server/services/kpis";
import { createRegion } from "../../server/services/workspaces";
import { jobQueueFor, createBoss } from "../../workers/queues";
import type { BenchDatabase } from "./bench-db";
import { BENCH_CUSTOMERS, seedBenchCustomers } from "./segments";

const BENCH_EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const BENCH_TRANSACTIONS = Number(process.env.BENCH_TRANSACTIONS ?? 2_000_000);
const SEGMENTS = 20;
const NEW_EVENTS = 100_000;

const seconds = (start: bigint) => Math.round(Number(process.hrtime.bigint() - start) / 1e6) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The benchmark's workspace: customers, regions, 20 segments with members, events and transaction lines. */
export async function seedDashboardsBench(database: BenchDatabase, db: Database) {
  const w = await makeWorkspace(db, "Dashboards bench");
  const tid = w.tenantId;
  for (const name of ["East", "West"]) await createRegion(w.ownerScope, { name });
  await seedBenchCustomers(database, tid, BENCH_CUSTOMERS);
  await database.ownerQuery(
    `insert into segments (tenant_id, name, priority, status, current_version, member_count)
     select $1, 'Segment ' || lpad(s::text, 2, '0'), s, 'active', 1, 0 from generate_series(1, $2::int) s`,
    [tid, SEGMENTS],
  );
  await database.ownerQuery(
    `insert into segment_memberships (tenant_id, segment_id, customer_id, from_version)
     select c.tenant_id, s.id, c.id, 1
     from customers c join segments s on s.tenant_id = c.tenant_id and s.priority = 1 + abs(hashtext(c.external_id || 's')) % $2
     where c.tenant_id = $1`,
    [tid, SEGMENTS],
  );
  await database.ownerQuery(
    `update segments s set member_count = (select count(*) from segment_memberships m where m.tenant_id = s.tenant_id and m.segment_id = s.id) where s.tenant_id = $1`,
    [tid],
  );
  const customers = `'B' || lpad((1 + abs(hashtext(i::text || 'c')) % ${BENCH_CUSTOMERS})::text, 7, '0')`;
  await database.ownerQuery(
    `insert into events (tenant_id, id, customer_external_id, type, occurred_at, value, channel, campaign, import_id)
     select $1, 'e' || i, ${customers},
            (array['touchpoint', 'touchpoint', 'conversion', 'visit', 'support_ticket', 'nps_response', 'touchpoint', 'conversion'])[1 + i % 8],
            timestamptz '2025-01-01 00:00:00+00' + make_interval(secs => abs(hashtext(i::text || 't')) % (365 * 86400)),
            (abs(hashtext(i::text || 'v')) % 11)::float8, (array['email', 'paid_media', 'sales', 'web'])[1 + i % 4], null, gen_random_uuid()
     from generate_series(1, $2::int) i`,
    [tid, BENCH_EVENTS],
  );
  await database.ownerQuery(
    `insert into transactions (tenant_id, id, customer_external_id, invoice_no, quantity, unit_price, occurred_at, import_id)
     select $1, 't' || i, ${customers.replace("'c'", "'i'")}, 'I' || (i / 3), 1 + i % 4, (1 + abs(hashtext(i::text || 'p')) % 5000) / 100.0,
            timestamptz '2025-01-01 00:00:00+00' + make_interval(secs => abs(hashtext((i / 3)::text || 't')) % (365 * 86400)), gen_random_uuid()
     from generate_series(1, $2::int) i`,
    [tid, BENCH_TRANSACTIONS],
  );
  await database.ownerQuery("analyze events; analyze transactions; analyze segment_memberships; analyze customers");
  return w;
}

/**
 * `npm run bench -- dashboards`: 1M customers (BENCH_CUSTOMERS) in 4 regions and 20 published
 * segments (every customer in one, written directly: publishing is the segments benchmark),
 * 10M events (BENCH_EVENTS) and 2M transaction lines (BENCH_TRANSACTIONS) over 2025. Measures
 * the full rebuild of every KPI roll-up, the dashboard payload for one period (all regions and
 * one region), and — after importing 100k new events through the import pipeline — the
 * incremental roll-up that import queued.
 * Targets (issue #8): dashboard < 300 ms, incremental after 100k events < 10 s, full rebuild < 2 min.
 */
export async function dashboardsBench(database: BenchDatabase) {
  const db = createDatabase(database.appUrl);
  const boss = createBoss(database.appUrl);
  const jobs = jobQueueFor(boss);
  try {
    let started = process.hrtime.bigint();
    const w = await seedDashboardsBench(database, db);
    const tid = w.tenantId;
    const seeded = seconds(started);

    started = process.hrtime.bigint();
    const fullRun = await db.withTenant(tid, (tx) => queueRollup(tx, tid, { trigger: "rebuild", createdBy: null }));
    await runRollup(db, tid, fullRun);
    const fullRebuild = seconds(started);
    const [{ n: rollupRows }] = (await database.ownerQuery<{ n: number }>(`select count(*)::int as n from kpi_rollups where tenant_id = $1`, [tid])).rows;

    const viewer = { ...w.ownerScope, role: "viewer" as const };
    const timeDashboard = async (regionId: string | null) => {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const s = process.hrtime.bigint();
        const d = await dashboard(viewer, { grain: "month", periodStart: "2025-11-01", regionId, trendPeriods: 12 });
        times.push(seconds(s) * 1000);
        if (d.cells.length === 0) throw new Error("the dashboard came back empty");
      }
      return median(times);
    };
    const dashboardMs = await timeDashboard(null);
    const dashboardRegionMs = await timeDashboard(w.regionIds[0]);

    // 100k new events in the last week of December, imported as a file.
    const lines = ["event_id,customer_id,type,occurred_at,value,channel"];
    for (let i = 0; i < NEW_EVENTS; i++) {
      const at = new Date(Date.UTC(2025, 11, 24) + ((i * 7919) % (7 * 86400)) * 1000).toISOString();
      lines.push(`n${i},B${String(1 + ((i * 104729) % BENCH_CUSTOMERS)).padStart(7, "0")},${i % 3 ? "touchpoint" : "conversion"},${at},,email`);
    }
    started = process.hrtime.bigint();
    const up = await uploadFile(w.ownerScope, { kind: "events", fileName: "new-events.csv" }, [lines.join("\n")], 1 << 30);
    await startImport(w.ownerScope, { importId: up.importId, mapping: up.mapping }, jobs);
    if ((await runImport(db, jobs, tid, up.importId)) !== "completed") throw new Error("the events import did not complete");
    const importSeconds = seconds(started);
    const [queued] = (
      await database.ownerQuery<{ id: string }>(`select id from kpi_rollup_runs where tenant_id = $1 and import_id = $2`, [tid, up.importId])
    ).rows;
    started = process.hrtime.bigint();
    await runRollup(db, tid, queued.id);
    const incremental = seconds(started);

    return {
      customers: BENCH_CUSTOMERS,
      events: BENCH_EVENTS,
      transactionLines: BENCH_TRANSACTIONS,
      segments: SEGMENTS,
      seedSeconds: seeded,
      rollupRows,
      fullRebuildSeconds: fullRebuild,
      dashboardMedianMs: Math.round(dashboardMs * 10) / 10,
      dashboardOneRegionMedianMs: Math.round(dashboardRegionMs * 10) / 10,
      importNewEventsSeconds: importSeconds,
      incrementalRollupSeconds: incremental,
      targets: { dashboardMs: 300, incrementalSeconds: 10, fullRebuildSeconds: 120 },
    };
  } finally {
    await db.close();
  }
}
