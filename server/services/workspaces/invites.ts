import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../../db/client";
import { invites, membershipRegions, memberships, regions, users, workspaces } from "../../../db/schema";
import { randomToken, sha256Hex } from "../../auth/tokens";
import { conflict, DomainError, forbidden, invalid, notFound } from "../../errors";
import type { SessionUser } from "../accounts";
import { ZEmail } from "../accounts";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { assertMayAssign, checkRegionScope, ZRegionIds, ZRole } from "./members";

export const ZCreateInviteInput = z.object({ email: ZEmail, role: ZRole, regionIds: ZRegionIds });
export const ZInviteIdInput = z.object({ inviteId: z.uuid() });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An invite link's token is `<workspace id>.<secret>`: the workspace id scopes the lookup. */
function parseInviteToken(token: string): { tenantId: string; tokenHash: string } | null {
  const [tenantId, secret, ...rest] = token.split(".");
  if (rest.length || !tenantId || !secret || !UUID.test(tenantId) || secret.length < 20 || secret.length > 100) return null;
  return { tenantId, tokenHash: sha256Hex(token) };
}

export async function createInvite(scope: TenantScope, input: z.input<typeof ZCreateInviteInput>, ttlHours: number) {
  const { email, role, regionIds } = ZCreateInviteInput.parse(input);
  assertMayAssign(scope.role, [role]);
  const token = `${scope.tenantId}.${randomToken()}`;
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const scopedRegions = await checkRegionScope(tx, scope.tenantId, role, regionIds);
    const [member] = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.tenantId, scope.tenantId), eq(users.email, email)));
    if (member) throw conflict(`${email} is already a member of this workspace; change their role instead.`);
    // A new invitation replaces any pending one for the same address.
    await tx
      .update(invites)
      .set({ revokedAt: new Date() })
      .where(and(eq(invites.tenantId, scope.tenantId), eq(invites.email, email), isNull(invites.acceptedAt), isNull(invites.revokedAt)));
    const [row] = await tx
      .insert(invites)
      .values({ tenantId: scope.tenantId, email, role, regionIds: scopedRegions, tokenHash: sha256Hex(token), invitedBy: scope.actor.userId, expiresAt })
      .returning({ id: invites.id });
    await appendAudit(tx, scope, {
      action: "invite.create",
      objectType: "invite",
      objectId: row.id,
      after: { email, role, regionIds: scopedRegions, expiresAt: expiresAt.toISOString() },
    });
    return { inviteId: row.id, email, role, expiresAt, token };
  });
}

export type InviteStatus = "pending" | "expired" | "accepted" | "revoked";

function statusOf(row: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date }, now = new Date()): InviteStatus {
  if (row.acceptedAt) return "accepted";
  if (row.revokedAt) return "revoked";
  return row.expiresAt <= now ? "expired" : "pending";
}

/** Invitations not yet accepted or revoked, newest first, with whether each has expired. */
export async function listInvites(scope: TenantScope) {
  const rows = await scope.db.withTenant(scope.tenantId, (tx) =>
    tx
      .select({
        id: invites.id,
        email: invites.email,
        role: invites.role,
        regionIds: invites.regionIds,
        createdAt: invites.createdAt,
        expiresAt: invites.expiresAt,
        acceptedAt: invites.acceptedAt,
        revokedAt: invites.revokedAt,
        invitedBy: users.name,
      })
      .from(invites)
      .leftJoin(users, eq(users.id, invites.invitedBy))
      .where(and(eq(invites.tenantId, scope.tenantId), isNull(invites.acceptedAt), isNull(invites.revokedAt)))
      .orderBy(desc(invites.createdAt)),
  );
  return rows.map(({ acceptedAt, revokedAt, ...r }) => ({ ...r, status: statusOf({ acceptedAt, revokedAt, expiresAt: r.expiresAt }) }));
}

export async function revokeInvite(scope: TenantScope, input: z.input<typeof ZInviteIdInput>) {
  const { inviteId } = ZInviteIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const [row] = await tx
      .update(invites)
      .set({ revokedAt: new Date() })
      .where(and(eq(invites.tenantId, scope.tenantId), eq(invites.id, inviteId), isNull(invites.acceptedAt), isNull(invites.revokedAt)))
      .returning({ email: invites.email, role: invites.role });
    if (!row) throw notFound("That pending invitation");
    await appendAudit(tx, scope, { action: "invite.revoke", objectType: "invite", objectId: inviteId, before: row });
    return { inviteId };
  });
}

/** What an invite link shows before it is accepted: the workspace, address, role and status. */
export async function describeInvite(db: Database, token: string) {
  const parsed = parseInviteToken(token);
  if (!parsed) return null;
  return db.withTenant(parsed.tenantId, async (tx) => {
    const [row] = await tx
      .select({
        email: invites.email,
        role: invites.role,
        expiresAt: invites.expiresAt,
        acceptedAt: invites.acceptedAt,
        revokedAt: invites.revokedAt,
        workspaceName: workspaces.name,
        invitedBy: users.name,
      })
      .from(invites)
      .innerJoin(workspaces, eq(workspaces.id, invites.tenantId))
      .leftJoin(users, eq(users.id, invites.invitedBy))
      .where(and(eq(invites.tenantId, parsed.tenantId), eq(invites.tokenHash, parsed.tokenHash)));
    if (!row) return null;
    return {
      tenantId: parsed.tenantId,
      email: row.email,
      role: row.role,
      workspaceName: row.workspaceName,
      invitedBy: row.invitedBy,
      expiresAt: row.expiresAt,
      status: statusOf(row),
    };
  });
}

const STATUS_MESSAGES: Record<Exclude<InviteStatus, "pending">, string> = {
  expired: "This invitation has expired. Ask the person who invited you for a new link.",
  accepted: "This invitation has already been used.",
  revoked: "This invitation was withdrawn. Ask the workspace's admins for a new one.",
};

/** Joins the invited workspace as the signed-in user, whose email must be the invited one. */
export async function acceptInvite(db: Database, user: SessionUser, token: string, requestId?: string) {
  const parsed = parseInviteToken(token);
  if (!parsed) throw new DomainError("NOT_FOUND", "This invitation link is not valid. Check that you copied all of it.");
  return db.withTenant(parsed.tenantId, async (tx) => {
    const [invite] = await tx
      .select()
      .from(invites)
      .where(and(eq(invites.tenantId, parsed.tenantId), eq(invites.tokenHash, parsed.tokenHash)))
      .for("update");
    if (!invite) throw new DomainError("NOT_FOUND", "This invitation link is not valid. Check that you copied all of it.");
    const status = statusOf(invite);
    if (status !== "pending") throw invalid(STATUS_MESSAGES[status]);
    if (invite.email !== user.email) {
      throw forbidden(`This invitation is for ${invite.email}, but you are signed in as ${user.email}. Sign in with the invited address.`);
    }
    const inserted = await tx
      .insert(memberships)
      .values({ tenantId: parsed.tenantId, userId: user.id, role: invite.role })
      .onConflictDoNothing()
      .returning({ userId: memberships.userId });
    if (!inserted.length) throw conflict("You are already a member of this workspace.");
    // Regions deleted since the invitation was sent are dropped from the scope.
    const regionIds = invite.regionIds.length
      ? (
          await tx
            .select({ id: regions.id })
            .from(regions)
            .where(and(eq(regions.tenantId, parsed.tenantId), inArray(regions.id, invite.regionIds)))
        ).map((r) => r.id)
      : [];
    if (regionIds.length) {
      await tx.insert(membershipRegions).values(regionIds.map((regionId) => ({ tenantId: parsed.tenantId, userId: user.id, regionId })));
    }
    await tx.update(invites).set({ acceptedAt: new Date() }).where(and(eq(invites.tenantId, parsed.tenantId), eq(invites.id, invite.id)));
    await appendAudit(tx, { tenantId: parsed.tenantId, actor: { userId: user.id, label: user.email }, requestId }, {
      action: "member.join",
      objectType: "member",
      objectId: user.id,
      after: { email: user.email, role: invite.role, regionIds, inviteId: invite.id },
    });
    return { tenantId: parsed.tenantId, role: invite.role };
  });
}
