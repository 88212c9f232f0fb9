import { and, eq } from "drizzle-orm";
import type { Tx } from "../../../db/client";
import { segments, type Role } from "../../../db/schema";
import { can } from "../../auth/permissions";
import { regionScopeOf, type Participant } from "../segments/access";

/**
 * Whether a member may co-edit the boards of a segment of this region: anyone with swot:edit,
 * except that a contributor scoped to regions edits only the boards of those regions' segments
 * (as with proposals).
 */
export function mayEditBoardOf(role: Role, scopeRegions: string[], regionId: string | null): boolean {
  if (!can(role, "swot:edit")) return false;
  if (role !== "contributor" || scopeRegions.length === 0) return true;
  return regionId !== null && scopeRegions.includes(regionId);
}

/**
 * What a participant may do with a segment's SWOT board document: "write" when they may edit
 * boards of its region, "read" for anyone who may read boards, null when the segment does not
 * exist in this workspace (or they may not see boards at all).
 */
export async function swotAccess(tx: Tx, who: Participant, segmentId: string): Promise<"write" | "read" | null> {
  if (!can(who.role, "swot:read")) return null;
  const [row] = await tx
    .select({ regionId: segments.regionId })
    .from(segments)
    .where(and(eq(segments.tenantId, who.tenantId), eq(segments.id, segmentId)));
  if (!row) return null;
  if (!can(who.role, "swot:edit")) return "read";
  const scope = await regionScopeOf(tx, who.tenantId, who.userId);
  return mayEditBoardOf(who.role, scope, row.regionId) ? "write" : "read";
}
