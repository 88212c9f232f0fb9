import { z } from "zod";
import { DomainError } from "../../errors";
import { can } from "../../auth/permissions";
import type { TenantScope } from "../scope";
import { draftAccess, mayProposeFor, proposalDocName, regionScopeOf } from "./access";
import { ZDefinition, describeDefinitionIssues, type Definition } from "./definition";
import { diffDefinitions } from "./diff";
import { namesOf, proposalRow, segmentRow, versionDefinition } from "./lookup";
import { preview, type Preview } from "./preview";
import { isStale, proposalDefinition, ZProposalIdInput } from "./proposals";
import { commentsOf, verdictFor, votesOf } from "./review";
import { readSegmentSettings } from "./settings";
import { auditDecisionGate, redactGate, type GateResult } from "../monitoring/decision-gate";
import { segmentMonitoring, type SegmentMonitoring } from "../monitoring/links";

/**
 * Everything the proposal page shows: the proposal, the published version it changes, the
 * readable diff and impact of its definition (the live draft, or the frozen submission), the
 * votes and the verdict of the workspace's rule, the comment threads, and what the reader may do.
 */
export async function getProposal(scope: TenantScope, input: z.input<typeof ZProposalIdInput>) {
  const { proposalId } = ZProposalIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const proposal = await proposalRow(tx, scope.tenantId, proposalId);
    const segment = await segmentRow(tx, scope.tenantId, proposal.segmentId);
    const names = await namesOf(tx, scope.tenantId);
    const base = proposal.baseVersion ? await versionDefinition(tx, scope.tenantId, segment.id, proposal.baseVersion) : null;
    const published =
      segment.currentVersion && segment.currentVersion !== proposal.baseVersion
        ? await versionDefinition(tx, scope.tenantId, segment.id, segment.currentVersion)
        : base;
    const parsed = ZDefinition.safeParse(await proposalDefinition(tx, scope.tenantId, proposal));
    const definition: Definition | null = parsed.success ? parsed.data : null;
    let impact: Preview | null = null;
    let impactError: string | null = null;
    let biasGate: GateResult | null = null;
    if (definition && proposal.kind !== "retire") {
      try {
        // In a savepoint: a failing preview must not abort the rest of this read. A segment used
        // for decisions gets the publishing gate's audit of the same selection (segment_matches).
        [impact, biasGate] = await tx.transaction(async (sp) => {
          const shown = await preview(sp, scope.tenantId, definition, segment.currentVersion ? segment.id : null, 10);
          return [shown, await auditDecisionGate(sp, scope.tenantId, definition.decisionUse)] as const;
        });
      } catch (error) {
        // A domain error says what is wrong with the definition; anything else (SQL, a lost
        // connection) is not for the reader's eyes, so the page says only that it failed.
        impactError = error instanceof DomainError ? error.message : "The impact of this definition could not be computed just now. Reload the page to try again.";
      }
    }
    const [votes, comments, verdict, settings, access] = await Promise.all([
      votesOf(tx, scope.tenantId, proposalId),
      commentsOf(tx, scope.tenantId, proposalId),
      verdictFor(tx, scope.tenantId, proposal),
      readSegmentSettings(tx, scope.tenantId),
      draftAccess(tx, { tenantId: scope.tenantId, userId: scope.actor.userId, role: scope.role }, proposalId),
    ]);
    const monitoring: SegmentMonitoring | null = can(scope.role, "monitor:read")
      ? await segmentMonitoring(tx, scope.tenantId, segment.id, proposal.id)
      : null;
    const stale = isStale(proposal, segment);
    const open = proposal.status === "draft" || proposal.status === "submitted";
    const own = proposal.createdBy === scope.actor.userId;
    const admin = can(scope.role, "segment:override");
    const mayPropose = mayProposeFor(scope.role, await regionScopeOf(tx, scope.tenantId, scope.actor.userId), segment.regionId);
    const mayEdit = own || admin || mayPropose;
    return {
      proposal: {
        id: proposal.id,
        kind: proposal.kind,
        status: proposal.status,
        title: proposal.title,
        baseVersion: proposal.baseVersion,
        restoreVersion: proposal.restoreVersion,
        createdBy: proposal.createdBy ? names.member(proposal.createdBy) : null,
        createdById: proposal.createdBy,
        createdAt: proposal.createdAt,
        submittedAt: proposal.submittedAt,
        decidedAt: proposal.decidedAt,
        decidedBy: proposal.decidedBy ? names.member(proposal.decidedBy) : null,
        decisionReason: proposal.decisionReason,
        overridden: proposal.overridden,
        publishedVersion: proposal.publishedVersion,
        biasJustification: proposal.biasJustification,
        biasJustifiedBy: proposal.biasJustifiedBy ? names.member(proposal.biasJustifiedBy) : null,
        biasJustifiedAt: proposal.biasJustifiedAt,
        stale,
        doc: proposalDocName(proposal.id),
      },
      segment: {
        id: segment.id,
        name: segment.name,
        status: segment.status,
        currentVersion: segment.currentVersion,
        memberCount: segment.memberCount,
        parentId: segment.parentId,
        regionId: segment.regionId,
      },
      base,
      published,
      definition,
      definitionIssues: parsed.success ? null : describeDefinitionIssues(parsed.error),
      diff: definition ? diffDefinitions(base, definition, names) : null,
      impact,
      impactError,
      /** The decision-use gate's audit of what this definition would publish (null when not flagged). */
      biasGate: redactGate(biasGate, can(scope.role, "protected:read")),
      /** Monitoring reports about the segment (roles with monitor:read). */
      monitoring,
      votes,
      verdict,
      approvalRule: settings.approval,
      comments,
      can: {
        edit: access === "write",
        submit: access === "write" && proposal.status === "draft" && !stale,
        reopen: proposal.status === "submitted" && (own || admin),
        withdraw: open && (own || admin),
        rebase: open && stale && mayEdit,
        vote: proposal.status === "submitted" && !stale && !own && can(scope.role, "segment:vote"),
        override: proposal.status === "submitted" && !stale && admin,
        comment: can(scope.role, "segment:comment"),
        justifyBias:
          proposal.status === "submitted" && !stale && definition !== null && definition.decisionUse !== "none" && can(scope.role, "segment:justify"),
      },
    };
  });
}
