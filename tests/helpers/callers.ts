import { randomUUID } from "node:crypto";
import type { Database } from "../../db/client";
import { parseConfig } from "../../server/config";
import { createLogger } from "../../server/logger";
import { switchWorkspace, resolveSession } from "../../server/services/accounts";
import { buildRequestContext } from "../../server/trpc/context";
import { createCaller } from "../../server/trpc/router";
import type { JobQueue } from "../../server/services/data/imports";
import { createBoss, jobQueueFor } from "../../workers/queues";

export const testConfig = parseConfig({ NODE_ENV: "test", LOG_LEVEL: "silent" });

const queues = new WeakMap<Database, JobQueue>();

/** A job queue over the same database (pg-boss, not started: sending needs no running instance). */
export function jobsFor(db: Database): JobQueue {
  let queue = queues.get(db);
  if (!queue) {
    queue = jobQueueFor(createBoss(String(db.pool.options.connectionString)));
    queues.set(db, queue);
  }
  return queue;
}

export interface CookieLog {
  set: { token: string; expiresAt: Date }[];
  cleared: number;
}

/**
 * The tRPC server caller as a request carrying `token` would get it (no HTTP): the same
 * context resolution, procedures and permission checks as /trpc.
 */
export async function callerFor(db: Database, token: string | null, options: { tenantId?: string; ip?: string } = {}) {
  if (token && options.tenantId) {
    const session = await resolveSession(db, token);
    if (session) await switchWorkspace(db, session, options.tenantId);
  }
  const cookies: CookieLog = { set: [], cleared: 0 };
  const ctx = await buildRequestContext(
    { db, config: testConfig, logger: createLogger("silent"), jobs: jobsFor(db) },
    {
      token,
      ip: options.ip ?? "127.0.0.1",
      requestId: randomUUID(),
      cookies: { setSession: (t, e) => cookies.set.push({ token: t, expiresAt: e }), clearSession: () => cookies.cleared++ },
    },
  );
  return { caller: createCaller(ctx), ctx, cookies };
}
