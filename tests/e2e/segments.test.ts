import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { createProposal } from "../../server/services/segments";
import { launchBrowser, pageRecorder, signInAt, type TestBrowser } from "../helpers/browser";
import { jobsFor } from "../helpers/callers";
import { publishedSegment, scopeOf } from "../helpers/governance";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * Segments in the browser: an analyst and an admin co-edit a change proposal live (each sees
 * the other's rule edits and presence), the analyst submits it, a committee member approves it
 * with a reason, and the segment's history shows the new version with its approver. A viewer
 * watches a draft read-only; the admin's pages (list, settings, priority) are checked on the way.
 */

const SHOTS = path.resolve("test-results/e2e-segments");

let server: TestServer;
let browser: TestBrowser;
let ws: FactoryWorkspace;
let segmentId: string;

const { openPage, shot, browserErrors, resetShots } = pageRecorder(SHOTS, { timeoutMs: 15_000 });

async function signIn(context: BrowserContext, email: string, to: string): Promise<Page> {
  return signInAt(await openPage(context), server.url, email, to);
}

/** A rule of the builder, by its number ("1", "2.1"). */
function rule(page: Page, n: string) {
  return page.locator(".rule").filter({ has: page.getByLabel(`Field, rule ${n}`, { exact: true }) });
}

beforeAll(async () => {
  await resetShots();
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  ws = await makeWorkspace(server.database.db, "Segment Co", jobsFor(server.database.db));
  const loyal = await publishedSegment(ws, "Loyal customers", {
    combinator: "and",
    children: [{ id: "orders", op: "gte", field: "frequency", value: 1 }],
  });
  segmentId = loyal.segmentId;
  await publishedSegment(ws, "Big spenders", { combinator: "and", children: [{ id: "spend", op: "gte", field: "monetary", value: 20 }] });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("segments in the browser", () => {
  it("lets an admin see the segments, reorder them and configure the approval rule", async () => {
    const page = await signIn(await browser.newContext(), ws.members.admin.email, "/segments");
    await page.getByRole("heading", { name: "All segments" }).waitFor();
    await page.getByRole("link", { name: "Loyal customers" }).waitFor();
    await shot(page, "admin-segments-list");

    const priority = page.getByRole("region", { name: "Priority order" });
    await priority.getByRole("button", { name: /^Move Big spenders up/ }).click();
    await expect.poll(() => priority.getByRole("listitem").first().textContent()).toContain("Big spenders");
    await page.waitForLoadState("networkidle");
    await page.reload();
    await expect(page.getByRole("region", { name: "Priority order" }).getByRole("listitem").first().textContent()).resolves.toContain(
      "Big spenders",
    );

    await page.getByRole("main").getByRole("link", { name: "Settings" }).click();
    await page.waitForURL(`${server.url}/segments/settings`);
    await page.getByLabel("Approvals needed").fill("0");
    await page.getByRole("button", { name: "Save segment settings" }).click();
    await page.getByText("Enter a whole number from 1 to 50 (got “0”).").waitFor();
    await shot(page, "admin-settings-error");
    await page.getByLabel("Approvals needed").fill("1");
    await page.getByRole("button", { name: "Save segment settings" }).click();
    await page.getByText("Segment settings saved.").waitFor();
  });

  it("co-edits a proposal live, submits it, and publishes it on the committee's approval", async () => {
    const analyst = await signIn(await browser.newContext(), ws.members.analyst.email, `/segments/${segmentId}`);
    await analyst.getByRole("heading", { name: /Loyal customers/ }).waitFor();
    await shot(analyst, "analyst-segment-page");
    await analyst.getByRole("button", { name: "Propose a change" }).click();
    await analyst.waitForURL(/\/segments\/proposals\/[0-9a-f-]{36}$/);
    const proposalPath = new URL(analyst.url()).pathname;
    await analyst.getByText("Saved", { exact: true }).waitFor();

    const admin = await signIn(await browser.newContext(), ws.members.admin.email, proposalPath);
    await admin.getByText("Saved", { exact: true }).waitFor();
    // Each sees the other in the presence stack.
    await admin.locator(`.draft__bar [title^="${ws.members.analyst.name}"]`).waitFor();
    await analyst.locator(`.draft__bar [title^="${ws.members.admin.name}"]`).waitFor();

    // The analyst adds a rule; the admin sees it appear, with the analyst's avatar on it.
    await analyst.getByRole("button", { name: "+ Add condition" }).click();
    await analyst.getByLabel("Field, rule 2", { exact: true }).selectOption("monetary");
    await analyst.getByLabel("Value, rule 2", { exact: true }).fill("10");
    await expect.poll(() => admin.getByLabel("Value, rule 2", { exact: true }).inputValue(), { timeout: 10_000 }).toBe("10");
    await rule(admin, "2").getByRole("img", { name: `${ws.members.analyst.name} is editing this` }).waitFor();
    await admin.getByText("Total spend ≥ 10").waitFor();

    // The admin changes the first rule; the analyst sees the new value and the admin's avatar on it.
    await admin.getByLabel("Value, rule 1", { exact: true }).fill("2");
    await expect.poll(() => analyst.getByLabel("Value, rule 1", { exact: true }).inputValue(), { timeout: 10_000 }).toBe("2");
    await rule(analyst, "1").getByRole("img", { name: `${ws.members.admin.name} is editing this` }).waitFor();
    await analyst.getByText("Orders ≥ 1").waitFor();
    await analyst.getByText("Orders ≥ 2").waitFor();
    await expect.poll(() => analyst.getByTestId("preview-matching").textContent(), { timeout: 10_000 }).toBe("1");
    await analyst.getByText("Up to date").waitFor();
    await shot(analyst, "analyst-co-editing");
    await shot(admin, "admin-co-editing");

    await analyst.getByRole("button", { name: "Submit for review" }).click();
    await analyst.getByRole("heading", { name: "The definition as submitted" }).waitFor();
    await analyst.getByText("Total spend ≥ 10").first().waitFor();
    await shot(analyst, "analyst-submitted");

    const committee = await signIn(await browser.newContext(), ws.members.committee.email, proposalPath);
    await committee.getByRole("heading", { name: "Your vote" }).waitFor();
    await committee.getByLabel("New comment").fill(`@${ws.members.analyst.email} is 10 the right spend threshold?`);
    await committee.getByRole("button", { name: "Start thread" }).click();
    await committee.getByText("is 10 the right spend threshold?").waitFor();
    await committee.getByRole("radio", { name: "Approve" }).check();
    await committee.getByLabel("Reason").first().fill("Fits the spring campaign");
    await committee.getByRole("button", { name: "Cast vote" }).click();
    await committee.getByText("Approved: published as version 2").waitFor();
    await shot(committee, "committee-approved");

    await analyst.reload();
    await analyst.getByText("Mentions you", { exact: true }).waitFor();

    await committee.goto(`${server.url}/segments/${segmentId}`);
    const latest = committee.getByRole("listitem").filter({ has: committee.getByRole("heading", { name: "Version 2" }) });
    await latest.getByText(`Proposed by ${ws.members.analyst.name}`).waitFor();
    await latest.getByText(ws.members.committee.name).waitFor();
    await latest.getByText("“Fits the spring campaign”", { exact: false }).waitFor();
    await latest.getByText("Total spend ≥ 10").waitFor();
    await latest.getByRole("button", { name: "1 member" }).click();
    await latest.getByRole("cell", { name: "C001" }).waitFor();
    await shot(committee, "committee-segment-history");
    const csv = await committee.request.get(
      `${server.url}${await latest.getByRole("link", { name: "Download CSV" }).getAttribute("href")}`,
    );
    expect(csv.headers()["content-type"]).toContain("text/csv");
    expect((await csv.text()).split("\r\n")).toEqual(["customer_id,region", "C001,EMEA", ""]);
  });

  it("shows a viewer a draft read-only", async () => {
    const draft = await createProposal(scopeOf(ws, "analyst"), { kind: "change", segmentId });
    const viewer = await signIn(await browser.newContext(), ws.members.viewer.email, `/segments/proposals/${draft.proposalId}`);
    await viewer.getByText("You are watching").waitFor();
    await viewer.getByLabel("Value, rule 1", { exact: true }).waitFor();
    await expect(viewer.getByLabel("Value, rule 1", { exact: true }).isDisabled()).resolves.toBe(true);
    await expect(viewer.getByLabel("Name", { exact: true }).isDisabled()).resolves.toBe(true);
    await expect(viewer.getByRole("button", { name: "+ Add condition" }).count()).resolves.toBe(0);
    await expect(viewer.getByRole("button", { name: "Submit for review" }).count()).resolves.toBe(0);
    await shot(viewer, "viewer-watching");

    expect(browserErrors).toEqual([]);
  });
});
