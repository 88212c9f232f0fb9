import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUser, makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import * as Y from "yjs";
import { editStoredDoc, loadDoc } from "../../server/collab/store";
import { createProposal, voteOnProposal } from "../../server/services/segments";
import {
  agendaOptions,
  cancelSession,
  closeSession,
  getSession,
  listSessions,
  moveToItem,
  scheduleSession,
  sessionDocName,
  sessionMarkdown,
  sessionsForProposal,
  startSession,
  updateSession,
} from "../../server/services/sessions";
import { minutesAccess, recordAttendance } from "../../server/services/sessions/access";
import { minutesText } from "../../server/services/sessions/minutes-doc";
import { addCard, swotDocName, toggleVote } from "../../server/services/swot/board-doc";
import { acceptInvite, createInvite } from "../../server/services/workspaces";
import { callerFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { scopeOf, submittedNewSegment } from "../helpers/governance";
import { scheduledSession } from "../helpers/sessions";

let t: TestDatabase;
let w: FactoryWorkspace;

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Sessions Co");
});
afterAll(() => t.drop());

const committee = () => scopeOf(w, "committee");

/** Moves the current item's start back by `ms`, as if that much time had passed (the timer is server time). */
async function rewindClock(sessionId: string, ms: number) {
  await t.ownerQuery(`update committee_sessions set current_since = current_since - ($2 || ' milliseconds')::interval where id = $1`, [sessionId, String(ms)]);
}

async function writeMinutes(sessionId: string, text: string) {
  await t.db.withTenant(w.tenantId, (tx) => editStoredDoc(tx, w.tenantId, sessionDocName(sessionId), (doc) => minutesText(doc).insert(minutesText(doc).length, text)));
}

describe("scheduling", () => {
  it("says which agenda item is wrong and why", async () => {
    const draft = await createProposal(scopeOf(w, "analyst"), { kind: "create", name: "Still a draft" });
    const { caller } = await callerFor(t.db, w.members.committee.token, { tenantId: w.tenantId });
    const at = new Date("2026-12-01T09:00:00Z");
    await expect(
      caller.sessions.schedule({ title: "Q4", scheduledAt: at, items: [{ kind: "topic", title: "Hello", timeBoxMinutes: 5 }, { kind: "proposal", proposalId: draft.proposalId, timeBoxMinutes: 5 }] }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Agenda item 2: “New segment “Still a draft”” is draft; only submitted proposals can be put to the committee." });
    await expect(caller.sessions.schedule({ title: "Q4", scheduledAt: at, items: [{ kind: "topic", title: "Hello", timeBoxMinutes: 0 }] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "items.0.timeBoxMinutes: must be at least 1 minute",
    });
    await expect(caller.sessions.schedule({ title: " ", scheduledAt: at, items: [] })).rejects.toMatchObject({
      message: "title: is required; items: add at least one agenda item",
    });
    const submitted = await submittedNewSegment(scopeOf(w, "analyst"), "Twice", { combinator: "and", children: [] });
    const twice = { kind: "proposal" as const, proposalId: submitted.proposalId, timeBoxMinutes: 5 };
    await expect(caller.sessions.schedule({ title: "Q4", scheduledAt: at, items: [twice, twice] })).rejects.toMatchObject({
      message: "Agenda item 2: “New segment “Twice”” is already on the agenda.",
    });
  });

  it("offers submitted proposals, boards by review date and unacknowledged monitoring alerts (those calling for action first)", async () => {
    const submitted = await submittedNewSegment(scopeOf(w, "analyst"), "Offered", { combinator: "and", children: [] });
    const { rows } = await t.ownerQuery<{ id: string }>(`insert into monitor_runs (tenant_id, kind, trigger) values ($1, 'drift', 'demand') returning id`, [w.tenantId]);
    const alert = (band: string, message: string, acknowledged = false) =>
      t.ownerQuery(
        `insert into monitor_alerts (tenant_id, run_id, kind, segment_id, subject, band, message, acknowledged_at) values ($1, $2, 'drift', $3, 'monetary', $4, $5, $6)`,
        [w.tenantId, rows[0].id, submitted.segmentId, band, message, acknowledged ? new Date() : null],
      );
    await alert("watch", "Spend drifted a little");
    await alert("act", "Spend drifted a lot");
    await alert("act", "Already discussed", true);
    await t.ownerQuery(`insert into swot_boards (tenant_id, segment_id, review_due_on) values ($1, $2, current_date + 3)`, [w.tenantId, submitted.segmentId]);
    const options = await agendaOptions(committee());
    expect(options.proposals.map((p) => p.id)).toContain(submitted.proposalId);
    expect(options.boards[0]).toMatchObject({ segmentId: submitted.segmentId, due: true });
    expect(options.alerts.map((a) => a.topic)).toEqual([
      "Drift alert on Offered (act): Spend drifted a lot",
      "Drift alert on Offered (watch): Spend drifted a little",
    ]);
  });

  it("lists upcoming sessions soonest first and names the chair", async () => {
    const later = await scheduleSession(committee(), { title: "Later", scheduledAt: new Date("2027-03-01T09:00:00Z"), items: [{ kind: "topic", title: "A", timeBoxMinutes: 5 }] });
    const sooner = await scheduleSession(committee(), { title: "Sooner", scheduledAt: new Date("2027-02-01T09:00:00Z"), items: [{ kind: "topic", title: "A", timeBoxMinutes: 5 }] });
    const { upcoming } = await listSessions(scopeOf(w, "viewer"));
    const ids = upcoming.map((s) => s.id);
    expect(ids.indexOf(sooner.sessionId)).toBeLessThan(ids.indexOf(later.sessionId));
    expect(upcoming.find((s) => s.id === later.sessionId)).toMatchObject({ title: "Later", status: "scheduled", chair: w.members.committee.name, items: 1 });
  });
});

describe("changing or cancelling a scheduled session", () => {
  it("replaces the agenda before the start, audited, and refuses once the session runs", async () => {
    const { sessionId, proposalId } = await scheduledSession(w);
    const at = new Date("2027-01-15T10:00:00Z");
    await updateSession(committee(), { sessionId, title: "Moved", scheduledAt: at, items: [{ kind: "topic", title: "Only one", timeBoxMinutes: 7 }, { kind: "proposal", proposalId, timeBoxMinutes: 12 }] });
    const view = await getSession(committee(), { sessionId });
    expect(view.session).toMatchObject({ title: "Moved", scheduledAt: at });
    expect(view.items.map((i) => [i.position, i.kind, i.timeBoxMinutes])).toEqual([
      [0, "topic", 7],
      [1, "proposal", 12],
    ]);
    const audit = await t.ownerQuery<{ changes: { before: { agenda: unknown[] }; after: { agenda: unknown[] } } }>(
      "select changes from audit_log where tenant_id = $1 and action = 'session.update' and object_id = $2",
      [w.tenantId, sessionId],
    );
    expect(audit.rows.map((r) => [r.changes.before.agenda.length, r.changes.after.agenda.length])).toEqual([[3, 2]]);
    await expect(updateSession(committee(), { sessionId, title: "X", scheduledAt: at, items: [{ kind: "proposal", proposalId: sessionId, timeBoxMinutes: 5 }] })).rejects.toMatchObject({
      code: "INVALID",
      message: "Agenda item 1: that proposal does not exist in this workspace.",
    });
    await startSession(committee(), { sessionId });
    await expect(updateSession(committee(), { sessionId, title: "X", scheduledAt: at, items: [{ kind: "topic", title: "Late", timeBoxMinutes: 5 }] })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(cancelSession(committee(), { sessionId })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("cancels a session that has not started: gone, with its agenda kept in the audit log", async () => {
    const { sessionId } = await scheduledSession(w, "To be cancelled");
    await expect(cancelSession(scopeOf(w, "viewer"), { sessionId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await cancelSession(committee(), { sessionId });
    await expect(getSession(committee(), { sessionId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const audit = await t.ownerQuery<{ changes: { before: { title: string; agenda: unknown[] } } }>(
      "select changes from audit_log where tenant_id = $1 and action = 'session.cancel' and object_id = $2",
      [w.tenantId, sessionId],
    );
    expect(audit.rows.map((r) => [r.changes.before.title, r.changes.before.agenda.length])).toEqual([["To be cancelled", 3]]);
  });
});

describe("running a session", () => {
  it("keeps each item's time on the server clock, across moves and reloads", async () => {
    const { sessionId } = await scheduledSession(w);
    await startSession(committee(), { sessionId });
    let view = await getSession(scopeOf(w, "viewer"), { sessionId });
    const [first, second] = view.items;
    expect(view.session.currentItemId).toBe(first.id);
    await rewindClock(sessionId, 90_000);
    view = await getSession(scopeOf(w, "viewer"), { sessionId });
    expect(view.items[0].spentMs).toBeGreaterThanOrEqual(90_000);
    expect(view.items[0].spentMs).toBeLessThan(95_000);
    await moveToItem(committee(), { sessionId, itemId: second.id });
    await rewindClock(sessionId, 30_000);
    await moveToItem(committee(), { sessionId, itemId: first.id });
    view = await getSession(scopeOf(w, "viewer"), { sessionId });
    expect(view.session.currentItemId).toBe(first.id);
    // The first item's 90 s were kept while it was not current; now it runs on from there.
    expect(view.items[0].spentMs).toBeGreaterThanOrEqual(90_000);
    expect(view.items[0].spentMs).toBeLessThan(95_000);
    expect(view.items[1].spentMs).toBeGreaterThanOrEqual(30_000);
    expect(view.items[1].spentMs).toBeLessThan(35_000);
    expect(view.items[2].spentMs).toBe(0);
  });

  it("lets only the chair (or an owner or admin) start, move and close", async () => {
    const { sessionId } = await scheduledSession(w);
    const other = await makeUser(t.db, { name: "Second committee member" });
    await acceptInvite(t.db, other, (await createInvite(w.ownerScope, { email: other.email, role: "committee", regionIds: [] }, 1)).token);
    const otherScope = { ...committee(), actor: { userId: other.id, label: other.email } };
    await expect(startSession(otherScope, { sessionId })).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("chair") });
    await startSession(scopeOf(w, "admin"), { sessionId });
    const view = await getSession(otherScope, { sessionId });
    expect(view.can).toEqual({ run: false, minutes: true, vote: true });
    await expect(moveToItem(otherScope, { sessionId, itemId: view.items[1].id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(startSession(committee(), { sessionId })).rejects.toMatchObject({ code: "CONFLICT", message: "This session is already running." });
    await expect(moveToItem(committee(), { sessionId, itemId: sessionId })).rejects.toMatchObject({ message: "That agenda item is not on this session's agenda." });
  });

  it("shows the proposal being decided with its changes and votes, and who may vote on it", async () => {
    const { sessionId, proposalId } = await scheduledSession(w);
    expect((await getSession(committee(), { sessionId })).proposal).toBeNull();
    await startSession(committee(), { sessionId });
    await voteOnProposal(committee(), { proposalId, vote: "reject", reason: "Too broad" });
    const asViewer = await getSession(scopeOf(w, "viewer"), { sessionId });
    expect(asViewer.proposal).toMatchObject({
      id: proposalId,
      status: "rejected",
      canVote: false,
      hasBase: false,
      votes: [expect.objectContaining({ name: w.members.committee.name, vote: "reject", reason: "Too broad" })],
      verdict: expect.objectContaining({ rejections: 1, approvals: 0 }),
      decision: expect.objectContaining({ by: w.members.committee.name }),
    });
    expect(asViewer.proposal?.diff?.meta.map((m) => m.field)).toContain("name");
    const { sessionId: second, proposalId: open } = await scheduledSession(w);
    await startSession(committee(), { sessionId: second });
    expect((await getSession(committee(), { sessionId: second })).proposal).toMatchObject({ id: open, status: "submitted", canVote: true });
    expect((await getSession(scopeOf(w, "analyst"), { sessionId: second })).proposal).toMatchObject({ canVote: false });
    const view = await getSession(committee(), { sessionId: second });
    await moveToItem(committee(), { sessionId: second, itemId: view.items[2].id });
    expect((await getSession(committee(), { sessionId: second })).proposal).toBeNull();
  });

  it("shows the SWOT board under review at a glance: cards per quadrant, most voted first, rejected ones left out", async () => {
    const { sessionId, segmentId } = await scheduledSession(w);
    await t.db.withTenant(w.tenantId, (tx) =>
      editStoredDoc(tx, w.tenantId, swotDocName(segmentId), (doc) => {
        const author = { id: w.owner.id, name: w.owner.name };
        addCard(doc, { quadrant: "strengths", author, team: "sales", text: [{ paragraph: [{ text: "Loyal" }] }] });
        const liked = addCard(doc, { quadrant: "strengths", author, team: "sales", text: [{ paragraph: [{ text: "Big baskets" }] }] });
        toggleVote(doc, liked, w.members.committee.id);
        addCard(doc, { quadrant: "threats", author, team: "sales", text: [{ paragraph: [{ text: "Dismissed" }] }], status: "rejected" });
      }),
    );
    await startSession(committee(), { sessionId });
    const view = await getSession(committee(), { sessionId });
    expect(view.board).toBeNull();
    await moveToItem(committee(), { sessionId, itemId: view.items[1].id });
    const { board } = await getSession(scopeOf(w, "viewer"), { sessionId });
    expect(board?.quadrants.map((q) => [q.quadrant, q.count])).toEqual([
      ["strengths", 2],
      ["weaknesses", 0],
      ["opportunities", 0],
      ["threats", 0],
    ]);
    expect(board?.quadrants[0].top.map((c) => [c.text, c.votes])).toEqual([
      ["Big baskets", 1],
      ["Loyal", 0],
    ]);
  });

  it("lets members co-edit the minutes while the session is open; viewers and everyone after the close only read", async () => {
    const { sessionId } = await scheduledSession(w);
    const access = (role: "viewer" | "contributor" | "committee") =>
      t.db.withTenant(w.tenantId, (tx) => minutesAccess(tx, { tenantId: w.tenantId, userId: w.members[role].id, role }, sessionId));
    expect([await access("viewer"), await access("contributor"), await access("committee")]).toEqual(["read", "write", "write"]);
    await startSession(committee(), { sessionId });
    await closeSession(committee(), { sessionId });
    expect([await access("viewer"), await access("contributor"), await access("committee")]).toEqual(["read", "read", "read"]);
    const elsewhere = await makeWorkspace(t.db, "Elsewhere");
    expect(await t.db.withTenant(elsewhere.tenantId, (tx) => minutesAccess(tx, { tenantId: elsewhere.tenantId, userId: elsewhere.owner.id, role: "owner" }, sessionId))).toBeNull();
  });
});

describe("closing a session", () => {
  it("records outcomes, tallies, attendance and frozen minutes once, and links them from each proposal", async () => {
    const undecided = await submittedNewSegment(scopeOf(w, "analyst"), "Undecided one", { combinator: "and", children: [] });
    const notReached = await submittedNewSegment(scopeOf(w, "analyst"), "Not reached one", { combinator: "and", children: [] });
    const { sessionId, proposalId } = await scheduledSession(w, "Closing test", [
      { kind: "proposal", proposalId: undecided.proposalId, timeBoxMinutes: 5 },
      { kind: "proposal", proposalId: notReached.proposalId, timeBoxMinutes: 5 },
    ]);
    await startSession(committee(), { sessionId });
    for (const role of ["viewer", "contributor"] as const) {
      await t.db.withTenant(w.tenantId, (tx) => recordAttendance(tx, { tenantId: w.tenantId, userId: w.members[role].id, role }, sessionId));
    }
    await voteOnProposal(committee(), { proposalId, vote: "approve", reason: "Fits the strategy" });
    await rewindClock(sessionId, 60_000);
    let view = await getSession(committee(), { sessionId });
    await moveToItem(committee(), { sessionId, itemId: view.items[3].id });
    await rewindClock(sessionId, 1_000);
    await writeMinutes(sessionId, "Approved the loyal segment.\nNorth churn: follow up in January.");

    // A close whose minutes are not yet stored up to the closer's edits changes nothing.
    const ahead = new Y.Doc();
    minutesText(ahead).insert(0, "not yet stored");
    await expect(closeSession(committee(), { sessionId, stateVector: Buffer.from(Y.encodeStateVector(ahead)).toString("base64") })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect((await getSession(committee(), { sessionId })).session.status).toBe("live");

    const stored = await t.db.withTenant(w.tenantId, (tx) => loadDoc(tx, w.tenantId, sessionDocName(sessionId)));
    const closes = await Promise.allSettled([
      closeSession(committee(), { sessionId, stateVector: Buffer.from(Y.encodeStateVector(stored)).toString("base64") }),
      closeSession(committee(), { sessionId }),
    ]);
    expect(closes.map((c) => c.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refused = closes.find((c) => c.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: "CONFLICT", message: "This session is already closed." });

    view = await getSession(scopeOf(w, "viewer"), { sessionId });
    expect(view.session).toMatchObject({ status: "closed", closedBy: w.members.committee.name, currentItemId: null, minutes: "Approved the loyal segment.\nNorth churn: follow up in January." });
    expect(view.items.map((i) => i.outcome)).toEqual(["approved", "not-reached", "not-reached", "undecided", "not-reached"]);
    expect(view.items[0].tally).toMatchObject({ status: "approved", approvals: 1, rejections: 0, votes: [{ name: w.members.committee.name, vote: "approve", reason: "Fits the strategy" }] });
    expect(view.items[3].tally).toMatchObject({ status: "submitted", approvals: 0, rejections: 0 });
    expect(view.items[0].spentMs).toBeGreaterThanOrEqual(60_000);
    expect(view.items[3].spentMs).toBeGreaterThanOrEqual(1_000);
    expect(view.attendees.map((a) => a.name).sort()).toEqual([w.members.committee.name, w.members.viewer.name, w.members.contributor.name].sort());
    expect(view.can).toEqual({ run: false, minutes: false, vote: false });

    const audit = await t.ownerQuery<{ action: string; object_id: string; changes: { after: Record<string, unknown> } }>(
      `select action, object_id, changes from audit_log where tenant_id = $1 and (object_id = $2 or changes->'after'->>'sessionId' = $2) order by seq`,
      [w.tenantId, sessionId],
    );
    const closeEntries = audit.rows.filter((r) => r.action === "session.close");
    expect(closeEntries).toHaveLength(1);
    expect(closeEntries[0].changes.after).toMatchObject({ minutes: view.session.minutes, attendance: expect.arrayContaining([expect.objectContaining({ name: w.members.viewer.name })]) });
    const outcomes = audit.rows.filter((r) => r.action === "proposal.session-outcome");
    expect(outcomes.map((r) => [r.object_id, r.changes.after.outcome])).toEqual([
      [proposalId, "approved"],
      [undecided.proposalId, "undecided"],
      [notReached.proposalId, "not-reached"],
    ]);
    expect(audit.rows.filter((r) => r.action === "session.attend")).toHaveLength(3);

    const linked = await sessionsForProposal(scopeOf(w, "viewer"), { proposalId });
    expect(linked).toEqual([expect.objectContaining({ sessionId, title: "Closing test", status: "closed", outcome: "approved" })]);
    await expect(startSession(committee(), { sessionId })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(moveToItem(committee(), { sessionId, itemId: view.items[1].id })).rejects.toMatchObject({ message: "This session is closed." });
  });

  it("exports a Markdown summary with decisions, tallies, agenda times, attendance and minutes", async () => {
    const { sessionId, proposalId } = await scheduledSession(w, "Board *review* 2026");
    await startSession(committee(), { sessionId });
    await voteOnProposal(committee(), { proposalId, vote: "approve", reason: "Good [evidence]" });
    await rewindClock(sessionId, 125_000);
    await writeMinutes(sessionId, "- Agreed to publish\n- Review SWOT in Q1");
    await closeSession(committee(), { sessionId });
    const view = await getSession(committee(), { sessionId });
    const title = view.items[0].title;
    const closedAt = `${view.session.closedAt!.toISOString().slice(0, 16).replace("T", " ")} UTC`;
    const joined = `${view.attendees[0].joinedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
    const spent = Math.round(view.items[0].spentMs / 1000);
    const committeeSize = (await t.ownerQuery<{ n: number }>(`select count(*)::int as n from memberships where tenant_id = $1 and role = 'committee'`, [w.tenantId])).rows[0].n;
    const escapedTitle = title.replace(/([\\`*_{}[\]#+!|>~<])/g, "\\$1");
    expect(sessionMarkdown(view)).toBe(
      [
        "# Board \\*review\\* 2026",
        "",
        `Scheduled for 2026-12-01 09:30 UTC · chaired by ${w.members.committee.name} · Closed ${closedAt} by ${w.members.committee.name}`,
        "",
        "## Decisions",
        "",
        `- ${escapedTitle}: Approved — 1 approval, 0 rejections of ${committeeSize} eligible`,
        `  > ${w.members.committee.name} voted to approve: “Good \\[evidence\\]”`,
        "",
        "## Agenda",
        "",
        `- 1. Proposal: ${escapedTitle} — time box 10 min, spent ${Math.floor(spent / 60)} min ${spent % 60} s — Approved`,
        `- 2. SWOT review: ${view.items[1].title} — time box 15 min, spent 0 s — Not reached`,
        "- 3. Topic: Churn alert in the North — time box 5 min, spent 0 s — Not reached",
        "",
        "## Attendance (1)",
        "",
        `- ${w.members.committee.name} (committee), joined ${joined}`,
        "",
        "## Minutes",
        "",
        "- Agreed to publish",
        "- Review SWOT in Q1",
        "",
      ].join("\n"),
    );
    expect(spent).toBeGreaterThanOrEqual(125);
  });
});
