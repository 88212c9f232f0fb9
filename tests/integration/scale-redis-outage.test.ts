import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CollabProvider } from "../../app/collab/provider";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { startInstance, uniqueRedisPrefix, type Instance } from "../helpers/cluster";
import { addCondition, collabClient, conditionIds, converged, eventually, storedDoc } from "../helpers/collab";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { makeDraftProposal } from "../helpers/segments";

/**
 * Redis goes away and comes back while two web instances run on it (a redis-server of this
 * test's own on a free port; the machine's Redis is never touched): each instance keeps serving
 * its own co-editors, cross-instance delivery resumes once Redis is back, and every acknowledged
 * edit is in PostgreSQL.
 */

let database: TestDatabase;
let w: FactoryWorkspace;
let one: Instance;
let two: Instance;
let port: number;
let redis: ChildProcess | null = null;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function startRedis(): Promise<void> {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  redis = child;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("redis-server did not start")), 10_000);
    child.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited ${code}`)));
  });
}

async function stopRedis(): Promise<void> {
  const child = redis;
  redis = null;
  if (!child || child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  w = await makeWorkspace(database.db, "Redis Outage");
  port = await freePort();
  await startRedis();
  const r = { url: `redis://127.0.0.1:${port}`, prefix: uniqueRedisPrefix() };
  [one, two] = await Promise.all([startInstance(database, { redis: r }), startInstance(database, { redis: r })]);
}, 90_000);
afterAll(async () => {
  await Promise.all([one?.terminate(), two?.terminate()]);
  await stopRedis();
  await database?.drop();
});

const frequency = (id: string, value: number) => ({ id, op: "gte" as const, field: "frequency" as const, value });

describe("Redis away and back under two instances", () => {
  it("keeps each instance serving its clients, resumes cross-instance delivery, and loses no acknowledged edit", async () => {
    const draft = await makeDraftProposal(database.db, w, { name: "Through an outage" });
    const target = { tenantId: w.tenantId, doc: draft.doc };
    const a = collabClient(one.url, w.owner, target);
    const a2 = collabClient(one.url, w.members.analyst, target);
    const b = collabClient(two.url, w.members.committee, target);
    const b2 = collabClient(two.url, w.members.admin, target);
    const clients: CollabProvider[] = [a, a2, b, b2];
    try {
      await Promise.all(clients.map((p) => p.whenSynced()));
      addCondition(a.doc, frequency("before", 1));
      await eventually(() => conditionIds(b.doc).includes("before"), "an edit crosses instances before the outage");

      await stopRedis();
      // Each instance keeps serving its own clients while Redis is away.
      addCondition(a.doc, frequency("during-one", 2));
      addCondition(b.doc, frequency("during-two", 3));
      await eventually(() => conditionIds(a2.doc).includes("during-one"), "instance one serves its clients without Redis");
      await eventually(() => conditionIds(b2.doc).includes("during-two"), "instance two serves its clients without Redis");
      await Promise.all([a.whenAcked(), b.whenAcked()]);

      await startRedis();
      addCondition(a.doc, frequency("after", 4));
      await eventually(() => conditionIds(b.doc).includes("after"), "cross-instance delivery resumes once Redis is back", 30_000).catch((err: Error) => {
        throw new Error(`${err.message}\n--- instance one:\n${one.output().slice(-3000)}\n--- instance two:\n${two.output().slice(-3000)}`);
      });
      await Promise.all(clients.map((p) => p.whenAcked()));
      // Every acknowledged edit, including those made while Redis was away, is stored.
      const stored = await storedDoc(database, w.tenantId, draft.doc);
      for (const id of ["before", "during-one", "during-two", "after"]) expect(conditionIds(stored)).toContain(id);
      // A newcomer on either instance loads all of it.
      const late = collabClient(two.url, w.members.analyst, target);
      clients.push(late);
      await late.whenSynced();
      for (const id of ["before", "during-one", "during-two", "after"]) expect(conditionIds(late.doc)).toContain(id);
      // Instance two's clients get the edits instance one's clients made while Redis was away.
      await eventually(() => converged(clients.map((p) => p.doc)), "every replica converges after the outage", 30_000);
    } finally {
      for (const p of clients) p.destroy();
    }
  }, 120_000);
});
