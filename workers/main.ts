import { createDatabase } from "../db/client";
import { bootDatabase } from "../db/boot";
import { ConfigError, parseConfig } from "../server/config";
import { createLogger } from "../server/logger";
import { startWorkers } from "./runtime";

/** `npm run worker`: job handlers only, no web server. Needs DATABASE_URL (shared PostgreSQL). */
async function main() {
  const config = parseConfig();
  if (!config.DATABASE_URL) throw new ConfigError("npm run worker needs DATABASE_URL: workers share the web instances' PostgreSQL.");
  const logger = createLogger(config.LOG_LEVEL);
  const boot = await bootDatabase(config, () => {});
  const db = createDatabase(boot.appUrl);
  const workers = await startWorkers({ appUrl: boot.appUrl, db, logger });
  logger.info("workers started");
  const stop = async () => {
    await workers.stop();
    await db.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

main().catch((error) => {
  process.stderr.write(`Quorum workers could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
