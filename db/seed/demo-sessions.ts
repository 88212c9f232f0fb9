import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import { committeeSessions, type Role } from "../schema";
import { editStoredDoc } from "../../server/collab/store";
import type { TenantScope } from "../../server/services/scope";
import { agendaOptions, closeSession, getSession, moveToItem, scheduleSession, sessionDocName, startSession, type AgendaItemInput } from "../../server/services/sessions";
import { recordAttendance } from "../../server/services/sessions/access";
import { minutesText } from "../../server/services/sessions/minutes-doc";

type Accounts = { role: Role; user: { id: string; email: string } }[];

/**
 * Committee sessions for the demo workspace: last month's kick-off, closed with its minutes and
 * attendance, and next week's session with the proposals waiting for the committee, the SWOT
 * boards due for review and a topic on its agenda — ready to be started by the committee member.
 */
export async function seedDemoSessions(db: Database, tenantId: string, accounts: Accounts): Promise<void> {
  const scopeOf = (role: Role): TenantScope => {
    const { user } = accounts.find((a) => a.role === role)!;
    return { db, tenantId, actor: { userId: user.id, label: user.email }, role };
  };
  const chair = scopeOf("committee");
  const day = 86_400_000;

  const { sessionId: kickOff } = await scheduleSession(chair, {
    title: "Segmentation kick-off",
    scheduledAt: new Date(Math.floor((Date.now() - 30 * day) / 3_600_000) * 3_600_000),
    items: [
      { kind: "topic", title: "How the committee decides: approval rule and review cadence", timeBoxMinutes: 20 },
      { kind: "topic", title: "Which customer data we trust", timeBoxMinutes: 15 },
    ],
  });
  await startSession(chair, { sessionId: kickOff });
  for (const role of ["owner", "analyst", "viewer"] as const) {
    const { user } = accounts.find((a) => a.role === role)!;
    await db.withTenant(tenantId, (tx) => recordAttendance(tx, { tenantId, userId: user.id, role }, kickOff));
  }
  const rewind = (minutes: number) =>
    db.withTenant(tenantId, (tx) =>
      tx
        .update(committeeSessions)
        .set({ currentSince: sql`now() - make_interval(mins => ${minutes})` })
        .where(and(eq(committeeSessions.tenantId, tenantId), eq(committeeSessions.id, kickOff))),
    );
  await rewind(18);
  const view = await getSession(chair, { sessionId: kickOff });
  await moveToItem(chair, { sessionId: kickOff, itemId: view.items[1].id });
  await rewind(12);
  await db.withTenant(tenantId, (tx) =>
    editStoredDoc(tx, tenantId, sessionDocName(kickOff), (doc) =>
      minutesText(doc).insert(
        0,
        "Approval rule: one committee approval, any rejection vetoes; admins may override with a reason.\nSWOT boards are reviewed yearly, or after a drift alert.\nAction (Anika): import the Online Retail history and propose the first RFM segments.",
      ),
    ),
  );
  await closeSession(chair, { sessionId: kickOff });

  const options = await agendaOptions(chair);
  const items: AgendaItemInput[] = [
    ...options.proposals.slice(0, 4).map((p) => ({ kind: "proposal" as const, proposalId: p.id, timeBoxMinutes: 10 })),
    ...options.boards
      .filter((b) => b.due)
      .slice(0, 2)
      .map((b) => ({ kind: "swot" as const, segmentId: b.segmentId, timeBoxMinutes: 15 })),
    { kind: "topic", title: "Drift alerts since the last session", timeBoxMinutes: 10 },
  ];
  await scheduleSession(chair, {
    title: "Monthly steering committee",
    scheduledAt: new Date(Math.floor((Date.now() + 7 * day) / 3_600_000) * 3_600_000),
    items,
  });
}
