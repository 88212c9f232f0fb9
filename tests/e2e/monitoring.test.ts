import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { runBiasAudit, runDriftMonitor } from "../../server/services/monitoring";
import { launchBrowser, pageRecorder, signInAt, type TestBrowser } from "../helpers/browser";
import { publishedSegment } from "../helpers/governance";
import { seedMonitoringCustomers } from "../helpers/monitoring";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * Monitoring in the browser: an analyst checks drift (the first run stores the reference), a
 * shift in spending crosses the act band and raises alerts with a re-segmentation proposal, a bias
 * audit shows the constructed four-fifths flag with its groups, an alert is acknowledged with a
 * comment; a viewer sees the same page without the protected values and without the controls.
 * The workers' handlers are run here on the queued runs.
 */

const SHOTS = path.resolve("test-results/e2e-monitoring");

let server: TestServer;
let browser: TestBrowser;
let ws: FactoryWorkspace;
let biasRunId = "";

const { openPage, shot, browserErrors, resetShots } = pageRecorder(SHOTS, { timeoutMs: 15_000 });

async function signIn(context: BrowserContext, email: string, to: string): Promise<Page> {
  return signInAt(await openPage(context), server.url, email, to);
}

/** Runs the queued runs of a kind, as the worker would. */
async function work(kind: "drift" | "bias") {
  const { rows } = await server.database.ownerQuery<{ id: string }>(
    "select id from monitor_runs where tenant_id = $1 and kind = $2 and status = 'queued' order by created_at",
    [ws.tenantId, kind]
  );
  for (const r of rows) {
    const outcome =
      kind === "drift"
        ? await runDriftMonitor(server.database.db, ws.tenantId, r.id)
        : await runBiasAudit(server.database.db, ws.tenantId, r.id);
    expect(outcome).toBe("completed");
  }
}

beforeAll(async () => {
  await resetShots();
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  ws = await makeWorkspace(server.database.db, "Monitor Co");
  await seedMonitoringCustomers(server.database, ws.tenantId, 3000);
  await publishedSegment(ws, "Big spenders", {
    combinator: "and",
    children: [{ op: "gte", field: "monetary", value: 500 }],
  });
  await publishedSegment(ws, "Frequent", {
    combinator: "and",
    children: [{ op: "gte", field: "frequency", value: 2 }],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("monitoring in the browser", () => {
  it("lets an analyst check drift, see a shift cross the act band, audit bias and acknowledge an alert", async () => {
    const page = await signIn(await browser.newContext(), ws.members.analyst.email, "/monitoring");
    await page.getByRole("heading", { name: "Monitoring", level: 1 }).waitFor();
    await page.getByText("No drift run has finished yet.").waitFor();
    await shot(page, "analyst-start");

    await page.getByRole("button", { name: "Check drift now" }).click();
    await page.getByText("Run queued: results appear here when it finishes.").waitFor();
    await work("drift");
    await page.goto(`${server.url}/monitoring`);
    await page
      .getByText(/No reference existed: today's features of 3000 customers are now the reference/)
      .first()
      .waitFor();

    await server.database.ownerQuery(
      "update customer_features set monetary = monetary * 1.6 + 150 where tenant_id = $1",
      [ws.tenantId]
    );
    await page.getByRole("button", { name: "Check drift now" }).click();
    await page.getByText("Run queued: results appear here when it finishes.").waitFor();
    await work("drift");
    await page.getByRole("button", { name: "Audit bias now" }).click();
    await page.getByText("A bias run (on demand) is queued.", { exact: false }).waitFor();
    await work("bias");
    await page.goto(`${server.url}/monitoring`);
    const drift = page.getByRole("table", { name: "Drift of each customer feature against the reference" });
    await drift.getByRole("row", { name: /Monetary value\s+Act/ }).waitFor();
    await drift.getByRole("row", { name: /Frequency \(orders\)\s+No drift/ }).waitFor();
    await page.getByText("Read the effect sizes first.").waitFor();
    await page.getByRole("link", { name: "Open the re-segmentation proposal" }).waitFor();
    const bias = page.getByRole("table", { name: "Bias audit per segment and protected attribute" });
    await bias.getByRole("row", { name: /Frequent v1\s+gender\s+900 of 3,000\s+0\.40/ }).waitFor();
    await bias.getByRole("rowheader", { name: "F", exact: true }).first().waitFor();
    await page.getByRole("table", { name: /Customers by segment at the first date/ }).waitFor();
    await page.getByRole("img", { name: "Chord diagram of customers moving between segments" }).waitFor();
    await shot(page, "analyst-drift-and-bias");

    const firstAlert = page.locator(".monitor-alert").first();
    const message = await firstAlert.locator(".monitor-alert__message").innerText();
    await firstAlert.getByLabel("Comment").fill("Prices rose in March; the committee reviews the proposal on Monday.");
    await firstAlert.getByRole("button", { name: "Acknowledge" }).click();
    await page.getByText("Alert acknowledged.").waitFor();
    await page.getByText(/acknowledged alert/).click();
    await page.getByText(/Acknowledged by .+: “Prices rose in March/).waitFor();
    expect(await page.locator(".monitor-alert__message", { hasText: message }).count()).toBe(1);
    await shot(page, "analyst-acknowledged");

    // Each finished run's report downloads as CSV.
    const { rows } = await server.database.ownerQuery<{ id: string; kind: string }>(
      "select id, kind from monitor_runs where tenant_id = $1 and status = 'completed' order by created_at desc",
      [ws.tenantId],
    );
    const driftCsv = await page.request.get(`${server.url}/monitoring/runs/${rows.find((r) => r.kind === "drift")!.id}.csv`);
    expect(driftCsv.status()).toBe(200);
    const driftLines = (await driftCsv.text()).trim().split(/\r?\n/);
    expect(driftLines[0]).toBe("feature,type,band,psi,jensen_shannon,wasserstein_norm,ks,ks_p,ks_method,chi2,chi2_p,n_reference,n_current");
    expect(driftLines.find((l) => l.startsWith("monetary,"))).toMatch(/^monetary,numeric,act,/);
    biasRunId = rows.find((r) => r.kind === "bias")!.id;
    const biasCsv = await (await page.request.get(`${server.url}/monitoring/runs/${biasRunId}.csv`)).text();
    expect(biasCsv).toMatch(/\r?\nFrequent,1,gender,3000,900,0\.4,[^\n]*,true,F,1000,500,0\.5,/);
    expect(browserErrors).toEqual([]);
  });

  it("shows a viewer the attribute-level bias figures only, and no controls", async () => {
    const page = await signIn(await browser.newContext(), ws.members.viewer.email, "/monitoring");
    await page
      .getByText("Group values are protected attributes: your role sees the attribute-level figures only.")
      .waitFor();
    const bias = page.getByRole("table", { name: "Bias audit per segment and protected attribute" });
    await bias.getByRole("row", { name: /Frequent v1\s+gender/ }).waitFor();
    expect(await bias.getByRole("rowheader", { name: "F", exact: true }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Check drift now" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Acknowledge" }).count()).toBe(0);
    expect(await page.content()).not.toContain('"group":"F"');
    await shot(page, "viewer");
    const csv = await (await page.request.get(`${server.url}/monitoring/runs/${biasRunId}.csv`)).text();
    expect(csv).toContain("Frequent,1,gender,3000,900");
    expect(csv).not.toMatch(/,F,|,M,/);
    // Another workspace's run is not found; a contributor (no monitor:read) is refused.
    const other = await makeWorkspace(server.database.db, "Other Monitor Co");
    const { rows } = await server.database.ownerQuery<{ id: string }>(
      "insert into monitor_runs (tenant_id, kind, trigger, status) values ($1, 'drift', 'demand', 'completed') returning id",
      [other.tenantId],
    );
    const foreign = await page.request.get(`${server.url}/monitoring/runs/${rows[0].id}.csv`);
    expect(foreign.status()).toBe(404);
    expect(await foreign.text()).not.toContain("Other Monitor Co");
    const contributor = await signIn(await browser.newContext(), ws.members.contributor.email, "/segments");
    const refused = await contributor.request.get(`${server.url}/monitoring/runs/${biasRunId}.csv`);
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain("monitor:read");
    expect(browserErrors).toEqual([]);
  });
});
