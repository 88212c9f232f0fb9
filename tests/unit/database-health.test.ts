import { describe, expect, it } from "vitest";
import { createDatabase } from "../../db/client";
import { DatabaseHealth, isDatabaseBusy, isDatabaseUnreachable } from "../../server/http/database-health";
import { createLogger } from "../../server/logger";

/**
 * A request that waited too long for a free pooled connection (pg-pool's "timeout exceeded when
 * trying to connect") is load, not an outage: it is "busy, retry", and it must not mark the
 * database down (the load bench's 503s). A refused connection still is "unreachable". Real
 * PostgreSQL and real pg errors, no stand-ins.
 */

const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

describe("database health: busy pool vs unreachable database", () => {
  it("classifies a pool-wait timeout as busy, never marks the database down for it, and still marks a refused one down", async () => {
    const db = createDatabase(url, { max: 1 });
    // The pool's wait limit (5 s in production) shortened so the test does not sit out 5 s.
    (db.pool.options as { connectionTimeoutMillis: number }).connectionTimeoutMillis = 300;
    const health = new DatabaseHealth(db, createLogger("silent"), 50);
    const holder = await db.pool.connect();
    try {
      const waitError = await db.pool.connect().then(
        (c) => {
          c.release();
          return null;
        },
        (err: unknown) => err,
      );
      expect(waitError).toBeInstanceOf(Error);
      expect((waitError as Error).message).toBe("timeout exceeded when trying to connect");
      expect(isDatabaseBusy(waitError)).toBe(true);
      // Wrapped the way drizzle/tRPC wrap it: still busy.
      expect(isDatabaseBusy(new Error("Failed query: select 1", { cause: waitError }))).toBe(true);
      // Jobs still treat it as a transient database failure to retry.
      expect(isDatabaseUnreachable(waitError)).toBe(true);
      // The gate does not take it as a lost database.
      expect(health.noteError(waitError)).toBe(false);
      await new Promise((r) => setTimeout(r, 200));
      expect(health.reachable).toBe(true);
      // And the database did answer a ping meanwhile (its own connection, outside the full pool).
      expect(await health.check()).toBe(true);
    } finally {
      holder.release();
      health.close();
      await db.close();
    }

    // A database that refuses connections: unreachable, not busy, and marked down after the ping.
    const refused = new URL(url);
    refused.port = "1"; // nothing listens on port 1
    const gone = createDatabase(refused.toString(), { max: 1 });
    const goneHealth = new DatabaseHealth(gone, createLogger("silent"), 50);
    try {
      const refusal = await gone.pool.query("select 1").then(
        () => null,
        (err: unknown) => err,
      );
      expect(isDatabaseBusy(refusal)).toBe(false);
      expect(isDatabaseUnreachable(refusal)).toBe(true);
      expect(goneHealth.noteError(refusal)).toBe(true);
      const deadline = Date.now() + 5_000;
      while (goneHealth.reachable && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(goneHealth.reachable).toBe(false);
    } finally {
      goneHealth.close();
      await gone.close();
    }
  }, 20_000);
});
