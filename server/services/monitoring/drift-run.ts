import { publishLive } from "../../live/publish";
import { raiseAlert } from "./alerts";
import { radixSortFloat64 } from "../../analytics/radix-sort";
import { and, eq, isNotNull, sql } from "drizzle-orm";
import * as Y from "yjs";
import type { Database, Tx } from "../../../db/client";
import {
  driftResults,
  monitorAlerts,
  monitorResegmentations,
  monitorRuns,
  segmentProposals,
  segments,
} from "../../../db/schema";
import {
  type CategoricalDrift,
  type DriftBand,
  type DriftThresholds,
  type NumericDrift,
  categoricalDrift,
  numericDriftSorted,
} from "../../analytics/drift";
import { appendUpdates } from "../../collab/store";
import { appendAudit } from "../audit";
import { proposalDocName } from "../segments/access";
import { writeDefinition } from "../segments/draft-doc";
import { versionDefinition } from "../segments/lookup";
import type { Condition, RuleGroup } from "../segments/rules";
import { NUMBER_FEATURES } from "../segments/rules";
import {
  FEATURE_LABELS,
  type DriftFeature,
  baselineValues,
  currentFeatures,
  latestBaseline,
  storeBaseline,
} from "./baseline";
import { readMonitoringSettings } from "./settings";
import { reviewDueAfterDrift } from "../swot/boards";

const BAND_ORDER: Record<DriftBand, number> = { none: 0, watch: 1, act: 2 };
/** Arbitrary constant: first key of the per-segment lock around opening a re-segmentation proposal. */
const RESEGMENT_LOCK_CLASS = 727_011;

export type FeatureDrift = { feature: string } & (NumericDrift | CategoricalDrift);

/** Drift of every feature present in both the reference and the current snapshot. */
export function featureDrifts(
  reference: { numeric: Map<string, Float64Array>; categorical: Map<string, Map<string, number>> },
  current: { numeric: Map<string, Float64Array>; categorical: Map<string, Map<string, number>> },
  thresholds: DriftThresholds
): FeatureDrift[] {
  const out: FeatureDrift[] = [];
  for (const [feature, sortedRef] of reference.numeric) {
    const cur = current.numeric.get(feature);
    if (!cur || cur.length === 0 || sortedRef.length === 0) continue;
    out.push({ feature, ...numericDriftSorted(sortedRef, radixSortFloat64(cur), thresholds) });
  }
  for (const [feature, counts] of reference.categorical) {
    const cur = current.categorical.get(feature);
    if (!cur || cur.size === 0 || counts.size === 0) continue;
    out.push({ feature, ...categoricalDrift(counts, cur, thresholds) });
  }
  return out;
}

function label(feature: string): string {
  return FEATURE_LABELS[feature as DriftFeature] ?? feature;
}

/** Fields and model runs a rule tree reads. */
function fieldsOf(node: RuleGroup | Condition, out: { fields: Set<string>; usesClusters: boolean }) {
  if ("children" in node) {
    for (const child of node.children) fieldsOf(child, out);
  } else if ("field" in node) {
    out.fields.add(node.field);
  } else if (node.op === "in_cluster" || node.op === "not_in_cluster") {
    out.usesClusters = true;
  }
  return out;
}

/**
 * Active segments a set of drifted features touches: those whose published rules read one of
 * them, or that select clusters of a model run (clusters are fitted on the numeric features).
 */
async function affectedSegments(tx: Tx, tenantId: string, features: string[]) {
  const rows = await tx
    .select({ id: segments.id, name: segments.name, currentVersion: segments.currentVersion })
    .from(segments)
    .where(and(eq(segments.tenantId, tenantId), eq(segments.status, "active"), isNotNull(segments.currentVersion)));
  const hit: { id: string; name: string; version: number; features: string[] }[] = [];
  for (const s of rows) {
    const def = await versionDefinition(tx, tenantId, s.id, s.currentVersion!);
    const used = fieldsOf(def.rules, { fields: new Set(), usesClusters: false });
    const touched = features.filter(
      (f) => used.fields.has(f) || (used.usesClusters && (NUMBER_FEATURES as readonly string[]).includes(f))
    );
    if (touched.length) hit.push({ id: s.id, name: s.name, version: s.currentVersion!, features: touched });
  }
  return hit;
}

/**
 * Opens a "change" proposal for the segment, starting from its published definition, unless
 * monitoring already has one open for it (draft or submitted): one proposal per segment, not one
 * per run. Returns the new proposal's id, or null when one was already open.
 */
export async function openResegmentation(
  tx: Tx,
  tenantId: string,
  segment: { id: string; name: string; version: number },
  runId: string,
  why: string
) {
  await tx.execute(
    sql`select pg_advisory_xact_lock(${RESEGMENT_LOCK_CLASS}, hashtext(${`${tenantId}/${segment.id}`}))`
  );
  const [open] = await tx
    .select({ proposalId: monitorResegmentations.proposalId, status: segmentProposals.status })
    .from(monitorResegmentations)
    .innerJoin(
      segmentProposals,
      and(
        eq(segmentProposals.tenantId, monitorResegmentations.tenantId),
        eq(segmentProposals.id, monitorResegmentations.proposalId)
      )
    )
    .where(and(eq(monitorResegmentations.tenantId, tenantId), eq(monitorResegmentations.segmentId, segment.id)));
  if (open && (open.status === "draft" || open.status === "submitted")) return null;
  const definition = await versionDefinition(tx, tenantId, segment.id, segment.version);
  const title = `Re-segment “${segment.name}”: ${why}`.slice(0, 200);
  const [proposal] = await tx
    .insert(segmentProposals)
    .values({ tenantId, segmentId: segment.id, kind: "change", title, baseVersion: segment.version, createdBy: null })
    .returning({ id: segmentProposals.id });
  const doc = new Y.Doc();
  writeDefinition(doc, definition);
  await appendUpdates(tx, tenantId, proposalDocName(proposal.id), [Y.encodeStateAsUpdate(doc)]);
  await tx
    .insert(monitorResegmentations)
    .values({ tenantId, segmentId: segment.id, proposalId: proposal.id, runId })
    .onConflictDoUpdate({
      target: [monitorResegmentations.tenantId, monitorResegmentations.segmentId],
      set: { proposalId: proposal.id, runId, openedAt: new Date() },
    });
  await appendAudit(
    tx,
    { tenantId, actor: null },
    {
      action: "proposal.create",
      objectType: "proposal",
      objectId: proposal.id,
      after: {
        kind: "change",
        segmentId: segment.id,
        title,
        baseVersion: segment.version,
        openedBy: "monitoring",
        runId,
      },
    }
  );
  return proposal.id;
}

async function setRun(db: Database, tenantId: string, runId: string, values: Partial<typeof monitorRuns.$inferInsert>) {
  await db.withTenant(tenantId, (tx) =>
    tx
      .update(monitorRuns)
      .set(values)
      .where(and(eq(monitorRuns.tenantId, tenantId), eq(monitorRuns.id, runId)))
  );
}

const fmt = (x: number) => x.toFixed(3);

/**
 * Runs one drift run: compares the current customer features with the latest baseline (taking
 * the first baseline when there is none), stores per-feature results, raises one alert per
 * feature in the watch or act band, and — in the act band, when the workspace allows it — opens
 * one re-segmentation proposal per affected segment. Idempotent: a retried run replaces what an
 * earlier attempt wrote.
 */
export async function runDriftMonitor(
  db: Database,
  tenantId: string,
  runId: string
): Promise<"completed" | "failed" | "skipped"> {
  const [run] = await db.withTenant(tenantId, (tx) =>
    tx
      .select()
      .from(monitorRuns)
      .where(and(eq(monitorRuns.tenantId, tenantId), eq(monitorRuns.id, runId)))
  );
  if (!run || run.kind !== "drift" || run.status === "completed" || run.status === "failed") return "skipped";
  await setRun(db, tenantId, runId, { status: "running", startedAt: new Date(), error: null });
  return db.withTenant(tenantId, async (tx) => {
    await tx.delete(monitorAlerts).where(and(eq(monitorAlerts.tenantId, tenantId), eq(monitorAlerts.runId, runId)));
    await tx.delete(driftResults).where(and(eq(driftResults.tenantId, tenantId), eq(driftResults.runId, runId)));
    const settings = await readMonitoringSettings(tx, tenantId);
    const thresholds = { watch: settings.psiWatch, act: settings.psiAct };
    const current = await currentFeatures(tx, tenantId);
    const done = { status: "completed" as const, finishedAt: new Date(), settings: { ...settings } };
    if (current.n === 0) {
      await tx
        .update(monitorRuns)
        .set({
          ...done,
          status: "failed",
          error: "No customer has computed features yet: import transactions first, then run drift again.",
        })
        .where(and(eq(monitorRuns.tenantId, tenantId), eq(monitorRuns.id, runId)));
      await publishLive(tx, tenantId, `monitoring/${tenantId}`, {
        type: "run",
        kind: "drift",
        runId,
        status: "failed",
      });
      return "failed";
    }
    const baseline = run.baselineId ? { id: run.baselineId } : await latestBaseline(tx, tenantId);
    if (!baseline) {
      const id = await storeBaseline(tx, tenantId, current, "first drift run", run.createdBy);
      await tx
        .update(monitorRuns)
        .set({
          ...done,
          baselineId: id,
          worstBand: "none",
          summary: `No reference existed: today's features of ${current.n} customers are now the reference the next runs compare with.`,
        })
        .where(and(eq(monitorRuns.tenantId, tenantId), eq(monitorRuns.id, runId)));
      await publishLive(tx, tenantId, `monitoring/${tenantId}`, {
        type: "run",
        kind: "drift",
        runId,
        status: "completed",
      });
      return "completed";
    }
    const reference = await baselineValues(tx, tenantId, baseline.id);
    const drifts = featureDrifts(reference, current, thresholds);
    for (const d of drifts) {
      const numeric = d.type === "numeric";
      await tx.insert(driftResults).values({
        tenantId,
        runId,
        feature: d.feature,
        type: d.type,
        nReference: d.nReference,
        nCurrent: d.nCurrent,
        psi: d.psi,
        ks: numeric ? d.ks : null,
        ksP: numeric ? d.ksP : null,
        ksMethod: numeric ? d.ksMethod : null,
        chi2: numeric ? null : d.chi2,
        chi2P: numeric ? null : d.chi2P,
        jensenShannon: d.jensenShannon,
        wassersteinNorm: numeric ? d.wassersteinNorm : null,
        band: d.band,
        detail: numeric
          ? { edges: d.edges, referenceShares: d.referenceShares, currentShares: d.currentShares }
          : { categories: d.categories, referenceShares: d.referenceShares, currentShares: d.currentShares },
      });
    }
    const crossed = drifts.filter((d) => d.band !== "none");
    const acting = crossed.filter((d) => d.band === "act");
    for (const d of crossed) {
      await raiseAlert(tx, {
        tenantId,
        runId,
        kind: "drift",
        subject: d.feature,
        band: d.band,
        message: `${label(d.feature)} moved: PSI ${fmt(d.psi)} is in the ${d.band} band (${
          d.band === "act" ? `≥ ${settings.psiAct}` : `≥ ${settings.psiWatch}`
        }).`,
      });
    }
    const opened: string[] = [];
    const affected = acting.length ? await affectedSegments(tx, tenantId, acting.map((d) => d.feature)) : [];
    // Whatever the committee decides about re-segmenting, the boards of those segments are due for review.
    for (const s of affected) await reviewDueAfterDrift(tx, tenantId, s.id);
    if (settings.proposeOnAct) {
      for (const s of affected) {
        const why = `drift in ${s.features.map(label).join(", ")}`;
        const proposalId = await openResegmentation(tx, tenantId, s, runId, why);
        if (proposalId) {
          opened.push(proposalId);
          // Through raiseAlert like every other alert, so it also sends the alert.raised webhook.
          await raiseAlert(tx, {
            tenantId,
            runId,
            kind: "drift",
            segmentId: s.id,
            subject: s.features.join(","),
            band: "act",
            proposalId,
            message: `“${s.name}” reads ${s.features
              .map(label)
              .join(", ")}, which drifted into the act band: a re-segmentation proposal was opened for the committee.`,
          });
        }
      }
    }
    const worst = drifts.reduce<DriftBand>((w, d) => (BAND_ORDER[d.band] > BAND_ORDER[w] ? d.band : w), "none");
    await tx
      .update(monitorRuns)
      .set({
        ...done,
        baselineId: baseline.id,
        worstBand: worst,
        summary:
          `${drifts.length} features compared (${current.n} customers now); ` +
          `${
            crossed.length
              ? `${crossed.length} crossed a band (${crossed.map((d) => `${d.feature} ${d.band}`).join(", ")})`
              : "none crossed a band"
          }` +
          `${
            opened.length ? `; ${opened.length} re-segmentation proposal${opened.length === 1 ? "" : "s"} opened` : ""
          }.`,
      })
      .where(and(eq(monitorRuns.tenantId, tenantId), eq(monitorRuns.id, runId)));
    await publishLive(tx, tenantId, `monitoring/${tenantId}`, {
      type: "run",
      kind: "drift",
      runId,
      status: "completed",
    });
    return "completed";
  });
}
