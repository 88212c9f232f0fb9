import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FACTORY_PASSWORD, makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { jobsFor } from "../helpers/callers";
import { importFile } from "../../db/seed/data-factory";
import { startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
let a: FactoryWorkspace;
let b: FactoryWorkspace;

beforeAll(async () => {
  server = await startTestServer();
  a = await makeWorkspace(server.database.db, "Upload Alpha");
  b = await makeWorkspace(server.database.db, "Upload Beta", jobsFor(server.database.db));
  await importFile(server.database.db, b.ownerScope, jobsFor(server.database.db), {
    kind: "customers",
    fileName: "bad.csv",
    body: "customer_id,email\nX1,not-an-email\nX2,ok@example.test\n",
  });
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

function upload(cookie: string, query: string, body: BodyInit) {
  return fetch(`${server.url}/data/imports/upload?${query}`, {
    method: "POST",
    headers: { cookie, "content-type": "application/octet-stream", origin: server.url },
    body,
  });
}

describe("POST /data/imports/upload", () => {
  it("stores the raw bytes of a gzipped upload and proposes a mapping", async () => {
    const cookie = await logIn(a.members.analyst.email);
    const csv = "InvoiceNo,Quantity,InvoiceDate,UnitPrice,CustomerID,Colour\n1,2,2011-01-01,1.5,7,red\n";
    const gz = gzipSync(csv);
    const res = await upload(cookie, "kind=transactions&fileName=sales.csv.gz", gz);
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.header).toEqual(["InvoiceNo", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Colour"]);
    expect(body.mapping.columns.map((c: { field: string }) => c.field)).toEqual([
      "invoice_no",
      "quantity",
      "occurred_at",
      "unit_price",
      "customer_id",
      "ignore",
    ]);
    const stored = await server.database.ownerQuery<{ data: Buffer }>(
      "select data from import_files where import_id = $1 order by chunk_no",
      [body.importId],
    );
    expect(Buffer.concat(stored.rows.map((r) => r.data)).equals(gz)).toBe(true);
    const row = await server.database.ownerQuery("select tenant_id, status, byte_size from imports where id = $1", [body.importId]);
    expect(row.rows[0]).toEqual({ tenant_id: a.tenantId, status: "uploaded", byte_size: String(gz.length) });
  });

  it("says what is wrong with an empty upload, a bad kind, a viewer and an anonymous request", async () => {
    const analyst = await logIn(a.members.analyst.email);
    const empty = await upload(analyst, "kind=customers&fileName=x.csv", "");
    expect(empty.status).toBe(400);
    expect(await empty.text()).toBe("The file is empty (0 bytes). Choose a CSV file with a header row.");
    const kind = await upload(analyst, "kind=orders&fileName=x.csv", "a\n1\n");
    expect(kind.status).toBe(400);
    expect(await kind.text()).toBe("kind: kind must be customers, transactions or events");
    const viewer = await logIn(a.members.viewer.email);
    const refused = await upload(viewer, "kind=customers&fileName=x.csv", "customer_id\n1\n");
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("data:import");
    expect((await upload("", "kind=customers&fileName=x.csv", "customer_id\n1\n")).status).toBe(401);
    const { rows } = await server.database.ownerQuery<{ n: number }>("select count(*)::int as n from imports where file_name = 'x.csv'");
    expect(rows[0].n).toBe(0);
  });
});

describe("GET /data/imports/:id/errors.csv", () => {
  it("downloads the error report of an import of this workspace, and nothing of another's", async () => {
    const bad = await server.database.ownerQuery<{ id: string }>(
      "select id from imports where tenant_id = $1 and file_name = 'bad.csv'",
      [b.tenantId],
    );
    const ownB = await logIn(b.members.analyst.email);
    const ok = await fetch(`${server.url}/data/imports/${bad.rows[0].id}/errors.csv`, { headers: { cookie: ownB } });
    expect(ok.status).toBe(200);
    expect((await ok.clone().text()).split("\r\n")[0]).toBe("line,column,reason,value");
    const rows = (await ok.clone().text()).trim().split("\r\n").slice(1);
    expect(rows).toEqual([`2,email,"expected an email address, got 'not-an-email'",not-an-email`]);
    const asViewer = await logIn(b.members.viewer.email);
    const masked = await (await fetch(`${server.url}/data/imports/${bad.rows[0].id}/errors.csv`, { headers: { cookie: asViewer } })).text();
    expect(masked.trim().split("\r\n").slice(1)).toEqual([`2,email,"expected an email address, got 'not-an-email'",`]);
    const fromA = await logIn(a.members.analyst.email);
    const res = await fetch(`${server.url}/data/imports/${bad.rows[0].id}/errors.csv`, { headers: { cookie: fromA } });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("That import was not found in this workspace.");
    const junk = await fetch(`${server.url}/data/imports/not-a-uuid/errors.csv`, { headers: { cookie: fromA } });
    expect(junk.status).toBe(400);
  });
});
