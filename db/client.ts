import { sql } from "drizzle-orm";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Tx = Parameters<Parameters<NodePgDatabase<Schema>["transaction"]>[0]>[0];
export type TxOptions = Parameters<NodePgDatabase<Schema>["transaction"]>[1];

export interface Database {
  pool: pg.Pool;
  /** Runs fn in a transaction in which row-level security sees only tenantId's rows. */
  withTenant<T>(tenantId: string, fn: (tx: Tx) => Promise<T>, options?: TxOptions): Promise<T>;
  /** Runs fn in a transaction with no tenant set: tenant-owned tables show no rows. */
  withoutTenant<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Checks that the database answers, on a connection of its own: a pool whose connections are
   * all busy (a wait that timed out) is a loaded database, not an unreachable one.
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createDatabase(connectionString: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client that loses its server must not crash the process; the pool replaces it. A
  // client being closed (after pool.end()) is no longer the pool's: it needs a listener too.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  const db = drizzle(pool, { schema });

  return {
    pool,
    async withTenant(tenantId, fn, txOptions) {
      if (!UUID.test(tenantId)) throw new Error(`withTenant: '${tenantId}' is not a tenant id`);
      return db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true)`);
        return fn(tx);
      }, txOptions);
    },
    async withoutTenant(fn) {
      return db.transaction(async (tx) => fn(tx));
    },
    async ping() {
      const client = new pg.Client({ connectionString, connectionTimeoutMillis: 3_000, query_timeout: 3_000 });
      client.on("error", () => {});
      try {
        await client.connect();
        await client.query("select 1");
      } finally {
        await client.end().catch(() => {});
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * The pg client under a drizzle transaction, for what drizzle's query builder does not express
 * (array parameters for unnest bulk inserts, pg-boss's executeSql). Drizzle keeps it at
 * `tx.session.client`; this is the one place that reaches in.
 */
export function txClient(tx: Tx): pg.PoolClient {
  return (tx as unknown as { session: { client: pg.PoolClient } }).session.client;
}
