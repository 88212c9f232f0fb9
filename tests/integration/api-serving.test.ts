import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../db/client";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { isApiPath, preferredType } from "../../server/api/router";
import { customerSegments } from "../../server/services/api";
import { authenticateApiKey, createApiKey } from "../../server/services/api-keys";
import { jobsFor } from "../helpers/callers";
import { api, importScoredCustomers, scoreSegment } from "../helpers/api";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * How /api/v1 is served before Express (decision 016): what Express used to give it (security
 * headers, request ids, HEAD, case-insensitive paths, content negotiation) and the hot path's
 * implicit transaction, whose tenant setting must end with it.
 */
let server: TestServer;
let a: FactoryWorkspace;
let key: string;
let ids: string[];
let segmentId: string;

beforeAll(async () => {
  server = await startTestServer();
  const db = server.database.db;
  a = await makeWorkspace(db, "Alpha Serving", jobsFor(db));
  ids = await importScoredCustomers(db, a, 12);
  segmentId = (await scoreSegment(a, "Alpha scorers", 1)).segmentId;
  key = (await createApiKey(a.ownerScope, { name: "Serving", scopes: ["memberships:read", "exports:read"] })).key;
});
afterAll(() => server.stop());

describe("serving /api/v1 before Express", () => {
  it("sends the app's security headers and a request id on API answers, and the caller's id back", async () => {
    const r = await api(server.url, `/customers/${ids[0]}/segments`, key);
    expect(r.status).toBe(200);
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("x-frame-options")).toBe("DENY");
    expect(r.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(r.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(r.headers.get("etag")).toBeNull();
    const mine = await fetch(`${server.url}/api/v1/segments`, { headers: { authorization: `Bearer ${key}`, "x-request-id": "crm-sync-000123" } });
    expect(mine.headers.get("x-request-id")).toBe("crm-sync-000123");
  });

  it("answers HEAD like GET without a body, and matches paths without regard to case as before", async () => {
    const head = await fetch(`${server.url}/api/v1/segments/${segmentId}`, { method: "HEAD", headers: { authorization: `Bearer ${key}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toContain("application/json");
    expect(await head.text()).toBe("");
    const upper = await fetch(`${server.url}/API/V1/Segments/${segmentId}`, { headers: { authorization: `Bearer ${key}` } });
    expect(upper.status).toBe(200);
    expect(await upper.json()).toEqual((await api(server.url, `/segments/${segmentId}`, key)).json);
    expect(isApiPath("/api/v1")).toBe(true);
    expect(isApiPath("/api/v1?x=1")).toBe(true);
    expect(isApiPath("/api/v10/segments")).toBe(false);
    expect(isApiPath("/api/v")).toBe(false);
  });

  it("decodes percent-encoded path parameters and refuses a malformed one with a JSON 400", async () => {
    const encoded = await api(server.url, `/customers/${encodeURIComponent(ids[1])}/segments`, key);
    expect(encoded.status).toBe(200);
    expect(encoded.json.customer).toEqual({ externalId: ids[1], optedOut: false });
    const bad = await api(server.url, "/customers/%E0%A4%A/segments", key);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toEqual({ code: "INVALID", message: "The path segment '%E0%A4%A' is not validly percent-encoded." });
  });

  it("says what is wrong with a repeated query parameter", async () => {
    const r = await api(server.url, `/segments/${segmentId}/members?limit=2&limit=3`, key);
    expect(r.status).toBe(400);
    expect(r.json.error?.message).toContain("limit");
  });

  it("chooses JSON or CSV by the Accept header as Express did (q, specificity, order)", async () => {
    const offered = ["application/json", "text/csv"];
    expect(preferredType(undefined, offered)).toBe("application/json");
    expect(preferredType("*/*", offered)).toBe("application/json");
    expect(preferredType("text/csv", offered)).toBe("text/csv");
    expect(preferredType("text/*", offered)).toBe("text/csv");
    expect(preferredType("text/csv, application/json", offered)).toBe("text/csv");
    expect(preferredType("application/json, text/csv", offered)).toBe("application/json");
    expect(preferredType("text/csv;q=0.5, application/json", offered)).toBe("application/json");
    expect(preferredType("text/csv, */*;q=0.1", offered)).toBe("text/csv");
    expect(preferredType("*/*, text/csv", offered)).toBe("text/csv");
    expect(preferredType("text/csv;q=0", offered)).toBeNull();
    expect(preferredType("image/png", offered)).toBeNull();
    expect(preferredType("", offered)).toBeNull();
    const csv = await fetch(`${server.url}/api/v1/segments/${segmentId}/members`, { headers: { authorization: `Bearer ${key}`, accept: "text/*" } });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect((await csv.text()).split("\r\n")[0]).toBe("external_id");
  });

  it("leaves no tenant set on the connection after the hot path's one round trip", async () => {
    const db = createDatabase(server.database.appUrl, { max: 1 });
    try {
      const principal = await authenticateApiKey(db, `Bearer ${key}`, "memberships:read");
      const answer = await customerSegments(principal, ids[2]);
      expect(answer.customer.externalId).toBe(ids[2]);
      const { rows } = await db.pool.query<{ tenant: string | null; customers: number }>(
        "select current_setting('app.tenant_id', true) as tenant, (select count(*)::int from customers) as customers",
      );
      expect(rows[0].tenant ?? "").toBe("");
      expect(rows[0].customers).toBe(0);
      await expect(customerSegments(principal, "nobody-has-this-id")).rejects.toThrow("nobody-has-this-id");
      const after = await db.pool.query<{ tenant: string | null }>("select current_setting('app.tenant_id', true) as tenant");
      expect(after.rows[0].tenant ?? "").toBe("");
    } finally {
      await db.close();
    }
  });
});
