import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { centroidShifts } from "./centroid";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import {
  biasResults,
  driftResults,
  monitorAlerts,
  monitorRuns,
  segments,
  users,
  type MonitorKind,
} from "../../../db/schema";
import { can } from "../../auth/permissions";
import { conflict, invalid, notFound } from "../../errors";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { FEATURE_LABELS, currentFeatures, latestBaseline, storeBaseline } from "./baseline";
import { segmentSizes } from "./history";
import { enqueueMonitorRun } from "./queue";
import { readMonitoringSettings } from "./settings";

export {
  getMonitoringSettings,
  updateMonitoringSettings,
  ZMonitoringSettings,
  DEFAULT_MONITORING_SETTINGS,
} from "./settings";
export { migrationMatrix, ZMigrationInput } from "./history";
export { runDriftMonitor } from "./drift-run";
export { runBiasAudit } from "./bias-run";

export const ZRequestRunInput = z.object({ kind: z.enum(["drift", "bias"], { message: "must be drift or bias" }) });
export const ZAcknowledgeInput = z.object({
  alertId: z.uuid({ message: "is not an alert id" }),
  comment: z
    .string({ message: "is required" })
    .trim()
    .min(3, { message: "Say in a few words why this alert is acknowledged (at least 3 characters)." })
    .max(2000, { message: "must be at most 2,000 characters" }),
});
export const ZRunIdInput = z.object({ runId: z.uuid({ message: "is not a run id" }) });

/** Inserts a queued run and its job in the caller's transaction. */
export async function queueRun(
  tx: Tx,
  tenantId: string,
  values: {
    kind: MonitorKind;
    trigger: "demand" | "schedule" | "publish";
    createdBy: string | null;
    segmentId?: string;
    version?: number;
  }
): Promise<string> {
  const [run] = await tx
    .insert(monitorRuns)
    .values({
      tenantId,
      kind: values.kind,
      trigger: values.trigger,
      createdBy: values.createdBy,
      segmentId: values.segmentId,
      version: values.version,
    })
    .returning({ id: monitorRuns.id });
  await enqueueMonitorRun(tx, { tenantId, runId: run.id });
  return run.id;
}

/** The publish path's one line: a bias audit of the published segment (and a feature baseline), after commit. */
export async function queueAuditAfterPublish(
  tx: Tx,
  tenantId: string,
  segmentId: string,
  version: number,
  userId: string | null
): Promise<void> {
  await queueRun(tx, tenantId, { kind: "bias", trigger: "publish", createdBy: userId, segmentId, version });
}

/** A drift or bias run asked for by a person (or the one already waiting or running). */
export async function requestRun(scope: TenantScope, input: z.input<typeof ZRequestRunInput>) {
  const { kind } = ZRequestRunInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const [busy] = await tx
      .select({ id: monitorRuns.id })
      .from(monitorRuns)
      .where(
        and(
          eq(monitorRuns.tenantId, scope.tenantId),
          eq(monitorRuns.kind, kind),
          isNull(monitorRuns.segmentId),
          sql`${monitorRuns.status} in ('queued','running')`
        )
      )
      .limit(1);
    // Asking again while one is waiting or running gets that run: one run answers both.
    if (busy) return { runId: busy.id, alreadyQueued: true };
    const runId = await queueRun(tx, scope.tenantId, { kind, trigger: "demand", createdBy: scope.actor.userId });
    await appendAudit(tx, scope, {
      action: "monitoring.run.request",
      objectType: "monitor_run",
      objectId: runId,
      after: { kind },
    });
    return { runId, alreadyQueued: false };
  });
}

/** Makes today's customer features the reference drift runs compare with. */
export async function captureBaseline(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const snapshot = await currentFeatures(tx, scope.tenantId);
    if (snapshot.n === 0) throw invalid("No customer has computed features yet: import transactions first.");
    const baselineId = await storeBaseline(tx, scope.tenantId, snapshot, "set by hand", scope.actor.userId);
    await appendAudit(tx, scope, {
      action: "monitoring.baseline.capture",
      objectType: "feature_baseline",
      objectId: baselineId,
      after: { customers: snapshot.n },
    });
    return { baselineId, customers: snapshot.n };
  });
}

export async function acknowledgeAlert(scope: TenantScope, input: unknown) {
  const parsed = ZAcknowledgeInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(issue.path[0] === "comment" ? issue.message : `${issue.path.join(".")}: ${issue.message}`);
  }
  const { alertId, comment } = parsed.data;
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const [alert] = await tx
      .select()
      .from(monitorAlerts)
      .where(and(eq(monitorAlerts.tenantId, scope.tenantId), eq(monitorAlerts.id, alertId)))
      .for("update");
    if (!alert) throw notFound("The alert");
    if (alert.acknowledgedAt) throw conflict("This alert has already been acknowledged.");
    const acknowledgedAt = new Date();
    await tx
      .update(monitorAlerts)
      .set({ acknowledgedAt, acknowledgedBy: scope.actor.userId, acknowledgement: comment })
      .where(and(eq(monitorAlerts.tenantId, scope.tenantId), eq(monitorAlerts.id, alertId)));
    await appendAudit(tx, scope, {
      action: "monitoring.alert.acknowledge",
      objectType: "monitor_alert",
      objectId: alertId,
      before: { acknowledgedAt: null },
      after: { comment, kind: alert.kind, subject: alert.subject, band: alert.band },
    });
    return { alertId, acknowledgedAt: acknowledgedAt.toISOString() };
  });
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function runView(r: typeof monitorRuns.$inferSelect) {
  return {
    id: r.id,
    kind: r.kind,
    trigger: r.trigger,
    status: r.status,
    worstBand: r.worstBand,
    summary: r.summary,
    error: r.error,
    createdAt: r.createdAt.toISOString(),
    finishedAt: iso(r.finishedAt),
  };
}

async function latestRun(tx: Tx, tenantId: string, kind: MonitorKind, completedOnly: boolean) {
  const [run] = await tx
    .select()
    .from(monitorRuns)
    .where(
      and(
        eq(monitorRuns.tenantId, tenantId),
        eq(monitorRuns.kind, kind),
        completedOnly ? eq(monitorRuns.status, "completed") : undefined
      )
    )
    .orderBy(desc(monitorRuns.createdAt))
    .limit(1);
  return run ?? null;
}

/** A drift run's per-feature results, effect sizes first. */
async function driftOf(tx: Tx, tenantId: string, runId: string) {
  const rows = await tx
    .select()
    .from(driftResults)
    .where(and(eq(driftResults.tenantId, tenantId), eq(driftResults.runId, runId)));
  return rows.map((r) => ({
    feature: r.feature,
    label: FEATURE_LABELS[r.feature as keyof typeof FEATURE_LABELS] ?? r.feature,
    type: r.type,
    psi: r.psi,
    jensenShannon: r.jensenShannon,
    wassersteinNorm: r.wassersteinNorm,
    ks: r.ks,
    ksP: r.ksP,
    ksMethod: r.ksMethod,
    chi2: r.chi2,
    chi2P: r.chi2P,
    nReference: r.nReference,
    nCurrent: r.nCurrent,
    band: r.band,
    detail: r.detail,
  }));
}

/**
 * A bias run's results per segment and attribute. The groups are the protected values
 * themselves: only roles with protected:read get them; others get the attribute-level figures.
 */
async function biasOf(tx: Tx, scope: TenantScope, runId: string) {
  const rows = await tx
    .select({ r: biasResults, name: segments.name })
    .from(biasResults)
    .innerJoin(segments, and(eq(segments.tenantId, biasResults.tenantId), eq(segments.id, biasResults.segmentId)))
    .where(and(eq(biasResults.tenantId, scope.tenantId), eq(biasResults.runId, runId)))
    .orderBy(segments.priority, biasResults.attribute);
  return rows.map((row) => biasView(scope, row));
}

/**
 * The latest audit of every active segment and attribute, whichever run made it (a publish
 * audits one segment; a scheduled or requested run audits all).
 */
async function latestBias(tx: Tx, scope: TenantScope) {
  const latest = await tx.execute<{ run_id: string; segment_id: string; attribute: string }>(sql`
    select distinct on (b.segment_id, b.attribute) b.run_id, b.segment_id, b.attribute
    from bias_results b
    join monitor_runs r on r.tenant_id = b.tenant_id and r.id = b.run_id
    join segments s on s.tenant_id = b.tenant_id and s.id = b.segment_id
    where b.tenant_id = ${scope.tenantId} and r.status = 'completed' and s.status = 'active'
    order by b.segment_id, b.attribute, r.created_at desc`);
  if (!latest.rows.length) return [];
  const rows = await tx
    .select({ r: biasResults, name: segments.name })
    .from(biasResults)
    .innerJoin(segments, and(eq(segments.tenantId, biasResults.tenantId), eq(segments.id, biasResults.segmentId)))
    .where(
      and(
        eq(biasResults.tenantId, scope.tenantId),
        sql`(${biasResults.runId}, ${biasResults.segmentId}, ${biasResults.attribute}) in (${sql.join(
          latest.rows.map((l) => sql`(${l.run_id}::uuid, ${l.segment_id}::uuid, ${l.attribute})`),
          sql`, `
        )})`
      )
    )
    .orderBy(segments.priority, biasResults.attribute);
  return rows.map((row) => biasView(scope, row));
}

function biasView(scope: TenantScope, { r, name }: { r: typeof biasResults.$inferSelect; name: string }) {
  const mayRead = can(scope.role, "protected:read");
  return {
    segmentId: r.segmentId,
    segmentName: name,
    version: r.version,
    attribute: r.attribute,
    n: r.n,
    selected: r.selected,
    minDiVsMax: r.minDiVsMax,
    demographicParityDifference: r.demographicParityDifference,
    statisticalParityDifference: r.statisticalParityDifference,
    chi2: r.chi2,
    chi2P: r.chi2P,
    failsFourFifths: r.failsFourFifths,
    groups: mayRead ? (r.groups as unknown as BiasGroupView[]) : null,
  };
}

export interface BiasGroupView {
  group: string;
  n: number;
  selected: number;
  rate: number;
  shareOfSelected: number | null;
  shareOfPopulation: number;
  diVsMax: number | null;
  failsFourFifths: boolean;
  statisticalParityDifference: number;
  small: boolean;
}

async function alertsOf(tx: Tx, tenantId: string, openOnly: boolean) {
  const rows = await tx
    .select({ a: monitorAlerts, segmentName: segments.name, ackBy: users.name })
    .from(monitorAlerts)
    .leftJoin(segments, and(eq(segments.tenantId, monitorAlerts.tenantId), eq(segments.id, monitorAlerts.segmentId)))
    .leftJoin(users, eq(users.id, monitorAlerts.acknowledgedBy))
    .where(and(eq(monitorAlerts.tenantId, tenantId), openOnly ? isNull(monitorAlerts.acknowledgedAt) : undefined))
    .orderBy(desc(monitorAlerts.createdAt))
    .limit(100);
  return rows.map(({ a, segmentName, ackBy }) => ({
    id: a.id,
    kind: a.kind,
    band: a.band,
    subject: a.subject,
    message: a.message,
    segmentId: a.segmentId,
    segmentName,
    proposalId: a.proposalId,
    createdAt: a.createdAt.toISOString(),
    acknowledgedAt: iso(a.acknowledgedAt),
    acknowledgedBy: ackBy,
    acknowledgement: a.acknowledgement,
  }));
}

/** Everything the monitoring page shows. */
export async function monitoringOverview(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const settings = await readMonitoringSettings(tx, scope.tenantId);
    const baseline = await latestBaseline(tx, scope.tenantId);
    const drift = await latestRun(tx, scope.tenantId, "drift", true);
    const bias = await latestRun(tx, scope.tenantId, "bias", true);
    const lastDrift = await latestRun(tx, scope.tenantId, "drift", false);
    const lastBias = await latestRun(tx, scope.tenantId, "bias", false);
    const recent = await tx
      .select()
      .from(monitorRuns)
      .where(eq(monitorRuns.tenantId, scope.tenantId))
      .orderBy(desc(monitorRuns.createdAt))
      .limit(10);
    return {
      settings,
      canSeeProtected: can(scope.role, "protected:read"),
      baseline: baseline && {
        id: baseline.id,
        reason: baseline.reason,
        customerCount: baseline.customerCount,
        createdAt: baseline.createdAt.toISOString(),
      },
      drift: drift && { run: runView(drift), results: await driftOf(tx, scope.tenantId, drift.id) },
      bias: bias && { run: runView(bias), results: await latestBias(tx, scope) },
      pending: [lastDrift, lastBias]
        .filter((r) => r && (r.status === "queued" || r.status === "running"))
        .map((r) => runView(r!)),
      alerts: await alertsOf(tx, scope.tenantId, false),
      runs: recent.map(runView),
      sizes: await segmentSizes(tx, scope.tenantId),
      /** Cluster-based segments: their members' mean against the cluster's centroid at the model run. */
      centroidShifts: await centroidShifts(tx, scope.tenantId),
    };
  });
}

/** One run with its results (for the CSV export and the run history). */
export async function monitorRun(scope: TenantScope, input: z.input<typeof ZRunIdInput>) {
  const { runId } = ZRunIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const [run] = await tx
      .select()
      .from(monitorRuns)
      .where(and(eq(monitorRuns.tenantId, scope.tenantId), eq(monitorRuns.id, runId)));
    if (!run) throw notFound("The monitor run");
    return {
      run: runView(run),
      drift: run.kind === "drift" ? await driftOf(tx, scope.tenantId, run.id) : [],
      bias: run.kind === "bias" ? await biasOf(tx, scope, run.id) : [],
    };
  });
}
