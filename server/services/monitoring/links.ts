import { and, desc, eq, isNull } from "drizzle-orm";
import type { Tx } from "../../../db/client";
import { biasResults, monitorAlerts, monitorResegmentations, monitorRuns } from "../../../db/schema";

/**
 * What monitoring knows about one segment, for its proposals' page (issue #7: reports linked from
 * proposals): the latest bias report that covered it (attribute-level figures; the groups are on
 * the monitoring page and in the run's CSV for roles with protected:read), its open alerts, and —
 * for a re-segmentation proposal monitoring opened — the run and alert that opened it.
 */
export interface SegmentMonitoring {
  latestBias: {
    runId: string;
    finishedAt: Date | null;
    version: number;
    attributes: { attribute: string; n: number; selected: number; minDiVsMax: number | null; failsFourFifths: boolean }[];
  } | null;
  openAlerts: { id: string; runId: string; kind: "drift" | "bias"; band: string; subject: string; message: string; createdAt: Date }[];
  openedBy: { runId: string; runKind: "drift" | "bias"; runFinishedAt: Date | null; runSummary: string | null; alertId: string | null; message: string | null } | null;
}

export async function segmentMonitoring(tx: Tx, tenantId: string, segmentId: string, proposalId: string): Promise<SegmentMonitoring> {
  const [latest] = await tx
    .select({ runId: biasResults.runId, finishedAt: monitorRuns.finishedAt })
    .from(biasResults)
    .innerJoin(monitorRuns, and(eq(monitorRuns.tenantId, biasResults.tenantId), eq(monitorRuns.id, biasResults.runId)))
    .where(and(eq(biasResults.tenantId, tenantId), eq(biasResults.segmentId, segmentId), eq(monitorRuns.status, "completed")))
    .orderBy(desc(monitorRuns.finishedAt), desc(monitorRuns.createdAt))
    .limit(1);
  let latestBias: SegmentMonitoring["latestBias"] = null;
  if (latest) {
    const rows = await tx
      .select({
        attribute: biasResults.attribute,
        version: biasResults.version,
        n: biasResults.n,
        selected: biasResults.selected,
        minDiVsMax: biasResults.minDiVsMax,
        failsFourFifths: biasResults.failsFourFifths,
      })
      .from(biasResults)
      .where(and(eq(biasResults.tenantId, tenantId), eq(biasResults.runId, latest.runId), eq(biasResults.segmentId, segmentId)))
      .orderBy(biasResults.attribute);
    latestBias = {
      runId: latest.runId,
      finishedAt: latest.finishedAt,
      version: rows[0]?.version ?? 0,
      attributes: rows.map(({ version: _v, ...r }) => r),
    };
  }
  const openAlerts = await tx
    .select({
      id: monitorAlerts.id,
      runId: monitorAlerts.runId,
      kind: monitorAlerts.kind,
      band: monitorAlerts.band,
      subject: monitorAlerts.subject,
      message: monitorAlerts.message,
      createdAt: monitorAlerts.createdAt,
    })
    .from(monitorAlerts)
    .where(and(eq(monitorAlerts.tenantId, tenantId), eq(monitorAlerts.segmentId, segmentId), isNull(monitorAlerts.acknowledgedAt)))
    .orderBy(desc(monitorAlerts.createdAt))
    .limit(20);
  // The alert announcing this proposal names it for good; the per-segment row points at the
  // latest opened proposal only, so it is the fallback (an alert acknowledged and purged, say).
  const [alert] = await tx
    .select({ alertId: monitorAlerts.id, runId: monitorAlerts.runId, message: monitorAlerts.message })
    .from(monitorAlerts)
    .where(and(eq(monitorAlerts.tenantId, tenantId), eq(monitorAlerts.proposalId, proposalId)))
    .orderBy(desc(monitorAlerts.createdAt))
    .limit(1);
  const [reseg] = alert
    ? []
    : await tx
        .select({ runId: monitorResegmentations.runId })
        .from(monitorResegmentations)
        .where(and(eq(monitorResegmentations.tenantId, tenantId), eq(monitorResegmentations.proposalId, proposalId)));
  const openerRunId = alert?.runId ?? reseg?.runId ?? null;
  let openedBy: SegmentMonitoring["openedBy"] = null;
  if (openerRunId) {
    const [run] = await tx
      .select({ kind: monitorRuns.kind, finishedAt: monitorRuns.finishedAt, summary: monitorRuns.summary })
      .from(monitorRuns)
      .where(and(eq(monitorRuns.tenantId, tenantId), eq(monitorRuns.id, openerRunId)));
    if (run) {
      openedBy = {
        runId: openerRunId,
        runKind: run.kind,
        runFinishedAt: run.finishedAt,
        runSummary: run.summary,
        alertId: alert?.alertId ?? null,
        message: alert?.message ?? null,
      };
    }
  }
  return { latestBias, openAlerts, openedBy };
}
