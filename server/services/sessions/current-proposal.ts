import type { Tx } from "../../../db/client";
import { can } from "../../auth/permissions";
import type { TenantScope } from "../scope";
import { ZDefinition } from "../segments/definition";
import { diffDefinitions } from "../segments/diff";
import { namesOf, proposalRow, segmentRow, versionDefinition } from "../segments/lookup";
import { isStale, proposalDefinition } from "../segments/proposals";
import { verdictFor, votesOf } from "../segments/review";
import { readSegmentSettings } from "../segments/settings";

/**
 * What a session room shows of the proposal being decided: its changes, votes, the verdict of
 * the workspace's rule and whether the reader may vote — without the impact preview of the
 * proposal page, because every vote makes every room read this again.
 */
export async function currentProposal(tx: Tx, scope: TenantScope, proposalId: string) {
  const proposal = await proposalRow(tx, scope.tenantId, proposalId);
  const segment = await segmentRow(tx, scope.tenantId, proposal.segmentId);
  const names = await namesOf(tx, scope.tenantId);
  const base = proposal.baseVersion ? await versionDefinition(tx, scope.tenantId, segment.id, proposal.baseVersion) : null;
  const parsed = ZDefinition.safeParse(await proposalDefinition(tx, scope.tenantId, proposal));
  const [votes, verdict, settings] = await Promise.all([
    votesOf(tx, scope.tenantId, proposal.id),
    verdictFor(tx, scope.tenantId, proposal),
    readSegmentSettings(tx, scope.tenantId),
  ]);
  const stale = isStale(proposal, segment);
  return {
    id: proposal.id,
    kind: proposal.kind,
    status: proposal.status,
    title: proposal.title,
    baseVersion: proposal.baseVersion,
    createdBy: proposal.createdBy ? names.member(proposal.createdBy) : null,
    segment: { id: segment.id, name: segment.name },
    stale,
    diff: parsed.success ? diffDefinitions(base, parsed.data, names) : null,
    hasBase: base !== null,
    votes,
    verdict,
    approvalRule: settings.approval,
    decision: proposal.decidedAt
      ? {
          by: proposal.decidedBy ? names.member(proposal.decidedBy) : null,
          at: proposal.decidedAt,
          reason: proposal.decisionReason,
          overridden: proposal.overridden,
          publishedVersion: proposal.publishedVersion,
        }
      : null,
    canVote: proposal.status === "submitted" && !stale && proposal.createdBy !== scope.actor.userId && can(scope.role, "segment:vote"),
  };
}
