import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { Tx } from "../../../db/client";
import { modelRunClusters, modelRuns, segments, segmentVersions } from "../../../db/schema";
import { ZDefinition } from "../segments/definition";
import { isGroup, NUMBER_FEATURES, type Condition, type RuleGroup } from "../segments/rules";
import { FEATURE_LABELS } from "./baseline";

/**
 * Centroid shift of cluster-based segments (issue #7): for a segment whose published rules select
 * cluster c of a model run (in_cluster), the distance between that cluster's centroid at the run
 * and the mean of the segment's current members, on the run's features, in standardised units:
 *
 *   shift_j  = (current mean_j − centroid_j) / sd_j        distance = √(Σ_j shift_j²)
 *
 * centroid_j is the cluster's stored mean of feature j (model_run_clusters.profile, raw units, at
 * the run's chosen k); sd_j is the population standard deviation of feature j over the customers
 * the run clustered. The run does not store sd_j, but its profiles determine it exactly: the
 * overall mean is the size-weighted mean of the cluster means, and each cluster's standardised
 * difference is (mean − overall mean) / sd, so sd = (mean − overall mean) / standardised
 * difference for any cluster whose difference is not 0 (the largest is used). A feature with
 * sd 0, or not a customer feature (custom attributes, one-hot categories), is listed as not
 * measured. Current members with a missing feature are left out of that feature's mean.
 */

export interface ClusterProfileRow {
  cluster: number;
  size: number;
  profile: { feature: string; mean: number; standardisedDifference: number }[];
}

export interface FeatureShift {
  feature: string;
  centroid: number;
  current: number;
  sd: number;
  shift: number;
}

export interface CentroidShiftResult {
  features: FeatureShift[];
  /** Features of the run that could not be measured, and why. */
  notMeasured: { feature: string; reason: string }[];
  /** Null when no feature could be measured. */
  distance: number | null;
}

/** The run's standard deviation of each feature, recovered from its cluster profiles. */
export function runStandardDeviations(profiles: readonly ClusterProfileRow[]): Map<string, { mean: number; sd: number }> {
  const out = new Map<string, { mean: number; sd: number }>();
  const total = profiles.reduce((s, p) => s + p.size, 0);
  const features = profiles[0]?.profile.map((f) => f.feature) ?? [];
  for (const feature of features) {
    let weighted = 0;
    let best: { mean: number; d: number } | null = null;
    for (const p of profiles) {
      const f = p.profile.find((x) => x.feature === feature);
      if (!f) continue;
      weighted += p.size * f.mean;
      if (!best || Math.abs(f.standardisedDifference) > Math.abs(best.d)) best = { mean: f.mean, d: f.standardisedDifference };
    }
    const mean = total > 0 ? weighted / total : NaN;
    const sd = best && best.d !== 0 ? (best.mean - mean) / best.d : 0;
    out.set(feature, { mean, sd });
  }
  return out;
}

export function centroidShift(
  profiles: readonly ClusterProfileRow[],
  cluster: number,
  currentMeans: ReadonlyMap<string, number | null>,
): CentroidShiftResult {
  const own = profiles.find((p) => p.cluster === cluster);
  if (!own) throw new Error(`the run has no cluster ${cluster}`);
  const sds = runStandardDeviations(profiles);
  const features: FeatureShift[] = [];
  const notMeasured: CentroidShiftResult["notMeasured"] = [];
  for (const f of own.profile) {
    const sd = sds.get(f.feature)?.sd ?? 0;
    const current = currentMeans.get(f.feature);
    if (current === undefined) notMeasured.push({ feature: f.feature, reason: "not a customer feature" });
    else if (current === null) notMeasured.push({ feature: f.feature, reason: "no current member has it" });
    else if (!(sd > 0)) notMeasured.push({ feature: f.feature, reason: "constant at the run" });
    else features.push({ feature: f.feature, centroid: f.mean, current, sd, shift: (current - f.mean) / sd });
  }
  const distance = features.length ? Math.sqrt(features.reduce((s, f) => s + f.shift * f.shift, 0)) : null;
  return { features, notMeasured, distance };
}

function inClusterConditions(group: RuleGroup, into: Condition[] = []): Condition[] {
  for (const child of group.children) {
    if (isGroup(child)) inClusterConditions(child, into);
    else if (child.op === "in_cluster") into.push(child);
  }
  return into;
}

export interface SegmentCentroidShift extends CentroidShiftResult {
  /** Readable names of the features (customer features), by key. */
  labels: Record<string, string>;
  segmentId: string;
  segmentName: string;
  version: number;
  modelRunId: string;
  modelRunAt: Date | null;
  cluster: number;
  k: number;
  /** Current members. */
  members: number;
}

/** Every active segment whose published rules select a cluster of a completed model run. */
export async function centroidShifts(tx: Tx, tenantId: string): Promise<SegmentCentroidShift[]> {
  const published = await tx
    .select({ id: segments.id, name: segments.name, version: segments.currentVersion, definition: segmentVersions.definition })
    .from(segments)
    .innerJoin(
      segmentVersions,
      and(eq(segmentVersions.tenantId, segments.tenantId), eq(segmentVersions.segmentId, segments.id), eq(segmentVersions.version, segments.currentVersion)),
    )
    .where(and(eq(segments.tenantId, tenantId), eq(segments.status, "active"), isNotNull(segments.currentVersion)))
    .orderBy(segments.priority);
  const uses = published.flatMap((s) => {
    const parsed = ZDefinition.safeParse(s.definition);
    if (!parsed.success) return [];
    return inClusterConditions(parsed.data.rules).map((c) => ({ segment: s, runId: (c as { modelRunId: string }).modelRunId, cluster: (c as { cluster: number }).cluster }));
  });
  if (!uses.length) return [];
  const runIds = [...new Set(uses.map((u) => u.runId))];
  const runs = await tx
    .select({ id: modelRuns.id, chosenK: modelRuns.chosenK, finishedAt: modelRuns.finishedAt })
    .from(modelRuns)
    .where(and(eq(modelRuns.tenantId, tenantId), inArray(modelRuns.id, runIds), eq(modelRuns.status, "completed")));
  const out: SegmentCentroidShift[] = [];
  const numeric = NUMBER_FEATURES as readonly string[];
  for (const use of uses) {
    const run = runs.find((r) => r.id === use.runId);
    if (!run || run.chosenK === null) continue;
    const profiles = (await tx
      .select({ cluster: modelRunClusters.cluster, size: modelRunClusters.size, profile: modelRunClusters.profile })
      .from(modelRunClusters)
      .where(and(eq(modelRunClusters.tenantId, tenantId), eq(modelRunClusters.runId, run.id), eq(modelRunClusters.k, run.chosenK)))) as ClusterProfileRow[];
    if (!profiles.some((p) => p.cluster === use.cluster)) continue;
    const features = profiles[0].profile.map((f) => f.feature).filter((f) => numeric.includes(f));
    const averages = features.map((f) => sql`avg(f.${sql.raw(f)})::float8 as ${sql.raw(f)}`);
    const [row] = (
      await tx.execute<Record<string, number | null>>(sql`
        select count(*)::int as members${averages.length ? sql`, ${sql.join(averages, sql`, `)}` : sql``}
        from segment_memberships sm
        join customers c on c.tenant_id = sm.tenant_id and c.id = sm.customer_id
        left join customer_features f on f.tenant_id = sm.tenant_id and f.customer_id = sm.customer_id
        where sm.tenant_id = ${tenantId} and sm.segment_id = ${use.segment.id}::uuid and sm.to_version is null and c.merged_into is null`)
    ).rows;
    const currentMeans = new Map<string, number | null>(features.map((f) => [f, row[f] === null ? null : Number(row[f])]));
    out.push({
      segmentId: use.segment.id,
      segmentName: use.segment.name,
      version: use.segment.version!,
      modelRunId: run.id,
      modelRunAt: run.finishedAt,
      cluster: use.cluster,
      k: run.chosenK,
      members: Number(row.members),
      labels: Object.fromEntries(features.map((f) => [f, FEATURE_LABELS[f as keyof typeof FEATURE_LABELS] ?? f])),
      ...centroidShift(profiles, use.cluster, currentMeans),
    });
  }
  return out;
}
