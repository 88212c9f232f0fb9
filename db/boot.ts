import pg from "pg";
import type { Config } from "../server/config";
import { startEmbeddedPostgres } from "./embedded";
import { appRoleUrl, migrateDatabase } from "./migrate";

export interface BootedDatabase {
  ownerUrl: string;
  appUrl: string;
  embedded: boolean;
  stop(): Promise<void>;
}

async function ensureDatabase(serverUrl: string, name: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (!rowCount) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/**
 * DATABASE_URL's PostgreSQL, or else the embedded one under DATA_DIR (database "quorum");
 * migrated to the latest schema, with the app role's URL to serve requests through.
 */
export async function bootDatabase(config: Config, log: (message: string) => void): Promise<BootedDatabase> {
  const role = { name: config.APP_DB_ROLE, password: config.APP_DB_PASSWORD };
  let ownerUrl = config.DATABASE_URL;
  let stop = async () => {};
  if (!ownerUrl) {
    const embedded = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, log });
    stop = embedded.stop;
    try {
      await ensureDatabase(embedded.url, "quorum");
    } catch (error) {
      await stop();
      throw error;
    }
    const url = new URL(embedded.url);
    url.pathname = "/quorum";
    ownerUrl = url.toString();
  }
  try {
    await migrateDatabase(ownerUrl, role);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ownerUrl, appUrl: appRoleUrl(ownerUrl, role), embedded: !config.DATABASE_URL, stop };
}
