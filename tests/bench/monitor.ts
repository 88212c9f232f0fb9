import { radixSortFloat64 } from "../../server/analytics/radix-sort";
import os from "node:os";
import { createDatabase } from "../../db/client";
import { makeWorkspace } from "../../db/seed/factories";
import { numericDrift, numericDriftSorted } from "../../server/analytics/drift";
import { SeededRandom } from "../../server/analytics/seeded-random";
import { queueRun, runBiasAudit, runDriftMonitor } from "../../server/services/monitoring";
import { currentFeatures, storeBaseline } from "../../server/services/monitoring/baseline";
import { migrationMatrixTx } from "../../server/services/monitoring/history";
import type { BenchDatabase } from "./bench-db";

export const MONITOR_ROWS = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const FEATURES = 20;
const SEGMENTS = 30;

const seconds = (start: bigint) => Math.round(Number(process.hrtime.bigint() - start) / 1e6) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Feature j of a snapshot: normal, log-normal, or whole numbers with heavy ties, by j mod 3; `shift` moves it. */
function feature(rng: SeededRandom, n: number, j: number, shift: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    out[i] =
      j % 3 === 0 ? z + shift : j % 3 === 1 ? Math.exp(0.8 * z + shift) : Math.floor(Math.abs(z) * 4 + shift * 4);
  }
  return out;
}

/**
 * `npm run bench -- monitor` (issue #7 targets in brackets):
 * - drift of 20 features between two snapshots of MONITOR_ROWS rows, in memory [< 3 s]: both
 *   snapshots unsorted (sorting included), and with the reference already sorted as a stored
 *   baseline keeps it; plus a whole drift run through PostgreSQL on 6 features of 1M customers;
 * - the migration matrix between two 1M-member snapshots of 30 segments, in PostgreSQL [< 2 s];
 * - a bias audit of 30 segments × 3 protected attributes over 1M customers [< 3 s], the whole
 *   run (two scans, the statistics, 90 stored results).
 * Timings are the median of 3 (the in-memory and SQL parts) or one run (whole runs that write).
 */
export async function monitorBench(database: BenchDatabase) {
  const n = MONITOR_ROWS;
  // 1. Drift in memory.
  const rng = new SeededRandom(7);
  const reference = Array.from({ length: FEATURES }, (_, j) => feature(rng, n, j, 0));
  const current = Array.from({ length: FEATURES }, (_, j) => feature(rng, n, j, j % 4 === 0 ? 0.3 : 0));
  const cpuSeconds = (start: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(start);
    return Math.round((used.user + used.system) / 1000) / 1000;
  };
  const unsortedTimes: number[] = [];
  const unsortedCpu: number[] = [];
  let bands: string[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    bands = reference.map((ref, j) => numericDrift(ref, current[j]).band);
    unsortedTimes.push(seconds(started));
    unsortedCpu.push(cpuSeconds(cpu));
  }
  const sortedReference = reference.map((r) => radixSortFloat64(r));
  const baselineTimes: number[] = [];
  const baselineCpu: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    sortedReference.map((ref, j) => numericDriftSorted(ref, radixSortFloat64(current[j])));
    baselineTimes.push(seconds(started));
    baselineCpu.push(cpuSeconds(cpu));
  }

  // 2. and 3. in PostgreSQL.
  const db = createDatabase(database.appUrl);
  try {
    const w = await makeWorkspace(db, "Bench Monitor");
    const seedStarted = process.hrtime.bigint();
    await database.ownerQuery(
      `insert into customers (tenant_id, external_id, attributes)
       select $1, 'B' || lpad(i::text, 7, '0'),
              jsonb_build_object('gender', (array['F', 'M', 'X'])[1 + (i * 7) % 3], 'age_band', (array['18-34', '35-49', '50-64', '65+'])[1 + (i * 13) % 4],
                                 'ethnicity', (array['A', 'B', 'C', 'D', 'E'])[1 + (i * 31) % 5])
       from generate_series(1, $2::int) i`,
      [w.tenantId, n]
    );
    await database.ownerQuery(
      `insert into customer_features (tenant_id, customer_id, reference_date, recency_days, frequency, monetary,
         average_order_value, tenure_days, purchase_span_days, r, f, m, rfm_segment)
       select c.tenant_id, c.id, '2011-12-10', h % 365, 1 + (h / 365) % 30, ((h / 7) % 9000)::float8 + 0.5,
              (((h / 7) % 9000)::float8 + 0.5) / (1 + (h / 365) % 30), h % 365 + (h / 11) % 700, (h / 11) % 700,
              1 + h % 5, 1 + (h / 5) % 5, 1 + (h / 25) % 5,
              (array['Champions', 'Loyal', 'Potential loyalist', 'New', 'At risk', 'Hibernating', 'Lost'])[1 + (h / 3) % 7]
       from (select tenant_id, id, abs(hashtext(external_id)) as h from customers where tenant_id = $1) c`,
      [w.tenantId]
    );
    for (const key of ["gender", "age_band", "ethnicity"]) {
      await database.ownerQuery(
        "insert into attribute_definitions (tenant_id, key, label, type, sensitivity) values ($1, $2, $2, 'category', 'protected')",
        [w.tenantId, key]
      );
    }
    // 30 active segments, each with versions 1 (January) and 2 (February); every customer is in
    // segment h mod 30 at version 1, and a fifth of them moved to the next segment at version 2.
    const { rows: segs } = await database.ownerQuery<{ id: string }>(
      `insert into segments (tenant_id, name, priority, status, current_version)
       select $1, 'Segment ' || s, s, 'active', 2 from generate_series(1, ${SEGMENTS}) s returning id`,
      [w.tenantId]
    );
    const ids = segs.map((s) => s.id);
    await database.ownerQuery(
      `insert into segment_versions (tenant_id, segment_id, version, definition, kind, member_count, added, removed, published_at)
       select $1, s, v, '{"rules":{"combinator":"and","children":[]}}', 'create', 0, 0, 0, case when v = 1 then '2026-01-01'::timestamptz else '2026-02-01'::timestamptz end
       from unnest($2::uuid[]) s cross join generate_series(1, 2) v`,
      [w.tenantId, ids]
    );
    await database.ownerQuery(
      `with c as (select id, abs(hashtext(external_id)) as h from customers where tenant_id = $1)
       insert into segment_memberships (tenant_id, segment_id, customer_id, from_version, to_version)
       select $1, ($2::uuid[])[1 + h % ${SEGMENTS}], id, 1, case when h % 5 = 0 then 2 end from c
       union all
       select $1, ($2::uuid[])[1 + (h + 1) % ${SEGMENTS}], id, 2, null from c where h % 5 = 0`,
      [w.tenantId, ids]
    );
    await database.ownerQuery(
      "analyze customers; analyze customer_features; analyze segment_memberships; analyze segment_versions"
    );
    const seedSeconds = seconds(seedStarted);

    // Drift run through PostgreSQL: a baseline of today's 6 features, then a run against it.
    const baselineStarted = process.hrtime.bigint();
    await db.withTenant(w.tenantId, async (tx) =>
      storeBaseline(tx, w.tenantId, await currentFeatures(tx, w.tenantId), "bench", null)
    );
    const baselineSeconds = seconds(baselineStarted);
    const driftRunId = await db.withTenant(w.tenantId, (tx) =>
      queueRun(tx, w.tenantId, { kind: "drift", trigger: "demand", createdBy: null })
    );
    const driftRunStarted = process.hrtime.bigint();
    await runDriftMonitor(db, w.tenantId, driftRunId);
    const driftRunSeconds = seconds(driftRunStarted);

    const matrixTimes: number[] = [];
    let moved = 0;
    for (let rep = 0; rep < 3; rep++) {
      const started = process.hrtime.bigint();
      const m = await db.withTenant(w.tenantId, (tx) =>
        migrationMatrixTx(tx, w.tenantId, new Date("2026-01-15"), new Date("2026-02-15"))
      );
      matrixTimes.push(seconds(started));
      moved = m.decay.reduce((s, d) => s + d.moved, 0);
    }

    const biasRunId = await db.withTenant(w.tenantId, (tx) =>
      queueRun(tx, w.tenantId, { kind: "bias", trigger: "demand", createdBy: null })
    );
    const biasStarted = process.hrtime.bigint();
    await runBiasAudit(db, w.tenantId, biasRunId);
    const biasSeconds = seconds(biasStarted);
    const { rows: biasRows } = await database.ownerQuery<{ n: number }>(
      "select count(*)::int as n from bias_results where run_id = $1",
      [biasRunId]
    );

    return {
      rows: n,
      features: FEATURES,
      drift_in_memory_seconds: median(unsortedTimes),
      drift_in_memory_cpu_seconds: median(unsortedCpu),
      drift_sorted_baseline_seconds: median(baselineTimes),
      drift_sorted_baseline_cpu_seconds: median(baselineCpu),
      load_average_1min: os.loadavg()[0],
      drift_bands: Object.fromEntries(["none", "watch", "act"].map((b) => [b, bands.filter((x) => x === b).length])),
      seed_seconds: seedSeconds,
      drift_baseline_store_seconds: baselineSeconds,
      drift_run_6_features_seconds: driftRunSeconds,
      migration_matrix_seconds: median(matrixTimes),
      migration_moved: moved,
      bias_audit_seconds: biasSeconds,
      bias_results: biasRows[0].n,
    };
  } finally {
    await db.close();
  }
}
