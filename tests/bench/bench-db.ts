import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../../db/embedded";
import { appRoleUrl, migrateDatabase } from "../../db/migrate";

export interface BenchDatabase {
  ownerUrl: string;
  appUrl: string;
  ownerQuery<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

/** A fresh database for a benchmark: on DATABASE_URL's server, or a temporary embedded one. */
export async function benchDatabase(): Promise<BenchDatabase> {
  let serverUrl = process.env.DATABASE_URL;
  let stopServer = async () => {};
  if (!serverUrl) {
    const dir = await mkdtemp(path.join(os.tmpdir(), "quorum-bench-pg-"));
    const pgServer = await startEmbeddedPostgres({ dataDir: dir });
    serverUrl = pgServer.url;
    stopServer = async () => {
      await pgServer.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const name = `quorum_bench_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${admin.escapeIdentifier(name)}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const ownerUrl = url.toString();
  const role = { name: "quorum_app", password: "quorum-app-local" };
  await migrateDatabase(ownerUrl, role);
  const owner = new pg.Pool({ connectionString: ownerUrl, max: 2 });
  return {
    ownerUrl,
    appUrl: appRoleUrl(ownerUrl, role),
    ownerQuery: (text, values) => owner.query(text, values),
    async drop() {
      await owner.end();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`);
      await c.end();
      await stopServer();
    },
  };
}
