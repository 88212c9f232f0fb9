import PgBoss from "pg-boss";
import type { Tx } from "../db/client";
import { txClient } from "../db/client";
import type { JobQueue } from "../server/services/data/imports";
import { IMPORT_QUEUE, ZImportJob } from "./jobs/import";
import { MODEL_RUN_QUEUE, ZModelRunJob } from "./jobs/model-run";
import { KPI_ROLLUP_QUEUE } from "./jobs/kpi-rollup";
import { MONITOR_RUN_QUEUE, MONITOR_SWEEP_QUEUE } from "./jobs/monitor-run";
import { QUALITY_QUEUE, ZQualityJob } from "./jobs/quality";
import { WEBHOOK_DELIVERY_QUEUE } from "./jobs/webhook-delivery";

export const QUEUES = [IMPORT_QUEUE, QUALITY_QUEUE, MODEL_RUN_QUEUE, WEBHOOK_DELIVERY_QUEUE, MONITOR_RUN_QUEUE, MONITOR_SWEEP_QUEUE, KPI_ROLLUP_QUEUE] as const;
export const JOB_SCHEMA = "pgboss";

/**
 * How a job whose worker died (kill -9, lost machine) gets run again. A running job's lease is
 * renewed every `heartbeatSeconds` (workers/job-lease.ts); one not renewed for `leaseSeconds`
 * is expired by pg-boss's maintenance, which some worker runs every `maintenanceSeconds`, and
 * retried after `retryDelaySeconds` (doubling, with jitter, each further attempt) by whichever
 * worker polls first: another worker takes over a killed one's job within about 75 s. A failed
 * attempt (the handler threw) is retried on the same schedule, `retryLimit` times.
 */
// The lease must outlast the longest stretch a handler keeps the event loop busy (the heartbeat
// timer cannot fire meanwhile): a clustering attempt on a starved machine once outlasted 30 s.
export const JOB_POLICY = { leaseSeconds: 60, heartbeatSeconds: 5, maintenanceSeconds: 5, retryDelaySeconds: 2, retryLimit: 3 } as const;

/** pg-boss over `url`; not started (sending through a transaction needs no running instance). */
export function createBoss(url: string): PgBoss {
  return new PgBoss({ connectionString: url, schema: JOB_SCHEMA, max: 4, maintenanceIntervalSeconds: JOB_POLICY.maintenanceSeconds });
}

/** Creates or migrates pg-boss's schema and the queues, as the owner role, then lets go. */
export async function ensureJobSchema(ownerUrl: string): Promise<void> {
  const boss = new PgBoss({ connectionString: ownerUrl, schema: JOB_SCHEMA, supervise: false, schedule: false, max: 1 });
  boss.on("error", () => {});
  await boss.start();
  try {
    const policy = { retryLimit: JOB_POLICY.retryLimit, retryBackoff: true, retryDelay: JOB_POLICY.retryDelaySeconds, expireInSeconds: JOB_POLICY.leaseSeconds };
    for (const name of QUEUES) {
      // Existing queues take the current policy too (jobs already queued keep theirs).
      if (await boss.getQueue(name)) await boss.updateQueue(name, { name, ...policy });
      else await boss.createQueue(name, { name, ...policy });
    }
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

/** Jobs are inserted with the caller's transaction: they exist if and only if it commits. */
export function jobQueueFor(boss: PgBoss): JobQueue {
  const through = (tx: Tx) => ({ executeSql: (text: string, values: unknown[]) => txClient(tx).query(text, values) });
  return {
    async enqueueImport(tx, job) {
      await boss.send(IMPORT_QUEUE, ZImportJob.parse(job), { db: through(tx), singletonKey: job.importId });
    },
    async enqueueQuality(tx, job) {
      await boss.send(QUALITY_QUEUE, ZQualityJob.parse(job), { db: through(tx), singletonKey: job.importId });
    },
    async enqueueModelRun(tx, job) {
      await boss.send(MODEL_RUN_QUEUE, ZModelRunJob.parse(job), { db: through(tx), singletonKey: job.runId });
    },
  };
}
