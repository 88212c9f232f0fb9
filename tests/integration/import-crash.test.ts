import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { startImport, uploadFile } from "../../server/services/data";
import { jobsFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { killWorkerProcesses, startWorkerProcess, waitFor } from "../helpers/worker";

let t: TestDatabase;
let w: FactoryWorkspace;

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Crash Co");
});
afterAll(async () => {
  await killWorkerProcesses();
  await t.drop();
});

const ROWS = 150_000;

describe("a worker killed in the middle of an import", () => {
  it("leaves nothing half-written, and a restarted worker imports every row exactly once", async () => {
    const header = "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID";
    const lines = Array.from({ length: ROWS }, (_, i) => `${500000 + Math.floor(i / 3)},SKU${i % 97},${1 + (i % 4)},2011-0${1 + (i % 9)}-1${i % 10} 10:00:00,${(1 + (i % 50) / 10).toFixed(2)},${12000 + (i % 800)}`);
    // Every tenth line repeats the one before it: identical rows must stay separate rows.
    for (let i = 10; i < lines.length; i += 10) lines[i] = lines[i - 1];
    const up = await uploadFile(w.ownerScope, { kind: "transactions", fileName: "crash.csv" }, [[header, ...lines].join("\n")], 1 << 30);
    const first = startWorkerProcess(t);
    await startImport(w.ownerScope, { importId: up.importId, mapping: up.mapping }, jobsFor(t.db));

    await waitFor("the import to be half read", async () => {
      const { rows } = await t.ownerQuery("select status, rows_read from imports where id = $1", [up.importId]);
      return rows[0].status === "running" && rows[0].rows_read >= ROWS / 3 ? true : null;
    });
    await first.killHard();

    const mid = await t.ownerQuery("select status from imports where id = $1", [up.importId]);
    expect(mid.rows[0].status).toBe("running");
    const none = await t.ownerQuery<{ n: number }>("select count(*)::int as n from transactions where tenant_id = $1", [w.tenantId]);
    expect(none.rows[0].n).toBe(0);

    startWorkerProcess(t);
    const done = await waitFor("the import to complete", async () => {
      const { rows } = await t.ownerQuery("select status, rows_read, rows_imported, rows_failed from imports where id = $1", [up.importId]);
      return rows[0].status === "completed" ? rows[0] : null;
    });
    expect(done).toEqual({ status: "completed", rows_read: ROWS, rows_imported: ROWS, rows_failed: 0 });
    const { rows } = await t.ownerQuery<{ n: number; keys: number }>(
      "select count(*)::int as n, count(distinct id)::int as keys from transactions where tenant_id = $1",
      [w.tenantId],
    );
    expect(rows[0]).toEqual({ n: ROWS, keys: ROWS });
    const audit = await t.ownerQuery<{ n: number }>(
      "select count(*)::int as n from audit_log where tenant_id = $1 and action = 'import.complete' and object_id = $2",
      [w.tenantId, up.importId],
    );
    expect(audit.rows[0].n).toBe(1);
  });
});
