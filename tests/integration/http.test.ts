import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FACTORY_PASSWORD, makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
let a: FactoryWorkspace;
let b: FactoryWorkspace;

beforeAll(async () => {
  server = await startTestServer({ TRUST_PROXY: "true" });
  a = await makeWorkspace(server.database.db, "Http Alpha");
  b = await makeWorkspace(server.database.db, "Http Beta");
});
afterAll(() => server.stop());

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    redirect: "manual",
  });
}

async function logIn(email: string): Promise<string> {
  const res = await post("/trpc/auth.logIn", { email, password: FACTORY_PASSWORD });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("quorum_session="));
  return cookie!.split(";")[0];
}

describe("the session cookie", () => {
  it("is httpOnly and SameSite=Lax, and Secure only over https", async () => {
    const plain = await post("/trpc/auth.logIn", { email: a.members.viewer.email, password: FACTORY_PASSWORD });
    const cookie = plain.headers.getSetCookie().find((c) => c.startsWith("quorum_session="))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/; Secure/);
    const tls = await post("/trpc/auth.logIn", { email: a.members.viewer.email, password: FACTORY_PASSWORD }, { "x-forwarded-proto": "https" });
    expect(tls.headers.getSetCookie().find((c) => c.startsWith("quorum_session="))).toMatch(/; Secure/);
  });

  it("is cleared and revoked by logout", async () => {
    const cookie = await logIn(a.members.analyst.email);
    const out = await post("/trpc/auth.logOut", {}, { cookie });
    expect(out.headers.getSetCookie().join()).toMatch(/quorum_session=;/);
    const me = await fetch(`${server.url}/trpc/auth.me`, { headers: { cookie } });
    expect((await me.json()).result.data.user).toBeNull();
  });
});

describe("cross-site request forgery protection", () => {
  it("refuses a state-changing request from another origin, and allows this one", async () => {
    const cookie = await logIn(a.owner.email);
    const evil = await post("/trpc/regions.create", { name: "From evil" }, { cookie, origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    expect(await evil.text()).toContain("cross-site request forgery");
    const crossSite = await post("/trpc/regions.create", { name: "From evil" }, { cookie, "sec-fetch-site": "cross-site" });
    expect(crossSite.status).toBe(403);
    const same = await post("/trpc/regions.create", { name: "From here" }, { cookie, origin: server.url, "sec-fetch-site": "same-origin" });
    expect(same.status).toBe(200);
    const { rows } = await server.database.ownerQuery("select name from regions where tenant_id = $1 and name like 'From %'", [a.tenantId]);
    expect(rows.map((r) => r.name)).toEqual(["From here"]);
  });

  it("refuses a cross-site form post to a page action", async () => {
    const res = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
      body: "email=x%40example.test&password=y",
      redirect: "manual",
    });
    expect(res.status).toBe(403);
  });
});

describe("errors over /trpc", () => {
  it("say what was wrong, with field errors, and never carry a stack trace", async () => {
    const res = await post("/trpc/auth.signUp", { email: "nope", name: "", password: "x" });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.message).toContain("email: Enter an email address");
    expect(body.error.data.fieldErrors).toMatchObject({ email: expect.any(String), name: "Enter your name.", password: expect.any(String) });
    expect(JSON.stringify(body)).not.toMatch(/stack|at .*\.ts:\d+/);
  });

  it("answer 401 without a session and 403 for a role the matrix refuses", async () => {
    const anon = await fetch(`${server.url}/trpc/members.list`);
    expect(anon.status).toBe(401);
    const cookie = await logIn(a.members.viewer.email);
    const refused = await post("/trpc/invites.create", { email: "z@example.test", role: "viewer", regionIds: [] }, { cookie });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toContain("Your role (Viewer) does not allow this (member:manage)");
  });
});

describe("GET /audit/export.csv", () => {
  it("streams the active workspace's entries as CSV, filtered, and nothing of another workspace", async () => {
    const cookie = await logIn(a.owner.email);
    const res = await fetch(`${server.url}/audit/export.csv`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="audit-log-http-alpha-\d{4}-\d{2}-\d{2}\.csv"/);
    const text = await res.text();
    const lines = text.trim().split("\r\n");
    expect(lines[0]).toBe("seq,at,actor,action,object_type,object_id,changes,request_id,hash");
    const { rows } = await server.database.ownerQuery<{ n: number }>("select count(*)::int as n from audit_log where tenant_id = $1", [
      a.tenantId,
    ]);
    expect(lines).toHaveLength(rows[0].n + 1);
    expect(lines[1].startsWith(`${rows[0].n},`)).toBe(true);
    for (const marker of [b.tenantId, b.owner.email, b.members.viewer.email]) expect(text).not.toContain(marker);

    const filtered = await (await fetch(`${server.url}/audit/export.csv?action=member.join`, { headers: { cookie } })).text();
    const body = filtered.trim().split("\r\n").slice(1);
    expect(body).toHaveLength(5);
    expect(body.every((l) => l.split(",")[3] === "member.join")).toBe(true);
  });

  it("refuses a role without audit access, an anonymous request and a bad filter", async () => {
    const viewer = await logIn(a.members.viewer.email);
    const refused = await fetch(`${server.url}/audit/export.csv`, { headers: { cookie: viewer } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("audit:read");
    expect((await fetch(`${server.url}/audit/export.csv`)).status).toBe(401);
    const owner = await logIn(a.owner.email);
    const bad = await fetch(`${server.url}/audit/export.csv?from=yesterday-ish`, { headers: { cookie: owner } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/^from: /);
  });
});
