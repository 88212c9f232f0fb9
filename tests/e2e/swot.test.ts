import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { loadDoc } from "../../server/collab/store";
import { readBoard, swotDocName } from "../../server/services/swot/board-doc";
import { launchBrowser, pageRecorder, signInAt, type TestBrowser } from "../helpers/browser";
import { jobsFor } from "../helpers/callers";
import { eventually } from "../helpers/collab";
import { publishedSegment } from "../helpers/governance";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * SWOT boards in Chromium: a committee member and an analyst co-edit a segment's board in two
 * browser contexts (cards, rich text, a drag between quadrants, keyboard moves, votes, team
 * filter, presence), the committee member saves it as reviewed and compares the review with
 * today's board; a viewer watches read-only; the index lists the board with its due date.
 */

const SHOTS = path.resolve("test-results/e2e-swot");

let server: TestServer;
let browser: TestBrowser;
let ws: FactoryWorkspace;
let segmentId: string;

const { openPage, shot, browserErrors, resetShots } = pageRecorder(SHOTS, { timeoutMs: 15_000 });

async function signIn(context: BrowserContext, email: string, to: string): Promise<Page> {
  return signInAt(await openPage(context), server.url, email, to);
}

const quadrant = (page: Page, name: string) => page.getByRole("region", { name, exact: true });
const cardWith = (page: Page, text: string) => page.locator(".swot-card").filter({ hasText: text });

async function stored() {
  return server.database.db.withTenant(ws.tenantId, (tx) => loadDoc(tx, ws.tenantId, swotDocName(segmentId))).then((d) => readBoard(d).cards as { quadrant: string; plainText: string; votes: string[]; team: string }[]);
}

beforeAll(async () => {
  await resetShots();
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  ws = await makeWorkspace(server.database.db, "Swot Co", jobsFor(server.database.db));
  segmentId = (await publishedSegment(ws, "Loyal customers", { combinator: "and", children: [{ op: "gte", field: "frequency", value: 1 }] })).segmentId;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("SWOT boards in the browser", () => {
  it("lets two people co-edit a board live, drag and vote, save it as reviewed and compare; a viewer only watches", async () => {
    const committee = await signIn(await browser.newContext(), ws.members.committee.email, "/swot");
    await committee.getByRole("heading", { name: "SWOT boards" }).waitFor();
    await committee.getByRole("link", { name: "Loyal customers" }).click();
    await committee.waitForURL(`${server.url}/swot/${segmentId}`);
    await committee.getByText("Saved", { exact: true }).waitFor();
    await committee.getByRole("heading", { name: "Segment facts" }).waitFor();

    const analyst = await signIn(await browser.newContext(), ws.members.analyst.email, `/swot/${segmentId}`);
    await analyst.getByText("Saved", { exact: true }).waitFor();

    // The committee member writes a strength with bold text.
    await quadrant(committee, "Strengths").getByRole("button", { name: "+ Add to Strengths" }).click();
    const editor = quadrant(committee, "Strengths").getByRole("textbox").first();
    await expect.poll(() => editor.evaluate((el) => el === document.activeElement)).toBe(true);
    await committee.keyboard.type("Loyal base, ");
    await committee.keyboard.press("Control+b");
    await committee.keyboard.type("high repeat rate");
    await cardWith(analyst, "Loyal base, high repeat rate").waitFor();
    await expect.poll(() => cardWith(analyst, "Loyal base").locator("strong").textContent()).toBe("high repeat rate");

    // The analyst adds a threat, from the product team, and a bulleted list.
    await quadrant(analyst, "Threats").getByRole("button", { name: "+ Add to Threats" }).click();
    // Type once the new card's editor has taken the focus (as for the first card), not before.
    const threatEditor = quadrant(analyst, "Threats").getByRole("textbox").first();
    await expect.poll(() => threatEditor.evaluate((el) => el === document.activeElement)).toBe(true);
    await analyst.keyboard.type("Competitor discounts");
    await analyst.keyboard.press("Enter");
    await analyst.keyboard.type("- EU stores");
    const threat = cardWith(analyst, "Competitor discounts");
    await threat.getByLabel("Team").selectOption("product");
    await cardWith(committee, "Competitor discounts").locator("li", { hasText: "EU stores" }).waitFor();
    // Presence: the committee member sees the analyst here and editing that card.
    await committee.getByRole("list", { name: /2 people here|1 person here/ }).waitFor();
    await shot(committee, "committee-co-editing");

    // Drag the threat (pointer) into Weaknesses; both see it there.
    // Both the card and the drop target in view: a real pointer drags only what it can reach.
    await committee.setViewportSize({ width: 1280, height: 1300 });
    const handle = await cardWith(committee, "Competitor discounts").locator(".swot-card__handle").boundingBox();
    const target = await quadrant(committee, "Weaknesses").locator(".swot-quadrant__empty").boundingBox();
    await committee.mouse.move(handle!.x + handle!.width / 2, handle!.y + handle!.height / 2);
    await committee.mouse.down();
    await committee.mouse.move(target!.x + target!.width / 2, target!.y + target!.height / 2, { steps: 12 });
    await committee.mouse.up();
    await quadrant(committee, "Weaknesses").locator(".swot-card", { hasText: "Competitor discounts" }).waitFor();
    await quadrant(analyst, "Weaknesses").locator(".swot-card", { hasText: "Competitor discounts" }).waitFor();
    // Keyboard: Alt+→ moves it on to Opportunities.
    await cardWith(analyst, "Competitor discounts").focus();
    await analyst.keyboard.press("Alt+ArrowRight");
    await quadrant(committee, "Opportunities").locator(".swot-card", { hasText: "Competitor discounts" }).waitFor();

    // Votes: one per person, a toggle.
    await cardWith(committee, "Loyal base").getByRole("button", { name: /Vote for priority/ }).click();
    await cardWith(analyst, "Loyal base").getByRole("button", { name: /Vote for priority/ }).click();
    await cardWith(committee, "Loyal base").getByRole("button", { name: /Withdraw your priority vote \(2 votes\)/ }).waitFor();
    await cardWith(analyst, "Loyal base").getByRole("button", { name: /Withdraw/ }).click();
    await cardWith(committee, "Loyal base").getByRole("button", { name: /\(1 vote\)/ }).waitFor();

    // Evidence: the analyst cites a KPI; the committee member sees it.
    await cardWith(analyst, "Loyal base").getByRole("button", { name: "+ Evidence" }).click();
    await analyst.getByLabel("Evidence", { exact: true }).fill("Repeat purchase rate");
    await analyst.getByRole("group", { name: "Add evidence" }).getByRole("button", { name: "Add" }).click();
    await cardWith(committee, "Loyal base").getByRole("list", { name: "Evidence" }).getByText("Repeat purchase rate").waitFor();

    // Team filter: only the product team's card stays.
    await committee.getByRole("button", { name: "product", exact: true }).click();
    await expect.poll(() => committee.locator(".swot-card").count()).toBe(1);
    await committee.getByRole("button", { name: "All teams" }).click();

    await eventually(async () => {
      const cards = await stored();
      return cards.length === 2 && cards.some((c) => c.quadrant === "opportunities" && c.team === "product") && cards.some((c) => c.votes.length === 1);
    }, "the server stored both cards, the move and the vote");

    // A viewer watches: no add buttons, the text is not editable, a live edit arrives.
    const viewer = await signIn(await browser.newContext(), ws.members.viewer.email, `/swot/${segmentId}`);
    await viewer.getByText("You are watching").waitFor();
    await cardWith(viewer, "Loyal base").waitFor();
    expect(await viewer.getByRole("button", { name: /\+ Add to/ }).count()).toBe(0);
    expect(await viewer.getByRole("textbox").first().getAttribute("contenteditable")).toBe("false");
    await expect(cardWith(viewer, "Loyal base").getByRole("button", { name: /Vote for priority/ }).isDisabled()).resolves.toBe(true);
    await cardWith(committee, "Loyal base").getByLabel("Status").selectOption("validated");
    await cardWith(viewer, "Loyal base").locator(".swot-badge--validated").waitFor();
    await shot(viewer, "viewer-read-only");

    // Save as reviewed, with the people present; then compare the review with today's board.
    await committee.getByLabel("Review note").fill("First review");
    await committee.getByRole("button", { name: "Save as reviewed" }).click();
    await committee.getByText(/Saved as reviewed on .* with 2 cards/).waitFor();
    await shot(committee, "committee-saved-review");
    await cardWith(analyst, "Competitor discounts").getByLabel("Status").selectOption("rejected");
    await committee.reload();
    await committee.getByRole("link", { name: "Compare with today" }).click();
    await committee.getByText(/^Reviewed /).waitFor();
    await committee.getByRole("region", { name: "Opportunities (reviewed)" }).locator(".swot-badge--open").waitFor();
    await quadrant(committee, "Opportunities").locator(".swot-badge--rejected").waitFor();
    await cardWith(committee, "Competitor discounts").getByText("Changed since review").waitFor();
    expect(await cardWith(committee, "Loyal base").getByText(/since review/).count()).toBe(0);
    await shot(committee, "committee-compare");

    // The review moved the due date a year ahead; the committee member sets a six-monthly cadence
    // and a date already past, and the index shows the board as overdue.
    await committee.goto(`${server.url}/swot/${segmentId}`);
    await committee.getByText(/Next review due .* every 12 months/).waitFor();
    await committee.getByLabel("Cadence").selectOption("6");
    await committee.getByLabel("Next review due").fill("2020-01-31");
    await committee.getByRole("button", { name: "Save schedule" }).click();
    await committee.getByText(/Next review due 31 Jan 2020 · every 6 months/).waitFor();
    await committee.goto(`${server.url}/swot`);
    const row = committee.getByRole("row", { name: /Loyal customers/ });
    await row.getByText(/Overdue/).waitFor();
    expect(await row.textContent()).toContain("Every 6 months");
    await shot(committee, "swot-index");
    expect(browserErrors).toEqual([]);
  });
});
