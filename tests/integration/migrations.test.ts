import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "../../db/migrate";
import { createTestDatabase, TEST_APP_ROLE, type TestDatabase } from "../helpers/db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

async function schemaFingerprint() {
  const { rows } = await t.ownerQuery<{ h: string }>(
    `select md5(string_agg(table_name || '.' || column_name || ':' || data_type, ',' order by table_name, column_name)) as h
       from information_schema.columns where table_schema = 'public'`,
  );
  return rows[0].h;
}

describe("migrations", () => {
  it("are idempotent, also when several instances start at once", async () => {
    const before = await schemaFingerprint();
    const applied = await t.ownerQuery<{ n: number }>("select count(*)::int as n from drizzle.__drizzle_migrations");
    await Promise.all([migrateDatabase(t.ownerUrl, TEST_APP_ROLE), migrateDatabase(t.ownerUrl, TEST_APP_ROLE)]);
    expect(await schemaFingerprint()).toBe(before);
    const after = await t.ownerQuery<{ n: number }>("select count(*)::int as n from drizzle.__drizzle_migrations");
    expect(after.rows[0].n).toBe(applied.rows[0].n);
    expect(applied.rows[0].n).toBeGreaterThanOrEqual(2);
  });
});
