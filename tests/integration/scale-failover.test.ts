import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CollabProvider } from "../../app/collab/provider";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { metaOf } from "../../server/services/segments/draft-doc";
import { clearRedisPrefix, startInstance, TEST_REDIS_URL, uniqueRedisPrefix, type Instance } from "../helpers/cluster";
import { addCondition, collabClient, conditionIds, contentOf, converged, eventually, storedDoc } from "../helpers/collab";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startProxy, type TestProxy } from "../helpers/proxy";
import { makeDraftProposal } from "../helpers/segments";

/**
 * Kill -9 of a web instance in the middle of co-editing, behind a round-robin load balancer:
 * its clients reconnect through the balancer to the surviving instance, resync, and every edit
 * that had been acknowledged (by either instance) is in PostgreSQL afterwards — and, once the
 * clients have resent what was never acknowledged, everything they hold.
 */

let database: TestDatabase;
let w: FactoryWorkspace;
let one: Instance;
let two: Instance;
let proxy: TestProxy;
const prefix = uniqueRedisPrefix();

beforeAll(async () => {
  database = await createTestDatabase();
  w = await makeWorkspace(database.db, "Scale Failover");
  const redis = { url: TEST_REDIS_URL, prefix };
  [one, two] = await Promise.all([startInstance(database, { redis }), startInstance(database, { redis })]);
  proxy = await startProxy([one.port, two.port]);
}, 90_000);
afterAll(async () => {
  await proxy?.close();
  await Promise.all([one?.kill(), two?.terminate()]);
  await clearRedisPrefix(prefix);
  await database?.drop();
});

const frequency = (id: string, value: number) => ({ id, op: "gte" as const, field: "frequency" as const, value });

describe("a web instance killed during co-editing", () => {
  it("moves its clients to the other instance and loses no acknowledged edit", async () => {
    const draft = await makeDraftProposal(database.db, w, { name: "Failover" });
    const target = { tenantId: w.tenantId, doc: draft.doc };
    const clients: CollabProvider[] = [];
    try {
      // One at a time, so the balancer's round robin puts a on instance one and b on two.
      const a = collabClient(proxy.url, w.owner, target);
      clients.push(a);
      await a.whenSynced();
      const b = collabClient(proxy.url, w.members.committee, target);
      clients.push(b);
      await b.whenSynced();
      expect(proxy.routed).toEqual([one.port, two.port]);

      for (let i = 0; i < 10; i++) {
        addCondition(a.doc, frequency(`acked-a-${i}`, i));
        addCondition(b.doc, frequency(`acked-b-${i}`, i));
      }
      metaOf(a.doc).set("name", "Acknowledged before the crash");
      await Promise.all(clients.map((p) => p.whenAcked()));
      await eventually(() => converged([a.doc, b.doc]), "both replicas hold every acknowledged edit");
      const acknowledged = conditionIds(a.doc);
      expect(acknowledged).toHaveLength(20);

      // Edits still on their way when instance one dies without any chance to store them.
      for (let i = 0; i < 5; i++) addCondition(a.doc, frequency(`in-flight-a-${i}`, i));
      addCondition(b.doc, frequency("in-flight-b", 1));
      // What a's page shows meanwhile: offline, reconnecting by itself (SaveStatus "Reconnecting…").
      let sawReconnecting = false;
      const unsubscribe = a.subscribe(() => {
        if (a.status === "offline" && a.reconnecting) sawReconnecting = true;
      });
      await one.kill();
      expect(one.child.signalCode).toBe("SIGKILL");

      // Acknowledged means stored: all of it is in PostgreSQL with instance one gone.
      const afterCrash = await storedDoc(database, w.tenantId, draft.doc);
      expect(conditionIds(afterCrash)).toEqual(expect.arrayContaining(acknowledged));
      expect(metaOf(afterCrash).get("name")).toBe("Acknowledged before the crash");

      // a reconnects through the balancer, which skips the dead instance; both keep editing.
      await eventually(() => proxy.routed.length >= 3 && a.status === "synced", "a is back, on instance two", 20_000);
      expect(proxy.routed.slice(2).every((port) => port === two.port)).toBe(true);
      unsubscribe();
      expect(sawReconnecting).toBe(true);
      expect(a.reconnecting).toBe(false);
      addCondition(a.doc, frequency("after-failover-a", 7));
      addCondition(b.doc, frequency("after-failover-b", 8));
      await eventually(() => converged([a.doc, b.doc]), "the replicas converge on instance two", 15_000);
      await Promise.all(clients.map((p) => p.whenAcked()));

      const stored = await storedDoc(database, w.tenantId, draft.doc);
      expect(contentOf(stored)).toEqual(contentOf(a.doc));
      expect(conditionIds(stored)).toEqual(
        expect.arrayContaining([...acknowledged, ...[0, 1, 2, 3, 4].map((i) => `in-flight-a-${i}`), "in-flight-b", "after-failover-a", "after-failover-b"]),
      );

      // A newcomer reads it all back from instance two.
      const late = collabClient(two.url, w.members.analyst, target);
      clients.push(late);
      await late.whenSynced();
      expect(contentOf(late.doc)).toEqual(contentOf(a.doc));
    } finally {
      for (const p of clients) p.destroy();
    }
  });
});
