import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FACTORY_PASSWORD, makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { jobsFor } from "../helpers/callers";
import { importScoredCustomers, scoreSegment } from "../helpers/api";
import { startTestServer, type TestServer } from "../helpers/server";

/** The segment page's members CSV: streamed, and audit-logged with who exported what. */

let server: TestServer;
let a: FactoryWorkspace;
let b: FactoryWorkspace;
let segmentId: string;

beforeAll(async () => {
  server = await startTestServer();
  a = await makeWorkspace(server.database.db, "Export Alpha", jobsFor(server.database.db));
  b = await makeWorkspace(server.database.db, "Export Beta");
  await importScoredCustomers(server.database.db, a, 2500);
  segmentId = (await scoreSegment(a, "Export me", 301)).segmentId;
});
afterAll(() => server.stop());

async function logIn(email: string): Promise<string> {
  const res = await fetch(`${server.url}/trpc/auth.logIn`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: FACTORY_PASSWORD }),
  });
  return res.headers.getSetCookie().find((c) => c.startsWith("quorum_session="))!.split(";")[0];
}

async function exports(tenantId: string) {
  const { rows } = await server.database.ownerQuery<{ actor_label: string; object_id: string; changes: { after: Record<string, unknown> } }>(
    `select actor_label, object_id, changes from audit_log where tenant_id = $1 and action = 'segment.export' order by seq`,
    [tenantId],
  );
  return rows;
}

describe("members CSV from the segment page", () => {
  it("streams every member across pages and records the export in the audit log", async () => {
    const cookie = await logIn(a.members.viewer.email);
    const res = await fetch(`${server.url}/segments/${segmentId}/members.csv?version=1`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toBe("customer_id,region");
    // Scores 301..2500: 2,200 customers, more than two pages of 1,000.
    const expected = Array.from({ length: 2200 }, (_, i) => {
      const n = 301 + i;
      return `S${String(n).padStart(3, "0")},${(n - 1) % 2 ? "South" : "North"}`;
    }).sort();
    expect(lines.slice(1).sort()).toEqual(expected);
    const logged = await exports(a.tenantId);
    expect(logged.length).toBe(1);
    expect(logged[0]).toMatchObject({ actor_label: a.members.viewer.email, object_id: segmentId, changes: { after: { version: 1, change: "members", format: "csv", via: "UI" } } });
  });

  it("refuses another workspace's member without writing anything", async () => {
    const cookie = await logIn(b.owner.email);
    const res = await fetch(`${server.url}/segments/${segmentId}/members.csv?version=1`, { headers: { cookie } });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("Export me");
    expect((await exports(a.tenantId)).length).toBe(1);
    expect((await exports(b.tenantId)).length).toBe(0);
  });
});
