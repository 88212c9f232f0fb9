import type PgBoss from "pg-boss";
import type { Database } from "../db/client";
import type { Logger } from "../server/logger";
import { handleImportJob, IMPORT_QUEUE, resumeInterruptedImports } from "./jobs/import";
import { handleModelRunJob, MODEL_RUN_QUEUE } from "./jobs/model-run";
import { handleKpiRollupJob, KPI_ROLLUP_QUEUE } from "./jobs/kpi-rollup";
import { handleMonitorRunJob, MONITOR_RUN_QUEUE, MONITOR_SWEEP_CRON, MONITOR_SWEEP_QUEUE, sweepMonitorSchedules } from "./jobs/monitor-run";
import { handleQualityJob, QUALITY_QUEUE } from "./jobs/quality";
import { handleWebhookDeliveryJob, WEBHOOK_DELIVERY_QUEUE } from "./jobs/webhook-delivery";
import { JobLeases } from "./job-lease";
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
  // Every handler holds its jobs' leases while it runs (a killed worker's lapse; see JOB_POLICY).
  const leases = new JobLeases(boss, (err) => log.warn({ err }, "could not renew a running job's lease"));
  await boss.work(IMPORT_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, leases.hold(IMPORT_QUEUE, async ([job]: PgBoss.Job[]) => handleImportJob(opts.db, jobs, log, job.data)));
  await boss.work(QUALITY_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, leases.hold(QUALITY_QUEUE, async ([job]: PgBoss.Job[]) => handleQualityJob(opts.db, log, job.data)));
  await boss.work(
    MODEL_RUN_QUEUE,
    { batchSize: 1, pollingIntervalSeconds: 1, includeMetadata: true },
    leases.hold(MODEL_RUN_QUEUE, async ([job]: PgBoss.JobWithMetadata[]) =>
      handleModelRunJob(opts.db, log, job.data, { retryCount: job.retryCount, retryLimit: job.retryLimit }),
    ),
  );
  await boss.work(
    MONITOR_RUN_QUEUE,
    { batchSize: 1, pollingIntervalSeconds: 1, includeMetadata: true },
    leases.hold(MONITOR_RUN_QUEUE, async ([job]: PgBoss.JobWithMetadata[]) =>
      handleMonitorRunJob(opts.db, log, job.data, { retryCount: job.retryCount, retryLimit: job.retryLimit }),
    ),
  );
  await boss.work(
    KPI_ROLLUP_QUEUE,
    { batchSize: 1, pollingIntervalSeconds: 1, includeMetadata: true },
    leases.hold(KPI_ROLLUP_QUEUE, async ([job]: PgBoss.JobWithMetadata[]) =>
      handleKpiRollupJob(opts.db, log, job.data, { retryCount: job.retryCount, retryLimit: job.retryLimit }),
    ),
  );
  await boss.work(MONITOR_SWEEP_QUEUE, { batchSize: 1, pollingIntervalSeconds: 30 }, async () => sweepMonitorSchedules(opts.db, log));
  await boss.schedule(MONITOR_SWEEP_QUEUE, MONITOR_SWEEP_CRON);
  // Deliveries are short HTTP calls to other systems: up to 10 at once per poll.
  await boss.work(
    WEBHOOK_DELIVERY_QUEUE,
    { batchSize: 10, pollingIntervalSeconds: 1 },
    leases.hold(WEBHOOK_DELIVERY_QUEUE, async (batch: PgBoss.Job[]) => Promise.all(batch.map((job) => handleWebhookDeliveryJob(opts.db, log, job.data)))),
  );
  const recover = () => resumeInterruptedImports(opts.db, jobs, log).catch((err) => log.error({ err }, "import recovery failed"));
  await recover();
  const timer = setInterval(recover, opts.recoveryIntervalMs ?? 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await boss.stop({ graceful: true, wait: true, timeout: 15_000 });
      leases.stop();
    },
  };
}
