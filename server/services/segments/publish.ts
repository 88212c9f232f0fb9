import { and, eq, ne, sql } from "drizzle-orm";
import type { Tx } from "../../../db/client";
import { segments, segmentVersions, type ProposalKind } from "../../../db/schema";
import { conflict, notFound } from "../../errors";
import { appendAudit } from "../audit";
import { queueAuditAfterPublish } from "../monitoring";
import { auditDecisionGate, enforceDecisionGate, type GateResult } from "../monitoring/decision-gate";
import type { TenantScope } from "../scope";
import { emitSegmentPublished } from "../webhooks";
import type { Definition } from "./definition";
import { materialiseMatches } from "./selection";
import { queuePublishRollup } from "../kpis/runs";

export interface PublishInput {
  segmentId: string;
  definition: Definition;
  kind: ProposalKind;
  proposalId: string | null;
  proposedBy: string | null;
  restoredFrom?: number | null;
  /** The committee's justification recorded on the proposal (the decision-use bias gate). */
  biasJustification?: string | null;
}

export interface Published {
  version: number;
  memberCount: number;
  added: number;
  removed: number;
}

/**
 * Publishes a new immutable version of a segment and materialises its membership, inside the
 * caller's transaction (with the approval that caused it): only the changes are written —
 * members who no longer match get to_version = v, new members a row from v. A retirement
 * closes every membership.
 */
export async function publishVersion(tx: Tx, scope: TenantScope, input: PublishInput): Promise<Published> {
  const { tenantId } = scope;
  const [segment] = await tx
    .select()
    .from(segments)
    .where(and(eq(segments.tenantId, tenantId), eq(segments.id, input.segmentId)))
    .for("update");
  if (!segment) throw notFound("The segment");
  const def = input.definition;
  const [clash] = await tx
    .select({ id: segments.id })
    .from(segments)
    .where(and(eq(segments.tenantId, tenantId), eq(segments.name, def.name), ne(segments.id, segment.id)));
  if (clash) throw conflict(`Another segment is already called “${def.name}”: choose another name.`);

  const version = (segment.currentVersion ?? 0) + 1;
  const member = sql`sm.tenant_id = ${tenantId} and sm.segment_id = ${segment.id}::uuid and sm.to_version is null`;
  let removed: number;
  let added = 0;
  let gate: GateResult | null = null;
  if (input.kind === "retire") {
    removed = (await tx.execute(sql`update segment_memberships sm set to_version = ${version} where ${member}`)).rowCount ?? 0;
  } else {
    await materialiseMatches(tx, tenantId, def, segment.id);
    // Pricing, credit-like or service-level use: the membership about to be published is audited
    // first, and a failing audit needs the committee's justification (decision 011).
    gate = await auditDecisionGate(tx, tenantId, def.decisionUse);
    enforceDecisionGate(def.name, gate, input.biasJustification ?? null);
    // Both statements are anti-joins of two large sets: hashed, whatever the (possibly stale)
    // statistics of the membership table say; a nested loop on a wrong estimate scans per row.
    await tx.execute(sql`set local enable_nestloop = off`);
    removed =
      (
        await tx.execute(sql`
          update segment_memberships sm set to_version = ${version}
          where ${member} and not exists (select 1 from segment_matches m where m.id = sm.customer_id and not m.opted_out)`)
      ).rowCount ?? 0;
    added =
      (
        await tx.execute(sql`
          insert into segment_memberships (tenant_id, segment_id, customer_id, from_version)
          select ${tenantId}::uuid, ${segment.id}::uuid, m.id, ${version}::int from segment_matches m
          where not m.opted_out and not exists (select 1 from segment_memberships sm where ${member} and sm.customer_id = m.id)`)
      ).rowCount ?? 0;
    await tx.execute(sql`reset enable_nestloop`);
  }
  const memberCount = (segment.memberCount ?? 0) - removed + added;
  await tx.insert(segmentVersions).values({
    tenantId,
    segmentId: segment.id,
    version,
    definition: def,
    kind: input.kind,
    proposalId: input.proposalId,
    restoredFrom: input.restoredFrom ?? null,
    memberCount,
    added,
    removed,
    proposedBy: input.proposedBy,
    publishedBy: scope.actor.userId,
  });
  await tx
    .update(segments)
    .set({
      name: def.name,
      ownerId: def.ownerId,
      regionId: def.regionId,
      parentId: def.parentId,
      status: input.kind === "retire" ? "retired" : "active",
      currentVersion: version,
      memberCount,
      updatedAt: new Date(),
    })
    .where(and(eq(segments.tenantId, tenantId), eq(segments.id, segment.id)));
  const published = { version, memberCount, added, removed };
  await appendAudit(tx, scope, {
    action: "segment.publish",
    objectType: "segment",
    objectId: segment.id,
    before: segment.currentVersion ? { version: segment.currentVersion, memberCount: segment.memberCount } : null,
    after: {
      ...published,
      kind: input.kind,
      proposalId: input.proposalId,
      restoredFrom: input.restoredFrom ?? null,
      ...(gate
        ? {
            decisionUse: gate.decisionUse,
            biasGate: { passes: gate.passes, failures: gate.failures.length, justified: !gate.passes, justification: gate.passes ? null : input.biasJustification ?? null },
          }
        : {}),
    },
  });
  await emitSegmentPublished(tx, tenantId, { segmentId: segment.id, name: def.name, kind: input.kind, ...published });
  if (input.kind !== "retire") await queueAuditAfterPublish(tx, tenantId, segment.id, version, scope.actor.userId);
  // The segment's KPI history is recomputed over its new membership (docs/decisions/012).
  await queuePublishRollup(tx, tenantId, segment.id, scope.actor.userId);
  return published;
}
