import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Awareness, encodeAwarenessUpdate } from "y-protocols/awareness";
import * as Y from "yjs";
import type { CollabProvider } from "../../app/collab/provider";
import { makeWorkspace, type FactoryUser, type FactoryWorkspace } from "../../db/seed/factories";
import { appendUpdates, loadDoc } from "../../server/collab/store";
import { findNode, metaOf } from "../../server/services/segments/draft-doc";
import { addCondition, collabClient, conditionIds, contentOf, converged, eventually, setName, storedDoc } from "../helpers/collab";
import { makeDraftProposal } from "../helpers/segments";
import { startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
let w: FactoryWorkspace;
const open: CollabProvider[] = [];

beforeAll(async () => {
  server = await startTestServer();
  w = await makeWorkspace(server.database.db, "Collab Sync");
});
afterEach(() => {
  for (const client of open.splice(0)) client.destroy();
});
afterAll(() => server.stop());

function client(user: FactoryUser, doc: string) {
  const c = collabClient(server.url, user, { tenantId: w.tenantId, doc });
  open.push(c);
  return c;
}

const frequency = (id: string, value: number) => ({ id, op: "gte" as const, field: "frequency" as const, value });

describe("co-editing a proposal's draft over sockets", () => {
  it("two writers editing at once converge, and everything acknowledged is stored", async () => {
    const draft = await makeDraftProposal(server.database.db, w, { name: "Loyal" });
    const a = client(w.members.analyst, draft.doc);
    const b = client(w.members.committee, draft.doc);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    expect(contentOf(a.doc)).toMatchObject({ name: "Loyal", rules: { combinator: "and", children: [] } });
    expect(a.readOnly).toBe(false);

    for (let i = 0; i < 10; i++) {
      addCondition(a.doc, frequency(`a${i}`, i));
      addCondition(b.doc, frequency(`b${i}`, i));
    }
    setName(a.doc, "Loyal buyers");
    metaOf(b.doc).set("description", "Bought often");

    await eventually(() => converged([a.doc, b.doc]) && conditionIds(a.doc).length === 20, "both replicas hold all 20 conditions");
    await Promise.all([a.whenAcked(), b.whenAcked()]);
    expect(a.pending).toBe(0);
    expect(contentOf(a.doc)).toMatchObject({ name: "Loyal buyers", description: "Bought often" });
    const stored = await storedDoc(server.database, w.tenantId, draft.doc);
    expect(contentOf(stored)).toEqual(contentOf(a.doc));
  });

  it("three writers converge on adds, field changes and removals made concurrently", async () => {
    const draft = await makeDraftProposal(server.database.db, w, {
      rules: { combinator: "and", children: [frequency("keep", 1), frequency("drop", 2)] },
    });
    const [a, b, c] = [client(w.owner, draft.doc), client(w.members.admin, draft.doc), client(w.members.analyst, draft.doc)];
    await Promise.all([a.whenSynced(), b.whenSynced(), c.whenSynced()]);

    addCondition(a.doc, frequency("from-a", 3));
    b.doc.transact(() => {
      const found = findNode(b.doc, "drop")!;
      found.parent!.delete(found.index, 1);
    });
    findNode(c.doc, "keep")!.node.set("value", 42);
    setName(c.doc, "Edited by c");
    addCondition(b.doc, { id: "from-b", op: "in", field: "rfm_segment", values: ["Champions"] });
    setName(a.doc, "Edited by a");

    await eventually(() => converged([a.doc, b.doc, c.doc]) && conditionIds(a.doc).length === 3, "three replicas agree");
    expect(new Set(conditionIds(a.doc))).toEqual(new Set(["keep", "from-a", "from-b"]));
    expect(findNode(a.doc, "keep")!.node.get("value")).toBe(42);
    expect(["Edited by a", "Edited by c"]).toContain(metaOf(a.doc).get("name"));
    await Promise.all([a.whenAcked(), b.whenAcked(), c.whenAcked()]);
    expect(Y.encodeStateVector(await storedDoc(server.database, w.tenantId, draft.doc))).toEqual(Y.encodeStateVector(a.doc));
  });

  it("counts unacknowledged edits as pending until they are stored", async () => {
    const draft = await makeDraftProposal(server.database.db, w);
    const a = client(w.members.analyst, draft.doc);
    await a.whenSynced();
    addCondition(a.doc, frequency("x", 1));
    addCondition(a.doc, frequency("y", 2));
    expect(a.pending).toBe(2);
    await a.whenAcked();
    expect(a.pending).toBe(0);
    expect(conditionIds(await storedDoc(server.database, w.tenantId, draft.doc))).toEqual(["x", "y"]);
  });

  it("merges the edits of a client that went offline when it reconnects", async () => {
    const draft = await makeDraftProposal(server.database.db, w, { rules: { combinator: "or", children: [frequency("base", 1)] } });
    const [a, b, c] = [client(w.owner, draft.doc), client(w.members.committee, draft.doc), client(w.members.analyst, draft.doc)];
    await Promise.all([a.whenSynced(), b.whenSynced(), c.whenSynced()]);

    c.disconnect();
    await eventually(() => c.status === "offline", "c is offline");
    addCondition(c.doc, frequency("offline-1", 5));
    metaOf(c.doc).set("valueProposition", "Written offline");
    findNode(c.doc, "base")!.node.set("value", 7);
    addCondition(a.doc, frequency("online-a", 6));
    addCondition(b.doc, frequency("online-b", 8));
    expect(c.pending).toBe(3);
    await eventually(() => conditionIds(a.doc).length === 3 && conditionIds(b.doc).length === 3, "a and b see each other");
    expect(conditionIds(c.doc)).toEqual(["base", "offline-1"]);

    c.connect();
    await c.whenSynced();
    await eventually(() => converged([a.doc, b.doc, c.doc]) && conditionIds(a.doc).length === 4, "all three converge");
    await c.whenAcked();
    expect(c.pending).toBe(0);
    const stored = await storedDoc(server.database, w.tenantId, draft.doc);
    expect(contentOf(stored)).toEqual(contentOf(c.doc));
    expect(contentOf(stored)).toMatchObject({ valueProposition: "Written offline" });
    expect(findNode(stored, "base")!.node.get("value")).toBe(7);
  });

  it("stores an edit made just before closing, unloads the document and loads it afresh on the next join", async () => {
    const draft = await makeDraftProposal(server.database.db, w);
    const first = client(w.members.analyst, draft.doc);
    await first.whenSynced();
    addCondition(first.doc, frequency("before-leaving", 1));
    first.destroy(); // waits for the acknowledgement before it disconnects
    await eventually(async () => conditionIds(await storedDoc(server.database, w.tenantId, draft.doc)).includes("before-leaving"), "the edit is stored");
    await eventually(() => first.socket.disconnected, "the first client has gone");
    // Written behind the server's back: only a document loaded from PostgreSQL has it.
    await server.database.db.withTenant(w.tenantId, async (tx) => {
      const doc = await loadDoc(tx, w.tenantId, draft.doc);
      const before = Y.encodeStateVector(doc);
      metaOf(doc).set("description", "Written by a service");
      await appendUpdates(tx, w.tenantId, draft.doc, [Y.encodeStateAsUpdate(doc, before)]);
    });
    await new Promise((r) => setTimeout(r, 50));
    const second = client(w.members.committee, draft.doc);
    await second.whenSynced();
    expect(contentOf(second.doc)).toMatchObject({ description: "Written by a service" });
    expect(conditionIds(second.doc)).toEqual(["before-leaving"]);
  });

  it("holds one room per document: edits to another draft never reach this one", async () => {
    const one = await makeDraftProposal(server.database.db, w);
    const two = await makeDraftProposal(server.database.db, w);
    const a1 = client(w.owner, one.doc);
    const b1 = client(w.members.admin, one.doc);
    const a2 = client(w.owner, two.doc);
    await Promise.all([a1.whenSynced(), b1.whenSynced(), a2.whenSynced()]);
    addCondition(a2.doc, frequency("only-two", 1));
    addCondition(a1.doc, frequency("only-one", 1));
    await eventually(() => conditionIds(b1.doc).includes("only-one"), "b1 sees a1's edit");
    await Promise.all([a1.whenAcked(), a2.whenAcked()]);
    expect(conditionIds(b1.doc)).toEqual(["only-one"]);
    expect(conditionIds(await storedDoc(server.database, w.tenantId, two.doc))).toEqual(["only-two"]);
  });
});

describe("presence", () => {
  it("shows who is here and what they work on, and takes them away when they leave", async () => {
    const draft = await makeDraftProposal(server.database.db, w);
    const a = client(w.members.analyst, draft.doc);
    const b = client(w.members.committee, draft.doc);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    await eventually(() => a.peers.length === 1 && b.peers.length === 1, "each sees the other");
    expect(a.peers[0].user).toMatchObject({ id: w.members.committee.id, name: w.members.committee.name });

    b.setFocus("rule-7");
    await eventually(() => a.peers[0]?.focus === "rule-7", "a sees b's focus");

    const c = client(w.owner, draft.doc);
    await c.whenSynced();
    await eventually(() => c.peers.length === 2 && a.peers.length === 2, "a newcomer sees both, and is seen");
    expect(c.peers.find((p) => p.user.id === w.members.committee.id)?.focus).toBe("rule-7");

    b.disconnect();
    await eventually(() => a.peers.length === 1 && c.peers.length === 1, "b's presence disappears on disconnect");
    expect(a.peers.map((p) => p.user.id)).toEqual([w.owner.id]);
    b.connect();
    await eventually(() => a.peers.length === 2, "b reappears after reconnecting");
  });

  it("never relays presence that claims to be another user, and names people by their session", async () => {
    const draft = await makeDraftProposal(server.database.db, w);
    const a = client(w.members.analyst, draft.doc);
    const b = client(w.members.committee, draft.doc);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    await eventually(() => b.peers.length === 1, "b sees a");

    const forged = new Awareness(new Y.Doc());
    forged.setLocalState({ user: { id: w.owner.id, name: "The owner", color: "#000" }, focus: "rule-1" });
    a.socket.emit("awareness", a.room, encodeAwarenessUpdate(forged, [forged.clientID]));
    // b's own client id, claimed by a: not taken over either.
    const hijack = new Awareness(new Y.Doc());
    hijack.clientID = b.doc.clientID;
    for (let i = 0; i < 10; i++) hijack.setLocalState({ user: { id: w.members.analyst.id, name: "x", color: "#000" }, focus: "hijacked" });
    a.socket.emit("awareness", a.room, encodeAwarenessUpdate(hijack, [hijack.clientID]));
    const renamed = new Awareness(new Y.Doc());
    renamed.setLocalState({ user: { id: w.members.analyst.id, name: "Not my name", color: "#000" }, focus: "marker" });
    a.socket.emit("awareness", a.room, encodeAwarenessUpdate(renamed, [renamed.clientID]));

    await eventually(() => b.peers.some((p) => p.focus === "marker"), "the last, legitimate state arrives");
    expect(b.peers.map((p) => p.user.id)).not.toContain(w.owner.id);
    expect(b.peers.find((p) => p.focus === "marker")?.user.name).toBe(w.members.analyst.name);
    expect(b.peers.some((p) => p.focus === "hijacked")).toBe(false);
    const c = client(w.members.admin, draft.doc);
    await c.whenSynced();
    await eventually(() => c.peers.length >= 2, "a newcomer gets the room's presence");
    expect(c.peers.map((p) => p.user.id)).not.toContain(w.owner.id);
  });
});
