import { and, asc, desc, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Tx } from "../../../db/client";
import {
  committeeSessions,
  monitorAlerts,
  segmentProposals,
  segments,
  sessionAgendaItems,
  sessionAttendees,
  swotBoards,
  users,
  type AgendaOutcome,
  type AgendaTally,
} from "../../../db/schema";
import { can } from "../../auth/permissions";
import { loadDoc } from "../../collab/store";
import { conflict, forbidden, invalid, notFound } from "../../errors";
import { publishLive } from "../../live/publish";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { assertContains, proposalRow } from "../segments/lookup";
import { verdictFor, votesOf } from "../segments/review";
import { recordAttendance, sessionDocName, sessionTopic } from "./access";
import { ZCloseInput, ZMoveInput, ZProposalSessionsInput, ZScheduleInput, ZSessionIdInput, ZUpdateInput, type AgendaItemInput } from "./inputs";
import { currentBoard } from "./current-board";
import { currentProposal } from "./current-proposal";
import { readMinutes } from "./minutes-doc";

/**
 * Live steering-committee sessions (decision 010): scheduled with an agenda, run by their chair
 * (start, move the current item; every item's timer is server time), closed once, which records
 * each proposal's outcome and tally, the attendance and the frozen minutes, atomically and
 * audited. Every change is published live on the session's topic after it commits.
 */

type SessionRow = typeof committeeSessions.$inferSelect;
type ItemRow = typeof sessionAgendaItems.$inferSelect;
type NewItem = Omit<typeof sessionAgendaItems.$inferInsert, "tenantId" | "sessionId" | "position">;

async function sessionRow(tx: Tx, tenantId: string, sessionId: string, lock = false): Promise<SessionRow> {
  const query = tx
    .select()
    .from(committeeSessions)
    .where(and(eq(committeeSessions.tenantId, tenantId), eq(committeeSessions.id, sessionId)));
  const [row] = lock ? await query.for("update") : await query;
  if (!row) throw notFound("The session");
  return row;
}

async function itemsOf(tx: Tx, tenantId: string, sessionId: string): Promise<ItemRow[]> {
  return tx
    .select()
    .from(sessionAgendaItems)
    .where(and(eq(sessionAgendaItems.tenantId, tenantId), eq(sessionAgendaItems.sessionId, sessionId)))
    .orderBy(asc(sessionAgendaItems.position));
}

/** The chair runs the session; an owner or admin may take over when the chair is absent. */
function mayRun(scope: TenantScope, session: SessionRow): boolean {
  return can(scope.role, "session:chair") && (session.chairId === scope.actor.userId || can(scope.role, "segment:override"));
}

function assertMayRun(scope: TenantScope, session: SessionRow, what: string): void {
  if (!mayRun(scope, session)) throw forbidden(`Only the session's chair (or an owner or admin) may ${what}.`);
}

/** Milliseconds spent on an item so far, counting the running stretch when it is current. */
function spentOn(item: ItemRow, session: SessionRow, now: Date): number {
  const running = session.currentItemId === item.id && session.currentSince ? Math.max(0, now.getTime() - session.currentSince.getTime()) : 0;
  return item.spentMs + running;
}

/** The agenda's rows, checked: proposals must be submitted, segments must exist and not be retired, nothing twice. */
async function agendaRows(tx: Tx, scope: TenantScope, items: AgendaItemInput[]): Promise<NewItem[]> {
  const rows: NewItem[] = [];
  for (const [position, item] of items.entries()) {
    const where = `Agenda item ${position + 1}`;
    if (item.kind === "proposal") {
      const [proposal] = await tx
        .select({ title: segmentProposals.title, status: segmentProposals.status })
        .from(segmentProposals)
        .where(and(eq(segmentProposals.tenantId, scope.tenantId), eq(segmentProposals.id, item.proposalId)));
      if (!proposal) throw invalid(`${where}: that proposal does not exist in this workspace.`);
      if (proposal.status !== "submitted") {
        throw invalid(`${where}: “${proposal.title}” is ${proposal.status}; only submitted proposals can be put to the committee.`);
      }
      rows.push({ kind: "proposal", proposalId: item.proposalId, title: proposal.title, timeBoxMinutes: item.timeBoxMinutes });
    } else if (item.kind === "swot") {
      const [segment] = await tx
        .select({ name: segments.name, status: segments.status })
        .from(segments)
        .where(and(eq(segments.tenantId, scope.tenantId), eq(segments.id, item.segmentId)));
      if (!segment) throw invalid(`${where}: that segment does not exist in this workspace.`);
      if (segment.status === "retired") throw invalid(`${where}: “${segment.name}” is retired; its SWOT board is no longer reviewed.`);
      rows.push({ kind: "swot", segmentId: item.segmentId, title: segment.name, timeBoxMinutes: item.timeBoxMinutes });
    } else {
      rows.push({ kind: "topic", title: item.title, timeBoxMinutes: item.timeBoxMinutes });
    }
  }
  const seen = new Set<string>();
  for (const [i, row] of rows.entries()) {
    const key = row.proposalId ?? row.segmentId;
    if (key && seen.has(key)) throw invalid(`Agenda item ${i + 1}: “${row.title}” is already on the agenda.`);
    if (key) seen.add(key);
  }
  return rows;
}

/** Schedules a session with its agenda: proposals must be submitted, SWOT boards are named by their segment. */
export async function scheduleSession(scope: TenantScope, input: z.input<typeof ZScheduleInput>) {
  const { title, scheduledAt, items } = ZScheduleInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const rows = await agendaRows(tx, scope, items);
    const [session] = await tx
      .insert(committeeSessions)
      .values({ tenantId: scope.tenantId, title, scheduledAt, chairId: scope.actor.userId, createdBy: scope.actor.userId })
      .returning({ id: committeeSessions.id });
    await tx.insert(sessionAgendaItems).values(rows.map((r, position) => ({ ...r, tenantId: scope.tenantId, sessionId: session.id, position })));
    await appendAudit(tx, scope, {
      action: "session.schedule",
      objectType: "session",
      objectId: session.id,
      after: { title, scheduledAt, agenda: rows.map(agendaFact) },
    });
    return { sessionId: session.id };
  });
}

/** Changes a scheduled session's title, time and agenda (replaced as a whole); only before it starts. */
export async function updateSession(scope: TenantScope, input: z.input<typeof ZUpdateInput>) {
  const { sessionId, title, scheduledAt, items } = ZUpdateInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const session = await sessionRow(tx, scope.tenantId, sessionId, true);
    assertMayRun(scope, session, "change it");
    if (session.status !== "scheduled") throw conflict("The agenda can only be changed before the session starts.");
    const before = await itemsOf(tx, scope.tenantId, sessionId);
    const rows = await agendaRows(tx, scope, items);
    await tx.delete(sessionAgendaItems).where(and(eq(sessionAgendaItems.tenantId, scope.tenantId), eq(sessionAgendaItems.sessionId, sessionId)));
    await tx.insert(sessionAgendaItems).values(rows.map((r, position) => ({ ...r, tenantId: scope.tenantId, sessionId, position })));
    await tx
      .update(committeeSessions)
      .set({ title, scheduledAt, updatedAt: sql`now()` })
      .where(and(eq(committeeSessions.tenantId, scope.tenantId), eq(committeeSessions.id, sessionId)));
    await appendAudit(tx, scope, {
      action: "session.update",
      objectType: "session",
      objectId: sessionId,
      before: { title: session.title, scheduledAt: session.scheduledAt, agenda: before.map(agendaFact) },
      after: { title, scheduledAt, agenda: rows.map(agendaFact) },
    });
    await publishLive(tx, scope.tenantId, sessionTopic(sessionId), { type: "updated" });
    return { sessionId };
  });
}

/** Cancels a session that has not started: it is deleted, and the audit log keeps what it was. */
export async function cancelSession(scope: TenantScope, input: z.input<typeof ZSessionIdInput>) {
  const { sessionId } = ZSessionIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const session = await sessionRow(tx, scope.tenantId, sessionId, true);
    assertMayRun(scope, session, "cancel it");
    if (session.status !== "scheduled") throw conflict("Only a session that has not started can be cancelled; close a running one instead.");
    const items = await itemsOf(tx, scope.tenantId, sessionId);
    await tx.delete(committeeSessions).where(and(eq(committeeSessions.tenantId, scope.tenantId), eq(committeeSessions.id, sessionId)));
    await appendAudit(tx, scope, {
      action: "session.cancel",
      objectType: "session",
      objectId: sessionId,
      before: { title: session.title, scheduledAt: session.scheduledAt, agenda: items.map(agendaFact) },
    });
    await publishLive(tx, scope.tenantId, sessionTopic(sessionId), { type: "cancelled" });
    return { cancelled: true as const };
  });
}

function agendaFact(r: NewItem) {
  return { kind: r.kind, title: r.title, timeBoxMinutes: r.timeBoxMinutes, proposalId: r.proposalId ?? null, segmentId: r.segmentId ?? null };
}

/** Upcoming (scheduled or live, soonest first) and past (closed, latest first) sessions. */
export async function listSessions(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const rows = await tx
      .select({
        id: committeeSessions.id,
        title: committeeSessions.title,
        scheduledAt: committeeSessions.scheduledAt,
        status: committeeSessions.status,
        chair: users.name,
        closedAt: committeeSessions.closedAt,
        items: sql<number>`(select count(*)::int from session_agenda_items i where i.tenant_id = ${committeeSessions.tenantId} and i.session_id = ${committeeSessions.id})`,
        decided: sql<number>`(select count(*)::int from session_agenda_items i where i.tenant_id = ${committeeSessions.tenantId} and i.session_id = ${committeeSessions.id} and i.outcome in ('approved','rejected'))`,
        attendees: sql<number>`(select count(*)::int from session_attendees a where a.tenant_id = ${committeeSessions.tenantId} and a.session_id = ${committeeSessions.id})`,
      })
      .from(committeeSessions)
      .leftJoin(users, eq(users.id, committeeSessions.chairId))
      .where(eq(committeeSessions.tenantId, scope.tenantId))
      .orderBy(asc(committeeSessions.scheduledAt));
    return {
      upcoming: rows.filter((r) => r.status !== "closed"),
      past: rows.filter((r) => r.status === "closed").reverse(),
    };
  });
}

/** What the schedule form offers: submitted proposals, and segments with their SWOT board's review date (due ones first). */
export async function agendaOptions(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const proposals = await tx
      .select({ id: segmentProposals.id, title: segmentProposals.title, segment: segments.name, submittedAt: segmentProposals.submittedAt })
      .from(segmentProposals)
      .innerJoin(segments, and(eq(segments.tenantId, segmentProposals.tenantId), eq(segments.id, segmentProposals.segmentId)))
      .where(and(eq(segmentProposals.tenantId, scope.tenantId), eq(segmentProposals.status, "submitted")))
      .orderBy(asc(segmentProposals.submittedAt));
    const boards = await tx
      .select({ segmentId: segments.id, segment: segments.name, reviewDueOn: swotBoards.reviewDueOn })
      .from(segments)
      .leftJoin(swotBoards, and(eq(swotBoards.tenantId, segments.tenantId), eq(swotBoards.segmentId, segments.id)))
      .where(and(eq(segments.tenantId, scope.tenantId), ne(segments.status, "retired")))
      .orderBy(sql`${swotBoards.reviewDueOn} asc nulls last`, asc(segments.name));
    const soon = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    // Monitoring alerts nobody has acknowledged yet: topics to discuss, worst first.
    const alerts = await tx
      .select({ id: monitorAlerts.id, kind: monitorAlerts.kind, band: monitorAlerts.band, subject: monitorAlerts.subject, message: monitorAlerts.message, segment: segments.name, createdAt: monitorAlerts.createdAt })
      .from(monitorAlerts)
      .leftJoin(segments, and(eq(segments.tenantId, monitorAlerts.tenantId), eq(segments.id, monitorAlerts.segmentId)))
      .where(and(eq(monitorAlerts.tenantId, scope.tenantId), isNull(monitorAlerts.acknowledgedAt)))
      .orderBy(sql`${monitorAlerts.band} = 'act' desc`, desc(monitorAlerts.createdAt))
      .limit(20);
    return {
      proposals,
      alerts: alerts.map((a) => ({
        ...a,
        topic: `${a.kind === "bias" ? "Bias" : "Drift"} alert${a.segment ? ` on ${a.segment}` : ""} (${a.band}): ${a.message}`.slice(0, 300),
      })),
      boards: boards.map((b) => ({ ...b, due: b.reviewDueOn !== null && b.reviewDueOn <= soon })),
    };
  });
}

/** A session as its room shows it: agenda with timers, the current item, attendance, decisions, what the reader may do. */
export async function getSession(scope: TenantScope, input: z.input<typeof ZSessionIdInput>) {
  const { sessionId } = ZSessionIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const session = await sessionRow(tx, scope.tenantId, sessionId);
    const now = new Date((await tx.execute<{ now: string }>(sql`select now()::text as now`)).rows[0].now);
    const items = await itemsOf(tx, scope.tenantId, sessionId);
    const proposalIds = items.flatMap((i) => (i.proposalId ? [i.proposalId] : []));
    const proposalStates = proposalIds.length
      ? await tx
          .select({ id: segmentProposals.id, status: segmentProposals.status, segmentId: segmentProposals.segmentId })
          .from(segmentProposals)
          .where(and(eq(segmentProposals.tenantId, scope.tenantId), inArray(segmentProposals.id, proposalIds)))
      : [];
    const stateOf = new Map(proposalStates.map((p) => [p.id, p]));
    const attendees = await tx
      .select({ userId: sessionAttendees.userId, name: sessionAttendees.name, role: sessionAttendees.role, joinedAt: sessionAttendees.joinedAt })
      .from(sessionAttendees)
      .where(and(eq(sessionAttendees.tenantId, scope.tenantId), eq(sessionAttendees.sessionId, sessionId)))
      .orderBy(asc(sessionAttendees.joinedAt));
    const people = await tx
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(inArray(users.id, [session.chairId, session.closedBy].filter((id): id is string => !!id).concat(scope.actor.userId)));
    const nameOf = (id: string | null) => (id ? (people.find((p) => p.id === id)?.name ?? "a former member") : null);
    const open = session.status !== "closed";
    const currentItem = items.find((i) => i.id === session.currentItemId);
    const proposal =
      session.status === "live" && currentItem?.proposalId && can(scope.role, "segment:read") ? await currentProposal(tx, scope, currentItem.proposalId) : null;
    const board = session.status === "live" && currentItem?.segmentId && can(scope.role, "swot:read") ? await currentBoard(tx, scope.tenantId, currentItem.segmentId) : null;
    return {
      session: {
        id: session.id,
        title: session.title,
        status: session.status,
        scheduledAt: session.scheduledAt,
        startedAt: session.startedAt,
        closedAt: session.closedAt,
        chair: nameOf(session.chairId),
        chairId: session.chairId,
        closedBy: nameOf(session.closedBy),
        currentItemId: session.currentItemId,
        currentSince: session.currentSince,
        minutes: session.minutes,
        doc: sessionDocName(session.id),
        topic: sessionTopic(session.id),
      },
      items: items.map((i) => ({
        id: i.id,
        position: i.position,
        kind: i.kind,
        title: i.title,
        proposalId: i.proposalId,
        proposalStatus: i.proposalId ? (stateOf.get(i.proposalId)?.status ?? null) : null,
        segmentId: i.segmentId ?? (i.proposalId ? (stateOf.get(i.proposalId)?.segmentId ?? null) : null),
        timeBoxMinutes: i.timeBoxMinutes,
        spentMs: spentOn(i, session, now),
        outcome: i.outcome,
        tally: i.tally,
      })),
      attendees,
      /** The proposal being decided, while the session is live and its current item is one. */
      proposal,
      /** The SWOT board under review, while the session is live and its current item is one. */
      board,
      serverNow: now,
      can: {
        run: open && mayRun(scope, session),
        minutes: open && can(scope.role, "session:minutes"),
        vote: session.status === "live" && can(scope.role, "segment:vote"),
      },
    };
  });
}

/** Starts a scheduled session on its first item; the chair is the first attendee. */
export async function startSession(scope: TenantScope, input: z.input<typeof ZSessionIdInput>) {
  const { sessionId } = ZSessionIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const session = await sessionRow(tx, scope.tenantId, sessionId, true);
    assertMayRun(scope, session, "start it");
    if (session.status !== "scheduled") throw conflict(`This session is already ${session.status === "live" ? "running" : "closed"}.`);
    const [first] = await itemsOf(tx, scope.tenantId, sessionId);
    await tx
      .update(committeeSessions)
      .set({ status: "live", startedAt: sql`now()`, currentItemId: first?.id ?? null, currentSince: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(committeeSessions.tenantId, scope.tenantId), eq(committeeSessions.id, sessionId)));
    await appendAudit(tx, scope, { action: "session.start", objectType: "session", objectId: sessionId, after: { currentItemId: first?.id ?? null } });
    await recordAttendance(tx, { tenantId: scope.tenantId, userId: scope.actor.userId, role: scope.role }, sessionId);
    await publishLive(tx, scope.tenantId, sessionTopic(sessionId), { type: "started", itemId: first?.id ?? null });
    return { status: "live" as const, currentItemId: first?.id ?? null };
  });
}

/** Makes another agenda item the current one; the time spent on the previous one is kept. */
export async function moveToItem(scope: TenantScope, input: z.input<typeof ZMoveInput>) {
  const { sessionId, itemId } = ZMoveInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const session = await sessionRow(tx, scope.tenantId, sessionId, true);
    assertMayRun(scope, session, "move the agenda");
    if (session.status !== "live") throw conflict(session.status === "scheduled" ? "Start the session first." : "This session is closed.");
    const items = await itemsOf(tx, scope.tenantId, sessionId);
    const target = items.find((i) => i.id === itemId);
    if (!target) throw invalid("That agenda item is not on this session's agenda.");
    if (session.currentItemId === itemId) return { currentItemId: itemId };
    await stopClock(tx, scope.tenantId, session);
    await tx
      .update(committeeSessions)
      .set({ currentItemId: itemId, currentSince: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(committeeSessions.tenantId, scope.tenantId), eq(committeeSessions.id, sessionId)));
    await appendAudit(tx, scope, {
      action: "session.move",
      objectType: "session",
      objectId: sessionId,
      before: { currentItemId: session.currentItemId },
      after: { currentItemId: itemId, title: target.title },
    });
    await publishLive(tx, scope.tenantId, sessionTopic(sessionId), { type: "current", itemId });
    return { currentItemId: itemId };
  });
}

/** Adds the running stretch of the current item to its time spent (server clock). */
async function stopClock(tx: Tx, tenantId: string, session: SessionRow): Promise<void> {
  if (!session.currentItemId || !session.currentSince) return;
  await tx
    .update(sessionAgendaItems)
    .set({ spentMs: sql`${sessionAgendaItems.spentMs} + greatest(0, floor(extract(epoch from (now() - ${session.currentSince.toISOString()}::timestamptz)) * 1000))::bigint` })
    .where(and(eq(sessionAgendaItems.tenantId, tenantId), eq(sessionAgendaItems.id, session.currentItemId)));
}

/** What a proposal came to: its decision if it has one, otherwise undecided (or not reached when no time went to it). */
function outcomeOf(status: string, spentMs: number): AgendaOutcome {
  if (status === "approved" || status === "rejected" || status === "withdrawn") return status;
  return spentMs > 0 ? "undecided" : "not-reached";
}

/**
 * Closes a live session, once: under the session's row lock (which orders it after any batch
 * of stored minutes), the current item's clock stops, each proposal's outcome and tally are
 * recorded, the minutes are frozen as text, and the audit log gets the session's record and an
 * entry on every proposal it decided — all in one transaction.
 */
export async function closeSession(scope: TenantScope, input: z.input<typeof ZCloseInput>) {
  const { sessionId, stateVector } = ZCloseInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const session = await sessionRow(tx, scope.tenantId, sessionId, true);
    assertMayRun(scope, session, "close it");
    if (session.status === "closed") throw conflict("This session is already closed.");
    if (session.status !== "live") throw conflict("Start the session before closing it: a session that never ran has nothing to record.");
    const doc = await loadDoc(tx, scope.tenantId, sessionDocName(sessionId));
    if (stateVector) assertContains(doc, Buffer.from(stateVector, "base64"));
    const minutes = readMinutes(doc);
    await stopClock(tx, scope.tenantId, session);
    const items = await itemsOf(tx, scope.tenantId, sessionId);
    const decisions: { itemId: string; proposalId: string; title: string; outcome: AgendaOutcome; approvals: number; rejections: number }[] = [];
    for (const item of items) {
      let outcome: AgendaOutcome;
      let tally: AgendaTally | null = null;
      if (item.proposalId) {
        const proposal = await proposalRow(tx, scope.tenantId, item.proposalId);
        const [verdict, votes] = await Promise.all([verdictFor(tx, scope.tenantId, proposal), votesOf(tx, scope.tenantId, proposal.id)]);
        outcome = outcomeOf(proposal.status, item.spentMs);
        tally = {
          status: proposal.status,
          approvals: verdict.approvals,
          rejections: verdict.rejections,
          eligible: verdict.eligible,
          summary: proposal.decisionReason && proposal.status !== "submitted" ? proposal.decisionReason : verdict.summary,
          votes: votes.map((v) => ({ name: v.name, vote: v.vote, reason: v.reason })),
        };
        decisions.push({ itemId: item.id, proposalId: proposal.id, title: item.title, outcome, approvals: verdict.approvals, rejections: verdict.rejections });
      } else {
        outcome = item.spentMs > 0 ? "discussed" : "not-reached";
      }
      await tx
        .update(sessionAgendaItems)
        .set({ outcome, tally })
        .where(and(eq(sessionAgendaItems.tenantId, scope.tenantId), eq(sessionAgendaItems.id, item.id)));
    }
    await tx
      .update(committeeSessions)
      .set({ status: "closed", closedAt: sql`now()`, closedBy: scope.actor.userId, minutes, currentItemId: null, currentSince: null, updatedAt: sql`now()` })
      .where(and(eq(committeeSessions.tenantId, scope.tenantId), eq(committeeSessions.id, sessionId)));
    const attendance = await tx
      .select({ userId: sessionAttendees.userId, name: sessionAttendees.name, role: sessionAttendees.role })
      .from(sessionAttendees)
      .where(and(eq(sessionAttendees.tenantId, scope.tenantId), eq(sessionAttendees.sessionId, sessionId)))
      .orderBy(asc(sessionAttendees.joinedAt));
    await appendAudit(tx, scope, {
      action: "session.close",
      objectType: "session",
      objectId: sessionId,
      after: {
        decisions,
        topics: items.filter((i) => !i.proposalId).map((i) => ({ itemId: i.id, title: i.title })),
        attendance,
        minutes,
      },
    });
    for (const d of decisions) {
      await appendAudit(tx, scope, {
        action: "proposal.session-outcome",
        objectType: "proposal",
        objectId: d.proposalId,
        after: { sessionId, session: session.title, outcome: d.outcome, approvals: d.approvals, rejections: d.rejections },
      });
    }
    await publishLive(tx, scope.tenantId, sessionTopic(sessionId), { type: "closed" });
    return { status: "closed" as const, decisions, attendance: attendance.length };
  });
}

/** The closed sessions a proposal was on the agenda of, with what it came to there (latest first). */
export async function sessionsForProposal(scope: TenantScope, input: z.input<typeof ZProposalSessionsInput>) {
  const { proposalId } = ZProposalSessionsInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    await proposalRow(tx, scope.tenantId, proposalId);
    return tx
      .select({
        sessionId: committeeSessions.id,
        title: committeeSessions.title,
        status: committeeSessions.status,
        scheduledAt: committeeSessions.scheduledAt,
        closedAt: committeeSessions.closedAt,
        outcome: sessionAgendaItems.outcome,
        tally: sessionAgendaItems.tally,
      })
      .from(sessionAgendaItems)
      .innerJoin(
        committeeSessions,
        and(eq(committeeSessions.tenantId, sessionAgendaItems.tenantId), eq(committeeSessions.id, sessionAgendaItems.sessionId)),
      )
      .where(and(eq(sessionAgendaItems.tenantId, scope.tenantId), eq(sessionAgendaItems.proposalId, proposalId)))
      .orderBy(desc(committeeSessions.scheduledAt));
  });
}
