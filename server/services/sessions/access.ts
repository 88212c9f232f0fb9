import { and, eq } from "drizzle-orm";
import type { Tx } from "../../../db/client";
import { committeeSessions, sessionAttendees, users } from "../../../db/schema";
import { can } from "../../auth/permissions";
import { publishLive } from "../../live/publish";
import { appendAudit } from "../audit";
import type { Participant } from "../segments/access";

/** The co-edited minutes of a session (the name within its tenant). */
export function sessionDocName(sessionId: string): string {
  return `session/${sessionId}`;
}

/** The live topic of a session: current item, start, close, attendance. */
export function sessionTopic(sessionId: string): string {
  return `session/${sessionId}`;
}

/** The live topic of a proposal: votes and decisions. */
export function proposalTopic(proposalId: string): string {
  return `proposal/${proposalId}`;
}

export async function sessionStatus(tx: Tx, tenantId: string, sessionId: string) {
  const [row] = await tx
    .select({ status: committeeSessions.status })
    .from(committeeSessions)
    .where(and(eq(committeeSessions.tenantId, tenantId), eq(committeeSessions.id, sessionId)));
  return row?.status ?? null;
}

export async function sessionVisible(tx: Tx, tenantId: string, sessionId: string): Promise<boolean> {
  return (await sessionStatus(tx, tenantId, sessionId)) !== null;
}

/**
 * What a participant may do with a session's minutes: write while the session is not closed
 * and their role may take minutes, read for anyone who may read sessions, null when the
 * session does not exist in this workspace.
 */
export async function minutesAccess(tx: Tx, who: Participant, sessionId: string): Promise<"write" | "read" | null> {
  if (!can(who.role, "session:read")) return null;
  const status = await sessionStatus(tx, who.tenantId, sessionId);
  if (!status) return null;
  return status !== "closed" && can(who.role, "session:minutes") ? "write" : "read";
}

/**
 * Records that a member joined a live session's room (once per person and session), with the
 * name and role they had then, in the audit log; tells the room. Nothing while the session is
 * scheduled or closed.
 */
export async function recordAttendance(tx: Tx, who: Participant, sessionId: string): Promise<void> {
  if ((await sessionStatus(tx, who.tenantId, sessionId)) !== "live") return;
  const [user] = await tx.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, who.userId));
  if (!user) return;
  const inserted = await tx
    .insert(sessionAttendees)
    .values({ tenantId: who.tenantId, sessionId, userId: who.userId, name: user.name, role: who.role })
    .onConflictDoNothing()
    .returning({ userId: sessionAttendees.userId });
  if (!inserted.length) return;
  await appendAudit(
    tx,
    { tenantId: who.tenantId, actor: { userId: who.userId, label: user.email } },
    { action: "session.attend", objectType: "session", objectId: sessionId, after: { name: user.name, role: who.role } },
  );
  await publishLive(tx, who.tenantId, sessionTopic(sessionId), { type: "attendance", userId: who.userId, name: user.name });
}
