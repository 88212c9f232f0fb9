import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../db/client";
import type { Logger } from "../../server/logger";
import { runImport } from "../../server/services/data/import-runner";
import type { JobQueue } from "../../server/services/data/imports";

export const IMPORT_QUEUE = "data-import";
export const ZImportJob = z.object({ tenantId: z.uuid(), importId: z.uuid() });

export async function handleImportJob(db: Database, jobs: JobQueue, log: Logger, data: unknown) {
  const job = ZImportJob.parse(data);
  const outcome = await runImport(db, jobs, job.tenantId, job.importId, log);
  log.info({ ...job, outcome }, "import job finished");
  return outcome;
}

/**
 * Imports left "running" by a worker that died: their lock is free, so running them again
 * (from scratch: the dead worker's transaction was rolled back) finishes them. An import whose
 * runner is alive on another machine holds its lock and is skipped as busy.
 */
export async function resumeInterruptedImports(db: Database, jobs: JobQueue, log: Logger): Promise<number> {
  const rows = await db.withoutTenant((tx) =>
    tx.execute<{ tenant_id: string; id: string }>(sql`select tenant_id, id from app_interrupted_imports()`),
  );
  let resumed = 0;
  for (const r of rows.rows) {
    try {
      const outcome = await runImport(db, jobs, r.tenant_id, r.id, log);
      if (outcome !== "busy" && outcome !== "skipped") resumed++;
    } catch (err) {
      // Interrupted again (the database went away): the next sweep tries again; the others go on.
      log.warn({ err, tenantId: r.tenant_id, importId: r.id }, "resuming an interrupted import failed; the next sweep retries it");
    }
  }
  if (resumed) log.info({ resumed }, "resumed interrupted imports");
  return resumed;
}
