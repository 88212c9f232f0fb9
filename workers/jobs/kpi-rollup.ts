import type { Database } from "../../db/client";
import type { Logger } from "../../server/logger";
import { failRollup, KPI_ROLLUP_QUEUE, runRollup, ZKpiRollupJob } from "../../server/services/kpis";

export { KPI_ROLLUP_QUEUE, ZKpiRollupJob };

/**
 * One KPI roll-up run (server/services/kpis/runs.ts). The run's writes are one transaction, so
 * a retry after a failure or a killed worker starts from the previous roll-ups; the last
 * attempt's failure is recorded on the run and announced to open dashboards.
 */
export async function handleKpiRollupJob(db: Database, log: Logger, data: unknown, attempt: { retryCount: number; retryLimit: number }) {
  const { tenantId, runId } = ZKpiRollupJob.parse(data);
  try {
    const started = Date.now();
    const outcome = await runRollup(db, tenantId, runId);
    log.info({ tenantId, runId, outcome, ms: Date.now() - started }, "kpi roll-up");
    return outcome;
  } catch (error) {
    if (attempt.retryCount >= attempt.retryLimit) await failRollup(db, tenantId, runId, error instanceof Error ? error.message : String(error));
    throw error;
  }
}
