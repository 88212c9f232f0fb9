/**
 * Roll-ups through the real pg-boss worker and the live dashboards topic: members who may read
 * dashboards follow their own workspace's `dashboards/<workspace>` topic (nobody may follow
 * another workspace's); a rebuild asked for through tRPC is run by the worker, its progress and
 * outcome are readable through kpis.status, and its completion reaches the workspace's open
 * dashboards once committed — and nobody else.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LiveClient, LiveListener } from "../../app/live/client";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { createLogger } from "../../server/logger";
import { startWorkers } from "../../workers/runtime";
import { callerFor, jobsFor } from "../helpers/callers";
import { eventually } from "../helpers/collab";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { liveClientFor, startSocketServer } from "../helpers/sessions";

let t: TestDatabase;
let server: Awaited<ReturnType<typeof startSocketServer>>;
let a: FactoryWorkspace;
let b: FactoryWorkspace;
const clients: LiveClient[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startSocketServer(t);
  a = await makeWorkspace(t.db, "Live Dashboards Alpha", jobsFor(t.db));
  b = await makeWorkspace(t.db, "Live Dashboards Beta", jobsFor(t.db));
}, 60_000);
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

describe("the dashboards topic", () => {
  it("is open to every role of the workspace and to nobody outside it", async () => {
    for (const role of ["owner", "admin", "committee", "analyst", "contributor", "viewer"] as const) {
      expect((await follow(a.members[role], a.tenantId, `dashboards/${a.tenantId}`)).result, role).toEqual({ ok: true });
    }
    expect((await follow(a.owner, b.tenantId, `dashboards/${b.tenantId}`)).result).toEqual({
      ok: false,
      error: expect.stringContaining("not a member of that workspace"),
    });
    expect((await follow(a.owner, a.tenantId, `dashboards/${b.tenantId}`)).result.ok).toBe(false);
  });

  it("tells open dashboards when the worker has rolled up, after commit, in their workspace only", async () => {
    const viewer = await follow(a.members.viewer, a.tenantId, `dashboards/${a.tenantId}`);
    const other = await follow(b.owner, b.tenantId, `dashboards/${b.tenantId}`);
    const { caller: analyst } = await callerFor(t.db, a.members.analyst.token, { tenantId: a.tenantId });
    const { caller: viewerCaller } = await callerFor(t.db, a.members.viewer.token, { tenantId: a.tenantId });
    const workers = await startWorkers({ appUrl: t.appUrl, db: t.db, logger: createLogger("silent") });
    try {
      const { runId } = await analyst.kpis.rebuild();
      await eventually(() => viewer.received.some((m) => JSON.stringify(m).includes(runId)), "the rebuild's completion arrived", 30_000);
      expect(viewer.received.find((m) => JSON.stringify(m).includes(runId))).toEqual({
        kind: "event",
        payload: { type: "rollup", runId, trigger: "rebuild", status: "completed" },
      });
      const status = await viewerCaller.kpis.status();
      expect(status.latest).toMatchObject({ id: runId, status: "completed", progress: 1, step: "done", error: null });
      expect(status.latest!.rowsWritten).toBeGreaterThan(0);
      const d = await viewerCaller.kpis.dashboard({ grain: "month" });
      expect(d.period).not.toBeNull();
      expect(d.cells.some((c) => c.value !== null && c.value > 0)).toBe(true);
      expect(other.received.filter((m) => JSON.stringify(m).includes(runId))).toEqual([]);
    } finally {
      await workers.stop();
    }
  }, 60_000);
});
