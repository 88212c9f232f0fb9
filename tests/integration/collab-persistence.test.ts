import { createServer, type Server } from "node:http";
import * as encoding from "lib0/encoding";
import pino from "pino";
import { io, type Socket } from "socket.io-client";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CollabProvider } from "../../app/collab/provider";
import type { Database } from "../../db/client";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { attachCollab, type Collab } from "../../server/collab/server";
import { addCondition, collabClient, conditionIds, contentOf, cookieOf, eventually, storedDoc } from "../helpers/collab";
import { jobsFor, testConfig } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { makeDraftProposal } from "../helpers/segments";

/**
 * The storage side of co-editing on a bare HTTP server (no UI), with the database behind a
 * switch that can make the next transactions fail, a short batch delay and a low compaction
 * threshold.
 */
let database: TestDatabase;
let http: Server;
let collab: Collab;
let url: string;
let w: FactoryWorkspace;
let failNext = 0;
let failNextHandshake = 0;
const logged: { level: number; msg: string }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  w = await makeWorkspace(database.db, "Collab Storage");
  const db: Database = {
    ...database.db,
    withTenant(tenantId, fn, options) {
      if (failNext > 0) {
        failNext--;
        return Promise.reject(new Error("connection to the database was lost (injected)"));
      }
      return database.db.withTenant(tenantId, fn, options);
    },
    withoutTenant(fn) {
      if (failNextHandshake > 0) {
        failNextHandshake--;
        return Promise.reject(new Error("connection to the database was lost (injected)"));
      }
      return database.db.withoutTenant(fn);
    },
  };
  const logger = pino({ level: "warn" }, { write: (line: string) => void logged.push(JSON.parse(line) as (typeof logged)[number]) });
  http = createServer();
  collab = attachCollab(http, { db, config: testConfig, logger, jobs: jobsFor(database.db) }, { persistence: { flushDelayMs: 5, compactAfter: 5 } });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const address = http.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(async () => {
  await collab.close();
  await database.drop();
});

async function writer(doc: string): Promise<CollabProvider> {
  const client = collabClient(url, w.members.analyst, { tenantId: w.tenantId, doc });
  await client.whenSynced();
  return client;
}

const frequency = (id: string, value: number) => ({ id, op: "gte" as const, field: "frequency" as const, value });

describe("storing co-edited changes", () => {
  it("retries a batch that failed, logging it, and acknowledges only once it is stored", async () => {
    const draft = await makeDraftProposal(database.db, w);
    const client = await writer(draft.doc);
    try {
      failNext = 2;
      addCondition(client.doc, frequency("survives", 1));
      await eventually(() => failNext === 0, "both injected failures happened");
      expect(client.pending).toBe(1);
      expect(logged.filter((l) => l.msg.startsWith("storing co-edited changes failed"))).toHaveLength(2);
      await client.whenAcked();
      expect(conditionIds(await storedDoc(database, w.tenantId, draft.doc))).toEqual(["survives"]);
    } finally {
      client.destroy();
    }
  });

  it("compacts a long log into the snapshot without losing anything", async () => {
    const draft = await makeDraftProposal(database.db, w);
    const client = await writer(draft.doc);
    try {
      for (let i = 0; i < 12; i++) {
        addCondition(client.doc, frequency(`c${i}`, i));
        await client.whenAcked();
      }
      const rows = async () =>
        (
          await database.ownerQuery<{ n: number; snapshots: number }>(
            "select (select count(*)::int from collab_updates where tenant_id = $1 and doc = $2) as n, (select count(*)::int from collab_snapshots where tenant_id = $1 and doc = $2) as snapshots",
            [w.tenantId, draft.doc],
          )
        ).rows[0];
      await eventually(async () => (await rows()).snapshots === 1, "a snapshot is written");
      expect((await rows()).n).toBeLessThan(12);
      expect(contentOf(await storedDoc(database, w.tenantId, draft.doc))).toEqual(contentOf(client.doc));
    } finally {
      client.destroy();
    }
  });

  it("stores a document's queue when its last socket leaves", async () => {
    const draft = await makeDraftProposal(database.db, w);
    const socket: Socket = io(url, { transports: ["websocket"], extraHeaders: { cookie: cookieOf(w.members.analyst) }, reconnection: false });
    try {
      expect(await socket.emitWithAck("join", { tenantId: w.tenantId, doc: draft.doc })).toMatchObject({ ok: true, access: "write" });
      const change = await storedDoc(database, w.tenantId, draft.doc);
      const before = Y.encodeStateVector(change);
      addCondition(change, frequency("left-behind", 1));
      const encoder = encoding.createEncoder();
      syncProtocol.writeUpdate(encoder, Y.encodeStateAsUpdate(change, before));
      failNext = 1; // the first attempt fails: only the unloading room's retries can store it
      socket.emit("sync", `${w.tenantId}/${draft.doc}`, encoding.toUint8Array(encoder));
      socket.emit("leave", `${w.tenantId}/${draft.doc}`);
      await eventually(async () => conditionIds(await storedDoc(database, w.tenantId, draft.doc)).includes("left-behind"), "the change is stored");
    } finally {
      socket.disconnect();
    }
  });

  it("lets a client connect again after its session could not be checked for a passing reason", async () => {
    const draft = await makeDraftProposal(database.db, w);
    failNextHandshake = 1;
    const client = collabClient(url, w.members.analyst, { tenantId: w.tenantId, doc: draft.doc });
    try {
      await eventually(() => client.error !== null, "the first attempt is refused");
      expect(client.error).toMatch(/could not be checked just now/);
      await client.whenSynced();
      expect(client.error).toBeNull();
      expect(logged.some((l) => l.msg === "checking a co-editing connection failed")).toBe(true);
    } finally {
      client.destroy();
    }
  });

  it("stores what is pending when the server closes", async () => {
    const draft = await makeDraftProposal(database.db, w);
    const client = await writer(draft.doc);
    const other = await writer(draft.doc);
    const logsBefore = logged.length;
    try {
      failNext = 1; // the first attempt fails: the change is still waiting for a retry when the server closes
      addCondition(client.doc, frequency("last-words", 1));
      await eventually(() => conditionIds(other.doc).includes("last-words") && failNext === 0, "the edit reached the server, and its batch failed");
      expect(client.pending).toBe(1);
      await collab.close();
      expect(conditionIds(await storedDoc(database, w.tenantId, draft.doc))).toEqual(["last-words"]);
      expect(logged.slice(logsBefore).filter((l) => l.level >= 50 && !l.msg.startsWith("storing co-edited changes failed"))).toEqual([]);
    } finally {
      client.destroy();
      other.destroy();
    }
  });
});
