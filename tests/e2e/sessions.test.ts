import { readFile } from "node:fs/promises";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUser, makeWorkspace, type FactoryUser, type FactoryWorkspace } from "../../db/seed/factories";
import { acceptInvite, createInvite } from "../../server/services/workspaces";
import { editStoredDoc } from "../../server/collab/store";
import { addCard, swotDocName } from "../../server/services/swot/board-doc";
import { scheduleSession } from "../../server/services/sessions";
import { launchBrowser, pageRecorder, signInAt, type TestBrowser } from "../helpers/browser";
import { jobsFor } from "../helpers/callers";
import { publishedSegment, scopeOf, submittedNewSegment } from "../helpers/governance";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * A live committee session in three browsers: the chair (committee) schedules it from the
 * suggested agenda and starts it; a second committee member and a viewer see the current item
 * change without reloading; the member votes and the chair sees the vote arrive; chair and
 * member co-edit the minutes while the viewer can only read them; the chair closes the session,
 * every room shows the record, and the Markdown and PDF summaries download.
 */

const SHOTS = path.resolve("test-results/e2e-sessions");

let server: TestServer;
let browser: TestBrowser;
let ws: FactoryWorkspace;
let member: FactoryUser;
let proposalId: string;

const { openPage, shot, browserErrors, resetShots } = pageRecorder(SHOTS, { timeoutMs: 15_000 });

async function signIn(context: BrowserContext, email: string, to: string): Promise<Page> {
  return signInAt(await openPage(context), server.url, email, to);
}

beforeAll(async () => {
  await resetShots();
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  ws = await makeWorkspace(server.database.db, "Session Co", jobsFor(server.database.db));
  const big = await publishedSegment(ws, "Big spenders", { combinator: "and", children: [{ id: "spend", op: "gte", field: "monetary", value: 20 }] });
  await server.database.db.withTenant(ws.tenantId, (tx) =>
    editStoredDoc(tx, ws.tenantId, swotDocName(big.segmentId), (doc) => {
      addCard(doc, { quadrant: "strengths", author: { id: ws.owner.id, name: ws.owner.name }, team: "marketing", text: [{ paragraph: [{ text: "High basket value" }] }] });
      addCard(doc, { quadrant: "threats", author: { id: ws.owner.id, name: ws.owner.name }, team: "sales", text: [{ paragraph: [{ text: "Competitor loyalty scheme" }] }] });
    }),
  );
  proposalId = (await submittedNewSegment(scopeOf(ws, "analyst"), "Loyal regulars", { combinator: "and", children: [{ id: "f", op: "gte", field: "frequency", value: 2 }] })).proposalId;
  member = await makeUser(server.database.db, { name: "Maya Member" });
  const invite = await createInvite(ws.ownerScope, { email: member.email, role: "committee", regionIds: [] }, 1);
  await acceptInvite(server.database.db, member, invite.token);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("a live committee session in three browsers", () => {
  it("schedules, runs, votes, co-edits minutes, closes and exports", async () => {
    const chair = await signIn(await browser.newContext(), ws.members.committee.email, "/sessions");
    await chair.getByRole("heading", { name: "No sessions yet" }).waitFor();
    const form = chair.getByRole("region", { name: "Schedule a session" });
    await expect(form.getByLabel("Item 1 proposal").inputValue()).resolves.toBe(proposalId);
    await form.getByRole("button", { name: "SWOT review" }).click();
    await form.getByLabel("Item 2 SWOT board").selectOption({ label: "Big spenders" });
    await form.getByRole("button", { name: "Topic or alert" }).click();
    await form.getByLabel("Item 3 topic").fill("Churn alert in the North");
    await form.getByLabel("Item 3 time box in minutes").fill("0");
    await form.getByLabel("Title").fill("December steering committee");
    await form.getByLabel("Date and time").fill("2026-12-01T09:30");
    await form.getByRole("button", { name: "Schedule session" }).click();
    await chair.getByText("Time box must be at least 1 minute.").waitFor();
    await shot(chair, "chair-schedule-error");
    await chair.getByLabel("Item 3 time box in minutes").fill("5");
    await chair.getByRole("button", { name: "Schedule session" }).click();
    await chair.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    const room = new URL(chair.url()).pathname;
    await chair.getByRole("heading", { name: "The session has not started" }).waitFor();
    // Before the start the chair can still change the agenda.
    await chair.getByRole("link", { name: "Change agenda" }).click();
    await chair.waitForURL(`${server.url}${room}/edit`);
    await expect(chair.getByLabel("Date and time").inputValue()).resolves.toBe("2026-12-01T09:30");
    await chair.getByLabel("Item 3 time box in minutes").fill("7");
    await shot(chair, "chair-change-agenda");
    await chair.getByRole("button", { name: "Save changes" }).click();
    await chair.waitForURL(`${server.url}${room}`);
    await chair.getByText("0:00 / 7 min").waitFor();

    const memberPage = await signIn(await browser.newContext(), member.email, room);
    const viewer = await signIn(await browser.newContext(), ws.members.viewer.email, room);
    await memberPage.getByText("Stay on this page").waitFor();
    await memberPage.getByText("Live updates on").waitFor();
    await viewer.getByText("Live updates on").waitFor();
    await shot(memberPage, "member-waiting");

    await chair.getByRole("button", { name: "Start session" }).click();
    // The others see the first item without reloading.
    for (const page of [memberPage, viewer]) await page.getByRole("heading", { name: "New segment “Loyal regulars”", level: 2 }).waitFor();
    await chair.getByRole("timer").waitFor();

    // The member votes; the chair sees the vote arrive.
    await memberPage.getByRole("radio", { name: "Approve" }).check();
    await memberPage.getByLabel("Reason").fill("Regulars deserve their own offer");
    await memberPage.getByRole("button", { name: "Cast vote" }).click();
    await chair.getByText("“Regulars deserve their own offer”").waitFor();
    await chair.getByText(/Approved: published as version 1/).waitFor();
    await expect(viewer.getByRole("button", { name: "Cast vote" }).count()).resolves.toBe(0);

    // Minutes: chair and member write, both see both; the viewer reads only.
    const chairMinutes = chair.getByRole("textbox", { name: "Minutes" });
    const memberMinutes = memberPage.getByRole("textbox", { name: "Minutes" });
    await chairMinutes.click();
    await chairMinutes.pressSequentially("Loyal regulars approved.");
    await expect.poll(() => memberMinutes.inputValue()).toBe("Loyal regulars approved.");
    await memberMinutes.click();
    await memberMinutes.press("End");
    await memberMinutes.pressSequentially(" Action: brief the CRM team.");
    await expect.poll(() => chairMinutes.inputValue()).toBe("Loyal regulars approved. Action: brief the CRM team.");
    const viewerMinutes = viewer.getByRole("textbox", { name: "Minutes" });
    await expect.poll(() => viewerMinutes.inputValue()).toBe("Loyal regulars approved. Action: brief the CRM team.");
    await expect(viewerMinutes.getAttribute("readonly")).resolves.not.toBeNull();
    await viewerMinutes.click();
    await viewer.keyboard.type("viewer text");
    await expect(viewerMinutes.inputValue()).resolves.toBe("Loyal regulars approved. Action: brief the CRM team.");
    await chair.getByText("Saved", { exact: true }).waitFor();
    await shot(chair, "chair-room-vote-and-minutes");
    await shot(memberPage, "member-room");
    await shot(viewer, "viewer-room");

    // The chair moves on; everyone follows: the SWOT board, then the topic.
    await chair.getByRole("button", { name: "Next item →" }).click();
    for (const page of [memberPage, viewer]) await page.getByRole("heading", { name: "Big spenders", level: 2 }).waitFor();
    await viewer.getByText("Competitor loyalty scheme").waitFor();
    await expect(viewer.getByRole("link", { name: "Open the SWOT board" }).getAttribute("href")).resolves.toMatch(/^\/swot\/[0-9a-f-]{36}$/);
    await shot(viewer, "viewer-swot");
    await chair.getByRole("button", { name: "Next item →" }).click();
    for (const page of [memberPage, viewer]) await page.getByRole("heading", { name: "Churn alert in the North", level: 2 }).waitFor();
    await shot(viewer, "viewer-topic");

    // Close: every room shows the record.
    await chair.getByRole("button", { name: "Close session" }).click();
    await chair.getByRole("button", { name: "Close and record" }).click();
    for (const page of [chair, memberPage, viewer]) await page.getByRole("heading", { name: "Record of the session" }).waitFor();
    await expect(viewer.locator(".minutes__frozen").textContent()).resolves.toBe("Loyal regulars approved. Action: brief the CRM team.");
    const attended = await chair.locator(".attendees li").allTextContents();
    expect(attended.map((t) => t.split(" ").slice(0, -1).join(" ")).sort()).toEqual([member.name, ws.members.committee.name, ws.members.viewer.name].sort());
    await shot(chair, "chair-closed");

    // Exports.
    const [markdown] = await Promise.all([chair.waitForEvent("download"), chair.getByRole("link", { name: "Markdown" }).click()]);
    expect(markdown.suggestedFilename()).toBe("december-steering-committee-2026-12-01.md");
    const md = await readFile((await markdown.path())!, "utf8");
    expect(md).toContain("# December steering committee");
    expect(md).toContain("- New segment “Loyal regulars”: Approved — 1 approval, 0 rejections of 2 eligible");
    expect(md).toContain(`  > ${member.name} voted to approve: “Regulars deserve their own offer”`);
    expect(md).toContain("## Minutes\n\nLoyal regulars approved. Action: brief the CRM team.\n");
    const [pdf] = await Promise.all([chair.waitForEvent("download"), chair.getByRole("link", { name: "PDF" }).click()]);
    expect(pdf.suggestedFilename()).toBe("december-steering-committee-2026-12-01.pdf");
    const bytes = await readFile((await pdf.path())!);
    expect(bytes.subarray(0, 8).toString("latin1")).toBe("%PDF-1.4");
    expect(bytes.subarray(-6).toString("latin1")).toBe("%%EOF\n");

    // The decided proposal links back to the session; the sessions list shows it as past.
    await chair.goto(`${server.url}/segments/proposals/${proposalId}`);
    await chair.getByText("Decided in session").waitFor();
    await chair.getByRole("link", { name: "December steering committee" }).waitFor();
    await shot(chair, "proposal-decided-in-session");
    await chair.goto(`${server.url}/sessions`);
    await chair.getByRole("heading", { name: "Past" }).waitFor();
    await shot(chair, "sessions-list");
    expect(browserErrors).toEqual([]);
  });

  it("cancels a session that has not started, and sends the people waiting in it back to the list", async () => {
    const { sessionId } = await scheduleSession(scopeOf(ws, "committee"), {
      title: "Extra session",
      scheduledAt: new Date("2026-12-05T14:00:00Z"),
      items: [{ kind: "topic", title: "Anything else", timeBoxMinutes: 10 }],
    });
    const viewer = await signIn(await browser.newContext(), ws.members.viewer.email, `/sessions/${sessionId}`);
    await viewer.getByText("Live updates on").waitFor();
    const chair = await signIn(await browser.newContext(), ws.members.committee.email, `/sessions/${sessionId}/edit`);
    await chair.getByRole("button", { name: "Cancel this session…" }).click();
    await chair.getByRole("button", { name: "Cancel session" }).click();
    await chair.waitForURL(`${server.url}/sessions?cancelled=1`);
    await chair.getByText("The session was cancelled.").waitFor();
    await viewer.waitForURL(`${server.url}/sessions?cancelled=1`);
    await expect(viewer.getByRole("link", { name: "Extra session" }).count()).resolves.toBe(0);
    expect(browserErrors).toEqual([]);
  });
});
