import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

/**
 * The schema allows distributing every tenant-owned table by tenant_id (Citus, docs/scaling.md)
 * with no change: read from the live catalog of a freshly migrated database, every table with a
 * tenant_id is tenant-owned and must have tenant_id first in its primary key and in every
 * foreign key to another tenant-owned table (so joins and cascades stay on one shard), and row-
 * level security on. The tables without a tenant_id are listed here with the reason; they become
 * Citus reference tables (copied to every node), which tenant tables may reference freely.
 */

const GLOBAL_TABLES: Record<string, string> = {
  users: "people sign in once and may belong to several workspaces; a reference table",
  workspaces: "the tenants themselves (tenant_id references workspaces.id); a reference table",
  sessions: "a sign-in session belongs to a user, across workspaces; a reference table",
  auth_attempts: "sign-in rate limiting per account and address, before any workspace is known; a reference table",
};

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

interface TableRow {
  name: string;
  has_tenant: boolean;
  pk: string[] | null;
  rls: boolean;
  forced: boolean;
}
interface ForeignKeyRow {
  table_name: string;
  name: string;
  referenced: string;
  columns: string[];
  referenced_columns: string[];
}

async function tables(): Promise<TableRow[]> {
  const { rows } = await database.ownerQuery<TableRow>(`
    select c.relname as name,
           exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped) as has_tenant,
           (select array_agg(a.attname::text order by k.ord)
              from pg_constraint p
              cross join unnest(p.conkey) with ordinality k(attnum, ord)
              join pg_attribute a on a.attrelid = p.conrelid and a.attnum = k.attnum
             where p.conrelid = c.oid and p.contype = 'p') as pk,
           c.relrowsecurity as rls, c.relforcerowsecurity as forced
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname not like '\\_\\_drizzle%'
     order by 1`);
  return rows;
}

async function foreignKeys(): Promise<ForeignKeyRow[]> {
  const { rows } = await database.ownerQuery<ForeignKeyRow>(`
    select c.conrelid::regclass::text as table_name, c.conname as name, c.confrelid::regclass::text as referenced,
           (select array_agg(a.attname::text order by k.ord) from unnest(c.conkey) with ordinality k(attnum, ord)
              join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum) as columns,
           (select array_agg(a.attname::text order by k.ord) from unnest(c.confkey) with ordinality k(attnum, ord)
              join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum) as referenced_columns
      from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
     where c.contype = 'f' and n.nspname = 'public'
     order by 1, 2`);
  return rows;
}

describe("tenant keys in the live catalog", () => {
  it("finds exactly the listed global tables without a tenant_id; every other table is tenant-owned", async () => {
    const all = await tables();
    expect(all.length).toBeGreaterThan(40);
    expect(all.filter((t) => !t.has_tenant).map((t) => t.name).sort()).toEqual(Object.keys(GLOBAL_TABLES).sort());
  });

  it("gives every tenant-owned table a primary key led by tenant_id, and row-level security (enabled and forced)", async () => {
    const owned = (await tables()).filter((t) => t.has_tenant);
    const badKeys = owned.filter((t) => !t.pk || t.pk[0] !== "tenant_id").map((t) => `${t.name} (${t.pk?.join(", ") ?? "no primary key"})`);
    expect(badKeys).toEqual([]);
    expect(owned.filter((t) => !t.rls || !t.forced).map((t) => t.name)).toEqual([]);
  });

  it("leads every foreign key between tenant-owned tables with tenant_id on both sides; others point at the global tables", async () => {
    const owned = new Set((await tables()).filter((t) => t.has_tenant).map((t) => t.name));
    const fks = await foreignKeys();
    expect(fks.length).toBeGreaterThan(40);
    const violations: string[] = [];
    for (const fk of fks) {
      const text = `${fk.table_name}.${fk.name} (${fk.columns.join(", ")}) -> ${fk.referenced}(${fk.referenced_columns.join(", ")})`;
      if (!owned.has(fk.table_name)) {
        // A global table may only reference other global tables (a reference table cannot point into a shard).
        if (owned.has(fk.referenced)) violations.push(`global table references a tenant-owned one: ${text}`);
        continue;
      }
      if (owned.has(fk.referenced)) {
        if (fk.columns[0] !== "tenant_id" || fk.referenced_columns[0] !== "tenant_id") violations.push(text);
      } else if (!(fk.referenced in GLOBAL_TABLES)) {
        violations.push(`references a table that is neither tenant-owned nor listed as global: ${text}`);
      }
    }
    expect(violations).toEqual([]);
    // The tenant column itself points at the tenants.
    const tenantFks = fks.filter((fk) => owned.has(fk.table_name) && fk.columns.length === 1 && fk.columns[0] === "tenant_id");
    expect(tenantFks.every((fk) => fk.referenced === "workspaces")).toBe(true);
  });
});
