import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { membershipRegions, memberships, regions, ROLES, users, type Role } from "../../../db/schema";
import { forbidden, invalid, notFound } from "../../errors";
import { revokeWorkspaceSessions } from "../accounts";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";

export const ZRole = z.enum(ROLES, { message: `Choose a role: ${ROLES.join(", ")}.` });
export const ZRegionIds = z.array(z.uuid()).max(100).default([]);

export const ZUpdateMemberInput = z.object({ userId: z.uuid(), role: ZRole, regionIds: ZRegionIds });
export const ZMemberIdInput = z.object({ userId: z.uuid() });

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: Role;
  regionIds: string[];
  joinedAt: Date;
}

export async function listMembers(scope: TenantScope): Promise<Member[]> {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const rows = await tx
      .select({
        userId: memberships.userId,
        name: users.name,
        email: users.email,
        role: memberships.role,
        joinedAt: memberships.createdAt,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.tenantId, scope.tenantId))
      .orderBy(asc(users.name));
    const scoped = await tx.select().from(membershipRegions).where(eq(membershipRegions.tenantId, scope.tenantId));
    return rows.map((r) => ({ ...r, regionIds: scoped.filter((s) => s.userId === r.userId).map((s) => s.regionId) }));
  });
}

/** Region scoping applies to contributors only; every id must be a region of this workspace. */
export async function checkRegionScope(tx: Tx, tenantId: string, role: Role, regionIds: string[]): Promise<string[]> {
  const unique = [...new Set(regionIds)];
  if (unique.length === 0) return unique;
  if (role !== "contributor") throw invalid("Only contributors can be limited to regions; clear the regions or choose the contributor role.");
  const found = await tx
    .select({ id: regions.id })
    .from(regions)
    .where(and(eq(regions.tenantId, tenantId), inArray(regions.id, unique)));
  if (found.length !== unique.length) throw invalid("One of the chosen regions does not exist in this workspace. Reload the page and choose again.");
  return unique;
}

/** Owners alone may create, change or remove owners. */
export function assertMayAssign(actorRole: Role, targetRoles: Role[]) {
  if (actorRole !== "owner" && targetRoles.includes("owner")) {
    throw forbidden("Only an owner can grant, change or remove the owner role.");
  }
}

async function loadMember(tx: Tx, tenantId: string, userId: string) {
  const [row] = await tx
    .select({ role: memberships.role, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
  if (!row) throw notFound("That member");
  const scoped = await tx
    .select({ regionId: membershipRegions.regionId })
    .from(membershipRegions)
    .where(and(eq(membershipRegions.tenantId, tenantId), eq(membershipRegions.userId, userId)));
  return { ...row, regionIds: scoped.map((s) => s.regionId).sort() };
}

async function assertNotLastOwner(tx: Tx, tenantId: string, what: string) {
  const owners = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.role, "owner")))
    .for("update");
  if (owners.length <= 1) throw invalid(`${what}: a workspace needs at least one owner. Make someone else owner first.`);
}

async function setRegions(tx: Tx, tenantId: string, userId: string, regionIds: string[]) {
  await tx.delete(membershipRegions).where(and(eq(membershipRegions.tenantId, tenantId), eq(membershipRegions.userId, userId)));
  if (regionIds.length) {
    await tx.insert(membershipRegions).values(regionIds.map((regionId) => ({ tenantId, userId, regionId })));
  }
}

export async function updateMember(scope: TenantScope, input: z.input<typeof ZUpdateMemberInput>) {
  const { userId, role, regionIds } = ZUpdateMemberInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const before = await loadMember(tx, scope.tenantId, userId);
    assertMayAssign(scope.role, [before.role, role]);
    if (before.role === "owner" && role !== "owner") await assertNotLastOwner(tx, scope.tenantId, "This owner cannot be demoted");
    const scopedRegions = (await checkRegionScope(tx, scope.tenantId, role, regionIds)).sort();
    await tx.update(memberships).set({ role }).where(and(eq(memberships.tenantId, scope.tenantId), eq(memberships.userId, userId)));
    await setRegions(tx, scope.tenantId, userId, scopedRegions);
    if (before.role !== role) await revokeWorkspaceSessions(tx, userId, scope.tenantId);
    await appendAudit(tx, scope, {
      action: "member.update",
      objectType: "member",
      objectId: userId,
      before: { email: before.email, role: before.role, regionIds: before.regionIds },
      after: { email: before.email, role, regionIds: scopedRegions },
    });
    return { userId, role, regionIds: scopedRegions };
  });
}

export async function removeMember(scope: TenantScope, input: z.input<typeof ZMemberIdInput>) {
  const { userId } = ZMemberIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const before = await loadMember(tx, scope.tenantId, userId);
    assertMayAssign(scope.role, [before.role]);
    if (before.role === "owner") await assertNotLastOwner(tx, scope.tenantId, "This owner cannot be removed");
    await tx.delete(memberships).where(and(eq(memberships.tenantId, scope.tenantId), eq(memberships.userId, userId)));
    await revokeWorkspaceSessions(tx, userId, scope.tenantId);
    await appendAudit(tx, scope, {
      action: "member.remove",
      objectType: "member",
      objectId: userId,
      before: { email: before.email, role: before.role, regionIds: before.regionIds },
    });
    return { userId };
  });
}
