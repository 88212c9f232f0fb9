import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importFile } from "../../db/seed/data-factory";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { cancelImport, runImport, startImport, uploadFile, type Mapping } from "../../server/services/data";
import { callerFor, jobsFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let t: TestDatabase;
let w: FactoryWorkspace;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

/** A workspace of its own per test, so that counts are not disturbed by other tests. */
async function workspace() {
  w = await makeWorkspace(t.db);
  return w;
}

async function load(kind: "customers" | "transactions", body: string | Buffer, adjust?: (m: Mapping) => Mapping) {
  const { importId, outcome } = await importFile(t.db, w.ownerScope, jobsFor(t.db), { kind, fileName: `${kind}.csv`, body }, adjust);
  const { rows } = await t.ownerQuery("select * from imports where id = $1", [importId]);
  const errors = await t.ownerQuery<{ line: number; column_name: string; reason: string }>(
    "select line, column_name, reason from import_errors where import_id = $1 order by line, column_name",
    [importId],
  );
  return { importId, outcome, row: rows[0], errors: errors.rows.map((e) => `line ${e.line}, ${e.column_name}: ${e.reason}`) };
}

async function count(table: string) {
  const { rows } = await t.ownerQuery<{ n: number }>(`select count(*)::int as n from ${table} where tenant_id = $1`, [w.tenantId]);
  return rows[0].n;
}

const HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";
const line = (inv: string, qty: string, date = "2011-05-01 10:00:00", price = "1.50", customer = "17850") =>
  `${inv},85123A,"HEART, WHITE",${qty},${date},${price},${customer},United Kingdom`;

describe("importing transactions", () => {
  it("imports good rows and reports each bad one with its line, column and reason", async () => {
    await workspace();
    const file = [HEADER, line("1001", "6"), line("1002", "abc"), line("1003", "2", "2011-13-45 10:00:00"), line("1004", "1", undefined, "1.20", ""), line("1005", "3")].join("\r\n");
    const r = await load("transactions", file);
    expect(r.outcome).toBe("completed");
    expect(r.errors).toEqual([
      "line 3, Quantity: expected a number, got 'abc'",
      "line 4, InvoiceDate: expected a date such as 2011-12-09 or 2011-12-09 08:50:00, got '2011-13-45 10:00:00'",
    ]);
    expect(r.row).toMatchObject({ status: "completed", rows_read: 5, rows_imported: 3, rows_failed: 2, rows_unchanged: 0 });
    expect(await count("transactions")).toBe(3);
  });

  it("changes nothing when the same file is imported again", async () => {
    await workspace();
    const file = [HEADER, line("2001", "1"), line("2001", "1"), line("2002", "4")].join("\n");
    const first = await load("transactions", file);
    expect(first.row).toMatchObject({ rows_imported: 3, rows_duplicate: 1 });
    const features = await t.ownerQuery("select * from customer_features where tenant_id = $1", [w.tenantId]);
    const second = await load("transactions", file);
    expect(second.row).toMatchObject({ status: "completed", rows_imported: 0, rows_unchanged: 3 });
    expect(await count("transactions")).toBe(3);
    const again = await t.ownerQuery("select * from customer_features where tenant_id = $1", [w.tenantId]);
    expect(again.rows.map(({ computed_at: _, ...f }) => f)).toEqual(features.rows.map(({ computed_at: _, ...f }) => f));
  });

  it("keeps the first of two rows with the same transaction id and says so in the quality report", async () => {
    await workspace();
    const file = ["TxnId,Invoice,Qty,Date,Price,Customer", "T1,9001,1,2011-01-01,2.00,A1", "T1,9002,5,2011-01-02,3.00,A1", "T2,9003,2,2011-01-03,1.00,A2"].join("\n");
    const r = await load("transactions", file, (m) => ({
      ...m,
      columns: m.columns.map((c) => (c.column === "TxnId" ? { column: c.column, field: "transaction_id" } : c)),
    }));
    expect(r.row).toMatchObject({ rows_imported: 2, rows_unchanged: 1 });
    const report = (await t.ownerQuery("select report from data_quality_reports where import_id = $1", [r.importId])).rows[0].report;
    expect(report.checks.find((c: { id: string }) => c.id === "duplicate_keys").count).toBe(1);
  });

  it("refuses to start when a required column is missing, and names it", async () => {
    await workspace();
    const up = await uploadFile(w.ownerScope, { kind: "transactions", fileName: "no-price.csv" }, ["InvoiceNo,Quantity,InvoiceDate\n1,2,2011-01-01\n"], 1 << 20);
    await expect(startImport(w.ownerScope, { importId: up.importId, mapping: up.mapping }, jobsFor(t.db))).rejects.toThrow(
      "No column is mapped to Unit price, which a transactions file needs.",
    );
    const { rows } = await t.ownerQuery("select status from imports where id = $1", [up.importId]);
    expect(rows[0].status).toBe("uploaded");
  });

  it("reports a row that is not valid UTF-8 and imports the others", async () => {
    await workspace();
    const latin1 = Buffer.concat([
      Buffer.from(`${HEADER}\n${line("3001", "1")}\n3002,85123A,CAF`),
      Buffer.from([0xc9]),
      Buffer.from(`,1,2011-05-01 10:00:00,1.50,17850,France\n${line("3003", "2")}\n`),
    ]);
    const r = await load("transactions", latin1);
    expect(r.errors).toEqual(["line 3, Description: contains bytes that are not valid UTF-8 text"]);
    expect(r.row).toMatchObject({ rows_imported: 2, rows_failed: 1 });
  });

  it("keeps the rows before a truncated last line and reports it", async () => {
    await workspace();
    const quoted = [HEADER, line("4001", "1"), line("4002", "2"), `4003,85123A,"HEART, WHI`].join("\n");
    const r1 = await load("transactions", quoted);
    expect(r1.errors).toHaveLength(1);
    expect(r1.errors[0]).toMatch(/^line 4, \*: unterminated quoted field/);
    expect(r1.row).toMatchObject({ rows_imported: 2 });

    await workspace();
    const cut = [HEADER, line("4101", "1"), "4102,85123A,HEART,2,2011-05-01"].join("\n");
    const r2 = await load("transactions", cut);
    expect(r2.errors).toEqual(["line 3, *: expected 8 fields (as in the header), found 5"]);
    expect(r2.row).toMatchObject({ rows_imported: 1, rows_failed: 1 });
  });

  it("reads a gzipped file whatever its name, and reports a damaged one without importing half of it", async () => {
    await workspace();
    const file = [HEADER, line("5001", "1"), line("5002", "2")].join("\n");
    const r = await load("transactions", gzipSync(file));
    expect(r.row).toMatchObject({ status: "completed", rows_imported: 2 });

    await workspace();
    const big = [HEADER, ...Array.from({ length: 3000 }, (_, i) => line(String(6000 + i), String(1 + (i % 7))))].join("\n");
    const gz = gzipSync(big);
    const damaged = await load("transactions", gz.subarray(0, Math.floor(gz.length * 0.6)));
    expect(damaged.row.status).toBe("completed");
    expect(damaged.errors.at(-1)).toMatch(/damaged or truncated; this line and the rest of the file were not read$/);
    const imported = damaged.row.rows_imported;
    expect(imported).toBeGreaterThan(0);
    expect(imported).toBeLessThan(3000);
    expect(await count("transactions")).toBe(imported);
  });

  it("finds a semicolon delimiter by itself", async () => {
    await workspace();
    const file = ["InvoiceNo;Quantity;InvoiceDate;UnitPrice;CustomerID", "7001;2;2011-02-03 04:05:06;1,5;C9", "7002;1;2011-02-03;2;C9"].join("\n");
    const r = await load("transactions", file);
    expect(r.errors).toEqual(["line 2, UnitPrice: expected a number, got '1,5'"]);
    expect(r.row).toMatchObject({ rows_imported: 1 });
  });

  it("completes a header-only file with nothing imported, and refuses a 0-byte upload", async () => {
    await workspace();
    const r = await load("transactions", `${HEADER}\n`);
    expect(r.row).toMatchObject({ status: "completed", rows_read: 0, rows_imported: 0 });
    await expect(uploadFile(w.ownerScope, { kind: "transactions", fileName: "empty.csv" }, [""], 1 << 20)).rejects.toThrow(
      "The file is empty (0 bytes). Choose a CSV file with a header row.",
    );
    const { rows } = await t.ownerQuery<{ n: number }>("select count(*)::int as n from imports where tenant_id = $1 and file_name = 'empty.csv'", [
      w.tenantId,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it("cancels a running import and leaves no rows behind", async () => {
    await workspace();
    const rows = Array.from({ length: 120_000 }, (_, i) => line(String(100000 + i), String(1 + (i % 5))));
    const up = await uploadFile(w.ownerScope, { kind: "transactions", fileName: "big.csv" }, [[HEADER, ...rows].join("\n")], 1 << 30);
    await startImport(w.ownerScope, { importId: up.importId, mapping: up.mapping }, jobsFor(t.db));
    const running = runImport(t.db, jobsFor(t.db), w.tenantId, up.importId);
    for (;;) {
      const { rows: s } = await t.ownerQuery("select status, rows_read from imports where id = $1", [up.importId]);
      if (s[0].status === "running" && s[0].rows_read > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await cancelImport(w.ownerScope, { importId: up.importId });
    expect(await running).toBe("cancelled");
    const { rows: after } = await t.ownerQuery("select status, rows_imported from imports where id = $1", [up.importId]);
    expect(after[0]).toEqual({ status: "cancelled", rows_imported: 0 });
    expect(await count("transactions")).toBe(0);
    expect(await count("import_errors")).toBe(0);
  });
});

describe("importing customers", () => {
  const CUSTOMERS = [
    "customer_id,email,phone,name,gender,age,opted_out",
    "K1,ann@example.test,+44 20 7946 0001,Ann,F,34,no",
    "K2,Ann+news@Example.test,,Ann B.,F,34,no",
    "K3,cy@example.test,0044 20 7946 0001,Cy,M,61,yes",
    "K4,dee@example.test,,Dee,F,29,no",
    "K4,dee@example.test,,Dee Updated,F,30,no",
  ].join("\n");

  it("merges duplicates by normalised email and phone, keeps their sources, and can undo a merge", async () => {
    await workspace();
    const r = await load("customers", CUSTOMERS);
    expect(r.row).toMatchObject({ rows_read: 5, rows_imported: 4, rows_failed: 0 });
    const { rows } = await t.ownerQuery<{ external_id: string; survivor: string | null; opted_out: boolean; name: string }>(
      `select c.external_id, s.external_id as survivor, c.opted_out, c.name from customers c
       left join customers s on s.id = c.merged_into where c.tenant_id = $1 order by 1`,
      [w.tenantId],
    );
    expect(rows).toEqual([
      { external_id: "K1", survivor: null, opted_out: false, name: "Ann" },
      { external_id: "K2", survivor: "K1", opted_out: false, name: "Ann B." },
      { external_id: "K3", survivor: "K1", opted_out: true, name: "Cy" },
      { external_id: "K4", survivor: null, opted_out: false, name: "Dee Updated" },
    ]);
    const sources = await t.ownerQuery("select external_id, line from customer_sources where tenant_id = $1 order by line", [w.tenantId]);
    expect(sources.rows).toEqual([
      { external_id: "K1", line: 2 },
      { external_id: "K2", line: 3 },
      { external_id: "K3", line: 4 },
      { external_id: "K4", line: 6 },
    ]);
    const { caller } = await callerFor(t.db, w.members.analyst.token, { tenantId: w.tenantId });
    const merges = await caller.data.merges();
    expect(merges.map((m) => [m.merged.externalId, m.survivor.externalId, m.matchedOn]).sort()).toEqual([
      ["K2", "K1", "email"],
      ["K3", "K1", "phone"],
    ]);
    const k3 = merges.find((m) => m.merged.externalId === "K3")!;
    await caller.data.undoMerge({ mergeId: k3.id });
    // Importing the same file again neither changes the customers nor merges the undone pair.
    const again = await load("customers", CUSTOMERS);
    expect(again.row).toMatchObject({ rows_imported: 0, rows_unchanged: 4 });
    const k3row = await t.ownerQuery("select merged_into from customers where tenant_id = $1 and external_id = 'K3'", [w.tenantId]);
    expect(k3row.rows[0].merged_into).toBeNull();
  });

  it("hides PII and protected attributes from roles without pii:read", async () => {
    await workspace();
    await load("customers", CUSTOMERS);
    const asViewer = await (await callerFor(t.db, w.members.viewer.token, { tenantId: w.tenantId })).caller.data.customers({});
    const asAnalyst = await (await callerFor(t.db, w.members.analyst.token, { tenantId: w.tenantId })).caller.data.customers({});
    const viewerK1 = asViewer.customers.find((c) => c.externalId === "K1")!;
    const analystK1 = asAnalyst.customers.find((c) => c.externalId === "K1")!;
    expect(analystK1).toMatchObject({ name: "Ann", email: "ann@example.test", attributes: { gender: "F", age: 34 } });
    expect(viewerK1).toMatchObject({ name: "•••", email: "•••", phone: "•••", attributes: { gender: "•••", age: "•••" } });
    expect(asViewer.piiVisible).toBe(false);
    expect(JSON.stringify(asViewer)).not.toContain("ann@example.test");
    const byEmail = await (await callerFor(t.db, w.members.viewer.token, { tenantId: w.tenantId })).caller.data.customers({ search: "ann@" });
    expect(byEmail.customers).toEqual([]);
    expect(asViewer.attributes.find((a) => a.key === "gender")?.sensitivity).toBe("protected");
  });
});

describe("uploads and settings", () => {
  it("keeps nothing of an upload whose header cannot be read, and previews a last line without a line break", async () => {
    await workspace();
    await expect(uploadFile(w.ownerScope, { kind: "customers", fileName: "dup.csv" }, ["id,id\n1,2\n"], 1 << 20)).rejects.toThrow(
      "The header names the column 'id' twice; column names must be unique.",
    );
    expect(await count("imports")).toBe(0);
    expect(await count("import_files")).toBe(0);
    const up = await uploadFile(w.ownerScope, { kind: "customers", fileName: "four.csv" }, ["customer_id,plan\nA,x\nB,y\nC,z\nD,w"], 1 << 20);
    const { caller } = await callerFor(t.db, w.members.analyst.token, { tenantId: w.tenantId });
    const preview = await caller.data.preview({ importId: up.importId });
    expect(preview.sampleRows).toEqual([["A", "x"], ["B", "y"], ["C", "z"], ["D", "w"]]);
  });

  it("recomputes features at once when the preparation rules change", async () => {
    await workspace();
    const file = [HEADER, line("8001", "2"), line("C8002", "-1"), line("8003", "1", "2011-06-01 10:00:00", "0")].join("\n");
    await load("transactions", file);
    const features = async () =>
      (await t.ownerQuery<{ frequency: number }>("select frequency from customer_features where tenant_id = $1", [w.tenantId])).rows[0].frequency;
    expect(await features()).toBe(1);
    const { caller } = await callerFor(t.db, w.members.analyst.token, { tenantId: w.tenantId });
    await caller.data.updateSettings({ maxMissingShare: 0.2, preparation: { dropCancellations: false, dropNonPositive: false } });
    expect(await features()).toBe(3);
    const overview = await caller.data.overview();
    expect(overview.preparation).toMatchObject({ rows: 3, used: 3, dropped: { noCustomer: 0, cancelled: 0, nonPositive: 0 } });
  });
});
