import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { createTestDatabase, TEST_APP_ROLE, type TestDatabase } from "../helpers/db";

const run = promisify(execFile);
let t: TestDatabase;
let w: FactoryWorkspace;
let dir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Cli Co");
  dir = await mkdtemp(path.join(os.tmpdir(), "quorum-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await t.drop();
});

async function cli(...args: string[]) {
  const env = { ...process.env, DATABASE_URL: t.ownerUrl, APP_DB_ROLE: TEST_APP_ROLE.name, APP_DB_PASSWORD: TEST_APP_ROLE.password, LOG_LEVEL: "silent" };
  return run(process.execPath, ["--import", "tsx", "server/cli/main.ts", ...args], { env }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe("npm run cli -- import", () => {
  it("imports the real Mall Customers file (CRLF, ids with leading zeros) and tags Genre as protected", async () => {
    const r = await cli("import", "--workspace", w.slug, "--kind", "customers", "--file", "../shared/data/mall_customers.csv", "--map", "CustomerID=external_id");
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "completed", rowsRead: 200, rowsImported: 200, rowsFailed: 0 });
    const ids = await t.ownerQuery<{ external_id: string }>("select external_id from customers where tenant_id = $1 order by 1 limit 2", [w.tenantId]);
    expect(ids.rows.map((r) => r.external_id)).toEqual(["0001", "0002"]);
    const defs = await t.ownerQuery<{ key: string; type: string; sensitivity: string }>(
      "select key, type, sensitivity from attribute_definitions where tenant_id = $1 order by key",
      [w.tenantId],
    );
    expect(defs.rows).toEqual([
      { key: "age", type: "number", sensitivity: "protected" },
      { key: "annual_income_k", type: "number", sensitivity: "plain" },
      { key: "genre", type: "category", sensitivity: "protected" },
      { key: "spending_score_1_100", type: "number", sensitivity: "plain" },
    ]);
    const entry = await t.ownerQuery("select actor_label from audit_log where tenant_id = $1 and action = 'import.start'", [w.tenantId]);
    expect(entry.rows[0].actor_label).toBe(`${w.owner.email} (cli)`);
  });

  it("lists bad rows on stderr, imports the good ones and exits 0; refuses bad arguments with exit 2", async () => {
    const file = path.join(dir, "tx.csv");
    await writeFile(file, "InvoiceNo,Quantity,InvoiceDate,UnitPrice,CustomerID\n1,2,2011-01-01,1.5,0001\n2,x,2011-01-01,1.5,0002\n");
    const r = await cli("import", "--workspace", w.slug, "--kind", "transactions", "--file", file);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("line 3, Quantity: expected a number, got 'x'\n");
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "completed", rowsImported: 1, rowsFailed: 1 });

    const bad = await cli("import", "--workspace", w.slug, "--kind", "orders", "--file", file);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--kind must be customers, transactions or events");
    const missing = await cli("import", "--workspace", "no-such-workspace", "--kind", "customers", "--file", file);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("import: no workspace with the slug 'no-such-workspace'\n");
  });
});
