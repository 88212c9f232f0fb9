import { createHttpApp } from "../../server/app";
import { parseConfig } from "../../server/config";
import { createLogger } from "../../server/logger";
import { jobsFor } from "./callers";
import { createTestDatabase, type TestDatabase } from "./db";

export interface TestServer {
  url: string;
  port: number;
  database: TestDatabase;
  /** Stops the server; drops the database too unless it was handed in (`options.database`). */
  stop(): Promise<void>;
}

/**
 * The real server (Express + tRPC + socket.io + the production Remix build from `npm run
 * build`) on a loopback port, over a database of its own. A restart is a stop and a start
 * with `{ database, port }` of the first server: the same database, the same address.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { database?: TestDatabase; port?: number } = {},
): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase());
  const config = parseConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", ...env });
  const http = await createHttpApp(
    { config, db: database.db, logger: createLogger(config.LOG_LEVEL), jobs: jobsFor(database.db) },
    { ui: "production" },
  );
  await new Promise<void>((resolve) => http.server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const address = http.server.address();
  if (!address || typeof address !== "object") throw new Error("test server has no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    database,
    async stop() {
      await http.close();
      if (!options.database) await database.drop();
    },
  };
}
