import PgBoss from "pg-boss";
import { z } from "zod";
import { txClient, type Tx } from "../../../db/client";

/** The pg-boss queue of drift and bias runs (handled by workers/jobs/monitor-run.ts). */
export const MONITOR_RUN_QUEUE = "monitor-run";
/** The hourly sweep that starts scheduled runs of every workspace. */
export const MONITOR_SWEEP_QUEUE = "monitor-sweep";
export const ZMonitorRunJob = z.object({ tenantId: z.uuid(), runId: z.uuid() });
export type MonitorRunJob = z.infer<typeof ZMonitorRunJob>;

/** pg-boss's schema (workers/queues.ts JOB_SCHEMA). */
const JOB_SCHEMA = "pgboss";
let sender: PgBoss | null = null;

/** pg-boss used only to insert jobs through a caller's transaction, as server/services/webhooks/queue.ts does. */
function sendOnly(): PgBoss {
  sender ??= new PgBoss({
    schema: JOB_SCHEMA,
    db: { executeSql: () => Promise.reject(new Error("the monitor job sender only sends through a transaction")) },
  });
  return sender;
}

/** Enqueues one monitor run inside `tx`: the job exists if and only if the transaction commits. */
export async function enqueueMonitorRun(tx: Tx, job: MonitorRunJob): Promise<void> {
  const db = { executeSql: (text: string, values: unknown[]) => txClient(tx).query(text, values) };
  await sendOnly().send(MONITOR_RUN_QUEUE, ZMonitorRunJob.parse(job), {
    db,
    singletonKey: job.runId,
    retryLimit: 3,
    retryBackoff: true,
  });
}
