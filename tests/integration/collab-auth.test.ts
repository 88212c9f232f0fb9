import { io, type Socket } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import type { CollabProvider } from "../../app/collab/provider";
import { FACTORY_PASSWORD, makeWorkspace, type FactoryUser, type FactoryWorkspace } from "../../db/seed/factories";
import type { JoinResult, WriteResult } from "../../server/collab/protocol";
import { metaOf } from "../../server/services/segments/draft-doc";
import { addCondition, collabClient, conditionIds, contentOf, cookieOf, eventually, storedDoc } from "../helpers/collab";
import { makeDraftProposal } from "../helpers/segments";
import { startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
let a: FactoryWorkspace;
let b: FactoryWorkspace;
const open: { destroy(): void }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  a = await makeWorkspace(server.database.db, "Collab Auth Alpha");
  b = await makeWorkspace(server.database.db, "Collab Auth Beta");
});
afterEach(() => {
  for (const client of open.splice(0)) client.destroy();
});
afterAll(() => server.stop());

function client(user: FactoryUser, tenantId: string, doc: string, headers: Record<string, string> = {}): CollabProvider {
  const c = collabClient(server.url, user, { tenantId, doc }, headers);
  open.push(c);
  return c;
}

/** A bare socket that records everything the server sends it. */
function rawSocket(headers: Record<string, string>) {
  const socket: Socket = io(server.url, { transports: ["websocket"], extraHeaders: headers, reconnection: false });
  const received: string[] = [];
  socket.onAny((event: string) => received.push(event));
  open.push({ destroy: () => socket.disconnect() });
  return { socket, received };
}

function join(socket: Socket, tenantId: string, doc: string): Promise<JoinResult> {
  return socket.emitWithAck("join", { tenantId, doc });
}

function updateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

describe("the handshake", () => {
  it("refuses a connection without a session", async () => {
    const draft = await makeDraftProposal(server.database.db, a);
    const { socket, received } = rawSocket({});
    const refused = await new Promise<Error>((resolve) => socket.on("connect_error", resolve));
    expect(refused.message).toMatch(/Sign in to edit together/);
    expect(socket.connected).toBe(false);
    expect(received).toEqual([]);
    const forged = client({ ...a.owner, token: "not-a-session" }, a.tenantId, draft.doc);
    await expect(forged.whenSynced()).rejects.toThrow(/no valid session/);
    expect(forged.status).toBe("offline");
    expect(forged.doc.getMap("meta").size).toBe(0);
  });

  it("refuses a connection from another site's page, and accepts one from this site", async () => {
    const draft = await makeDraftProposal(server.database.db, a);
    const evil = client(a.owner, a.tenantId, draft.doc, { origin: "https://evil.example" });
    await expect(evil.whenSynced()).rejects.toThrow(/another site/);
    const crossSite = client(a.owner, a.tenantId, draft.doc, { "sec-fetch-site": "cross-site" });
    await expect(crossSite.whenSynced()).rejects.toThrow(/another site/);
    const own = client(a.owner, a.tenantId, draft.doc, { origin: server.url });
    await own.whenSynced();
    expect(own.status).toBe("synced");
  });

  it("accepts the cookie a sign-in over HTTP sets", async () => {
    const draft = await makeDraftProposal(server.database.db, a, { name: "Signed in" });
    const res = await fetch(`${server.url}/trpc/auth.logIn`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: a.members.analyst.email, password: FACTORY_PASSWORD }),
    });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("quorum_session="))!.split(";")[0];
    const { socket } = rawSocket({ cookie });
    const joined = await join(socket, a.tenantId, draft.doc);
    expect(joined).toMatchObject({ ok: true, access: "write", room: `${a.tenantId}/${draft.doc}` });
  });
});

describe("joining a document", () => {
  it("refuses a workspace the user is not a member of, and another workspace's document, sending nothing", async () => {
    const draft = await makeDraftProposal(server.database.db, a, { name: "Alpha secret" });
    const outsider = rawSocket({ cookie: cookieOf(b.owner) });
    expect(await join(outsider.socket, a.tenantId, draft.doc)).toEqual({ ok: false, error: expect.stringMatching(/not a member of that workspace/) });
    // Naming its own workspace does not open the other's document either.
    expect(await join(outsider.socket, b.tenantId, draft.doc)).toEqual({ ok: false, error: expect.stringMatching(/does not exist in that workspace/) });
    // Nor can it send into the room it failed to join.
    const change = new Y.Doc();
    metaOf(change).set("name", "Defaced");
    const sent: WriteResult = await outsider.socket.emitWithAck("sync", `${a.tenantId}/${draft.doc}`, updateMessage(Y.encodeStateAsUpdate(change)));
    expect(sent).toMatchObject({ ok: false, code: "not-joined" });
    await new Promise((r) => setTimeout(r, 100));
    expect(outsider.received).toEqual([]);
    expect(contentOf(await storedDoc(server.database, a.tenantId, draft.doc))).toMatchObject({ name: "Alpha secret" });

    const provider = client(b.owner, a.tenantId, draft.doc);
    await expect(provider.whenSynced()).rejects.toThrow(/not a member/);
    expect(provider.doc.getMap("meta").size).toBe(0);
  });

  it("refuses names that are not documents, and malformed joins", async () => {
    const { socket } = rawSocket({ cookie: cookieOf(a.owner) });
    expect(await join(socket, a.tenantId, "sketch/6f1c1a9e-7c1b-4bde-9d5c-7a0a4c7f0b11")).toMatchObject({ ok: false, error: expect.stringMatching(/not a document name/) });
    expect(await join(socket, a.tenantId, "swot/6f1c1a9e-7c1b-4bde-9d5c-7a0a4c7f0b11")).toMatchObject({ ok: false, error: expect.stringMatching(/does not exist/) });
    expect(await join(socket, a.tenantId, "proposal/not-an-id")).toMatchObject({ ok: false });
    expect(await join(socket, a.tenantId, "proposal/6f1c1a9e-7c1b-4bde-9d5c-7a0a4c7f0b11")).toMatchObject({ ok: false, error: expect.stringMatching(/does not exist/) });
    expect(await socket.emitWithAck("join", { tenantId: "nope", doc: 1 })).toMatchObject({ ok: false, error: expect.stringMatching(/workspace id/) });
  });
});

describe("read-only participants", () => {
  it("lets a viewer watch live edits and drops the viewer's own changes", async () => {
    const draft = await makeDraftProposal(server.database.db, a, { name: "Watched" });
    const writer = client(a.members.analyst, a.tenantId, draft.doc);
    const other = client(a.members.committee, a.tenantId, draft.doc);
    const viewer = client(a.members.viewer, a.tenantId, draft.doc);
    await Promise.all([writer.whenSynced(), other.whenSynced(), viewer.whenSynced()]);
    expect(viewer.readOnly).toBe(true);
    expect(writer.readOnly).toBe(false);

    addCondition(viewer.doc, { id: "from-viewer", op: "gte", field: "frequency", value: 1 });
    await viewer.whenAcked();
    expect(viewer.error).toMatch(/only watch/);

    addCondition(writer.doc, { id: "from-writer", op: "gte", field: "frequency", value: 2 });
    await eventually(() => conditionIds(viewer.doc).includes("from-writer"), "the viewer receives the writer's edit");
    await writer.whenAcked();
    await new Promise((r) => setTimeout(r, 100));
    expect(conditionIds(other.doc)).toEqual(["from-writer"]);
    expect(conditionIds(writer.doc)).toEqual(["from-writer"]);
    expect(conditionIds(await storedDoc(server.database, a.tenantId, draft.doc))).toEqual(["from-writer"]);
  });

  it("drops a viewer's raw update messages and tells the viewer it may only watch", async () => {
    const draft = await makeDraftProposal(server.database.db, a, { name: "Raw" });
    const writer = client(a.members.analyst, a.tenantId, draft.doc);
    await writer.whenSynced();
    const viewer = rawSocket({ cookie: cookieOf(a.members.viewer) });
    const notices: unknown[] = [];
    viewer.socket.on("collab-error", (n: unknown) => notices.push(n));
    expect(await join(viewer.socket, a.tenantId, draft.doc)).toMatchObject({ ok: true, access: "read" });
    const change = new Y.Doc();
    metaOf(change).set("name", "Renamed by a viewer");
    const result: WriteResult = await viewer.socket.emitWithAck("sync", `${a.tenantId}/${draft.doc}`, updateMessage(Y.encodeStateAsUpdate(change)));
    expect(result).toMatchObject({ ok: false, code: "read-only" });
    expect(notices).toEqual([{ room: `${a.tenantId}/${draft.doc}`, code: "read-only", message: expect.stringMatching(/only watch/) }]);
    await new Promise((r) => setTimeout(r, 100));
    expect(contentOf(writer.doc)).toMatchObject({ name: "Raw" });
    expect(contentOf(await storedDoc(server.database, a.tenantId, draft.doc))).toMatchObject({ name: "Raw" });
  });

  it("makes a contributor outside the draft's region a watcher", async () => {
    const draft = await makeDraftProposal(server.database.db, a, { regionId: a.regionIds[1] });
    const contributor = client(a.members.contributor, a.tenantId, draft.doc);
    await contributor.whenSynced();
    expect(contributor.readOnly).toBe(true);
    const inRegion = await makeDraftProposal(server.database.db, a, { regionId: a.regionIds[0] });
    const editor = client(a.members.contributor, a.tenantId, inRegion.doc);
    await editor.whenSynced();
    expect(editor.readOnly).toBe(false);
  });

  it("stops storing changes once the proposal is submitted, and makes its writers watchers", async () => {
    const draft = await makeDraftProposal(server.database.db, a);
    const writer = client(a.members.analyst, a.tenantId, draft.doc);
    const other = client(a.owner, a.tenantId, draft.doc);
    await Promise.all([writer.whenSynced(), other.whenSynced()]);
    addCondition(writer.doc, { id: "before", op: "gte", field: "frequency", value: 1 });
    await writer.whenAcked();
    expect(writer.error).toBeNull();

    await server.database.ownerQuery("update segment_proposals set status = 'submitted' where tenant_id = $1 and id = $2", [a.tenantId, draft.proposalId]);
    addCondition(writer.doc, { id: "after", op: "gte", field: "frequency", value: 2 });
    await writer.whenAcked();
    expect(writer.error).toMatch(/can no longer be edited/);
    expect(writer.readOnly).toBe(true);

    addCondition(writer.doc, { id: "later", op: "gte", field: "frequency", value: 3 });
    await writer.whenAcked();
    await new Promise((r) => setTimeout(r, 100));
    expect(conditionIds(other.doc)).not.toContain("later");
    expect(conditionIds(await storedDoc(server.database, a.tenantId, draft.doc))).toEqual(["before"]);

    const late = client(a.members.committee, a.tenantId, draft.doc);
    await late.whenSynced();
    expect(late.readOnly).toBe(true);
  });
});
