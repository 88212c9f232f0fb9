import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { ensureJobSchema, JOB_SCHEMA } from "../workers/queues";

const MIGRATIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");
/** Arbitrary constant: serialises migrations of one database across instances. */
const MIGRATION_LOCK = 727_001;

/** Tables the app role may only append to and read. */
const APPEND_ONLY_TABLES = ["audit_log"];

export interface AppRole {
  name: string;
  password: string;
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Creates (or updates) the login role the app uses for requests: no superuser, no BYPASSRLS,
 * owns nothing. Roles are cluster-wide, so several databases migrating at once may race here;
 * such a race is retried.
 */
async function ensureAppRole(client: pg.Client, role: AppRole): Promise<void> {
  const ident = client.escapeIdentifier(role.name);
  const literal = client.escapeLiteral(role.password);
  for (let attempt = 1; ; attempt++) {
    try {
      const { rowCount } = await client.query("select 1 from pg_roles where rolname = $1", [role.name]);
      if (!rowCount) await client.query(`create role ${ident} login nosuperuser nobypassrls nocreatedb nocreaterole`);
      await client.query(`alter role ${ident} with login nosuperuser nobypassrls password ${literal}`);
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      const racing = code === "42710" || code === "23505" || code === "XX000";
      if (!racing || attempt >= 8) throw error;
      await sleep(50 * attempt);
    }
  }
}

async function applyGrants(client: pg.Client, role: AppRole): Promise<void> {
  const r = client.escapeIdentifier(role.name);
  await client.query(`grant usage on schema public to ${r}`);
  await client.query(`grant select, insert, update, delete on all tables in schema public to ${r}`);
  for (const table of APPEND_ONLY_TABLES) {
    await client.query(`revoke update, delete, truncate on ${client.escapeIdentifier(table)} from ${r}`);
  }
  await client.query(`grant usage, select on all sequences in schema public to ${r}`);
  await client.query(`grant execute on function app_user_workspaces(uuid) to ${r}`);
  await client.query(`grant execute on function app_interrupted_imports() to ${r}`);
  await client.query(`grant execute on function app_workspace_ids() to ${r}`);
  // The job queue (pg-boss) is infrastructure, not tenant data: the app role enqueues and works jobs.
  const { rowCount } = await client.query("select 1 from pg_namespace where nspname = $1", [JOB_SCHEMA]);
  if (rowCount) {
    const s = client.escapeIdentifier(JOB_SCHEMA);
    await client.query(`grant usage on schema ${s} to ${r}`);
    await client.query(`grant select, insert, update, delete on all tables in schema ${s} to ${r}`);
    await client.query(`grant usage, select on all sequences in schema ${s} to ${r}`);
    await client.query(`grant execute on all functions in schema ${s} to ${r}`);
  }
}

/** The app role's connection URL: the owner's URL with the app role's name and password. */
export function appRoleUrl(ownerUrl: string, role: AppRole): string {
  const url = new URL(ownerUrl);
  url.username = encodeURIComponent(role.name);
  url.password = encodeURIComponent(role.password);
  return url.toString();
}

/**
 * Brings the database to the latest schema as the owner role, idempotently and safely when
 * several instances start at once, then (re)applies the app role's privileges.
 */
export async function migrateDatabase(ownerUrl: string, role: AppRole): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query("set client_min_messages = warning");
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await ensureAppRole(client, role);
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS });
    await ensureJobSchema(ownerUrl);
    await applyGrants(client, role);
  } finally {
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
}
