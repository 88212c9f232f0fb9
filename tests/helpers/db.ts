import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { createDatabase, type Database } from "../../db/client";
import { appRoleUrl, migrateDatabase } from "../../db/migrate";

export const TEST_APP_ROLE = { name: "quorum_app", password: "quorum-app-local" };

export interface TestDatabase {
  name: string;
  /** Superuser URL of this database: migrations, tampering in tests, checks of catalog state. */
  ownerUrl: string;
  /** The app role's URL: what the server uses; row-level security applies. */
  appUrl: string;
  db: Database;
  /** Runs one statement as the owner. */
  ownerQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh, migrated database of this test file's own, dropped by drop(). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject("adminDatabaseUrl");
  const name = `quorum_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${admin.escapeIdentifier(name)}`);
  await admin.end();

  const ownerUrl = withDatabase(adminUrl, name);
  await migrateDatabase(ownerUrl, TEST_APP_ROLE);
  const appUrl = appRoleUrl(ownerUrl, TEST_APP_ROLE);
  const db = createDatabase(appUrl, { max: 5 });
  const owner = new pg.Pool({ connectionString: ownerUrl, max: 2 });
  // pool.end() resolves before its clients' sockets have closed; the forced drop below may then
  // terminate one, which a client reports as an 'error' event nobody listens to any more.
  // The pool re-emits an idle client's error on itself, so it needs a listener as well.
  owner.on("connect", (client) => client.on("error", () => {}));
  owner.on("error", () => {});
  return {
    name,
    ownerUrl,
    appUrl,
    db,
    ownerQuery: (text, values) => owner.query(text, values),
    async drop() {
      await db.close();
      await owner.end();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      // Only the database this helper created is ever dropped.
      await c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`);
      await c.end();
    },
  };
}
