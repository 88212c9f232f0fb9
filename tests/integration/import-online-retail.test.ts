import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { runImport, runQualityReport, startImport, uploadFile } from "../../server/services/data";
import { callerFor, jobsFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

const FILE = path.resolve("..", "shared", "data", "online_retail.csv.gz");

let t: TestDatabase;
let w: FactoryWorkspace;
let importId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Online Retail");
  const bytes = readFileSync(FILE);
  const up = await uploadFile(w.ownerScope, { kind: "transactions", fileName: "online_retail.csv.gz" }, [bytes], 1 << 30);
  importId = up.importId;
  await startImport(w.ownerScope, { importId, mapping: up.mapping }, jobsFor(t.db));
  expect(await runImport(t.db, jobsFor(t.db), w.tenantId, importId)).toBe("completed");
  expect(await runQualityReport(t.db, w.tenantId, importId)).toBe("written");
}, 180_000);
afterAll(() => t.drop());

/**
 * An independent pass over the file: gunzip it whole, split lines and fields by hand (quoted
 * fields handled by a regular expression), apply the usual preparation, accumulate per customer.
 */
function naiveRfm() {
  const text = gunzipSync(readFileSync(FILE)).toString("utf8");
  const lines = text.split(/\r?\n/).filter((l) => l.length);
  const header = lines[0].split(",");
  const col = (name: string) => header.indexOf(name);
  const [inv, qty, date, price, cust] = ["InvoiceNo", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"].map(col);
  const per = new Map<string, { last: string; invoices: Set<string>; spend: number }>();
  let noCustomer = 0;
  let cancelled = 0;
  let nonPositive = 0;
  let lastDate = "";
  for (const l of lines.slice(1)) {
    const f = (l.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? []).map((x) => x.replace(/,$/, "").replace(/^"|"$/g, ""));
    if (!f[cust]) {
      noCustomer++;
      continue;
    }
    if (f[inv].startsWith("C")) {
      cancelled++;
      continue;
    }
    if (Number(f[qty]) <= 0 || Number(f[price]) <= 0) {
      nonPositive++;
      continue;
    }
    const day = f[date].slice(0, 10);
    const c = per.get(f[cust]) ?? { last: "", invoices: new Set<string>(), spend: 0 };
    if (day > c.last) c.last = day;
    c.invoices.add(f[inv]);
    // Exact to a tenth of a cent: prices have at most 3 decimals.
    c.spend += Math.round(Number(f[qty]) * Number(f[price]) * 1000);
    per.set(f[cust], c);
    if (day > lastDate) lastDate = day;
  }
  const reference = new Date(Date.parse(`${lastDate}T00:00:00Z`) + 86_400_000);
  return { rows: lines.length - 1, noCustomer, cancelled, nonPositive, per, reference };
}

describe("the Online Retail file, imported", () => {
  const naive = naiveRfm();

  it("keeps every row and counts each preparation step as an independent pass does", async () => {
    const { rows } = await t.ownerQuery("select status, rows_read, rows_imported, rows_failed from imports where id = $1", [importId]);
    expect(rows[0]).toEqual({ status: "completed", rows_read: 541_909, rows_imported: 541_909, rows_failed: 0 });
    expect(naive.rows).toBe(541_909);
    const overview = await (await callerFor(t.db, w.members.analyst.token, { tenantId: w.tenantId })).caller.data.overview();
    expect(overview.preparation).toMatchObject({
      rows: 541_909,
      dropped: { noCustomer: naive.noCustomer, cancelled: naive.cancelled, nonPositive: naive.nonPositive },
      used: 397_884,
    });
    expect(naive).toMatchObject({ noCustomer: 135_080, cancelled: 8_905, nonPositive: 40 });
    expect(overview.with_features).toBe(4_338);
    expect(overview.referenceDate).toBe("2011-12-10");
    expect(naive.reference.toISOString().slice(0, 10)).toBe("2011-12-10");
  });

  it("gives named customers the recency, frequency and monetary value of the independent pass", async () => {
    for (const id of ["12346", "12347", "12748", "13952", "14911", "17850", "18287"]) {
      const { rows } = await t.ownerQuery<{ recency_days: number; frequency: number; monetary: number }>(
        `select f.recency_days, f.frequency, f.monetary from customer_features f
         join customers c on c.id = f.customer_id where c.tenant_id = $1 and c.external_id = $2`,
        [w.tenantId, id],
      );
      const n = naive.per.get(id)!;
      const recency = Math.round((naive.reference.getTime() - Date.parse(`${n.last}T00:00:00Z`)) / 86_400_000);
      expect({ id, ...rows[0] }).toEqual({
        id,
        recency_days: recency,
        frequency: n.invoices.size,
        monetary: Math.round(n.spend / 10) / 100,
      });
    }
  });

  it("scores every customer 1-5 and names an RFM segment, with scores spread in fifths", async () => {
    const { rows } = await t.ownerQuery<{ r: number; n: number }>(
      "select r, count(*)::int as n from customer_features where tenant_id = $1 group by r order by r",
      [w.tenantId],
    );
    expect(rows.map((r) => r.r)).toEqual([1, 2, 3, 4, 5]);
    for (const r of rows) expect(Math.abs(r.n - 4338 / 5)).toBeLessThanOrEqual(1);
    const segments = await t.ownerQuery<{ n: number }>(
      "select count(distinct rfm_segment)::int as n from customer_features where tenant_id = $1",
      [w.tenantId],
    );
    expect(segments.rows[0].n).toBe(11);
  });

  it("reports the file's quality: cancellations, non-positive values, missing customers, outliers", async () => {
    const { rows } = await t.ownerQuery("select report from data_quality_reports where import_id = $1", [importId]);
    const report = rows[0].report;
    const check = (id: string) => report.checks.find((c: { id: string }) => c.id === id)?.count;
    const text = gunzipSync(readFileSync(FILE)).toString("utf8").split(/\r?\n/).slice(1).filter(Boolean);
    const cancellations = text.filter((l) => l.startsWith("C")).length;
    expect(check("cancelled")).toBe(cancellations);
    expect(check("no_customer")).toBe(135_080);
    const customerColumn = report.columns.find((c: { name: string }) => c.name === "CustomerID");
    expect(customerColumn).toMatchObject({ missing: 135_080, distinct: 4_372 });
    expect(customerColumn.blocksModelling).toBe(true);
    const quantity = report.columns.find((c: { name: string }) => c.name === "Quantity");
    expect(quantity.number.min).toBe(-80_995);
    expect(quantity.number.max).toBe(80_995);
    expect(quantity.number.iqrOutliers).toBeGreaterThan(0);
    expect(report.duplicateRows).toBeGreaterThan(5_000);
  });
});
