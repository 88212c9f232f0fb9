import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { api, importScoredCustomers, scoreSegment } from "../helpers/api";
import { launchBrowser, pageRecorder, signInAt, type TestBrowser } from "../helpers/browser";
import { jobsFor } from "../helpers/callers";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * Settings → API in the browser: an admin creates a scoped key (shown once, then usable against
 * /api/v1), revokes it (the API refuses it at once), registers a webhook endpoint (secret shown
 * once) and opens its delivery log after a publish; the API reference page renders. An analyst
 * has no API tab and is refused the page.
 */

const SHOTS = path.resolve("test-results/e2e-api");

let server: TestServer;
let browser: TestBrowser;
let ws: FactoryWorkspace;

const { openPage, shot, browserErrors, resetShots } = pageRecorder(SHOTS, { timeoutMs: 15_000 });

async function signIn(context: BrowserContext, email: string, to: string): Promise<Page> {
  return signInAt(await openPage(context), server.url, email, to);
}

beforeAll(async () => {
  await resetShots();
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  ws = await makeWorkspace(server.database.db, "Api Co", jobsFor(server.database.db));
  await importScoredCustomers(server.database.db, ws, 20);
  await scoreSegment(ws, "High scorers", 11);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("Settings → API", () => {
  it("lets an admin create, use and revoke a key, and register a webhook endpoint", async () => {
    const page = await signIn(await browser.newContext(), ws.members.admin.email, "/settings/api");
    await page.getByRole("heading", { name: "Create an API key" }).waitFor();
    await expect(page.getByText("No API keys yet").isVisible()).resolves.toBe(true);
    await shot(page, "empty");

    // A key without a name says what is wrong.
    await page.getByRole("button", { name: "Create key" }).click();
    await page.getByText("Give the key a name").waitFor();

    await page.getByLabel("Name").fill("Email tool");
    await page.getByLabel(/exports:read/).check();
    await page.getByRole("button", { name: "Create key" }).click();
    await page.getByText("Key “Email tool” created").waitFor();
    const key = await page.getByLabel("API key", { exact: true }).inputValue();
    expect(key).toMatch(/^qk_[0-9a-f]{32}_/);
    await shot(page, "key-created");

    const used = await api(server.url, "/segments", key);
    expect(used.status).toBe(200);
    expect((used.json.segments as { name: string }[]).map((s) => s.name)).toEqual(["High scorers"]);
    const csv = await api(server.url, `/segments/${(used.json.segments as { id: string }[])[0].id}/members`, key, { accept: "text/csv" });
    expect(csv.text.trim().split("\r\n").length).toBe(11);

    // Shown once: a reload shows the key's hint only.
    await page.goto(`${server.url}/settings/api`);
    await expect(page.getByLabel("API key", { exact: true }).count()).resolves.toBe(0);
    const row = page.getByRole("row", { name: /Email tool/ });
    await expect(row.getByText("memberships:read").isVisible()).resolves.toBe(true);
    await expect(row.getByText("exports:read").isVisible()).resolves.toBe(true);

    await row.getByRole("button", { name: "Revoke Email tool" }).click();
    await page.getByRole("button", { name: "Revoke key" }).click();
    await page.getByRole("row", { name: /Email tool/ }).getByText("Revoked").waitFor();
    expect((await api(server.url, "/segments", key)).status).toBe(401);
    await shot(page, "key-revoked");

    await page.getByLabel("URL").fill("not a url");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await page.getByText("must be an http(s) URL").waitFor();
    await page.getByLabel("URL").fill("https://crm.example.test/quorum-hook");
    await page.getByLabel("Description").fill("CRM audience sync");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await page.getByText("Endpoint added").waitFor();
    expect(await page.getByLabel("Signing secret").inputValue()).toMatch(/^whsec_/);

    // A publish queues deliveries; the log lists them.
    await scoreSegment(ws, "Everyone", 1);
    await page.goto(`${server.url}/settings/api`);
    await page.getByRole("link", { name: "Delivery log" }).click();
    await page.getByRole("table", { name: /Deliveries to/ }).waitFor();
    await expect(page.getByRole("table", { name: /Deliveries to/ }).getByText("segment.published").isVisible()).resolves.toBe(true);
    await shot(page, "webhooks");

    await page.goto(`${server.url}/api/v1/docs`);
    await page.getByRole("heading", { name: "Quorum operational API" }).waitFor();
    await expect(page.getByText("/api/v1/customers/{externalId}/segments").first().isVisible()).resolves.toBe(true);
    await shot(page, "docs");
    expect(browserErrors).toEqual([]);
  });

  it("shows an analyst no API tab and refuses the page", async () => {
    const page = await signIn(await browser.newContext(), ws.members.analyst.email, "/settings/members");
    await page.getByRole("navigation", { name: "Settings" }).waitFor();
    await expect(page.getByRole("link", { name: "API", exact: true }).count()).resolves.toBe(0);
    const response = await page.goto(`${server.url}/settings/api`);
    expect(response?.status()).toBe(403);
    await page.getByText("apikey:manage").waitFor();
  });
});
