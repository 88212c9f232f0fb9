/**
 * Live monitoring events over a real socket: members who may read monitoring follow their own
 * workspace's `monitoring/<workspace>` topic (contributors may not, nobody may follow another
 * workspace's), and a finished drift or bias run reaches them once committed — and nobody else.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LiveClient, LiveListener } from "../../app/live/client";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { queueRun, runBiasAudit, runDriftMonitor } from "../../server/services/monitoring";
import { eventually } from "../helpers/collab";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedMonitoringCustomers } from "../helpers/monitoring";
import { liveClientFor, startSocketServer } from "../helpers/sessions";

let t: TestDatabase;
let server: Awaited<ReturnType<typeof startSocketServer>>;
let a: FactoryWorkspace;
let b: FactoryWorkspace;
const clients: LiveClient[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startSocketServer(t);
  a = await makeWorkspace(t.db, "Live Monitor Alpha");
  b = await makeWorkspace(t.db, "Live Monitor Beta");
  await seedMonitoringCustomers(t, a.tenantId, 300);
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await server.stop();
  await t.drop();
});

async function follow(user: FactoryWorkspace["owner"], tenantId: string, topic: string) {
  const c = liveClientFor(server.url, user);
  clients.push(c);
  const received: Parameters<LiveListener>[0][] = [];
  const sub = c.subscribe(tenantId, topic, (m) => received.push(m));
  return { received, result: await sub.result };
}

describe("the monitoring topic", () => {
  it("is open to roles with monitor:read in their own workspace only", async () => {
    for (const role of ["owner", "admin", "committee", "analyst", "viewer"] as const) {
      expect((await follow(a.members[role], a.tenantId, `monitoring/${a.tenantId}`)).result, role).toEqual({
        ok: true,
      });
    }
    expect((await follow(a.members.contributor, a.tenantId, `monitoring/${a.tenantId}`)).result.ok).toBe(false);
    // A's member naming B's workspace, or B's topic within A.
    expect((await follow(a.owner, b.tenantId, `monitoring/${b.tenantId}`)).result).toEqual({
      ok: false,
      error: expect.stringContaining("not a member of that workspace"),
    });
    expect((await follow(a.owner, a.tenantId, `monitoring/${b.tenantId}`)).result.ok).toBe(false);
  });

  it("delivers finished runs to the workspace's followers and to nobody else", async () => {
    const viewer = await follow(a.members.viewer, a.tenantId, `monitoring/${a.tenantId}`);
    const other = await follow(b.owner, b.tenantId, `monitoring/${b.tenantId}`);
    const drift = await t.db.withTenant(a.tenantId, (tx) =>
      queueRun(tx, a.tenantId, { kind: "drift", trigger: "demand", createdBy: null })
    );
    await runDriftMonitor(t.db, a.tenantId, drift);
    await eventually(() => viewer.received.length > 0, "the drift run arrived");
    expect(viewer.received[0]).toEqual({
      kind: "event",
      payload: { type: "run", kind: "drift", runId: drift, status: "completed" },
    });
    const bias = await t.db.withTenant(a.tenantId, (tx) =>
      queueRun(tx, a.tenantId, { kind: "bias", trigger: "demand", createdBy: null })
    );
    await runBiasAudit(t.db, a.tenantId, bias);
    await eventually(() => viewer.received.length > 1, "the bias run arrived");
    expect(viewer.received[1]).toEqual({
      kind: "event",
      payload: { type: "run", kind: "bias", runId: bias, status: "completed", worstBand: "none" },
    });
    expect(other.received).toEqual([]);
  });
});
