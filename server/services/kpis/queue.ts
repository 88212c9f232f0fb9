import PgBoss from "pg-boss";
import { z } from "zod";
import { txClient, type Tx } from "../../../db/client";

/** The pg-boss queue of KPI roll-up runs (handled by workers/jobs/kpi-rollup.ts). */
export const KPI_ROLLUP_QUEUE = "kpi-rollup";
export const ZKpiRollupJob = z.object({ tenantId: z.uuid(), runId: z.uuid() });
export type KpiRollupJob = z.infer<typeof ZKpiRollupJob>;

/** pg-boss's schema (workers/queues.ts JOB_SCHEMA). */
const JOB_SCHEMA = "pgboss";
let sender: PgBoss | null = null;

/** pg-boss used only to insert jobs through a caller's transaction, as server/services/monitoring/queue.ts does. */
function sendOnly(): PgBoss {
  sender ??= new PgBoss({
    schema: JOB_SCHEMA,
    db: { executeSql: () => Promise.reject(new Error("the roll-up job sender only sends through a transaction")) },
  });
  return sender;
}

/** Enqueues one roll-up run inside `tx`: the job exists if and only if the transaction commits. */
export async function enqueueKpiRollup(tx: Tx, job: KpiRollupJob): Promise<void> {
  const db = { executeSql: (text: string, values: unknown[]) => txClient(tx).query(text, values) };
  await sendOnly().send(KPI_ROLLUP_QUEUE, ZKpiRollupJob.parse(job), { db, singletonKey: job.runId, retryLimit: 3, retryBackoff: true });
}
