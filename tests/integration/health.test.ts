import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobsFor } from "../helpers/callers";
import { startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe("GET /healthz", () => {
  it("answers ok with the database reachable", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: "ok" });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers 503 once the database is gone, without a stack trace", async () => {
    const { createHttpApp } = await import("../../server/app");
    const { parseConfig } = await import("../../server/config");
    const { createLogger } = await import("../../server/logger");
    const { createDatabase } = await import("../../db/client");
    const unreachable = createDatabase("postgres://nobody@127.0.0.1:1/none");
    const config = parseConfig({ LOG_LEVEL: "silent" });
    const http = await createHttpApp({ config, db: unreachable, logger: createLogger("silent"), jobs: jobsFor(unreachable) }, { ui: "production" });
    await new Promise<void>((r) => http.server.listen(0, "127.0.0.1", r));
    const port = (http.server.address() as { port: number }).port;
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "unavailable", database: "unreachable", message: "The database is unreachable; retrying. Try again in a moment." });
    await http.close();
    await unreachable.close();
  });
});
