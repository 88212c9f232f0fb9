import { createDatabase } from "../db/client";
import { bootDatabase } from "../db/boot";
import { DEMO_PASSWORD, DEMO_USERS, isEmpty, seedDemo } from "../db/seed/demo";
import { createHttpApp } from "./app";
import { ConfigError, parseConfig } from "./config";
import { createLogger } from "./logger";
import { createBoss, jobQueueFor } from "../workers/queues";
import { startWorkers } from "../workers/runtime";

/** How long requests in flight may take to finish after SIGTERM before their connections are cut. */
const REQUEST_GRACE_MS = 10_000;
/** Connections of the co-editing rooms' own pool (services.collabDb); requests keep the main pool's 10. */
const COLLAB_POOL_SIZE = 4;
/** The whole shutdown (requests, co-edits, jobs, pool) must fit in this, inside a typical 30 s kill grace. */
const SHUTDOWN_LIMIT_MS = 28_000;

async function main() {
  let config;
  try {
    config = parseConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const boot = await bootDatabase(config, (m) => logger.debug({ postgres: m }, "embedded postgres"));
  logger.info({ embedded: boot.embedded }, boot.embedded ? `embedded PostgreSQL under ${config.DATA_DIR}` : "using DATABASE_URL");
  const db = createDatabase(boot.appUrl);
  const collabDb = createDatabase(boot.appUrl, { max: COLLAB_POOL_SIZE });

  const jobs = jobQueueFor(createBoss(boot.appUrl));
  let seeded = false;
  if (config.SEED === "auto" && (await isEmpty(db))) {
    seeded = (await seedDemo(db, jobs, (m) => process.stdout.write(`  ${m}\n`))).created;
  }

  const workers = config.WORKERS_IN_PROCESS ? await startWorkers({ appUrl: boot.appUrl, db, logger }) : null;
  const ui = config.NODE_ENV === "production" ? "production" : "development";
  const http = await createHttpApp({ config, db, collabDb, logger, jobs }, { ui });
  await http.collab.ready();
  logger.info({ redis: Boolean(config.REDIS_URL), instance: http.collab.cluster.id }, config.REDIS_URL ? "co-editing across instances through Redis" : "single instance (no REDIS_URL)");
  await new Promise<void>((resolve) => http.server.listen(config.PORT, config.HOST, resolve));
  const address = http.server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const url = config.PUBLIC_URL ?? `http://localhost:${port}`;
  logger.info({ url }, "Quorum is listening");
  process.stdout.write(
    `\n  Quorum is running at ${url}\n` +
      (seeded || boot.embedded
        ? `  Demo logins (password ${DEMO_PASSWORD}):\n${DEMO_USERS.map((u) => `    ${u.role.padEnd(12)} ${u.email}`).join("\n")}\n`
        : "") +
      "\n",
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const exit = process.exit.bind(process);
    if (ui === "development") {
      // Vite's dev server (the Remix plugin starts one of its own) ends the process on SIGTERM as
      // soon as it has closed itself; hold such exits back until PostgreSQL has been stopped.
      process.exit = (() => undefined) as typeof process.exit;
    }
    setTimeout(() => exit(1), SHUTDOWN_LIMIT_MS).unref();
    // Every step runs even if one before it fails: PostgreSQL must never be left behind.
    // The web server drains first (healthz says so, no new connections, co-edits stored, sockets
    // closed so their clients reconnect elsewhere, requests in flight finish), then running jobs
    // finish or go back to the queue.
    const steps: [string, () => Promise<void>][] = [
      ["web server", () => http.close({ graceMs: REQUEST_GRACE_MS })],
      ["workers", async () => workers?.stop()],
      ["database pool", () => db.close()],
      ["co-editing database pool", () => collabDb.close()],
      ["embedded PostgreSQL", () => boot.stop()],
    ];
    let failed = false;
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (err) {
        failed = true;
        logger.error({ err }, `stopping the ${name} failed`);
      }
    }
    exit(failed ? 1 : 0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error) => {
  process.stderr.write(`Quorum could not start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
