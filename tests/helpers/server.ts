import { createHttpApp } from "../../server/app";
import { parseConfig } from "../../server/config";
import { createLogger } from "../../server/logger";
import { jobsFor } from "./callers";
import { createTestDatabase, type TestDatabase } from "./db";

export interface TestServer {
  url: string;
  database: TestDatabase;
  stop(): Promise<void>;
}

/**
 * The real server (Express + tRPC + the production Remix build from `npm run build`) on a free
 * loopback port, over a database of its own.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  const config = parseConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", ...env });
  const http = await createHttpApp(
    { config, db: database.db, logger: createLogger(config.LOG_LEVEL), jobs: jobsFor(database.db) },
    { ui: "production" },
  );
  await new Promise<void>((resolve) => http.server.listen(0, "127.0.0.1", resolve));
  const address = http.server.address();
  if (!address || typeof address !== "object") throw new Error("test server has no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    database,
    async stop() {
      await http.close();
      await database.drop();
    },
  };
}
