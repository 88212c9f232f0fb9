import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { memberships, proposalComments, proposalVotes, segmentProposals, users, VOTES } from "../../../db/schema";
import { conflict, DomainError, forbidden, invalid } from "../../errors";
import { recordMaterialisationFailure } from "../api";
import { publishLive } from "../../live/publish";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { judge, type Verdict } from "./approval";
import { ZDefinition } from "./definition";
import { eligibleVoters, proposalRow, segmentRow, type ProposalRow, type SegmentRow } from "./lookup";
import { assertOpenAndCurrent, ZProposalIdInput } from "./proposals";
import { publishVersion, type Published } from "./publish";
import { readSegmentSettings } from "./settings";
import { proposalTopic } from "../sessions/access";

/** The committee's side of a proposal: votes under the workspace's rule, overrides, comment threads. */

const ZReason = z.string({ message: "is required" }).trim().min(3, { message: "say why in a few words" }).max(2000);

export const ZVoteInput = ZProposalIdInput.extend({ vote: z.enum(VOTES, { message: "must be approve or reject" }), reason: ZReason });
export const ZDecideInput = ZProposalIdInput.extend({ decision: z.enum(["approve", "reject"]), reason: ZReason });
export const ZJustifyBiasInput = ZProposalIdInput.extend({
  justification: z
    .string({ message: "is required" })
    .trim()
    .min(20, { message: "say why the committee accepts the disparity, in a sentence or two (at least 20 characters)" })
    .max(4000, { message: "must be at most 4,000 characters" }),
});

export const ZCommentInput = ZProposalIdInput.extend({
  body: z.string({ message: "is required" }).trim().min(1, { message: "is required" }).max(4000, { message: "must be at most 4,000 characters" }),
  /** Reply in this thread (the id of its first comment). */
  threadId: z.uuid().nullable().default(null),
});

/** Materialising a new version failed (not a refusal): nothing of the decision was written. */
class MaterialisationFailed extends Error {
  constructor(
    readonly segmentId: string,
    readonly version: number,
    readonly segmentName: string,
    readonly reason: unknown,
  ) {
    super(`materialising version ${version} of segment ${segmentId} failed: ${reason instanceof Error ? reason.message : String(reason)}`, { cause: reason });
    this.name = "MaterialisationFailed";
  }
}

/**
 * Runs a decision that may publish. When materialising the new version fails, the decision rolls
 * back whole (the vote or override is not kept, the previous version stays published), the
 * failure is recorded so that the API serves the last good version and says so
 * (X-Quorum-Fallback, decision 008), and the person deciding is told plainly.
 */
async function publishingDecision<T>(scope: TenantScope, run: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await scope.db.withTenant(scope.tenantId, run);
  } catch (error) {
    if (!(error instanceof MaterialisationFailed)) throw error;
    // The database's own words (drizzle wraps them in "Failed query: <sql>").
    let root = error.reason;
    while (root instanceof Error && root.cause instanceof Error) root = root.cause;
    const message = root instanceof Error ? root.message : String(root);
    await scope.db.withTenant(scope.tenantId, (tx) => recordMaterialisationFailure(tx, scope.tenantId, error.segmentId, error.version, message));
    throw conflict(
      `Version ${error.version} of “${error.segmentName}” could not be materialised, so nothing was decided and the current version stays published (downstream systems are told). Try again in a moment; if it keeps failing, tell your admin (the error is recorded with the segment).`,
    );
  }
}

export async function verdictFor(tx: Tx, tenantId: string, proposal: ProposalRow): Promise<Verdict> {
  const [settings, votes, eligible] = await Promise.all([
    readSegmentSettings(tx, tenantId),
    tx
      .select({ vote: proposalVotes.vote })
      .from(proposalVotes)
      .where(and(eq(proposalVotes.tenantId, tenantId), eq(proposalVotes.proposalId, proposal.id))),
    eligibleVoters(tx, tenantId, proposal.createdBy),
  ]);
  return judge(settings.approval, votes, eligible);
}

/** Approves (publishing the new version) or rejects, in the caller's transaction. */
async function conclude(
  tx: Tx,
  scope: TenantScope,
  proposal: ProposalRow,
  segment: SegmentRow,
  outcome: "approved" | "rejected",
  reason: string,
  overridden: boolean,
): Promise<Published | null> {
  let published: Published | null = null;
  if (outcome === "approved") {
    const definition = ZDefinition.parse(proposal.submitted);
    try {
      published = await publishVersion(tx, scope, {
        segmentId: segment.id,
        definition,
        kind: proposal.kind,
        proposalId: proposal.id,
        proposedBy: proposal.createdBy,
        restoredFrom: proposal.restoreVersion,
        biasJustification: proposal.biasJustification,
      });
    } catch (error) {
      // A refusal (name taken, bias gate) says what to do; anything else failed while computing
      // the members: the caller records it once this transaction has rolled back.
      if (error instanceof DomainError) throw error;
      throw new MaterialisationFailed(segment.id, (segment.currentVersion ?? 0) + 1, definition.name, error);
    }
  }
  await tx
    .update(segmentProposals)
    .set({
      status: outcome,
      decidedAt: new Date(),
      decidedBy: scope.actor.userId,
      decisionReason: reason,
      overridden,
      publishedVersion: published?.version ?? null,
      updatedAt: new Date(),
    })
    .where(and(eq(segmentProposals.tenantId, scope.tenantId), eq(segmentProposals.id, proposal.id)));
  await appendAudit(tx, scope, {
    action: outcome === "approved" ? "proposal.approve" : "proposal.reject",
    objectType: "proposal",
    objectId: proposal.id,
    after: { reason, overridden, publishedVersion: published?.version ?? null },
  });
  return published;
}

/**
 * A committee member's vote. Votes on one proposal are serialised by a row lock, so two
 * members voting at once are both counted and exactly one of them triggers the publication.
 * A member may change their vote while the proposal is open.
 */
export async function voteOnProposal(scope: TenantScope, input: z.input<typeof ZVoteInput>) {
  const { proposalId, vote, reason } = ZVoteInput.parse(input);
  return publishingDecision(scope, async (tx) => {
    const proposal = await proposalRow(tx, scope.tenantId, proposalId, true);
    if (proposal.createdBy === scope.actor.userId) throw forbidden("You proposed this: others on the committee decide on it.");
    const segment = await segmentRow(tx, scope.tenantId, proposal.segmentId);
    assertOpenAndCurrent(proposal, segment, ["submitted"]);
    await tx
      .insert(proposalVotes)
      .values({ tenantId: scope.tenantId, proposalId, userId: scope.actor.userId, vote, reason })
      .onConflictDoUpdate({
        target: [proposalVotes.tenantId, proposalVotes.proposalId, proposalVotes.userId],
        set: { vote, reason, createdAt: new Date() },
      });
    await appendAudit(tx, scope, { action: "proposal.vote", objectType: "proposal", objectId: proposalId, after: { vote, reason } });
    const verdict = await verdictFor(tx, scope.tenantId, proposal);
    const published = verdict.outcome === "pending" ? null : await conclude(tx, scope, proposal, segment, verdict.outcome, verdict.summary, false);
    // Live: a session room (or anyone following the proposal) sees the vote once it is committed.
    await publishLive(tx, scope.tenantId, proposalTopic(proposalId), {
      type: "vote",
      status: verdict.outcome === "pending" ? "submitted" : verdict.outcome,
      approvals: verdict.approvals,
      rejections: verdict.rejections,
    });
    return { verdict, status: verdict.outcome === "pending" ? ("submitted" as const) : verdict.outcome, published };
  });
}

/** An admin's decision regardless of the votes; recorded as an override with its reason. */
export async function decideProposal(scope: TenantScope, input: z.input<typeof ZDecideInput>) {
  const { proposalId, decision, reason } = ZDecideInput.parse(input);
  return publishingDecision(scope, async (tx) => {
    const proposal = await proposalRow(tx, scope.tenantId, proposalId, true);
    const segment = await segmentRow(tx, scope.tenantId, proposal.segmentId);
    assertOpenAndCurrent(proposal, segment, ["submitted"]);
    await appendAudit(tx, scope, { action: "proposal.override", objectType: "proposal", objectId: proposalId, after: { decision, reason } });
    const published = await conclude(tx, scope, proposal, segment, decision === "approve" ? "approved" : "rejected", reason, true);
    await publishLive(tx, scope.tenantId, proposalTopic(proposalId), { type: "decision", status: decision === "approve" ? "approved" : "rejected" });
    return { status: decision === "approve" ? ("approved" as const) : ("rejected" as const), published };
  });
}

/**
 * Records the committee's justification for publishing a submitted proposal of a segment used for
 * pricing, credit-like or service-level decisions although its bias audit fails four-fifths
 * (decision 011). Audited; a later justification replaces the earlier one (both stay in the log).
 */
export async function justifyBias(scope: TenantScope, input: z.input<typeof ZJustifyBiasInput>) {
  const { proposalId, justification } = ZJustifyBiasInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const proposal = await proposalRow(tx, scope.tenantId, proposalId, true);
    const segment = await segmentRow(tx, scope.tenantId, proposal.segmentId);
    if (proposal.kind === "retire") throw invalid("A retirement publishes no members: there is nothing to justify.");
    assertOpenAndCurrent(proposal, segment, ["submitted"]);
    const definition = ZDefinition.parse(proposal.submitted);
    if (definition.decisionUse === "none") {
      throw invalid("This segment is not flagged for pricing, credit-like or service-level decisions: it needs no bias justification.");
    }
    const at = new Date();
    await tx
      .update(segmentProposals)
      .set({ biasJustification: justification, biasJustifiedBy: scope.actor.userId, biasJustifiedAt: at, updatedAt: at })
      .where(and(eq(segmentProposals.tenantId, scope.tenantId), eq(segmentProposals.id, proposalId)));
    await appendAudit(tx, scope, {
      action: "proposal.bias_justify",
      objectType: "proposal",
      objectId: proposalId,
      before: proposal.biasJustification ? { justification: proposal.biasJustification } : null,
      after: { justification, decisionUse: definition.decisionUse },
    });
    return { justification, justifiedAt: at };
  });
}

/** Members named as @name or @email (or the part before the @) in a comment. */
export function findMentions(body: string, members: { userId: string; name: string; email: string }[]): string[] {
  const found = new Set<string>();
  const lower = body.toLowerCase();
  for (const m of members) {
    const handles = [m.email, m.email.split("@")[0], m.name, m.name.split(/\s+/)[0]].map((h) => `@${h.toLowerCase()}`);
    if (
      handles.some((h) => {
        let at = lower.indexOf(h);
        while (at >= 0) {
          const next = lower[at + h.length];
          if (next === undefined || !/[\p{L}\p{N}_.-]/u.test(next) || (next === "." && !/[\p{L}\p{N}]/u.test(lower[at + h.length + 1] ?? ""))) return true;
          at = lower.indexOf(h, at + 1);
        }
        return false;
      })
    ) {
      found.add(m.userId);
    }
  }
  return [...found];
}

export async function commentOnProposal(scope: TenantScope, input: z.input<typeof ZCommentInput>) {
  const { proposalId, body, threadId } = ZCommentInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const proposal = await proposalRow(tx, scope.tenantId, proposalId);
    if (threadId) {
      const [thread] = await tx
        .select({ threadId: proposalComments.threadId })
        .from(proposalComments)
        .where(and(eq(proposalComments.tenantId, scope.tenantId), eq(proposalComments.id, threadId), eq(proposalComments.proposalId, proposal.id)));
      if (!thread) throw invalid("The comment you are replying to is not on this proposal.");
      if (thread.threadId) throw invalid("Reply to the thread's first comment.");
    }
    const members = await tx
      .select({ userId: memberships.userId, name: users.name, email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.tenantId, scope.tenantId));
    const mentions = findMentions(body, members);
    const [comment] = await tx
      .insert(proposalComments)
      .values({ tenantId: scope.tenantId, proposalId, threadId, authorId: scope.actor.userId, body, mentions })
      .returning({ id: proposalComments.id, createdAt: proposalComments.createdAt });
    await appendAudit(tx, scope, {
      action: "proposal.comment",
      objectType: "proposal",
      objectId: proposalId,
      after: { commentId: comment.id, threadId, body, mentions },
    });
    return { id: comment.id, mentions };
  });
}

export async function commentsOf(tx: Tx, tenantId: string, proposalId: string) {
  const rows = await tx
    .select({
      id: proposalComments.id,
      threadId: proposalComments.threadId,
      authorId: proposalComments.authorId,
      author: sql<string>`coalesce(${users.name}, 'a former member')`,
      body: proposalComments.body,
      mentions: proposalComments.mentions,
      createdAt: proposalComments.createdAt,
    })
    .from(proposalComments)
    .leftJoin(users, eq(users.id, proposalComments.authorId))
    .where(and(eq(proposalComments.tenantId, tenantId), eq(proposalComments.proposalId, proposalId)))
    .orderBy(asc(proposalComments.createdAt), asc(proposalComments.id));
  const threads = rows.filter((r) => !r.threadId).map((r) => ({ ...r, replies: [] as typeof rows }));
  const byId = new Map(threads.map((t) => [t.id, t]));
  for (const r of rows) if (r.threadId) byId.get(r.threadId)?.replies.push(r);
  return threads;
}

export async function votesOf(tx: Tx, tenantId: string, proposalId: string) {
  return tx
    .select({ userId: proposalVotes.userId, name: users.name, vote: proposalVotes.vote, reason: proposalVotes.reason, at: proposalVotes.createdAt })
    .from(proposalVotes)
    .innerJoin(users, eq(users.id, proposalVotes.userId))
    .where(and(eq(proposalVotes.tenantId, tenantId), eq(proposalVotes.proposalId, proposalId)))
    .orderBy(asc(proposalVotes.createdAt));
}
