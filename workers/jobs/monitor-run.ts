import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { monitorRuns, type MonitorKind } from "../../db/schema";
import type { Logger } from "../../server/logger";
import { queueRun, runBiasAudit, runDriftMonitor } from "../../server/services/monitoring";
import { MONITOR_RUN_QUEUE, MONITOR_SWEEP_QUEUE, ZMonitorRunJob } from "../../server/services/monitoring/queue";
import { readMonitoringSettings } from "../../server/services/monitoring/settings";

export { MONITOR_RUN_QUEUE, MONITOR_SWEEP_QUEUE, ZMonitorRunJob };

/** The sweep's cron: every hour, on the hour. */
export const MONITOR_SWEEP_CRON = "0 * * * *";

const INTERVAL_MS = { daily: 86_400_000, weekly: 7 * 86_400_000 } as const;

/**
 * One drift or bias run (server/services/monitoring). A run that throws is marked failed with the
 * error when this was the last attempt; otherwise the error is rethrown so pg-boss retries it
 * (each run replaces what an earlier attempt of it wrote).
 */
export async function handleMonitorRunJob(
  db: Database,
  log: Logger,
  data: unknown,
  attempt: { retryCount: number; retryLimit: number }
) {
  const { tenantId, runId } = ZMonitorRunJob.parse(data);
  const [run] = await db.withTenant(tenantId, (tx) =>
    tx
      .select({ kind: monitorRuns.kind })
      .from(monitorRuns)
      .where(and(eq(monitorRuns.tenantId, tenantId), eq(monitorRuns.id, runId)))
  );
  if (!run) return "skipped";
  try {
    const outcome =
      run.kind === "drift" ? await runDriftMonitor(db, tenantId, runId) : await runBiasAudit(db, tenantId, runId);
    log.info({ tenantId, runId, kind: run.kind, outcome }, "monitor run");
    return outcome;
  } catch (error) {
    if (attempt.retryCount >= attempt.retryLimit) {
      await db.withTenant(tenantId, (tx) =>
        tx
          .update(monitorRuns)
          .set({
            status: "failed",
            finishedAt: new Date(),
            error: error instanceof Error ? error.message : String(error),
          })
          .where(and(eq(monitorRuns.tenantId, tenantId), eq(monitorRuns.id, runId)))
      );
    }
    throw error;
  }
}

/**
 * The hourly sweep: for every workspace whose schedule is due (its last drift or bias run is
 * older than a day or a week, or it has none), queues a scheduled run of that kind.
 * Returns the runs it queued.
 */
export async function sweepMonitorSchedules(
  db: Database,
  log: Logger,
  now = new Date()
): Promise<{ tenantId: string; kind: MonitorKind; runId: string }[]> {
  const tenants = await db.withoutTenant((tx) =>
    tx.execute<{ tenant_id: string }>(sql`select tenant_id from app_workspace_ids()`)
  );
  const queued: { tenantId: string; kind: MonitorKind; runId: string }[] = [];
  for (const { tenant_id: tenantId } of tenants.rows) {
    await db.withTenant(tenantId, async (tx) => {
      const settings = await readMonitoringSettings(tx, tenantId);
      if (settings.schedule === "off") return;
      for (const kind of ["drift", "bias"] as const) {
        const [last] = await tx
          .select({ createdAt: monitorRuns.createdAt })
          .from(monitorRuns)
          .where(and(eq(monitorRuns.tenantId, tenantId), eq(monitorRuns.kind, kind)))
          .orderBy(desc(monitorRuns.createdAt))
          .limit(1);
        if (last && now.getTime() - last.createdAt.getTime() < INTERVAL_MS[settings.schedule]) continue;
        queued.push({
          tenantId,
          kind,
          runId: await queueRun(tx, tenantId, { kind, trigger: "schedule", createdBy: null }),
        });
      }
    });
  }
  if (queued.length) log.info({ queued: queued.length }, "scheduled monitor runs queued");
  return queued;
}
