import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { launchBrowser, pageRecorder, signInAt, type TestBrowser } from "../helpers/browser";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { makeDraftProposal } from "../helpers/segments";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * What a person sees when the server under a co-edited draft goes away (a restart, a drained or
 * dead instance): "Reconnecting…", edits still possible, and the count of unsaved edits kept.
 * (That the edits are stored once the connection is back is covered in Node by
 * collab-restart.test.ts and scale-failover.test.ts.)
 */

const SHOTS = path.resolve("test-results/e2e/scale-reconnecting");
const { browserErrors, resetShots, openPage, shot } = pageRecorder(SHOTS, { timeoutMs: 20_000 });

let database: TestDatabase;
let server: TestServer;
let browser: TestBrowser;
let w: FactoryWorkspace;

beforeAll(async () => {
  await resetShots();
  database = await createTestDatabase();
  [server, browser] = await Promise.all([startTestServer({}, { database }), launchBrowser()]);
  w = await makeWorkspace(database.db, "Reconnecting");
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await database?.drop();
});

const status = (page: Page) => page.locator(".draft__bar .save-status");

describe("a draft whose server goes away", () => {
  it("shows Reconnecting… and the unsaved edits it keeps while the server is away", async () => {
    const draft = await makeDraftProposal(database.db, w, { name: "Kept while reconnecting" });
    const page = await signInAt(await openPage(await browser.newContext()), server.url, w.owner.email, `/segments/proposals/${draft.proposalId}`);
    await expect.poll(() => status(page).textContent(), { timeout: 15_000 }).toBe("Saved");

    const port = server.port;
    await server.stop();
    await expect.poll(() => status(page).textContent(), { timeout: 15_000 }).toBe("Reconnecting…");
    await page.getByLabel("Description", { exact: true }).fill("Written while the server was away");
    await expect.poll(() => status(page).textContent(), { timeout: 15_000 }).toMatch(/^Reconnecting… \d+ unsaved edits? kept until the connection is back$/);
    await shot(page, "reconnecting");

    // While the server was away the browser reported its failed WebSocket attempts, and Remix its
    // failed fetch of route manifest patches (links on the page are discovered lazily); nothing else.
    expect(browserErrors.filter((e) => !/WebSocket connection to .* failed|Failed to fetch manifest patches/.test(e))).toEqual([]);
    // Back at the same address, so that the suite ends with a server to stop.
    server = await startTestServer({}, { database, port });
  }, 90_000);
});
