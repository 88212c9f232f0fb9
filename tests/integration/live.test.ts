import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LiveClient, type LiveListener } from "../../app/live/client";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { publishLive } from "../../server/live/publish";
import { voteOnProposal } from "../../server/services/segments";
import { moveToItem, startSession, getSession } from "../../server/services/sessions";
import { collabClient, eventually, storedDoc } from "../helpers/collab";
import { closeSession, sessionDocName } from "../../server/services/sessions";
import { minutesText } from "../../server/services/sessions/minutes-doc";
import type { CollabProvider } from "../../app/collab/provider";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { scopeOf } from "../helpers/governance";
import { removeMember } from "../../server/services/workspaces/members";
import { liveClientFor, scheduledSession, startSocketServer } from "../helpers/sessions";

let t: TestDatabase;
let server: Awaited<ReturnType<typeof startSocketServer>>;
let a: FactoryWorkspace;
let b: FactoryWorkspace;
const clients: LiveClient[] = [];
const providers: CollabProvider[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startSocketServer(t);
  a = await makeWorkspace(t.db, "Live Alpha");
  b = await makeWorkspace(t.db, "Live Beta");
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const p of providers.splice(0)) p.destroy();
});
afterAll(async () => {
  await server.stop();
  await t.drop();
});

function client(user: FactoryWorkspace["owner"]): LiveClient {
  const c = liveClientFor(server.url, user);
  clients.push(c);
  return c;
}

/** Subscribes and records every message the listener gets. */
async function follow(c: LiveClient, tenantId: string, topic: string) {
  const received: Parameters<LiveListener>[0][] = [];
  const sub = c.subscribe(tenantId, topic, (m) => received.push(m));
  return { received, result: await sub.result, stop: sub.stop };
}

describe("subscribing to live topics", () => {
  it("lets every member of the workspace follow a session, viewers included", async () => {
    const { sessionId } = await scheduledSession(a);
    for (const role of ["viewer", "contributor", "committee"] as const) {
      const f = await follow(client(a.members[role]), a.tenantId, `session/${sessionId}`);
      expect(f.result).toEqual({ ok: true });
    }
  });

  it("refuses another workspace's topic, whichever workspace id the client names", async () => {
    const { sessionId, proposalId } = await scheduledSession(b);
    const c = client(a.members.committee);
    const namingB = await follow(c, b.tenantId, `session/${sessionId}`);
    expect(namingB.result).toEqual({ ok: false, error: expect.stringContaining("not a member of that workspace") });
    const namingA = await follow(c, a.tenantId, `session/${sessionId}`);
    expect(namingA.result).toEqual({ ok: false, error: expect.stringContaining("does not exist in that workspace") });
    const proposal = await follow(c, a.tenantId, `proposal/${proposalId}`);
    expect(proposal.result.ok).toBe(false);
    // And nothing of B's session reaches A's member when B's chair moves it.
    await startSession(scopeOf(b, "committee"), { sessionId });
    const view = await getSession(scopeOf(b, "committee"), { sessionId });
    await moveToItem(scopeOf(b, "committee"), { sessionId, itemId: view.items[1].id });
    const watcher = await follow(client(b.members.viewer), b.tenantId, `session/${sessionId}`);
    await moveToItem(scopeOf(b, "committee"), { sessionId, itemId: view.items[2].id });
    await eventually(() => watcher.received.length > 0, "B's viewer got B's event");
    expect([...namingB.received, ...namingA.received, ...proposal.received]).toEqual([]);
  });

  it("says why when the connection itself is refused (no session)", async () => {
    const { sessionId } = await scheduledSession(a);
    const stranger = new LiveClient({ url: server.url, socket: { transports: ["websocket"], reconnection: false } });
    clients.push(stranger);
    const { result } = stranger.subscribe(a.tenantId, `session/${sessionId}`, () => {});
    expect(await result).toEqual({ ok: false, error: expect.stringContaining("Sign in") });
  });

  it("refuses topics no kind owns and malformed subscriptions, with a reason", async () => {
    const c = client(a.owner);
    expect((await follow(c, a.tenantId, "secrets/123")).result).toEqual({ ok: false, error: expect.stringContaining("is not a live topic") });
    const raw: unknown = await c.socket.timeout(5_000).emitWithAck("live:subscribe", { tenantId: "nope", topic: 7 } as never);
    expect(raw).toEqual({ ok: false, error: expect.stringContaining("names a workspace id") });
  });
});

describe("a member whose access ends", () => {
  it("has their sockets closed once they are removed, and nothing of the workspace reaches them after", async () => {
    const g = await makeWorkspace(t.db, "Live Gamma");
    const { sessionId } = await scheduledSession(g);
    const topic = `session/${sessionId}`;
    const leaving = client(g.members.viewer);
    const gone = await follow(leaving, g.tenantId, topic);
    const staying = await follow(client(g.members.contributor), g.tenantId, topic);
    expect([gone.result, staying.result]).toEqual([{ ok: true }, { ok: true }]);
    const closed = new Promise<string>((resolve) => leaving.socket.once("disconnect", resolve));
    await removeMember(scopeOf(g, "owner"), { userId: g.members.viewer.id });
    expect(await closed).toBe("io server disconnect");
    // The chair moves the session on: the member who stays hears it, the one removed does not
    // (their client's reconnection is refused: the removal revoked their session).
    await startSession(scopeOf(g, "committee"), { sessionId });
    const view = await getSession(scopeOf(g, "committee"), { sessionId });
    await moveToItem(scopeOf(g, "committee"), { sessionId, itemId: view.items[1].id });
    await eventually(() => staying.received.length > 0, "the remaining member got the move");
    expect(gone.received).toEqual([]);
    expect(leaving.socket.connected).toBe(false);
  });
});

describe("attendance from the room", () => {
  it("counts who joins a live session, and those already waiting once they renew at the start", async () => {
    const { sessionId } = await scheduledSession(a);
    const topic = `session/${sessionId}`;
    const waiting = client(a.members.viewer);
    const started = new Promise<void>((resolve) =>
      waiting.subscribe(a.tenantId, topic, (m) => {
        if (m.kind === "event" && (m.payload as { type: string }).type === "started") resolve();
      }),
    );
    await eventually(() => waiting.socket.connected, "the viewer is connected");
    await new Promise((r) => setTimeout(r, 50));
    expect((await getSession(scopeOf(a, "viewer"), { sessionId })).attendees).toEqual([]);
    await startSession(scopeOf(a, "committee"), { sessionId });
    await started;
    expect(await waiting.renew(a.tenantId, topic)).toEqual({ ok: true });
    expect((await follow(client(a.members.analyst), a.tenantId, topic)).result).toEqual({ ok: true });
    await eventually(async () => (await getSession(scopeOf(a, "viewer"), { sessionId })).attendees.length === 3, "three attendees");
    const { attendees } = await getSession(scopeOf(a, "viewer"), { sessionId });
    expect(attendees.map((p) => `${p.name} (${p.role})`).sort()).toEqual(
      [`${a.members.committee.name} (committee)`, `${a.members.viewer.name} (viewer)`, `${a.members.analyst.name} (analyst)`].sort(),
    );
    // Joining again counts once.
    expect(await waiting.renew(a.tenantId, topic)).toEqual({ ok: true });
    await new Promise((r) => setTimeout(r, 50));
    expect((await getSession(scopeOf(a, "viewer"), { sessionId })).attendees).toHaveLength(3);
  });
});

describe("events over a real socket", () => {
  it("delivers a moved agenda item to the room, and only what was committed", async () => {
    const { sessionId } = await scheduledSession(a);
    const member = await follow(client(a.members.committee), a.tenantId, `session/${sessionId}`);
    const viewer = await follow(client(a.members.viewer), a.tenantId, `session/${sessionId}`);
    expect([member.result, viewer.result]).toEqual([{ ok: true }, { ok: true }]);
    const rolledBack = t.db.withTenant(a.tenantId, async (tx) => {
      await publishLive(tx, a.tenantId, `session/${sessionId}`, { type: "never" });
      throw new Error("roll back");
    });
    await expect(rolledBack).rejects.toThrow("roll back");
    await startSession(scopeOf(a, "committee"), { sessionId });
    const view = await getSession(scopeOf(a, "committee"), { sessionId });
    await moveToItem(scopeOf(a, "committee"), { sessionId, itemId: view.items[2].id });
    const wanted = { kind: "event", payload: { type: "current", itemId: view.items[2].id } };
    await eventually(() => viewer.received.some((m) => JSON.stringify(m) === JSON.stringify(wanted)), "the viewer saw the move");
    await eventually(() => member.received.some((m) => JSON.stringify(m) === JSON.stringify(wanted)), "the member saw the move");
    const types = viewer.received.map((m) => (m.kind === "event" ? (m.payload as { type: string }).type : m.kind));
    expect(types).not.toContain("never");
    expect(types.indexOf("started")).toBeLessThan(types.indexOf("current"));
  });

  it("pushes a vote cast through the segments service to the proposal's followers", async () => {
    const { proposalId } = await scheduledSession(a);
    const chair = await follow(client(a.owner), a.tenantId, `proposal/${proposalId}`);
    expect(chair.result).toEqual({ ok: true });
    await voteOnProposal(scopeOf(a, "committee"), { proposalId, vote: "approve", reason: "Clear value" });
    await eventually(() => chair.received.length > 0, "the vote arrived");
    expect(chair.received[0]).toEqual({ kind: "event", payload: { type: "vote", status: "approved", approvals: 1, rejections: 0 } });
  });

  it("stops delivering after the last listener stops", async () => {
    const { sessionId } = await scheduledSession(a);
    const c = client(a.members.committee);
    const first = await follow(c, a.tenantId, `session/${sessionId}`);
    const second = await follow(client(a.members.viewer), a.tenantId, `session/${sessionId}`);
    first.stop();
    await t.db.withTenant(a.tenantId, (tx) => publishLive(tx, a.tenantId, `session/${sessionId}`, { type: "ping" }));
    await eventually(() => second.received.length > 0, "the other follower got it");
    await new Promise((r) => setTimeout(r, 100));
    expect(first.received).toEqual([]);
  });
});

describe("the shared minutes over the real co-editing server", () => {
  function minutesOf(user: FactoryWorkspace["owner"], sessionId: string): CollabProvider {
    const p = collabClient(server.url, user, { tenantId: a.tenantId, doc: sessionDocName(sessionId) });
    providers.push(p);
    return p;
  }

  it("stores members' minutes, drops a viewer's, and freezes them at the close", async () => {
    const { sessionId } = await scheduledSession(a);
    await startSession(scopeOf(a, "committee"), { sessionId });
    const chair = minutesOf(a.members.committee, sessionId);
    const contributor = minutesOf(a.members.contributor, sessionId);
    const viewer = minutesOf(a.members.viewer, sessionId);
    await Promise.all([chair.whenSynced(), contributor.whenSynced(), viewer.whenSynced()]);
    expect([chair.readOnly, contributor.readOnly, viewer.readOnly]).toEqual([false, false, true]);
    minutesText(chair.doc).insert(0, "Decided: publish.");
    await eventually(() => minutesText(contributor.doc).toString() === "Decided: publish.", "the contributor sees the chair's line");
    minutesText(contributor.doc).insert(minutesText(contributor.doc).length, " Owner: Anika.");
    minutesText(viewer.doc).insert(0, "Viewer was here. ");
    await Promise.all([chair.whenAcked(), contributor.whenAcked(), viewer.whenAcked()]);
    expect(viewer.error).toMatch(/only watch/);
    await eventually(() => minutesText(chair.doc).toString() === "Decided: publish. Owner: Anika.", "the chair sees the contributor's words");
    expect(minutesText(await storedDoc(t, a.tenantId, sessionDocName(sessionId))).toString()).toBe("Decided: publish. Owner: Anika.");

    await closeSession(scopeOf(a, "committee"), { sessionId });
    expect((await getSession(scopeOf(a, "viewer"), { sessionId })).session.minutes).toBe("Decided: publish. Owner: Anika.");
    // After the close, a late edit is not stored and its writer becomes a watcher.
    minutesText(chair.doc).insert(0, "Too late. ");
    await chair.whenAcked().catch(() => {});
    await eventually(() => chair.readOnly, "the chair's editor became read-only");
    expect(minutesText(await storedDoc(t, a.tenantId, sessionDocName(sessionId))).toString()).toBe("Decided: publish. Owner: Anika.");
  });
});
