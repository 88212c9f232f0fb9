import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { recordMaterialisationFailure } from "../../server/services/api";
import { decideProposal } from "../../server/services/segments";
import { scopeOf } from "../helpers/governance";
import { createApiKey, revokeApiKey } from "../../server/services/api-keys";
import { importFile } from "../../db/seed/data-factory";
import { jobsFor } from "../helpers/callers";
import { api, importScoredCustomers, republishScore, scoreSegment } from "../helpers/api";
import { startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
let a: FactoryWorkspace;
let b: FactoryWorkspace;
let keys: { all: string; read: string; exports: string; consent: string; revoked: string; b: string };
let aSegment: string;
let bSegment: string;
let aIds: string[];

/** Members of a segment's version, read as the owner straight from the interval table (the reference). */
async function reference(segmentId: string, version: number): Promise<string[]> {
  const { rows } = await server.database.ownerQuery<{ external_id: string }>(
    `select c.external_id from segment_memberships sm join customers c on c.tenant_id = sm.tenant_id and c.id = sm.customer_id
     where sm.segment_id = $1 and sm.from_version <= $2 and (sm.to_version is null or sm.to_version > $2) and not c.opted_out
     order by 1`,
    [segmentId, version],
  );
  return rows.map((r) => r.external_id);
}

beforeAll(async () => {
  server = await startTestServer();
  const db = server.database.db;
  a = await makeWorkspace(db, "Alpha API", jobsFor(db));
  b = await makeWorkspace(db, "Beta API", jobsFor(db));
  aIds = await importScoredCustomers(db, a, 40);
  await importScoredCustomers(db, b, 10, "B");
  aSegment = (await scoreSegment(a, "Alpha high scorers", 21)).segmentId;
  bSegment = (await scoreSegment(b, "Beta secret segment", 1)).segmentId;
  const key = async (w: FactoryWorkspace, scopes: ("memberships:read" | "consent:write" | "exports:read")[], name = "Test") =>
    (await createApiKey(w.ownerScope, { name, scopes })).key;
  const revoked = await createApiKey(a.ownerScope, { name: "Old CRM", scopes: ["memberships:read"] });
  await revokeApiKey(a.ownerScope, { keyId: revoked.id });
  keys = {
    all: await key(a, ["memberships:read", "consent:write", "exports:read"], "Everything"),
    read: await key(a, ["memberships:read"], "Reader"),
    exports: await key(a, ["exports:read"], "Exporter"),
    consent: await key(a, ["consent:write"], "Consent"),
    revoked: revoked.key,
    b: await key(b, ["memberships:read", "consent:write", "exports:read"], "Beta all"),
  };
});
afterAll(() => server.stop());

describe("API keys", () => {
  it("refuses a missing, malformed, unknown, forged or revoked key with 401 and a JSON error that says why", async () => {
    const missing = await api(server.url, "/segments", null);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    expect(missing.json.error).toEqual({ code: "UNAUTHENTICATED", message: expect.stringContaining("Authorization header") });

    const malformed = await api(server.url, "/segments", "not-a-key");
    expect(malformed.status).toBe(401);
    expect(malformed.json.error?.message).toContain("not a Quorum API key");

    // Right shape, right workspace, wrong secret.
    const unknown = keys.read.slice(0, -4) + (keys.read.endsWith("AAAA") ? "BBBB" : "AAAA");
    const unknownAnswer = await api(server.url, "/segments", unknown);
    expect(unknownAnswer.status).toBe(401);
    expect(unknownAnswer.json.error?.message).toContain("not valid");

    // B's secret under A's workspace id: the workspace in the key scopes the lookup, so it is unknown.
    const forged = `qk_${a.tenantId.replace(/-/g, "")}_${keys.b.split("_").slice(2).join("_")}`;
    const forgedAnswer = await api(server.url, "/segments", forged);
    expect(forgedAnswer.status).toBe(401);

    const revoked = await api(server.url, "/segments", keys.revoked);
    expect(revoked.status).toBe(401);
    expect(revoked.json.error?.message).toContain("revoked");
    for (const r of [missing, malformed, unknownAnswer, forgedAnswer, revoked]) {
      expect(Object.keys(r.json)).toEqual(["error"]);
      expect(r.text).not.toMatch(/Alpha high scorers|Beta secret|at \//);
    }
  });

  it("refuses a key without the operation's scope with 403", async () => {
    const consentWithReader = await api(server.url, `/customers/${aIds[0]}/consent`, keys.read, { method: "POST", body: JSON.stringify({ optedOut: true }) });
    expect(consentWithReader.status).toBe(403);
    expect(consentWithReader.json.error).toEqual({ code: "FORBIDDEN", message: expect.stringContaining("consent:write") });
    expect((await api(server.url, `/segments/${aSegment}/members`, keys.read, { accept: "text/csv" })).status).toBe(403);
    expect((await api(server.url, `/segments/${aSegment}/members`, keys.exports)).status).toBe(403);
    expect((await api(server.url, "/segments", keys.consent)).status).toBe(403);
    // Nothing changed: the customer is still not opted out.
    const { rows } = await server.database.ownerQuery<{ opted_out: boolean }>(`select opted_out from customers where tenant_id = $1 and external_id = $2`, [a.tenantId, aIds[0]]);
    expect(rows[0].opted_out).toBe(false);
  });

  it("gives another workspace's key nothing of this one: 404 for its segments and customers, its own lists only", async () => {
    for (const path of [`/segments/${aSegment}`, `/segments/${aSegment}/members`, `/segments/${aSegment}/changes?since=0`, `/customers/${aIds[30]}/segments`]) {
      const r = await api(server.url, path, keys.b);
      expect(r.status, path).toBe(404);
      expect(r.text).not.toContain("Alpha");
    }
    const consent = await api(server.url, `/customers/${aIds[30]}/consent`, keys.b, { method: "POST", body: JSON.stringify({ optedOut: true }) });
    expect(consent.status).toBe(404);
    const list = await api(server.url, "/segments", keys.b);
    expect(list.status).toBe(200);
    expect((list.json.segments as { id: string }[]).map((s) => s.id)).toEqual([bSegment]);
    expect(list.text).not.toContain(aSegment);
  });

  it("records a key's last use, and at most about once a minute", async () => {
    await api(server.url, "/segments", keys.read);
    const first = await server.database.ownerQuery<{ last_used_at: Date }>(`select last_used_at from api_keys where tenant_id = $1 and name = 'Reader'`, [a.tenantId]);
    expect(first.rows[0].last_used_at).not.toBeNull();
    await api(server.url, "/segments", keys.read);
    const second = await server.database.ownerQuery<{ last_used_at: Date }>(`select last_used_at from api_keys where tenant_id = $1 and name = 'Reader'`, [a.tenantId]);
    expect(second.rows[0].last_used_at).toEqual(first.rows[0].last_used_at);
  });

  it("limits requests per key per minute with 429 and Retry-After", async () => {
    const limited = await startTestServer({ API_RATE_LIMIT_PER_MINUTE: "3" }, { database: server.database });
    try {
      const key = (await createApiKey(a.ownerScope, { name: "Chatty", scopes: ["memberships:read"] })).key;
      // Stay inside one minute window so the count is not reset halfway.
      if (Date.now() % 60_000 > 55_000) await new Promise((r) => setTimeout(r, 60_000 - (Date.now() % 60_000) + 50));
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof api>> | null = null;
      for (let i = 0; i < 5; i++) {
        last = await api(limited.url, "/segments", key);
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const retryAfter = Number(last!.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(last!.json.error).toEqual({ code: "RATE_LIMITED", message: expect.stringContaining("3 requests a minute") });
      // Another key is counted on its own.
      expect((await api(limited.url, "/segments", keys.read)).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});

describe("reads", () => {
  it("answers a customer's current segments", async () => {
    const second = (await scoreSegment(a, "Alpha everyone", 1)).segmentId;
    const high = await api(server.url, `/customers/${aIds[30]}/segments`, keys.read);
    expect(high.status).toBe(200);
    expect(high.json).toEqual({
      customer: { externalId: aIds[30], optedOut: false },
      segments: expect.arrayContaining([
        { id: aSegment, name: "Alpha high scorers", version: 1 },
        { id: second, name: "Alpha everyone", version: 1 },
      ]),
    });
    expect((high.json.segments as unknown[]).length).toBe(2);
    const low = await api(server.url, `/customers/${aIds[3]}/segments`, keys.read);
    expect(low.json.segments).toEqual([{ id: second, name: "Alpha everyone", version: 1 }]);
    const missing = await api(server.url, "/customers/NOPE-1/segments", keys.read);
    expect(missing.status).toBe(404);
    expect(missing.json.error?.message).toBe("The customer 'NOPE-1' was not found in this workspace.");
  });

  it("lists published segments and one segment with its versions", async () => {
    const list = await api(server.url, "/segments", keys.read);
    const mine = (list.json.segments as { id: string; memberCount: number; version: number }[]).find((s) => s.id === aSegment)!;
    expect(mine).toMatchObject({ name: "Alpha high scorers", status: "active", version: 1, memberCount: (await reference(aSegment, 1)).length });
    const one = await api(server.url, `/segments/${aSegment}`, keys.read);
    expect(one.status).toBe(200);
    expect((one.json.segment as { versions: unknown[] }).versions).toEqual([
      { version: 1, kind: "create", publishedAt: expect.any(String), memberCount: 20, added: 20, removed: 0 },
    ]);
    const bad = await api(server.url, "/segments/not-a-uuid", keys.read);
    expect(bad.status).toBe(400);
    expect(bad.json.error?.message).toContain("is not a segment id");
  });

  it("pages members on a pinned version: exactly once while a new version is published between pages", async () => {
    const seg = (await scoreSegment(a, "Alpha paging", 11)).segmentId;
    const v1 = await reference(seg, 1);
    expect(v1.length).toBe(30);
    const seen: string[] = [];
    let page = await api(server.url, `/segments/${seg}/members?limit=7`, keys.read);
    expect(page.json.version).toBe(1);
    seen.push(...(page.json.members as { externalId: string }[]).map((m) => m.externalId));
    // Version 2 (score ≥ 26) removes 15 members while the client is between pages.
    await republishScore(server.database.db, a, seg, 26);
    for (let guard = 0; page.json.nextCursor && guard < 20; guard++) {
      page = await api(server.url, `/segments/${seg}/members?limit=7&cursor=${page.json.nextCursor as string}`, keys.read);
      expect(page.status).toBe(200);
      expect(page.json.version).toBe(1);
      seen.push(...(page.json.members as { externalId: string }[]).map((m) => m.externalId));
    }
    expect(seen.length).toBe(v1.length);
    expect([...seen].sort()).toEqual(v1);
    // A fresh walk reads version 2.
    const fresh = await api(server.url, `/segments/${seg}/members?limit=1000`, keys.read);
    expect(fresh.json.version).toBe(2);
    expect((fresh.json.members as { externalId: string }[]).map((m) => m.externalId).sort()).toEqual(await reference(seg, 2));
    expect((await reference(seg, 2)).length).toBe(15);

    const badCursor = await api(server.url, `/segments/${seg}/members?cursor=garbage`, keys.read);
    expect(badCursor.status).toBe(400);
    expect(badCursor.json.error?.message).toContain("cursor");
    const badLimit = await api(server.url, `/segments/${seg}/members?limit=0`, keys.read);
    expect(badLimit.json.error?.message).toBe("limit: must be at least 1");
  });

  it("answers the net changes since a version or a time", async () => {
    const seg = (await scoreSegment(a, "Alpha changes", 31)).segmentId;
    const v1Time = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await republishScore(server.database.db, a, seg, 26); // adds 26..30
    await republishScore(server.database.db, a, seg, 36); // removes 26..35
    const since1 = await api(server.url, `/segments/${seg}/changes?since=1`, keys.read);
    expect(since1.json).toMatchObject({ fromVersion: 1, toVersion: 3, nextCursor: null });
    const byId = (r: typeof since1) => Object.fromEntries((r.json.changes as { externalId: string; change: string }[]).map((c) => [c.externalId, c.change]));
    // Net: 31..35 were in v1 and are not in v3; 26..30 came and went (no net change).
    expect(byId(since1)).toEqual(Object.fromEntries(aIds.slice(30, 35).map((id) => [id, "removed"])));
    const since2 = await api(server.url, `/segments/${seg}/changes?since=2`, keys.read);
    expect(byId(since2)).toEqual(Object.fromEntries(aIds.slice(25, 35).map((id) => [id, "removed"])));
    const byTime = await api(server.url, `/segments/${seg}/changes?since=${encodeURIComponent(v1Time)}`, keys.read);
    expect(byTime.json.fromVersion).toBe(1);
    expect(byId(byTime)).toEqual(byId(since1));
    const beforeAll = await api(server.url, `/segments/${seg}/changes?since=2000-01-01T00:00:00Z&limit=2`, keys.read);
    expect(beforeAll.json.fromVersion).toBe(0);
    const all: Record<string, string> = { ...byId(beforeAll) };
    let cursor = beforeAll.json.nextCursor as string | null;
    while (cursor) {
      const next = await api(server.url, `/segments/${seg}/changes?cursor=${cursor}&limit=2`, keys.read);
      Object.assign(all, byId(next));
      cursor = next.json.nextCursor as string | null;
    }
    expect(all).toEqual(Object.fromEntries(aIds.slice(35).map((id) => [id, "added"])));
    const bad = await api(server.url, `/segments/${seg}/changes?since=yesterday`, keys.read);
    expect(bad.status).toBe(400);
    expect(bad.json.error?.message).toContain("neither a version number nor an ISO time");
    expect((await api(server.url, `/segments/${seg}/changes?since=9`, keys.read)).json.error?.message).toContain("latest version is 3");
  });

  it("streams every member as CSV with an exports key, audit-logged", async () => {
    const r = await api(server.url, `/segments/${aSegment}/members`, keys.exports, { accept: "text/csv" });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/csv");
    const lines = r.text.trim().split("\r\n");
    expect(lines[0]).toBe("external_id");
    expect(lines.slice(1).sort()).toEqual(await reference(aSegment, 1));
    const { rows } = await server.database.ownerQuery<{ actor_label: string; changes: { after: { via: string } } }>(
      `select actor_label, changes from audit_log where tenant_id = $1 and action = 'segment.export' and object_id = $2`,
      [a.tenantId, aSegment],
    );
    expect(rows.length).toBe(1);
    expect(rows[0].actor_label).toContain("API key “Exporter”");
  });

  it("says when it serves the last good version because the latest materialisation failed", async () => {
    const seg = (await scoreSegment(a, "Alpha fallback", 35)).segmentId;
    expect((await api(server.url, `/segments/${seg}`, keys.read)).headers.get("x-quorum-fallback")).toBeNull();
    await server.database.db.withTenant(a.tenantId, (tx) => recordMaterialisationFailure(tx, a.tenantId, seg, 2, "statement timeout"));
    const header = `segment=${seg}; serving-version=1; failed-version=2`;
    for (const path of [`/segments/${seg}`, `/segments/${seg}/members`, `/segments/${seg}/changes?since=0`, "/segments", `/customers/${aIds[39]}/segments`]) {
      const r = await api(server.url, path, keys.read);
      expect(r.status, path).toBe(200);
      expect(r.headers.get("x-quorum-fallback"), path).toContain(header);
    }
    expect((await api(server.url, `/segments/${seg}/members`, keys.read)).json.version).toBe(1);
    // A later successful version ends the fallback.
    await republishScore(server.database.db, a, seg, 36);
    expect((await api(server.url, `/segments/${seg}`, keys.read)).headers.get("x-quorum-fallback")).toBeNull();
  });
});

describe("a publication whose materialisation fails", () => {
  it("keeps the last good version, records the failure, says so in the API, and publishes once the cause is gone", async () => {
    const seg = (await scoreSegment(a, "Alpha failing", 30)).segmentId;
    const before = await api(server.url, `/segments/${seg}/members`, keys.read);
    // The database refuses this segment's membership changes (a stand-in for a full disk or a
    // statement timeout in the middle of materialising).
    await server.database.ownerQuery(`
      create function quorum_test_refuse_members() returns trigger language plpgsql as $$
      begin
        if new.segment_id = '${seg}' then raise exception 'could not extend file (test)'; end if;
        return new;
      end $$`);
    await server.database.ownerQuery(
      `create trigger quorum_test_refuse_members before insert or update on segment_memberships for each row execute function quorum_test_refuse_members()`,
    );
    const failed = await republishScore(server.database.db, a, seg, 32).then(
      () => null,
      (error: Error) => error,
    );
    await server.database.ownerQuery(`drop trigger quorum_test_refuse_members on segment_memberships; drop function quorum_test_refuse_members()`);
    expect(failed?.message).toContain("Version 2 of “Alpha failing” could not be materialised");
    expect(failed?.message).not.toContain("could not extend file");
    const state = await server.database.ownerQuery<{ current_version: number; status: string; error: string; version: number }>(
      `select s.current_version, p.status, f.error, f.version from segments s
       join segment_proposals p on p.tenant_id = s.tenant_id and p.segment_id = s.id and p.kind = 'change'
       join segment_materialisation_failures f on f.tenant_id = s.tenant_id and f.segment_id = s.id
       where s.id = $1`,
      [seg],
    );
    // Nothing of the decision was kept; the failure was, with the database's own words.
    expect(state.rows).toEqual([{ current_version: 1, status: "submitted", error: "could not extend file (test)", version: 2 }]);
    const during = await api(server.url, `/segments/${seg}/members`, keys.read);
    expect(during.headers.get("x-quorum-fallback")).toContain(`segment=${seg}; serving-version=1; failed-version=2`);
    expect(during.json).toEqual(before.json);
    // The same proposal, decided again once the cause is gone, publishes version 2 and ends the fallback.
    const [{ id: proposalId }] = (
      await server.database.ownerQuery<{ id: string }>(`select id from segment_proposals where segment_id = $1 and status = 'submitted'`, [seg])
    ).rows;
    const decided = await decideProposal(scopeOf(a, "admin"), { proposalId, decision: "approve", reason: "Retry after the failure" });
    expect(decided.published?.version).toBe(2);
    const after = await api(server.url, `/segments/${seg}/members`, keys.read);
    expect(after.headers.get("x-quorum-fallback")).toBeNull();
    expect(after.json.version).toBe(2);
  });
});

describe("consent", () => {
  it("takes an opted-out customer out of every current segment at once and out of the next publish; audit-logged", async () => {
    const seg = (await scoreSegment(a, "Alpha consent", 1)).segmentId;
    const customer = aIds[37];
    const before = await api(server.url, `/customers/${customer}/segments`, keys.read);
    const segmentsBefore = (before.json.segments as { id: string }[]).map((s) => s.id);
    expect(segmentsBefore).toContain(seg);
    const countBefore = (await api(server.url, `/segments/${seg}`, keys.read)).json.segment as { memberCount: number };

    const r = await api(server.url, `/customers/${customer}/consent`, keys.consent, { method: "POST", body: JSON.stringify({ optedOut: true }) });
    expect(r.status).toBe(200);
    expect(r.json.customer).toEqual({ externalId: customer, optedOut: true });
    expect((r.json.removedFrom as { id: string }[]).map((s) => s.id).sort()).toEqual([...segmentsBefore].sort());

    const after = await api(server.url, `/customers/${customer}/segments`, keys.read);
    expect(after.json).toEqual({ customer: { externalId: customer, optedOut: true }, segments: [] });
    const members = await api(server.url, `/segments/${seg}/members?limit=10000`, keys.read);
    expect((members.json.members as { externalId: string }[]).map((m) => m.externalId)).not.toContain(customer);
    expect(((await api(server.url, `/segments/${seg}`, keys.read)).json.segment as { memberCount: number }).memberCount).toBe(countBefore.memberCount - 1);
    // Paging an older pinned version leaves them out too.
    const older = await api(server.url, `/segments/${aSegment}/members?limit=10000`, keys.read);
    expect((older.json.members as { externalId: string }[]).map((m) => m.externalId)).not.toContain(customer);

    const audit = await server.database.ownerQuery<{ actor_label: string; changes: { after: { optedOut: boolean; removedFrom: string[] } } }>(
      `select actor_label, changes from audit_log where tenant_id = $1 and action = 'customer.consent' order by seq desc limit 1`,
      [a.tenantId],
    );
    expect(audit.rows[0].actor_label).toContain("API key “Consent”");
    expect(audit.rows[0].changes.after.optedOut).toBe(true);

    // The next publish of a segment whose rules match them still leaves them out.
    await republishScore(server.database.db, a, seg, 2);
    const { rows } = await server.database.ownerQuery<{ n: number }>(
      `select count(*)::int as n from segment_memberships sm join customers c on c.tenant_id = sm.tenant_id and c.id = sm.customer_id
       where sm.segment_id = $1 and sm.to_version is null and c.external_id = $2`,
      [seg, customer],
    );
    expect(rows[0].n).toBe(0);
    expect(await reference(seg, 2)).toEqual(aIds.slice(1).filter((id) => id !== customer));

    // Opting back in: selectable again from the next publish.
    const back = await api(server.url, `/customers/${customer}/consent`, keys.all, { method: "POST", body: JSON.stringify({ optedOut: false }) });
    expect(back.json.removedFrom).toEqual([]);
    await republishScore(server.database.db, a, seg, 1);
    expect(await reference(seg, 3)).toContain(customer);
  });

  it("keeps a withdrawn consent through later customers imports; a file can opt out but not back in", async () => {
    const [kept, byFile] = [aIds[20], aIds[21]];
    expect((await api(server.url, `/customers/${kept}/consent`, keys.consent, { method: "POST", body: JSON.stringify({ optedOut: true }) })).status).toBe(200);
    const optedOut = async (id: string) =>
      (await server.database.ownerQuery<{ o: boolean }>(`select opted_out as o from customers where tenant_id = $1 and external_id = $2`, [a.tenantId, id])).rows[0].o;
    // A file without the column (the scores again), then a stale export saying false for one and true for another.
    await importScoredCustomers(server.database.db, a, 40);
    expect(await optedOut(kept)).toBe(true);
    const db = server.database.db;
    await importFile(db, a.ownerScope, jobsFor(db), { kind: "customers", fileName: "crm-export.csv", body: `customer_id,opted_out\n${kept},false\n${byFile},true\n` });
    expect(await optedOut(kept)).toBe(true);
    expect(await optedOut(byFile)).toBe(true);
    // Opting back in is the person's own consent, through the API.
    await api(server.url, `/customers/${kept}/consent`, keys.consent, { method: "POST", body: JSON.stringify({ optedOut: false }) });
    await api(server.url, `/customers/${byFile}/consent`, keys.consent, { method: "POST", body: JSON.stringify({ optedOut: false }) });
    expect([await optedOut(kept), await optedOut(byFile)]).toEqual([false, false]);
  });

  it("says what is wrong with a bad consent body", async () => {
    const notJson = await fetch(`${server.url}/api/v1/customers/${aIds[0]}/consent`, {
      method: "POST",
      headers: { authorization: `Bearer ${keys.consent}`, "content-type": "application/json" },
      body: "{optedOut: yes",
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: { code: "INVALID", message: "The request body is not valid JSON." } });
    const wrongType = await api(server.url, `/customers/${aIds[0]}/consent`, keys.consent, { method: "POST", body: JSON.stringify({ optedOut: "yes" }) });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.error?.message).toBe("optedOut: must be true or false");
  });

  it("answers unknown paths with a JSON 404", async () => {
    const r = await api(server.url, "/nothing-here", keys.read);
    expect(r.status).toBe(404);
    expect(r.json.error?.message).toContain("GET /api/v1/nothing-here");
  });
});
