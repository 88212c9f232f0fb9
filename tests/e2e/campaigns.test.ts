import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { launchBrowser, pageRecorder, signInAt, type TestBrowser } from "../helpers/browser";
import { publishedSegment } from "../helpers/governance";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * Campaigns in the browser: an analyst is told what is wrong with a bad form, saves a draft with
 * the keyboard, launches it (the groups are frozen, 20% per region), and once conversions and
 * purchases are in reads the lift as a sentence and an interval plot; attribution, ROI and cost
 * to serve pages render their charts. A viewer reads the same campaign without any control and is
 * refused the create form.
 */

const SHOTS = path.resolve("test-results/e2e-campaigns");
const N = 400;

let server: TestServer;
let browser: TestBrowser;
let ws: FactoryWorkspace;
let campaignUrl = "";

const { openPage, shot, browserErrors, resetShots } = pageRecorder(SHOTS, { timeoutMs: 15_000 });

async function signIn(context: BrowserContext, email: string, to: string): Promise<Page> {
  return signInAt(await openPage(context), server.url, email, to);
}

beforeAll(async () => {
  await resetShots();
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  ws = await makeWorkspace(server.database.db, "Campaign Co");
  await server.database.ownerQuery(
    `insert into customers (tenant_id, external_id, region)
     select $1, 'CUST-' || lpad(i::text, 3, '0'), (array['North','South','East','West'])[1 + i % 4] from generate_series(0, $2 - 1) i`,
    [ws.tenantId, N],
  );
  await publishedSegment(ws, "Everyone", { combinator: "and", children: [] });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Conversions (30% of treated, 15% of held out) and one purchase per member in March, written as an import would. */
async function outcomesArrive(campaignId: string) {
  const db = server.database;
  const { rows } = await db.ownerQuery<{ external_id: string; holdout: boolean }>(
    `select c.external_id, m.holdout from campaign_members m join customers c on c.tenant_id = m.tenant_id and c.id = m.customer_id
     where m.campaign_id = $1 order by c.external_id`,
    [campaignId],
  );
  const importId = "00000000-0000-4000-8000-0000000000e2";
  const treated = rows.filter((r) => !r.holdout);
  const held = rows.filter((r) => r.holdout);
  const converters = [...treated.slice(0, Math.round(treated.length * 0.3)), ...held.slice(0, Math.round(held.length * 0.15))];
  for (const [i, c] of converters.entries()) {
    await db.ownerQuery(
      `insert into events (tenant_id, id, customer_external_id, type, occurred_at, channel, import_id) values ($1, $2, $3, 'conversion', '2026-03-12T10:00:00Z', null, $4),
              ($1, $5, $3, 'touchpoint', '2026-03-05T10:00:00Z', $6, $4)`,
      [ws.tenantId, `conv-${i}`, c.external_id, importId, `touch-${i}`, i % 3 === 0 ? "email" : i % 3 === 1 ? "web" : "paid_media"],
    );
  }
  const spend = rows.map((r, i) => (r.holdout ? 20 : 26) + (i % 5));
  for (const [i, r] of rows.entries()) {
    await db.ownerQuery(
      `insert into transactions (tenant_id, id, customer_external_id, invoice_no, quantity, unit_price, occurred_at, import_id) values ($1, $2, $3, $2, 1, $4, '2026-03-14T10:00:00Z', $5)`,
      [ws.tenantId, `inv-${i}`, r.external_id, spend[i], importId],
    );
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return mean(spend.filter((_, i) => !rows[i].holdout)) - mean(spend.filter((_, i) => rows[i].holdout));
}

describe("campaigns in the browser", () => {
  it("lets an analyst create, launch and read the lift of a campaign", async () => {
    const page = await signIn(await browser.newContext(), ws.members.analyst.email, "/campaigns");
    await page.getByRole("heading", { name: "Campaigns", level: 1 }).waitFor();
    await page.getByText("No campaigns yet").waitFor();
    await shot(page, "analyst-empty");

    await page.getByRole("link", { name: "New campaign" }).first().click();
    await page.waitForURL(`${server.url}/campaigns/new`);
    await page.getByLabel("Name").fill("Spring email");
    await page.getByLabel("Segment").selectOption({ label: `Everyone — ${N} customers` });
    await page.getByLabel("Web").check();
    await page.getByLabel("Starts").fill("2026-03-01");
    await page.getByLabel("Ends").fill("2026-02-01");
    await page.getByLabel("Budget").fill("2000");
    await page.getByLabel("Holdout %").fill("20");
    await page.getByLabel("Budget").press("Enter");
    await page.getByText("must be on or after the start date").waitFor();
    await shot(page, "analyst-form-error");

    await page.getByLabel("Ends").fill("2026-03-31");
    await page.getByLabel("Budget").press("Enter");
    await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
    campaignUrl = page.url();
    await page.getByText("Not launched yet").waitFor();
    await page.getByRole("button", { name: "Launch" }).click();
    await page.getByText("Launched: the groups are frozen.").waitFor();
    await shot(page, "analyst-launched");
    // The groups table renders with the launched page; poll it (a loaded machine renders it a moment after the notice).
    const groups = page.getByRole("table").last().locator("tbody tr");
    await expect
      .poll(async () => (await groups.allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim()))
      .toEqual(["East 80 20 20.0%", "North 80 20 20.0%", "South 80 20 20.0%", "West 80 20 20.0%"]);

    const revenueLift = await outcomesArrive(campaignUrl.split("/").pop()!);
    await page.reload();
    // 96 of 320 treated converted (30%) against 12 of 80 held out (15%).
    await page.getByText(/^Conversion: \+15\.0 points \(95% CI \+\d\.\d to \+\d\d\.\d\): significant$/).waitFor();
    const revenueText = `Revenue per customer: +${revenueLift.toFixed(2)} per customer (95% CI +`;
    await page.getByText(revenueText).waitFor();
    expect(await page.getByText(revenueText).innerText()).toMatch(/: significant$/);
    await page.locator("svg[role=img]", { has: page.locator("title", { hasText: "Conversion lift in percentage points" }) }).waitFor();
    await shot(page, "analyst-lift");

    await page.getByRole("link", { name: "ROI by segment" }).click();
    await page.getByRole("row", { name: /Everyone 1 2,000/ }).waitFor();
    await shot(page, "analyst-roi");
    await page.goto(`${server.url}/campaigns/attribution?from=2026-03-01&to=2026-03-31`);
    await page.getByRole("heading", { name: "Revenue by channel — All customers" }).waitFor();
    await page.locator("svg[role=img] title", { hasText: "Revenue by channel under three attribution rules" }).waitFor({ state: "attached" });
    await shot(page, "analyst-attribution");
    await page.goto(`${server.url}/campaigns/costs?from=2026-03-01&to=2026-03-31`);
    await page.getByRole("heading", { name: "Contribution per segment" }).waitFor();
    await shot(page, "analyst-costs");
    expect(browserErrors).toEqual([]);
  });

  it("shows a viewer the campaign and its lift with no way to change it", async () => {
    const page = await signIn(await browser.newContext(), ws.members.viewer.email, "/campaigns");
    await page.getByRole("link", { name: "Spring email" }).click();
    await page.getByText(/^Conversion: \+15\.0 points/).waitFor();
    for (const name of ["Launch", "Finish", "Delete", "Save cost"]) expect(await page.getByRole("button", { name }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "New campaign" }).count()).toBe(0);
    await shot(page, "viewer-campaign");
    const response = await page.goto(`${server.url}/campaigns/new`);
    expect(response?.status()).toBe(403);
    expect(browserErrors).toEqual([]);
  });
});
