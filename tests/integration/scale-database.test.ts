import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveClient } from "../../app/live/client";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { publishLive } from "../../server/live/publish";
import { AUDIT_LOCK_CLASS } from "../../server/services/audit";
import { startInstance, type Instance } from "../helpers/cluster";
import { cookieOf, eventually } from "../helpers/collab";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startProxy, type TestProxy } from "../helpers/proxy";
import { liveClientFor } from "../helpers/sessions";

/**
 * PostgreSQL faults under a real web instance: its connections cut in the middle of a request
 * (pg_terminate_backend of the app's backends), and PostgreSQL unreachable for a while (the
 * network path to it closed). Requests fail cleanly with a clear 503, a multi-row write is all or
 * nothing, and the instance recovers by itself: the pool, the health check and the LISTEN
 * connection that carries live events.
 */

let database: TestDatabase;
let w: FactoryWorkspace;
let pgPath: TestProxy;
let instance: Instance;
let pgPort: number;

beforeAll(async () => {
  database = await createTestDatabase();
  w = await makeWorkspace(database.db, "Scale Database");
  // The instance reaches PostgreSQL through a TCP path the test can cut and restore.
  const owner = new URL(database.ownerUrl);
  pgPath = await startProxy([Number(owner.port || 5432)]);
  pgPort = pgPath.port;
  owner.hostname = "127.0.0.1";
  owner.port = String(pgPort);
  instance = await startInstance({ ...database, ownerUrl: owner.toString() });
}, 60_000);
afterAll(async () => {
  await instance?.kill();
  await pgPath?.close();
  await database?.drop();
});

async function trpc(path: string, input: unknown, user = w.members.analyst) {
  const res = await fetch(`${instance.url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: cookieOf(user), origin: instance.url },
    body: JSON.stringify(input),
  });
  return { status: res.status, text: await res.text() };
}

const DB_MESSAGE = "The database is unreachable; retrying. Try again in a moment.";

async function rowsNamed(name: string) {
  const { rows } = await database.ownerQuery<{ segments: number; proposals: number; audit: number }>(
    `select (select count(*)::int from segments where tenant_id = $1 and name = $2) as segments,
            (select count(*)::int from segment_proposals p join segments s on s.tenant_id = p.tenant_id and s.id = p.segment_id
              where p.tenant_id = $1 and s.name = $2) as proposals,
            (select count(*)::int from audit_log where tenant_id = $1 and action = 'proposal.create') as audit`,
    [w.tenantId, name],
  );
  return rows[0];
}

describe("PostgreSQL connections cut mid-request", () => {
  it("fails the request cleanly, writes none of it, and serves the next one", async () => {
    const before = await rowsNamed("Cut mid-request");
    // Hold the audit log's lock: the proposal's rows are written, then the request waits for it.
    const blocker = new pg.Client({ connectionString: database.ownerUrl });
    await blocker.connect();
    try {
      await blocker.query("select pg_advisory_lock($1, hashtext($2))", [AUDIT_LOCK_CLASS, w.tenantId]);
      const pending = trpc("segments.createProposal", { kind: "create", name: "Cut mid-request", rules: { combinator: "and", children: [] } });
      await eventually(async () => {
        const { rows } = await database.ownerQuery(
          "select 1 from pg_stat_activity where datname = $1 and usename = 'quorum_app' and wait_event_type = 'Lock'",
          [database.name],
        );
        return rows.length > 0;
      }, "the request waits for the audit lock, its other rows written");

      const { rows: cut } = await database.ownerQuery<{ n: number }>(
        "select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and usename = 'quorum_app' and pid <> pg_backend_pid()",
        [database.name],
      );
      expect(cut[0].n).toBeGreaterThan(0);
      const failed = await pending;
      expect(failed.status).toBe(503);
      expect(JSON.parse(failed.text)).toMatchObject({ error: { message: DB_MESSAGE, data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 } } });
      expect(failed.text).not.toMatch(/\bat .*\.(ts|js):\d+|terminating connection|stack/i);
    } finally {
      await blocker.query("select pg_advisory_unlock_all()");
      await blocker.end();
    }
    // All or nothing: no segment, no proposal, no draft, no audit entry of the cut request.
    expect(await rowsNamed("Cut mid-request")).toEqual(before);

    // The pool replaced its connections: the next request succeeds, and /healthz is fine.
    const next = await trpc("segments.createProposal", { kind: "create", name: "After the cut", rules: { combinator: "and", children: [] } });
    expect(next.status).toBe(200);
    expect(await rowsNamed("After the cut")).toEqual({ segments: 1, proposals: 1, audit: before.audit + 1 });
    const health = await fetch(`${instance.url}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe("PostgreSQL unreachable for a while", () => {
  it("answers 503 with a clear message at once, says so on /healthz, and recovers by itself with live events", async () => {
    const watcher: LiveClient = liveClientFor(instance.url, w.owner);
    try {
      const sub = watcher.subscribe(w.tenantId, `monitoring/${w.tenantId}`, () => {});
      expect(await sub.result).toEqual({ ok: true });

      await pgPath.close();
      const first = await trpc("segments.createProposal", { kind: "create", name: "While down", rules: { combinator: "and", children: [] } });
      expect(first.status).toBe(503);
      expect(JSON.parse(first.text)).toMatchObject({ error: { message: DB_MESSAGE } });
      // The instance now knows: it answers every request at once, pages with a page that retries.
      await eventually(() => instance.output().includes("the database is unreachable: answering 503 until it is back"), "the instance marks the database down");
      const page = await fetch(`${instance.url}/segments`, { headers: { cookie: cookieOf(w.owner), accept: "text/html" } });
      expect(page.status).toBe(503);
      expect(page.headers.get("retry-after")).toBe("5");
      expect(await page.text()).toContain("The database is unreachable");
      const api = await fetch(`${instance.url}/api/v1/segments`, { headers: { authorization: "Bearer qk_nothing" } });
      expect(api.status).toBe(503);
      expect(await api.json()).toEqual({ error: { code: "SERVICE_UNAVAILABLE", message: DB_MESSAGE } });
      const down = await fetch(`${instance.url}/healthz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: "unavailable", database: "unreachable", message: DB_MESSAGE });

      // The path comes back: nothing is restarted by hand.
      pgPath = await startProxy([Number(new URL(database.ownerUrl).port || 5432)], pgPort);
      await eventually(async () => (await fetch(`${instance.url}/healthz`)).status === 200, "/healthz is ok again", 20_000);
      const after = await trpc("segments.createProposal", { kind: "create", name: "After recovery", rules: { combinator: "and", children: [] } });
      expect(after.status).toBe(200);
      expect(await rowsNamed("While down")).toMatchObject({ segments: 0, proposals: 0 });

      // Live events flow again: the LISTEN connection reconnected (subscribers were told to resync).
      const received: unknown[] = [];
      watcher.subscribe(w.tenantId, `monitoring/${w.tenantId}`, (m) => received.push(m));
      await eventually(async () => {
        await database.db.withTenant(w.tenantId, (tx) => publishLive(tx, w.tenantId, `monitoring/${w.tenantId}`, { type: "probe" }));
        await new Promise((r) => setTimeout(r, 100));
        return received.some((m) => JSON.stringify(m).includes("probe"));
      }, "a live event published after the outage arrives", 20_000);
    } finally {
      watcher.close();
    }
  });
});
