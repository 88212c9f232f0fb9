import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CollabProvider } from "../../app/collab/provider";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { findNode, metaOf } from "../../server/services/segments/draft-doc";
import { addCondition, collabClient, conditionIds, contentOf, converged, eventually, storedDoc } from "../helpers/collab";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { makeDraftProposal } from "../helpers/segments";
import { startTestServer, type TestServer } from "../helpers/server";

let database: TestDatabase;
let server: TestServer;
let w: FactoryWorkspace;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer({}, { database });
  w = await makeWorkspace(database.db, "Collab Restart");
});
afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

const frequency = (id: string, value: number) => ({ id, op: "gte" as const, field: "frequency" as const, value });

describe("a server restart in the middle of a session", () => {
  it("keeps every acknowledged edit, and the clients reconnect, merge their offline edits and converge", async () => {
    const draft = await makeDraftProposal(database.db, w, { name: "Before restart" });
    const target = { tenantId: w.tenantId, doc: draft.doc };
    const clients: CollabProvider[] = [
      collabClient(server.url, w.owner, target),
      collabClient(server.url, w.members.committee, target),
      collabClient(server.url, w.members.analyst, target),
    ];
    const [a, b, c] = clients;
    try {
      await Promise.all(clients.map((p) => p.whenSynced()));
      for (let i = 0; i < 5; i++) clients.forEach((p, n) => addCondition(p.doc, frequency(`acked-${n}-${i}`, i)));
      metaOf(b.doc).set("name", "Acknowledged name");
      await Promise.all(clients.map((p) => p.whenAcked()));
      const acknowledged = conditionIds(a.doc);
      expect(acknowledged).toHaveLength(15);

      // Edits still in flight when the server stops: the shutdown stores what it received.
      addCondition(a.doc, frequency("in-flight", 1));
      const port = server.port;
      await server.stop();
      await eventually(() => clients.every((p) => p.status === "offline"), "every client notices the server is gone");

      const stored = await storedDoc(database, w.tenantId, draft.doc);
      expect(conditionIds(stored)).toEqual(expect.arrayContaining(acknowledged));
      expect(metaOf(stored).get("name")).toBe("Acknowledged name");

      // While the server is down, everyone keeps editing.
      addCondition(a.doc, frequency("offline-a", 1));
      findNode(b.doc, "acked-0-0")!.node.set("value", 99);
      addCondition(c.doc, frequency("offline-c", 3));
      metaOf(c.doc).set("description", "Written while the server was down");
      expect(c.pending).toBeGreaterThan(0);

      server = await startTestServer({}, { database, port });
      await eventually(() => clients.every((p) => p.status === "synced"), "every client is back", 15_000);
      await eventually(() => converged(clients.map((p) => p.doc)), "the three replicas converge");
      await Promise.all(clients.map((p) => p.whenAcked()));

      const after = await storedDoc(database, w.tenantId, draft.doc);
      expect(contentOf(after)).toEqual(contentOf(a.doc));
      expect(conditionIds(after)).toEqual(expect.arrayContaining([...acknowledged, "in-flight", "offline-a", "offline-c"]));
      expect(findNode(after, "acked-0-0")!.node.get("value")).toBe(99);
      expect(metaOf(after).get("description")).toBe("Written while the server was down");

      // A newcomer after the restart loads the same document from PostgreSQL.
      const late = collabClient(server.url, w.members.admin, target);
      clients.push(late);
      await late.whenSynced();
      expect(contentOf(late.doc)).toEqual(contentOf(a.doc));
    } finally {
      for (const p of clients) p.destroy();
    }
  });
});
