import type { Database } from "../db/client";
import type { Logger } from "../server/logger";
import { handleImportJob, IMPORT_QUEUE, resumeInterruptedImports } from "./jobs/import";
import { handleModelRunJob, MODEL_RUN_QUEUE } from "./jobs/model-run";
import { handleMonitorRunJob, MONITOR_RUN_QUEUE, MONITOR_SWEEP_CRON, MONITOR_SWEEP_QUEUE, sweepMonitorSchedules } from "./jobs/monitor-run";
import { handleQualityJob, QUALITY_QUEUE } from "./jobs/quality";
import { handleWebhookDeliveryJob, WEBHOOK_DELIVERY_QUEUE } from "./jobs/webhook-delivery";
import { createBoss, jobQueueFor } from "./queues";

export interface Workers {
  stop(): Promise<void>;
}

/**
 * Starts the job handlers on this process: pg-boss claims jobs with SKIP LOCKED, so any number
 * of processes on any number of machines can run this against the same PostgreSQL.
 */
export async function startWorkers(opts: { appUrl: string; db: Database; logger: Logger; recoveryIntervalMs?: number }): Promise<Workers> {
  const log = opts.logger.child({ component: "workers" });
  const boss = createBoss(opts.appUrl);
  // pg-boss reports connection errors with the whole client attached: log what matters. The
  // database closing connections at shutdown (57P01) is expected, not an error.
  boss.on("error", (err: Error & { code?: string }) =>
    err.code === "57P01" ? log.warn({ code: err.code }, "job queue connection closed by the database") : log.error({ message: err.message, code: err.code }, "job queue error"),
  );
  await boss.start();
  const jobs = jobQueueFor(boss);
  await boss.work(IMPORT_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => handleImportJob(opts.db, jobs, log, job.data));
  await boss.work(QUALITY_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => handleQualityJob(opts.db, log, job.data));
  await boss.work(MODEL_RUN_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1, includeMetadata: true }, async ([job]) =>
    handleModelRunJob(opts.db, log, job.data, { retryCount: job.retryCount, retryLimit: job.retryLimit }),
  );
  await boss.work(MONITOR_RUN_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1, includeMetadata: true }, async ([job]) =>
    handleMonitorRunJob(opts.db, log, job.data, { retryCount: job.retryCount, retryLimit: job.retryLimit }),
  );
  await boss.work(MONITOR_SWEEP_QUEUE, { batchSize: 1, pollingIntervalSeconds: 30 }, async () => sweepMonitorSchedules(opts.db, log));
  await boss.schedule(MONITOR_SWEEP_QUEUE, MONITOR_SWEEP_CRON);
  // Deliveries are short HTTP calls to other systems: up to 10 at once per poll.
  await boss.work(WEBHOOK_DELIVERY_QUEUE, { batchSize: 10, pollingIntervalSeconds: 1 }, async (batch) =>
    Promise.all(batch.map((job) => handleWebhookDeliveryJob(opts.db, log, job.data))),
  );
  const recover = () => resumeInterruptedImports(opts.db, jobs, log).catch((err) => log.error({ err }, "import recovery failed"));
  await recover();
  const timer = setInterval(recover, opts.recoveryIntervalMs ?? 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await boss.stop({ graceful: true, wait: true, timeout: 15_000 });
    },
  };
}
