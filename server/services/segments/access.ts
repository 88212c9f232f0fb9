import { and, eq } from "drizzle-orm";
import type { Tx } from "../../../db/client";
import { membershipRegions, segmentProposals, segments, type Role } from "../../../db/schema";
import { can } from "../../auth/permissions";

/** Who is asking: enough to decide what they may do with a segment or a draft. */
export interface Participant {
  tenantId: string;
  userId: string;
  role: Role;
}

/** The regions a member is limited to; empty when they are not region-scoped. */
export async function regionScopeOf(tx: Tx, tenantId: string, userId: string): Promise<string[]> {
  const rows = await tx
    .select({ regionId: membershipRegions.regionId })
    .from(membershipRegions)
    .where(and(eq(membershipRegions.tenantId, tenantId), eq(membershipRegions.userId, userId)));
  return rows.map((r) => r.regionId);
}

/**
 * Whether a member may propose for a segment of this region. A contributor scoped to regions
 * proposes only regional variants of those regions; everyone else with segment:propose may
 * propose anything.
 */
export function mayProposeFor(role: Role, scopeRegions: string[], regionId: string | null): boolean {
  if (!can(role, "segment:propose")) return false;
  if (role !== "contributor" || scopeRegions.length === 0) return true;
  return regionId !== null && scopeRegions.includes(regionId);
}

/**
 * What a participant may do with a proposal's co-edited draft: "write" while it is a draft and
 * they may propose for its segment's region, "read" for anyone who may read segments, null
 * when the proposal does not exist in this workspace (or they may not see it).
 */
export async function draftAccess(tx: Tx, who: Participant, proposalId: string): Promise<"write" | "read" | null> {
  if (!can(who.role, "segment:read")) return null;
  const [row] = await tx
    .select({ status: segmentProposals.status, regionId: segments.regionId })
    .from(segmentProposals)
    .innerJoin(segments, and(eq(segments.tenantId, segmentProposals.tenantId), eq(segments.id, segmentProposals.segmentId)))
    .where(and(eq(segmentProposals.tenantId, who.tenantId), eq(segmentProposals.id, proposalId)));
  if (!row) return null;
  if (row.status !== "draft") return "read";
  const scope = await regionScopeOf(tx, who.tenantId, who.userId);
  return mayProposeFor(who.role, scope, row.regionId) ? "write" : "read";
}

/** The Yjs document that holds a proposal's draft (the name within its tenant). */
export function proposalDocName(proposalId: string): string {
  return `proposal/${proposalId}`;
}
