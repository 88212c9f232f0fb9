import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Tx } from "../../../db/client";
import { attributeDefinitions, modelRunClusters, modelRuns, regions, segments } from "../../../db/schema";
import { invalid } from "../../errors";
import { compileRules, requiresFeatures, type AttributeCatalog } from "./compile";
import type { Definition } from "./definition";
import { referencedModelRuns, referencedSegments } from "./rules";

/**
 * The SQL that selects a definition's members: its rule tree, and for a regional variant also
 * "member of the parent" and "in the variant's region". Every segment the definition refers to
 * is checked to exist here (a missing one is a person's mistake, said in words).
 */

export async function catalogFor(tx: Tx, tenantId: string): Promise<AttributeCatalog> {
  const defs = await tx
    .select({ key: attributeDefinitions.key, type: attributeDefinitions.type, sensitivity: attributeDefinitions.sensitivity })
    .from(attributeDefinitions)
    .where(eq(attributeDefinitions.tenantId, tenantId));
  const byKey = new Map(defs.map((d) => [d.key, d]));
  return { get: (key) => byKey.get(key) };
}

export type Selectable = Pick<Definition, "rules" | "parentId" | "regionId">;

export async function selectionSql(tx: Tx, tenantId: string, definition: Selectable, selfId: string | null): Promise<SQL> {
  const refs = referencedSegments(definition.rules);
  if (selfId && refs.has(selfId)) throw invalid("A segment cannot be defined by membership of itself.");
  if (refs.size) {
    const found = await tx
      .select({ id: segments.id })
      .from(segments)
      .where(and(eq(segments.tenantId, tenantId), inArray(segments.id, [...refs])));
    if (found.length !== refs.size) throw invalid("A rule refers to a segment that does not exist in this workspace.");
  }
  await checkModelRuns(tx, tenantId, definition.rules);
  const where = compileRules(definition.rules, await catalogFor(tx, tenantId));
  if (!definition.parentId) return where;
  if (!definition.regionId) throw invalid("A regional variant needs a region.");
  if (definition.parentId === selfId) throw invalid("A segment cannot be its own parent.");
  const [parent] = await tx
    .select({ parentId: segments.parentId })
    .from(segments)
    .where(and(eq(segments.tenantId, tenantId), eq(segments.id, definition.parentId)));
  if (!parent) throw invalid("The parent segment does not exist in this workspace.");
  if (parent.parentId) throw invalid("A regional variant refines a global segment, not another variant.");
  const [region] = await tx
    .select({ name: regions.name })
    .from(regions)
    .where(and(eq(regions.tenantId, tenantId), eq(regions.id, definition.regionId)));
  if (!region) throw invalid("The region does not exist in this workspace.");
  const inParent = sql`exists (select 1 from segment_memberships pm where pm.tenant_id = c.tenant_id
    and pm.segment_id = ${definition.parentId}::uuid and pm.customer_id = c.id and pm.to_version is null)`;
  return sql`(${where} and c.region = ${region.name} and ${inParent})`;
}

/** Every model run a rule refers to exists in the workspace, is completed, and has the cluster named. */
export async function checkModelRuns(tx: Tx, tenantId: string, rules: Selectable["rules"]): Promise<void> {
  const refs = referencedModelRuns(rules);
  if (!refs.size) return;
  const runs = await tx
    .select({ id: modelRuns.id, status: modelRuns.status, chosenK: modelRuns.chosenK })
    .from(modelRuns)
    .where(and(eq(modelRuns.tenantId, tenantId), inArray(modelRuns.id, [...refs.keys()])));
  const byId = new Map(runs.map((r) => [r.id, r]));
  for (const [runId, clusters] of refs) {
    const run = byId.get(runId);
    if (!run) throw invalid("A rule refers to a model run that does not exist in this workspace.");
    if (run.status !== "completed" || run.chosenK === null) throw invalid(`A rule refers to a model run that is ${run.status}; only a completed run's clusters can be used.`);
    const known = await tx
      .select({ cluster: modelRunClusters.cluster })
      .from(modelRunClusters)
      .where(and(eq(modelRunClusters.tenantId, tenantId), eq(modelRunClusters.runId, runId), eq(modelRunClusters.k, run.chosenK)));
    const have = new Set(known.map((k) => k.cluster));
    for (const c of clusters) {
      if (!have.has(c)) throw invalid(`The model run has no cluster ${c} (its clusters are 1 to ${run.chosenK}).`);
    }
  }
}

export const CUSTOMER_FEATURES_JOIN = sql`left join customer_features f on f.tenant_id = c.tenant_id and f.customer_id = c.id`;

/** The join of features for a definition: inner when its rules can only match customers with features. */
export function featuresJoinFor(definition: Pick<Definition, "rules">): SQL {
  return requiresFeatures(definition.rules)
    ? sql`join customer_features f on f.tenant_id = c.tenant_id and f.customer_id = c.id`
    : CUSTOMER_FEATURES_JOIN;
}

/**
 * Computes who a definition selects into a temporary table `segment_matches` (id, external_id,
 * region, opted_out), dropped at the end of the transaction, and (unless told not to) analyses it
 * so the statements that read it are planned on real counts. One scan of the
 * customer base, which PostgreSQL may run in parallel; JIT is off (it costs more than it saves
 * on statements that run once).
 */
export async function materialiseMatches(tx: Tx, tenantId: string, definition: Selectable, selfId: string | null, analyse = true): Promise<void> {
  const where = await selectionSql(tx, tenantId, definition, selfId);
  await tx.execute(sql`set local work_mem = '64MB'`);
  await tx.execute(sql`set local jit = off`);
  await tx.execute(sql`drop table if exists segment_matches`);
  await tx.execute(sql`
    create temporary table segment_matches on commit drop as
    select c.id, c.external_id, c.region, c.opted_out from customers c ${featuresJoinFor(definition)}
    where c.tenant_id = ${tenantId} and c.merged_into is null and ${where}`);
  if (analyse) await tx.execute(sql`analyze segment_matches`);
}
