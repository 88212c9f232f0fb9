import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FACTORY_PASSWORD, makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { createLogger } from "../../server/logger";
import { startWorkers, type Workers } from "../../workers/runtime";
import { launchBrowser, pageRecorder, type TestBrowser } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * Importing customers through the browser: an analyst uploads a small CSV, reviews the proposed
 * mapping (and makes one attribute PII), starts the import, watches it finish with one bad row
 * reported, and sees the customers; a viewer then sees the same customers with personal data
 * masked, and no way to upload.
 */

const SHOTS = path.resolve("test-results/e2e-data");
const CUSTOMERS_CSV = [
  "customer_id,email,name,gender,plan,opted_out",
  "C001,ana@example.test,Ana Lima,F,gold,no",
  "C002,ben@example.test,Ben Okafor,M,silver,no",
  "C003,not-an-email,Chloé Martin,F,gold,yes",
  "C004,dev@example.test,Dev Patel,M,bronze,no",
  "C005,eve@example.test,Eve Adams,F,gold,yes",
].join("\n");

let server: TestServer;
let browser: TestBrowser;
let workers: Workers;
let ws: FactoryWorkspace;

const { openPage, shot, browserErrors, resetShots } = pageRecorder(SHOTS, { timeoutMs: 15_000 });

async function signIn(page: Page, email: string) {
  await page.goto(`${server.url}/login?redirectTo=%2Fdata`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(FACTORY_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${server.url}/data`);
}

function stat(page: Page, label: string) {
  return page
    .locator(".stat")
    .filter({ has: page.getByText(label, { exact: true }) })
    .locator(".stat__value");
}

beforeAll(async () => {
  await resetShots();
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  ws = await makeWorkspace(server.database.db, "Data Co");
  // The test server runs no background jobs: these workers import the file and write its report.
  workers = await startWorkers({
    appUrl: server.database.appUrl,
    db: server.database.db,
    logger: createLogger("silent"),
  });
});

afterAll(async () => {
  await workers?.stop();
  await browser?.close();
  await server?.stop();
});

describe("importing customers in the browser", () => {
  it("uploads a CSV, reviews the mapping, imports it and reports the bad row", async () => {
    const page = await openPage(await browser.newContext());
    await signIn(page, ws.members.analyst.email);
    await page.getByRole("heading", { name: "No data imported yet" }).waitFor();
    await shot(page, "analyst-empty-data");

    await page.getByRole("link", { name: "Upload customers" }).click();
    await page.waitForURL(`${server.url}/data/imports/new?kind=customers`);
    await expect(page.getByLabel("Customers").isChecked()).resolves.toBe(true);
    await page.locator("input[type=file]").setInputFiles({
      name: "customers.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(CUSTOMERS_CSV),
    });
    await page.getByText("customers.csv", { exact: true }).waitFor();
    await shot(page, "upload-chosen");
    await page.getByRole("button", { name: "Upload and review columns" }).click();

    await page.waitForURL(/\/data\/imports\/[0-9a-f-]{36}$/);
    const importUrl = page.url();
    await page.getByRole("heading", { name: "Review the columns" }).waitFor();
    await expect(page.getByLabel("Field for column customer_id").inputValue()).resolves.toBe("external_id");
    await expect(page.getByLabel("Field for column email").inputValue()).resolves.toBe("email");
    await expect(page.getByLabel("Sensitivity for column gender").inputValue()).resolves.toBe("protected");
    await expect(page.getByLabel("Sensitivity for column plan").inputValue()).resolves.toBe("plain");
    await page.getByText("Protected attributes are never used as model features").waitFor();
    await page.getByRole("cell", { name: "not-an-email" }).waitFor();
    await page.getByLabel("Sensitivity for column plan").selectOption("pii");
    await shot(page, "mapping");

    await page.getByRole("button", { name: "Start import" }).click();
    await page.getByText("Import completed").waitFor({ timeout: 30_000 });
    await expect(stat(page, "Rows read").textContent()).resolves.toBe("5");
    await expect(stat(page, "Imported").textContent()).resolves.toBe("4");
    await expect(stat(page, "Not imported").textContent()).resolves.toBe("1");
    const errorRow = page.getByRole("row").filter({ hasText: "not-an-email" });
    await expect(errorRow.getByRole("cell").first().textContent()).resolves.toBe("4");
    await expect(errorRow.getByRole("cell").last().textContent()).resolves.toBe(
      "email: expected an email address, got 'not-an-email'"
    );
    await expect(page.getByRole("link", { name: "Download error report (CSV)" }).getAttribute("href")).resolves.toBe(
      `${new URL(importUrl).pathname}/errors.csv`
    );
    // The data-quality report comes from its own job; the page shows it when it is written.
    await page.getByRole("heading", { name: "Checks" }).waitFor({ timeout: 30_000 });
    await page.getByRole("img", { name: /Share of missing values per column/ }).waitFor();
    await page
      .getByRole("row")
      .filter({ hasText: "Rows not imported (see the error report)" })
      .getByText("Error", { exact: true })
      .waitFor();
    await shot(page, "import-completed");

    await page.getByRole("link", { name: "Customers", exact: true }).click();
    await page.waitForURL(`${server.url}/data/customers`);
    const ana = page.getByRole("row").filter({ hasText: "C001" });
    await ana.getByText("Ana Lima").waitFor();
    await ana.getByText("gold").waitFor();
    await expect(page.getByRole("row").filter({ hasText: "C003" }).count()).resolves.toBe(0);
    await expect(page.getByText("Personal data is hidden for your role").count()).resolves.toBe(0);
    await shot(page, "analyst-customers");
  });

  it("shows a viewer the customers with personal data masked, and no upload", async () => {
    const page = await openPage(await browser.newContext());
    await signIn(page, ws.members.viewer.email);
    await page.getByRole("heading", { name: "RFM baseline segmentation" }).waitFor();
    await expect(page.getByRole("link", { name: "Upload a file" }).count()).resolves.toBe(0);
    await shot(page, "viewer-overview");

    await page.getByRole("link", { name: "Customers", exact: true }).click();
    await page.waitForURL(`${server.url}/data/customers`);
    await page.getByText("Personal data is hidden for your role").waitFor();
    const ana = page.getByRole("row").filter({ hasText: "C001" });
    await ana.waitFor();
    await expect(ana.textContent()).resolves.not.toContain("Ana Lima");
    await expect(ana.textContent()).resolves.not.toContain("ana@example.test");
    await expect(ana.textContent()).resolves.not.toContain("gold");
    // Name, email, gender (protected) and plan (made PII in the mapping) are masked.
    await expect(ana.getByText("•••", { exact: true }).count()).resolves.toBe(4);
    await shot(page, "viewer-customers");

    await page.goto(`${server.url}/data/imports/new`);
    await page.getByRole("heading", { name: "Your role does not allow this page" }).waitFor();
    await shot(page, "viewer-upload-forbidden");

    expect(browserErrors).toEqual([]);
  });
});
