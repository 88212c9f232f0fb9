import { createDatabase } from "../db/client";
import { bootDatabase } from "../db/boot";
import { DEMO_PASSWORD, DEMO_USERS, isEmpty, seedDemo } from "../db/seed/demo";
import { createHttpApp } from "./app";
import { ConfigError, parseConfig } from "./config";
import { createLogger } from "./logger";
import { createBoss, jobQueueFor } from "../workers/queues";
import { startWorkers } from "../workers/runtime";

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

  const jobs = jobQueueFor(createBoss(boot.appUrl));
  let seeded = false;
  if (config.SEED === "auto" && (await isEmpty(db))) {
    seeded = (await seedDemo(db, jobs, (m) => process.stdout.write(`  ${m}\n`))).created;
  }

  const workers = config.WORKERS_IN_PROCESS ? await startWorkers({ appUrl: boot.appUrl, db, logger }) : null;
  const ui = config.NODE_ENV === "production" ? "production" : "development";
  const http = await createHttpApp({ config, db, logger, jobs }, { ui });
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
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    try {
      await http.close();
      await workers?.stop();
      await db.close();
      await boot.stop();
    } finally {
      process.exit(0);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error) => {
  process.stderr.write(`Quorum could not start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
