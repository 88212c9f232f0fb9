import PgBoss from "pg-boss";
import type { Tx } from "../db/client";
import { txClient } from "../db/client";
import type { JobQueue } from "../server/services/data/imports";
import { IMPORT_QUEUE, ZImportJob } from "./jobs/import";
import { MODEL_RUN_QUEUE, ZModelRunJob } from "./jobs/model-run";
import { MONITOR_RUN_QUEUE, MONITOR_SWEEP_QUEUE } from "./jobs/monitor-run";
import { QUALITY_QUEUE, ZQualityJob } from "./jobs/quality";
import { WEBHOOK_DELIVERY_QUEUE } from "./jobs/webhook-delivery";

export const QUEUES = [IMPORT_QUEUE, QUALITY_QUEUE, MODEL_RUN_QUEUE, WEBHOOK_DELIVERY_QUEUE, MONITOR_RUN_QUEUE, MONITOR_SWEEP_QUEUE] as const;
export const JOB_SCHEMA = "pgboss";

/** pg-boss over `url`; not started (sending through a transaction needs no running instance). */
export function createBoss(url: string): PgBoss {
  return new PgBoss({ connectionString: url, schema: JOB_SCHEMA, max: 4 });
}

/** Creates or migrates pg-boss's schema and the queues, as the owner role, then lets go. */
export async function ensureJobSchema(ownerUrl: string): Promise<void> {
  const boss = new PgBoss({ connectionString: ownerUrl, schema: JOB_SCHEMA, supervise: false, schedule: false, max: 1 });
  boss.on("error", () => {});
  await boss.start();
  try {
    for (const name of QUEUES) {
      if (!(await boss.getQueue(name))) await boss.createQueue(name, { name, retryLimit: 3, retryBackoff: true, expireInSeconds: 3600 });
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
