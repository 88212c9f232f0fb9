import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { runBiasAudit } from "../../server/services/monitoring";
import { metaOf } from "../../server/services/segments/draft-doc";
import { createProposal, submitProposal } from "../../server/services/segments/proposals";
import { launchBrowser, pageRecorder, signInAt, type TestBrowser } from "../helpers/browser";
import { editDraft, publishedSegment, scopeOf } from "../helpers/governance";
import { insertTwoClusterRun, seedMonitoringCustomers } from "../helpers/monitoring";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * The decision-use gate in the browser: "Frequent" (frequency ≥ 2: F 50%, M 20%, ratio 0.40) is
 * proposed for pricing; the proposal page shows the flag, the audit of what it would publish and
 * the segment's latest bias report; the committee member's approving vote is refused with the
 * group and ratio named, a justification is recorded, and the vote then publishes it. A viewer
 * sees the ratio without the group values.
 */

const SHOTS = path.resolve("test-results/e2e-monitoring-gate");

let server: TestServer;
let browser: TestBrowser;
let ws: FactoryWorkspace;
let proposalPath = "";

const { openPage, shot, browserErrors, resetShots } = pageRecorder(SHOTS, { timeoutMs: 15_000 });

async function signIn(context: BrowserContext, email: string, to: string): Promise<Page> {
  return signInAt(await openPage(context), server.url, email, to);
}

beforeAll(async () => {
  await resetShots();
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  ws = await makeWorkspace(server.database.db, "Gate Co");
  await seedMonitoringCustomers(server.database, ws.tenantId, 3000);
  const seg = await publishedSegment(ws, "Frequent", { combinator: "and", children: [{ op: "gte", field: "frequency", value: 2 }] });
  const { rows } = await server.database.ownerQuery<{ id: string }>("select id from monitor_runs where tenant_id = $1 and kind = 'bias'", [ws.tenantId]);
  for (const r of rows) expect(await runBiasAudit(server.database.db, ws.tenantId, r.id)).toBe("completed");
  const change = await createProposal(scopeOf(ws, "analyst"), { kind: "change", segmentId: seg.segmentId, title: "Use “Frequent” for volume pricing" });
  await editDraft(server.database.db, ws.tenantId, change.proposalId, (doc) => metaOf(doc).set("decisionUse", "pricing"));
  await submitProposal(scopeOf(ws, "analyst"), { proposalId: change.proposalId });
  proposalPath = `/segments/proposals/${change.proposalId}`;
  const runId = await insertTwoClusterRun(server.database, ws.tenantId);
  await publishedSegment(ws, "Cluster one", { combinator: "and", children: [{ op: "in_cluster", modelRunId: runId, cluster: 1 }] });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the decision-use gate in the browser", () => {
  it("refuses the committee's approval until a justification is recorded, then publishes", async () => {
    const committee = await signIn(await browser.newContext(), ws.members.committee.email, proposalPath);
    await committee.getByRole("heading", { name: /Bias check before publishing/ }).waitFor();
    await committee.getByText("Needs a committee justification").waitFor();
    await committee.getByText(/of gender \(2,000 people\) is selected at 0\.40× the rate of F \(20\.0% against 50\.0%\)/).waitFor();
    await committee.getByRole("heading", { name: "Latest bias report" }).waitFor();
    await committee.getByText("900 of 3,000").waitFor();
    await shot(committee, "committee-gate");

    await committee.getByRole("radio", { name: "Approve" }).check();
    await committee.getByLabel("Reason").first().fill("Good for the volume price");
    await committee.getByRole("button", { name: "Cast vote" }).click();
    await committee.getByText(/fails the four-fifths rule: group 'M' of 'gender' is selected at 0\.40× the rate of 'F'/).waitFor();
    await shot(committee, "committee-refused");

    await committee.getByLabel("Why is this difference acceptable for this use?").fill("Too short");
    await committee.getByRole("button", { name: "Record justification" }).click();
    await committee.getByText(/at least 20 characters/).waitFor();
    const why = "The volume price follows order counts; the committee reviewed both groups' order histories.";
    await committee.getByLabel("Why is this difference acceptable for this use?").fill(why);
    await committee.getByRole("button", { name: "Record justification" }).click();
    await committee.getByText("Justification recorded").waitFor();
    await committee.getByText(`“${why}”`).waitFor();
    await shot(committee, "committee-justified");

    await committee.getByRole("radio", { name: "Approve" }).check();
    await committee.getByLabel("Reason").first().fill("Justified above");
    await committee.getByRole("button", { name: "Cast vote" }).click();
    await committee.getByText("Approved: published as version 2").waitFor();
    await shot(committee, "committee-approved");

    const viewer = await signIn(await browser.newContext(), ws.members.viewer.email, proposalPath);
    await viewer.getByText(/Group \(hidden\) of gender \(2,000 people\) is selected at 0\.40×/).waitFor();
    await shot(viewer, "viewer");
    expect(browserErrors).toEqual([]);
  });

  it("shows the centroid shift of a cluster-based segment on the monitoring page", async () => {
    const analyst = await signIn(await browser.newContext(), ws.members.analyst.email, "/monitoring");
    const card = analyst.locator("section").filter({ has: analyst.getByRole("heading", { name: "Centroid shift" }) });
    await card.getByRole("link", { name: "Cluster one" }).waitFor();
    await card.getByText("cluster 1 of 2").waitFor();
    await card.getByRole("row", { name: /Monetary value 400/ }).waitFor();
    await card.getByText(/^Shift \d+\.\d\d sd$/).waitFor();
    await card.scrollIntoViewIfNeeded();
    await shot(analyst, "analyst-centroid");
    expect(browserErrors).toEqual([]);
  });
});
