import { and, desc, eq, sql } from "drizzle-orm";
import type { Database, Tx } from "../../../db/client";
import { kpiRollupRuns, type RollupTrigger } from "../../../db/schema";
import { publishLive } from "../../live/publish";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { enqueueKpiRollup } from "./queue";
import { computeRollups } from "./rollup";
import type { KpiStatusView, RollupRunView } from "./types";

/** Arbitrary constant: first key of the per-tenant lock that runs a workspace's roll-ups one at a time. */
const ROLLUP_LOCK_CLASS = 727_012;

/** The live topic of a workspace's dashboards: finished roll-up runs. */
export const dashboardsTopic = (tenantId: string) => `dashboards/${tenantId}`;

export interface QueueRollupInput {
  trigger: RollupTrigger;
  createdBy: string | null;
  importId?: string;
  /** Only these segments (a publish). */
  segmentIds?: string[];
  /** Only periods touching [from, to] (an import). */
  from?: Date;
  to?: Date;
}

/** Records a queued run and enqueues its job in the caller's transaction; returns its id. */
export async function queueRollup(tx: Tx, tenantId: string, input: QueueRollupInput): Promise<string> {
  const [run] = await tx
    .insert(kpiRollupRuns)
    .values({
      tenantId,
      trigger: input.trigger,
      importId: input.importId ?? null,
      segmentIds: input.segmentIds ?? null,
      fromAt: input.from ?? null,
      toAt: input.to ?? null,
      createdBy: input.createdBy,
    })
    .returning({ id: kpiRollupRuns.id });
  await enqueueKpiRollup(tx, { tenantId, runId: run.id });
  return run.id;
}

/**
 * Queues the roll-ups an import needs: the periods its rows touch (all of them when it has no
 * dated rows, e.g. customers, whose regions may have changed), for every segment.
 */
export async function queueImportRollup(tx: Tx, tenantId: string, importId: string, createdBy: string | null, span: { from: Date; to: Date } | null) {
  return queueRollup(tx, tenantId, { trigger: "import", importId, createdBy, ...(span ?? {}) });
}

/** Queues the recomputation of a segment just published (its history under its new membership). */
export async function queuePublishRollup(tx: Tx, tenantId: string, segmentId: string, createdBy: string | null) {
  return queueRollup(tx, tenantId, { trigger: "publish", segmentIds: [segmentId], createdBy });
}

/** kpis.rebuild: a full recomputation, audited. */
export async function requestRebuild(scope: TenantScope): Promise<{ runId: string }> {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const runId = await queueRollup(tx, scope.tenantId, { trigger: "rebuild", createdBy: scope.actor.userId });
    await appendAudit(tx, scope, { action: "kpi.rebuild", objectType: "kpi_rollup_run", objectId: runId });
    return { runId };
  });
}

function view(row: typeof kpiRollupRuns.$inferSelect): RollupRunView {
  return {
    id: row.id,
    trigger: row.trigger,
    status: row.status,
    progress: row.progress,
    step: row.step,
    error: row.error,
    rowsWritten: row.rowsWritten,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

export async function latestRuns(tx: Tx, tenantId: string): Promise<KpiStatusView> {
  const [latest] = await tx.select().from(kpiRollupRuns).where(eq(kpiRollupRuns.tenantId, tenantId)).orderBy(desc(kpiRollupRuns.createdAt)).limit(1);
  const [lastCompleted] = await tx
    .select()
    .from(kpiRollupRuns)
    .where(and(eq(kpiRollupRuns.tenantId, tenantId), eq(kpiRollupRuns.status, "completed")))
    .orderBy(desc(kpiRollupRuns.finishedAt))
    .limit(1);
  return { latest: latest ? view(latest) : null, lastCompleted: lastCompleted ? view(lastCompleted) : null };
}

export async function rollupStatus(scope: TenantScope): Promise<KpiStatusView> {
  return scope.db.withTenant(scope.tenantId, (tx) => latestRuns(tx, scope.tenantId));
}

const ACTIVE = ["queued", "running"];

/**
 * Runs one queued roll-up: the computation, the run's completion and the live event in one
 * transaction (a failure or a kill leaves the previous roll-ups and the run can be retried);
 * progress is written on the side as it goes. Runs of one workspace take turns.
 */
export async function runRollup(db: Database, tenantId: string, runId: string): Promise<"completed" | "skipped"> {
  const where = and(eq(kpiRollupRuns.tenantId, tenantId), eq(kpiRollupRuns.id, runId));
  const [run] = await db.withTenant(tenantId, (tx) => tx.select().from(kpiRollupRuns).where(where));
  if (!run || !ACTIVE.includes(run.status)) return "skipped";
  await db.withTenant(tenantId, (tx) =>
    tx.update(kpiRollupRuns).set({ status: "running", startedAt: new Date(), progress: 0, step: "waiting", error: null }).where(where),
  );
  const report = async (step: string, progress: number) => {
    await db.withTenant(tenantId, (tx) => tx.update(kpiRollupRuns).set({ step, progress }).where(where));
  };
  return db.withTenant(tenantId, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ROLLUP_LOCK_CLASS}, hashtext(${tenantId}))`);
    const written = await computeRollups(tx, tenantId, { segmentIds: run.segmentIds, from: run.fromAt, to: run.toAt }, report);
    await tx.update(kpiRollupRuns).set({ status: "completed", progress: 1, step: "done", rowsWritten: written, finishedAt: new Date() }).where(where);
    await publishLive(tx, tenantId, dashboardsTopic(tenantId), { type: "rollup", runId, trigger: run.trigger, status: "completed" });
    return "completed" as const;
  });
}

/** Marks a run failed (the worker's last attempt) and tells open dashboards. */
export async function failRollup(db: Database, tenantId: string, runId: string, error: string): Promise<void> {
  await db.withTenant(tenantId, async (tx) => {
    await tx
      .update(kpiRollupRuns)
      .set({ status: "failed", error, finishedAt: new Date() })
      .where(and(eq(kpiRollupRuns.tenantId, tenantId), eq(kpiRollupRuns.id, runId)));
    await publishLive(tx, tenantId, dashboardsTopic(tenantId), { type: "rollup", runId, status: "failed" });
  });
}
