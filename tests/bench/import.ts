import { readFile } from "node:fs/promises";
import path from "node:path";
import { createDatabase } from "../../db/client";
import { runImport, runQualityReport, startImport, uploadFile } from "../../server/services/data";
import { makeWorkspace } from "../../db/seed/factories";
import { createBoss, jobQueueFor } from "../../workers/queues";
import type { BenchDatabase } from "./bench-db";

export const ONLINE_RETAIL = path.resolve("..", "shared", "data", "online_retail.csv.gz");

/**
 * `npm run bench -- import`: the whole Online Retail file through upload, validation, error
 * report and RFM features, timed end to end, with peak memory; then the data-quality report
 * (a background job after the import), timed on its own.
 */
export async function importBench(database: BenchDatabase) {
  const db = createDatabase(database.appUrl);
  const jobs = jobQueueFor(createBoss(database.appUrl));
  try {
    const w = await makeWorkspace(db, "Bench Retail");
    const gz = await readFile(ONLINE_RETAIL);
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const started = process.hrtime.bigint();
    const chunks = (async function* () {
      for (let i = 0; i < gz.length; i += 1 << 16) yield gz.subarray(i, i + (1 << 16));
    })();
    const uploaded = await uploadFile(w.ownerScope, { kind: "transactions", fileName: "online_retail.csv.gz" }, chunks, 1 << 30);
    await startImport(w.ownerScope, { importId: uploaded.importId, mapping: uploaded.mapping }, jobs);
    const importId = uploaded.importId;
    const outcome = await runImport(db, jobs, w.tenantId, importId);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const qualityStarted = process.hrtime.bigint();
    await runQualityReport(db, w.tenantId, importId);
    const qualitySeconds = Number(process.hrtime.bigint() - qualityStarted) / 1e9;
    clearInterval(sampler);
    const [row] = (
      await database.ownerQuery<{ rows_read: number; rows_imported: number; rows_failed: number }>(
        "select rows_read, rows_imported, rows_failed from imports where id = $1",
        [importId],
      )
    ).rows;
    const features = await database.ownerQuery<{ n: number }>("select count(*)::int as n from customer_features where tenant_id = $1", [w.tenantId]);
    return {
      outcome,
      seconds: Math.round(seconds * 100) / 100,
      qualityReportSeconds: Math.round(qualitySeconds * 100) / 100,
      rowsRead: row.rows_read,
      rowsImported: row.rows_imported,
      rowsFailed: row.rows_failed,
      rowsPerSecond: Math.round(row.rows_read / seconds),
      customersWithFeatures: features.rows[0].n,
      peakRssMb: Math.round(peak / 1048576),
      target: "under 20 s",
    };
  } finally {
    await db.close();
  }
}
