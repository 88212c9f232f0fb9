import { z } from "zod";
import type { Database } from "../../db/client";
import type { Logger } from "../../server/logger";
import { runQualityReport } from "../../server/services/data/import-runner";

export const QUALITY_QUEUE = "data-quality";
export const ZQualityJob = z.object({ tenantId: z.uuid(), importId: z.uuid() });

export async function handleQualityJob(db: Database, log: Logger, data: unknown) {
  const job = ZQualityJob.parse(data);
  const outcome = await runQualityReport(db, job.tenantId, job.importId);
  log.info({ ...job, outcome }, "quality report job finished");
  return outcome;
}
