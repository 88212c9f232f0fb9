import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CollabProvider } from "../../app/collab/provider";
import type { LiveClient } from "../../app/live/client";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { createApiKey, KEY_CACHE_MS, revokeApiKey } from "../../server/services/api-keys";
import { metaOf } from "../../server/services/segments/draft-doc";
import { clearRedisPrefix, startInstance, TEST_REDIS_URL, uniqueRedisPrefix, type Instance } from "../helpers/cluster";
import { addCondition, collabClient, conditionIds, contentOf, converged, cookieOf, eventually, storedDoc } from "../helpers/collab";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { scopeOf, submittedNewSegment } from "../helpers/governance";
import { makeDraftProposal } from "../helpers/segments";
import { liveClientFor } from "../helpers/sessions";

/**
 * Two real web instances (separate processes on two ports) sharing PostgreSQL and a Redis
 * under a prefix of this file's own: co-editors on different instances see each other's edits
 * and presence, converge, and what is stored is what they see; a vote cast through one
 * instance reaches a live subscriber on the other once (decision 014).
 */

let database: TestDatabase;
let w: FactoryWorkspace;
let one: Instance;
let two: Instance;
const prefix = uniqueRedisPrefix();

beforeAll(async () => {
  database = await createTestDatabase();
  w = await makeWorkspace(database.db, "Scale Cluster");
  const redis = { url: TEST_REDIS_URL, prefix };
  [one, two] = await Promise.all([startInstance(database, { redis }), startInstance(database, { redis })]);
}, 90_000);
afterAll(async () => {
  await Promise.all([one?.terminate(), two?.terminate()]);
  await clearRedisPrefix(prefix);
  await database?.drop();
});

const frequency = (id: string, value: number) => ({ id, op: "gte" as const, field: "frequency" as const, value });

describe("two web instances behind one Redis", () => {
  it("lets co-editors on different instances edit one draft and converge, in memory and in PostgreSQL", async () => {
    const draft = await makeDraftProposal(database.db, w, { name: "Across instances" });
    const target = { tenantId: w.tenantId, doc: draft.doc };
    const a = collabClient(one.url, w.owner, target);
    const b = collabClient(two.url, w.members.committee, target);
    const c = collabClient(two.url, w.members.analyst, target);
    const clients: CollabProvider[] = [a, b, c];
    try {
      await Promise.all(clients.map((p) => p.whenSynced()));
      // Presence crosses instances: the owner on instance one sees both people on instance two.
      await eventually(() => a.peers.length === 2 && b.peers.some((p) => p.user.id === w.owner.id), "presence reaches the other instance");

      addCondition(a.doc, frequency("from-one", 1));
      await eventually(() => conditionIds(b.doc).includes("from-one") && conditionIds(c.doc).includes("from-one"), "an edit on one reaches two");
      addCondition(b.doc, frequency("from-two", 2));
      await eventually(() => conditionIds(a.doc).includes("from-two"), "an edit on two reaches one");

      // Concurrent edits on both sides, then a rename on each: every replica ends the same.
      for (let i = 0; i < 10; i++) {
        addCondition(a.doc, frequency(`a-${i}`, i));
        addCondition(b.doc, frequency(`b-${i}`, i));
        addCondition(c.doc, frequency(`c-${i}`, i));
      }
      metaOf(a.doc).set("name", "Renamed on one");
      metaOf(c.doc).set("description", "Described on two");
      await eventually(() => converged(clients.map((p) => p.doc)), "the three replicas converge");
      await Promise.all(clients.map((p) => p.whenAcked()));

      const stored = await storedDoc(database, w.tenantId, draft.doc);
      expect(contentOf(stored)).toEqual(contentOf(a.doc));
      expect(conditionIds(stored)).toHaveLength(32);
      expect(metaOf(stored).get("description")).toBe("Described on two");

      // Each instance stored only its own sockets' changes: no update row is written twice.
      const { rows } = await database.ownerQuery<{ n: number; distinct_n: number }>(
        "select count(*)::int as n, count(distinct md5(update))::int as distinct_n from collab_updates where tenant_id = $1 and doc = $2",
        [w.tenantId, draft.doc],
      );
      expect(rows[0].n).toBe(rows[0].distinct_n);

      // A newcomer on instance one after all this loads the same document.
      const late = collabClient(one.url, w.members.admin, target);
      clients.push(late);
      await late.whenSynced();
      expect(contentOf(late.doc)).toEqual(contentOf(b.doc));
    } finally {
      for (const p of clients) p.destroy();
    }
  });

  it("gives a document opened on the second instance the edits the first has not stored yet", async () => {
    const draft = await makeDraftProposal(database.db, w, { name: "Opened later" });
    const target = { tenantId: w.tenantId, doc: draft.doc };
    const a = collabClient(one.url, w.owner, target);
    const clients: CollabProvider[] = [a];
    try {
      await a.whenSynced();
      for (let i = 0; i < 20; i++) addCondition(a.doc, frequency(`early-${i}`, i));
      // Opened on two while one may still be storing: the hello to one fills the gap.
      const b = collabClient(two.url, w.members.committee, target);
      clients.push(b);
      await b.whenSynced();
      await eventually(() => converged([a.doc, b.doc]), "the late opener converges");
      expect(conditionIds(b.doc)).toHaveLength(20);
    } finally {
      for (const p of clients) p.destroy();
    }
  });

  it("delivers a vote cast through one instance, once, to a live subscriber on the other", async () => {
    const { proposalId } = await submittedNewSegment(scopeOf(w, "analyst"), "Voted across instances", {
      combinator: "and",
      children: [frequency("f", 2)],
    });
    const watchers: LiveClient[] = [liveClientFor(two.url, w.owner), liveClientFor(one.url, w.members.viewer)];
    try {
      const received: unknown[][] = [[], []];
      const subs = watchers.map((c, i) => c.subscribe(w.tenantId, `proposal/${proposalId}`, (m) => received[i].push(m)));
      for (const s of subs) expect(await s.result).toEqual({ ok: true });

      const res = await fetch(`${one.url}/trpc/segments.vote`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: cookieOf(w.members.committee), origin: one.url },
        body: JSON.stringify({ proposalId, vote: "approve", reason: "Looks right across instances" }),
      });
      expect(res.status).toBe(200);

      const vote = { kind: "event", payload: expect.objectContaining({ type: "vote", approvals: 1 }) };
      await eventually(() => received.every((r) => r.length > 0), "both instances relay the vote");
      // Give a duplicate (one relay per instance through the adapter) the time to show up.
      await new Promise((r) => setTimeout(r, 300));
      expect(received[0]).toEqual([vote]);
      expect(received[1]).toEqual([vote]);
    } finally {
      for (const c of watchers) c.close();
    }
  });

  it("refuses a revoked API key on every instance at once, not after their cache expires", async () => {
    const { id, key } = await createApiKey(w.ownerScope, { name: "Across instances", scopes: ["memberships:read"] });
    const call = (instance: Instance) => fetch(`${instance.url}/api/v1/segments`, { headers: { authorization: `Bearer ${key}` } });
    // Both instances have the key in their cache now.
    expect((await call(one)).status).toBe(200);
    expect((await call(two)).status).toBe(200);

    const revokedAt = Date.now();
    await revokeApiKey(scopeOf(w, "owner"), { keyId: id });
    await eventually(async () => (await call(one)).status === 401 && (await call(two)).status === 401, "both instances refuse the key");
    // Well inside the cache's lifetime: the revocation's NOTIFY did it, not the expiry.
    expect(Date.now() - revokedAt).toBeLessThan(KEY_CACHE_MS);
    const refused = await call(two);
    expect(await refused.json()).toMatchObject({ error: { code: "UNAUTHENTICATED", message: expect.stringContaining("has been revoked") } });
  });
});
