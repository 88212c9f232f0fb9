import { and, desc, eq, max, sql } from "drizzle-orm";
import * as Y from "yjs";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { proposalVotes, segmentProposals, segments, users, PROPOSAL_STATUSES, type ProposalKind } from "../../../db/schema";
import { conflict, forbidden, invalid } from "../../errors";
import { appendUpdates } from "../../collab/store";
import { can } from "../../auth/permissions";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { draftAccess, mayProposeFor, proposalDocName, regionScopeOf } from "./access";
import { DECISION_USES, emptyRules, type Definition } from "./definition";
import { diffDefinitions } from "./diff";
import { readDefinition, writeDefinition } from "./draft-doc";
import { assertContains, draftDoc, parseDraft, proposalRow, segmentRow, versionDefinition, type ProposalRow, type SegmentRow } from "./lookup";
import { ZRuleGroup } from "./rules";
import { selectionSql } from "./selection";

export const ZProposalIdInput = z.object({ proposalId: z.uuid({ message: "is not a proposal id" }) });
const ZTitle = z.string().trim().min(1).max(200).optional();
const ZName = z.string({ message: "is required" }).trim().min(1, { message: "is required" }).max(120, { message: "must be at most 120 characters" });

export const ZCreateProposalInput = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("create"),
    name: ZName,
    title: ZTitle,
    description: z.string().max(4000).default(""),
    valueProposition: z.string().max(4000).default(""),
    /** Pricing, credit-like or service-level use puts publishing behind the bias gate. */
    decisionUse: z.enum(DECISION_USES, { message: "must be none, pricing, credit or service_level" }).default("none"),
    /** A regional variant of this global segment. */
    parentId: z.uuid().nullable().default(null),
    regionId: z.uuid().nullable().default(null),
    rules: ZRuleGroup.optional(),
  }),
  z.object({ kind: z.literal("change"), segmentId: z.uuid(), title: ZTitle }),
  z.object({ kind: z.literal("retire"), segmentId: z.uuid(), title: ZTitle }),
  z.object({ kind: z.literal("restore"), segmentId: z.uuid(), version: z.number().int().min(1), title: ZTitle }),
]);

export const ZSubmitProposalInput = ZProposalIdInput.extend({
  /** The submitting editor's Yjs state vector (base64): the stored draft must contain it. */
  stateVector: z.base64().max(100_000).optional(),
});

export const ZListProposalsInput = z.object({ status: z.enum(PROPOSAL_STATUSES).optional(), segmentId: z.uuid().optional() }).default({});

async function assertMayPropose(tx: Tx, scope: TenantScope, regionId: string | null) {
  const scopeRegions = await regionScopeOf(tx, scope.tenantId, scope.actor.userId);
  if (!mayProposeFor(scope.role, scopeRegions, regionId)) {
    throw forbidden("You propose for your own regions only: this segment belongs to another region.");
  }
}

async function assertNameFree(tx: Tx, tenantId: string, name: string, exceptId: string | null) {
  const [clash] = await tx
    .select({ id: segments.id })
    .from(segments)
    .where(and(eq(segments.tenantId, tenantId), sql`lower(${segments.name}) = lower(${name})`));
  if (clash && clash.id !== exceptId) throw conflict(`Another segment is already called “${name}”: choose another name.`);
}

/** Creates a proposal and its co-edited draft (starting from the published version, if any). */
export async function createProposal(scope: TenantScope, input: z.input<typeof ZCreateProposalInput>) {
  const data = ZCreateProposalInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    let segment: SegmentRow;
    let definition: Definition;
    let title: string;
    let baseVersion: number | null = null;
    let restoreVersion: number | null = null;
    if (data.kind === "create") {
      await assertMayPropose(tx, scope, data.regionId);
      await assertNameFree(tx, scope.tenantId, data.name, null);
      if (data.parentId) {
        const parent = await segmentRow(tx, scope.tenantId, data.parentId);
        if (parent.parentId) throw invalid("A regional variant refines a global segment, not another variant.");
        if (!data.regionId) throw invalid("Choose the region this variant is for.");
      }
      const [{ top }] = await tx.select({ top: max(segments.priority) }).from(segments).where(eq(segments.tenantId, scope.tenantId));
      [segment] = await tx
        .insert(segments)
        .values({
          tenantId: scope.tenantId,
          name: data.name,
          parentId: data.parentId,
          regionId: data.regionId,
          ownerId: scope.actor.userId,
          priority: (top ?? 0) + 1,
          createdBy: scope.actor.userId,
        })
        .returning();
      definition = {
        name: data.name,
        description: data.description,
        valueProposition: data.valueProposition,
        ownerId: scope.actor.userId,
        regionId: data.regionId,
        parentId: data.parentId,
        decisionUse: data.decisionUse,
        rules: data.rules ?? emptyRules(),
      };
      title = data.title ?? `New segment “${data.name}”`;
    } else {
      segment = await segmentRow(tx, scope.tenantId, data.segmentId);
      await assertMayPropose(tx, scope, segment.regionId);
      if (!segment.currentVersion) throw invalid("This segment has no published version yet: work on its open proposal instead.");
      if (data.kind !== "restore" && segment.status !== "active") throw invalid("This segment is retired: propose restoring one of its versions instead.");
      baseVersion = segment.currentVersion;
      if (data.kind === "restore") {
        if (data.version === segment.currentVersion) throw invalid(`Version ${data.version} is already the published version.`);
        restoreVersion = data.version;
      }
      definition = await versionDefinition(tx, scope.tenantId, segment.id, data.kind === "restore" ? data.version : segment.currentVersion);
      title =
        data.title ??
        (data.kind === "restore"
          ? `Restore “${segment.name}” to version ${data.version}`
          : `${data.kind === "change" ? "Change" : "Retire"} “${segment.name}”`);
    }
    const [proposal] = await tx
      .insert(segmentProposals)
      .values({
        tenantId: scope.tenantId,
        segmentId: segment.id,
        kind: data.kind,
        title,
        baseVersion,
        restoreVersion,
        createdBy: scope.actor.userId,
      })
      .returning();
    const doc = new Y.Doc();
    writeDefinition(doc, definition);
    await appendUpdates(tx, scope.tenantId, proposalDocName(proposal.id), [Y.encodeStateAsUpdate(doc)]);
    await appendAudit(tx, scope, {
      action: "proposal.create",
      objectType: "proposal",
      objectId: proposal.id,
      after: { kind: data.kind, segmentId: segment.id, title, baseVersion, restoreVersion },
    });
    return { proposalId: proposal.id, segmentId: segment.id, doc: proposalDocName(proposal.id) };
  });
}

/** The definition a proposal stands for now: the frozen submission, or the live draft. */
export async function proposalDefinition(tx: Tx, tenantId: string, proposal: ProposalRow): Promise<unknown> {
  if (proposal.submitted) return proposal.submitted;
  return readDefinition(await draftDoc(tx, tenantId, proposal.id));
}

export function isStale(proposal: ProposalRow, segment: SegmentRow): boolean {
  return (proposal.status === "draft" || proposal.status === "submitted") && proposal.baseVersion !== segment.currentVersion;
}

export function assertOpenAndCurrent(proposal: ProposalRow, segment: SegmentRow, wanted: ProposalRow["status"][]) {
  if (!wanted.includes(proposal.status)) throw conflict(`This proposal is ${proposal.status}: it cannot be changed that way now.`);
  if (isStale(proposal, segment)) {
    throw conflict(
      `The segment has changed since this proposal was written (it was based on version ${proposal.baseVersion ?? "none"}, the published version is now ${segment.currentVersion}). Rebase the proposal onto the new version first.`,
    );
  }
}

async function clearVotes(tx: Tx, tenantId: string, proposalId: string) {
  await tx.delete(proposalVotes).where(and(eq(proposalVotes.tenantId, tenantId), eq(proposalVotes.proposalId, proposalId)));
}

/** Freezes the draft for review. Every edit the submitter made must already be stored. */
export async function submitProposal(scope: TenantScope, input: z.input<typeof ZSubmitProposalInput>) {
  const { proposalId, stateVector } = ZSubmitProposalInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const proposal = await proposalRow(tx, scope.tenantId, proposalId, true);
    const segment = await segmentRow(tx, scope.tenantId, proposal.segmentId);
    assertOpenAndCurrent(proposal, segment, ["draft"]);
    if ((await draftAccess(tx, { tenantId: scope.tenantId, userId: scope.actor.userId, role: scope.role }, proposalId)) !== "write") {
      throw forbidden("You may read this proposal but not submit it.");
    }
    const doc = await draftDoc(tx, scope.tenantId, proposalId);
    if (stateVector) assertContains(doc, Buffer.from(stateVector, "base64"));
    const definition = parseDraft(readDefinition(doc));
    if (proposal.kind !== "retire") {
      await selectionSql(tx, scope.tenantId, definition, segment.id);
      await assertNameFree(tx, scope.tenantId, definition.name, segment.id);
    }
    if (proposal.kind === "change") {
      const base = await versionDefinition(tx, scope.tenantId, segment.id, proposal.baseVersion!);
      if (diffDefinitions(base, definition).empty) throw invalid("This proposal does not change anything yet: edit the definition first.");
    }
    await tx
      .update(segmentProposals)
      .set({ status: "submitted", submitted: definition, submittedAt: new Date(), updatedAt: new Date() })
      .where(and(eq(segmentProposals.tenantId, scope.tenantId), eq(segmentProposals.id, proposalId)));
    await appendAudit(tx, scope, { action: "proposal.submit", objectType: "proposal", objectId: proposalId, after: definition });
    return { status: "submitted" as const };
  });
}

async function assertMayEdit(tx: Tx, scope: TenantScope, proposal: ProposalRow, segment: SegmentRow, what: string) {
  const own = proposal.createdBy === scope.actor.userId;
  if (own || can(scope.role, "segment:override")) return;
  const scopeRegions = await regionScopeOf(tx, scope.tenantId, scope.actor.userId);
  if (!mayProposeFor(scope.role, scopeRegions, segment.regionId)) throw forbidden(`You may not ${what} this proposal.`);
}

/** Takes a submitted proposal back to draft (its proposer, to answer review comments); its votes are cleared. */
export async function reopenProposal(scope: TenantScope, input: z.input<typeof ZProposalIdInput>) {
  const { proposalId } = ZProposalIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const proposal = await proposalRow(tx, scope.tenantId, proposalId, true);
    if (proposal.createdBy !== scope.actor.userId && !can(scope.role, "segment:override")) {
      throw forbidden("Only the person who proposed it, or an admin, may take a proposal back to draft.");
    }
    if (proposal.status !== "submitted") throw conflict(`This proposal is ${proposal.status}: only a submitted proposal can go back to draft.`);
    await clearVotes(tx, scope.tenantId, proposalId);
    await tx
      .update(segmentProposals)
      // A justification was for the submitted definition: the draft may change, so it goes.
      .set({ status: "draft", submitted: null, submittedAt: null, biasJustification: null, biasJustifiedBy: null, biasJustifiedAt: null, updatedAt: new Date() })
      .where(and(eq(segmentProposals.tenantId, scope.tenantId), eq(segmentProposals.id, proposalId)));
    await appendAudit(tx, scope, { action: "proposal.reopen", objectType: "proposal", objectId: proposalId });
    return { status: "draft" as const };
  });
}

export async function withdrawProposal(scope: TenantScope, input: z.input<typeof ZProposalIdInput>) {
  const { proposalId } = ZProposalIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const proposal = await proposalRow(tx, scope.tenantId, proposalId, true);
    if (proposal.createdBy !== scope.actor.userId && !can(scope.role, "segment:override")) {
      throw forbidden("Only the person who proposed it, or an admin, may withdraw a proposal.");
    }
    if (proposal.status !== "draft" && proposal.status !== "submitted") throw conflict(`This proposal is already ${proposal.status}.`);
    await tx
      .update(segmentProposals)
      .set({ status: "withdrawn", decidedAt: new Date(), decidedBy: scope.actor.userId, updatedAt: new Date() })
      .where(and(eq(segmentProposals.tenantId, scope.tenantId), eq(segmentProposals.id, proposalId)));
    await appendAudit(tx, scope, { action: "proposal.withdraw", objectType: "proposal", objectId: proposalId });
    return { status: "withdrawn" as const };
  });
}

/**
 * Moves a stale proposal onto the segment's current version: it goes back to draft (votes
 * cleared) and its diff is then against the new version, so the proposer sees what their draft
 * would change now — including undoing what was published meanwhile — before submitting again.
 */
export async function rebaseProposal(scope: TenantScope, input: z.input<typeof ZProposalIdInput>) {
  const { proposalId } = ZProposalIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const proposal = await proposalRow(tx, scope.tenantId, proposalId, true);
    const segment = await segmentRow(tx, scope.tenantId, proposal.segmentId);
    await assertMayEdit(tx, scope, proposal, segment, "rebase");
    if (!isStale(proposal, segment)) throw conflict("This proposal is already based on the published version.");
    if (proposal.kind === "retire" && segment.status === "retired") throw conflict("The segment is already retired: withdraw this proposal.");
    await clearVotes(tx, scope.tenantId, proposalId);
    await tx
      .update(segmentProposals)
      .set({ status: "draft", submitted: null, submittedAt: null, baseVersion: segment.currentVersion, updatedAt: new Date() })
      .where(and(eq(segmentProposals.tenantId, scope.tenantId), eq(segmentProposals.id, proposalId)));
    await appendAudit(tx, scope, {
      action: "proposal.rebase",
      objectType: "proposal",
      objectId: proposalId,
      before: { baseVersion: proposal.baseVersion },
      after: { baseVersion: segment.currentVersion },
    });
    return { status: "draft" as const, baseVersion: segment.currentVersion };
  });
}

export async function listProposals(scope: TenantScope, input: z.input<typeof ZListProposalsInput>) {
  const filter = ZListProposalsInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const rows = await tx
      .select({
        id: segmentProposals.id,
        segmentId: segmentProposals.segmentId,
        segmentName: segments.name,
        kind: segmentProposals.kind,
        status: segmentProposals.status,
        title: segmentProposals.title,
        baseVersion: segmentProposals.baseVersion,
        currentVersion: segments.currentVersion,
        createdBy: users.name,
        createdAt: segmentProposals.createdAt,
        updatedAt: segmentProposals.updatedAt,
        approvals: sql<number>`(select count(*)::int from proposal_votes v where v.tenant_id = ${segmentProposals.tenantId} and v.proposal_id = ${segmentProposals.id} and v.vote = 'approve')`,
        rejections: sql<number>`(select count(*)::int from proposal_votes v where v.tenant_id = ${segmentProposals.tenantId} and v.proposal_id = ${segmentProposals.id} and v.vote = 'reject')`,
        comments: sql<number>`(select count(*)::int from proposal_comments pc where pc.tenant_id = ${segmentProposals.tenantId} and pc.proposal_id = ${segmentProposals.id})`,
      })
      .from(segmentProposals)
      .innerJoin(segments, and(eq(segments.tenantId, segmentProposals.tenantId), eq(segments.id, segmentProposals.segmentId)))
      .leftJoin(users, eq(users.id, segmentProposals.createdBy))
      .where(
        and(
          eq(segmentProposals.tenantId, scope.tenantId),
          filter.status ? eq(segmentProposals.status, filter.status) : undefined,
          filter.segmentId ? eq(segmentProposals.segmentId, filter.segmentId) : undefined,
        ),
      )
      .orderBy(desc(segmentProposals.updatedAt))
      .limit(500);
    return rows.map((r) => ({
      ...r,
      stale: (r.status === "draft" || r.status === "submitted") && r.baseVersion !== r.currentVersion,
    }));
  });
}

export type { ProposalKind };
