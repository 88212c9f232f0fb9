import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CollabProvider } from "../../app/collab/provider";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { startInstance, type Instance } from "../helpers/cluster";
import { addCondition, collabClient, conditionIds, cookieOf, eventually, storedDoc } from "../helpers/collab";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { scopeOf, submittedNewSegment } from "../helpers/governance";
import { makeDraftProposal } from "../helpers/segments";

/**
 * SIGTERM on a web instance (a single one, without REDIS_URL): it stops accepting connections,
 * lets a request already in flight finish, stores the co-edits it has received and not yet
 * stored, closes its sockets (the clients go offline and would reconnect elsewhere) and exits 0.
 */

let database: TestDatabase;
let w: FactoryWorkspace;
let instance: Instance;

beforeAll(async () => {
  database = await createTestDatabase();
  w = await makeWorkspace(database.db, "Scale Drain");
  instance = await startInstance(database);
}, 60_000);
afterAll(async () => {
  await instance?.kill();
  await database?.drop();
});

/** A POST whose body is sent in two halves, `between` running after the first. */
function slowPost(url: string, path: string, headers: Record<string, string>, body: string, between: () => Promise<void>) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    // Let the server read the headers: from then on the request is in flight.
    setTimeout(() => {
      between().then(() => req.end(body.slice(half)), reject);
    }, 200);
  });
}

describe("SIGTERM", () => {
  it("finishes the request in flight, stores pending co-edits, closes sockets and exits 0", async () => {
    const { proposalId } = await submittedNewSegment(scopeOf(w, "analyst"), "Voted during the drain", {
      combinator: "and",
      children: [{ id: "f", op: "gte", field: "frequency", value: 2 }],
    });
    const draft = await makeDraftProposal(database.db, w, { name: "Drained" });
    const target = { tenantId: w.tenantId, doc: draft.doc };
    const editor = collabClient(instance.url, w.owner, target);
    const watcher = collabClient(instance.url, w.members.admin, target);
    const clients: CollabProvider[] = [editor, watcher];
    try {
      await Promise.all(clients.map((p) => p.whenSynced()));
      let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;
      const vote = await slowPost(
        instance.url,
        "/trpc/segments.vote",
        { "content-type": "application/json", cookie: cookieOf(w.members.committee), origin: instance.url },
        JSON.stringify({ proposalId, vote: "approve", reason: "Cast while the instance drains" }),
        async () => {
          // Edits the server has received (it relays them at once) but most likely not yet
          // stored (batches are written ~20 ms later) when the signal arrives.
          for (let i = 0; i < 40; i++) addCondition(editor.doc, { id: `pending-${i}`, op: "gte", field: "frequency", value: i });
          await eventually(() => conditionIds(watcher.doc).length === 40, "the server relays every edit");
          exit = instance.terminate();
          // The listener closes at once: a new connection is refused.
          await eventually(
            () =>
              fetch(`${instance.url}/healthz`).then(
                () => false,
                () => true,
              ),
            "the instance stops accepting connections",
          );
        },
      );
      expect(vote.status).toBe(200);
      // One approval decides under the default rule: the request also published the segment.
      expect(JSON.parse(vote.text)).toMatchObject({ result: { data: { status: "approved" } } });

      expect(await exit!).toEqual({ code: 0, signal: null });
      await eventually(() => clients.every((p) => p.status === "offline"), "the clients are disconnected");
      // Closed as a restart, not sent away: they keep trying (and would reach another instance).
      expect(clients.every((p) => p.reconnecting)).toBe(true);

      const stored = await storedDoc(database, w.tenantId, draft.doc);
      expect(conditionIds(stored)).toHaveLength(40);
      expect(conditionIds(stored)).toEqual(conditionIds(editor.doc));
      const { rows } = await database.ownerQuery<{ vote: string }>("select vote from proposal_votes where tenant_id = $1 and proposal_id = $2", [
        w.tenantId,
        proposalId,
      ]);
      expect(rows).toEqual([{ vote: "approve" }]);
      const proposal = await database.ownerQuery<{ status: string }>("select status from segment_proposals where tenant_id = $1 and id = $2", [w.tenantId, proposalId]);
      expect(proposal.rows).toEqual([{ status: "approved" }]);
      expect(instance.output()).not.toMatch(/"level":(50|60)/);
    } finally {
      for (const p of clients) p.destroy();
    }
  });
});
