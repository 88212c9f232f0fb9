import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importFile } from "../../db/seed/data-factory";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { runModelRun } from "../../workers/jobs/model-run";
import { launchBrowser, pageRecorder, signInAt, type TestBrowser } from "../helpers/browser";
import { jobsFor } from "../helpers/callers";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * Models in the browser: an analyst picks features (a protected attribute is offered but
 * disabled), checks them for correlation, starts a run over a range of k, watches it queued,
 * and once the worker's handler has run reads the k-selection charts, the cluster profiles,
 * the heat map and the PCA map. A committee member reads the run without the controls to
 * start or cancel one; a viewer is refused.
 */

const SHOTS = path.resolve("test-results/e2e-models");

let server: TestServer;
let browser: TestBrowser;
let ws: FactoryWorkspace;

const { openPage, shot, browserErrors, resetShots } = pageRecorder(SHOTS, { timeoutMs: 15_000 });

async function signIn(context: BrowserContext, email: string, to: string): Promise<Page> {
  return signInAt(await openPage(context), server.url, email, to);
}

/** Three kinds of customer (recent big spenders, lapsed one-timers, steady regulars) with their orders. */
function customerFiles(count: number) {
  const customers = ["customer_id,name,region,age,income"];
  const orders = ["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"];
  let invoice = 600000;
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < count; i++) {
    const id = `M${String(i).padStart(4, "0")}`;
    const kind = i % 3;
    customers.push(`${id},Customer ${i},${["North", "South"][i % 2]},${20 + Math.floor(rnd() * 50)},${Math.round(20000 + rnd() * 60000)}`);
    const n = kind === 0 ? 8 + Math.floor(rnd() * 6) : kind === 1 ? 1 : 3 + Math.floor(rnd() * 3);
    for (let o = 0; o < n; o++) {
      const month = kind === 1 ? 1 + Math.floor(rnd() * 3) : kind === 0 ? 9 + Math.floor(rnd() * 4) : 4 + Math.floor(rnd() * 8);
      const day = 1 + Math.floor(rnd() * 27);
      const quantity = kind === 0 ? 10 + Math.floor(rnd() * 20) : 1 + Math.floor(rnd() * 5);
      const price = (kind === 0 ? 8 + rnd() * 10 : 2 + rnd() * 4).toFixed(2);
      orders.push(`${invoice++},S${o},ITEM,${quantity},2011-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")} 10:00:00,${price},${id},United Kingdom`);
    }
  }
  return { customers: customers.join("\n"), orders: orders.join("\n") };
}

beforeAll(async () => {
  await resetShots();
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const jobs = jobsFor(server.database.db);
  ws = await makeWorkspace(server.database.db, "Model Co", jobs);
  const files = customerFiles(240);
  await importFile(server.database.db, ws.ownerScope, jobs, { kind: "customers", fileName: "customers.csv", body: files.customers });
  await importFile(server.database.db, ws.ownerScope, jobs, { kind: "transactions", fileName: "orders.csv", body: files.orders });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("models in the browser", () => {
  let runPath = "";

  it("lets an analyst choose features, check them and start a run", async () => {
    const page = await signIn(await browser.newContext(), ws.members.analyst.email, "/models");
    await page.getByRole("heading", { name: "No model runs yet" }).waitFor();
    await shot(page, "analyst-empty");

    await page.getByRole("link", { name: "New model run" }).click();
    await page.waitForURL(`${server.url}/models/new`);
    await shot(page, "analyst-new-run");
    const age = page.getByRole("checkbox", { name: /^age/i });
    await expect(age.isDisabled()).resolves.toBe(true);

    await page.getByRole("button", { name: "Start the run" }).click();
    await page.getByText("Choose at least one feature to cluster on.").waitFor();

    for (const name of ["Recency (days)", "Frequency (orders)", "Monetary value"]) {
      await page.getByRole("checkbox", { name }).check();
    }
    await page.getByLabel("Transform for Monetary value").selectOption("log1p");
    await page.getByRole("button", { name: "Check features" }).click();
    await page.getByRole("heading", { name: "Feature check" }).waitFor();
    await page.getByRole("table", { name: /Correlation between the chosen features/ }).waitFor();
    await shot(page, "analyst-new-run-checked");

    await page.getByLabel("Smallest k").fill("6");
    await page.getByLabel("Largest k").fill("3");
    await page.getByRole("button", { name: "Start the run" }).click();
    await page.getByText("Largest k must be at least the smallest k.").waitFor();
    await shot(page, "analyst-new-run-error");

    await page.getByLabel("Smallest k").fill("2");
    await page.getByLabel("Largest k").fill("6");
    await page.getByRole("button", { name: "Start the run" }).click();
    await page.waitForURL(/\/models\/[0-9a-f-]{36}$/);
    runPath = new URL(page.url()).pathname;
    await page.getByRole("heading", { name: "Queued", exact: true }).waitFor();
    await page.getByRole("button", { name: "Cancel run…" }).waitFor();
    await shot(page, "analyst-run-queued");

    await page.goto(`${server.url}/models`);
    await page.getByRole("heading", { name: /Model runs/ }).waitFor();
    await shot(page, "analyst-runs-list-queued");
  });

  it("shows the finished run's k selection, profiles, heat map and PCA map", async () => {
    const runId = runPath.split("/").pop() ?? "";
    const page = await signIn(await browser.newContext(), ws.members.analyst.email, runPath);
    await page.getByRole("heading", { name: "Queued", exact: true }).waitFor();
    // The worker's handler, run here and held after k=3; the open page polls and follows it by itself.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const run = runModelRun(server.database.db, ws.tenantId, runId, { afterK: (k) => (k === 3 ? held : undefined) });
    await page.getByRole("heading", { name: "Running", exact: true }).waitFor();
    await page.getByRole("progressbar", { name: "Fitted k=3 (2 of 5)" }).waitFor();
    await shot(page, "analyst-run-running");
    release();
    await expect(run).resolves.toBe("completed");
    await page.getByRole("heading", { name: "How many clusters?" }).waitFor();
    await page.getByText(/^Recommended k = \d+$/).waitFor();
    await page.getByText("Every metric uses every customer clustered (silhouette exact, not sampled).").waitFor();
    await expect(page.locator(".k-chart").count()).resolves.toBe(4);
    await page.getByRole("heading", { name: /^Clusters at k = \d+/ }).waitFor();
    await expect(page.locator(".cluster-card").count()).resolves.toBeGreaterThan(1);
    await page.getByRole("img", { name: /standardised difference from the whole base/ }).waitFor();
    await page.getByRole("img", { name: /PCA of a sample of customers/ }).waitFor();
    await shot(page, "analyst-run-completed");

    const metrics = await page.request.get(`${server.url}${runPath}/metrics.csv`);
    expect(metrics.status()).toBe(200);
    const rows = (await metrics.text()).trim().split("\n");
    expect(rows[0]).toContain("k,inertia,silhouette");
    expect(rows).toHaveLength(6);
    const clusters = await page.request.get(`${server.url}${runPath}/clusters.csv`);
    expect((await clusters.text()).split("\n")[0]).toContain("suggested_name");

    await page.getByRole("link", { name: "k = 6" }).click();
    await page.waitForURL(/\?k=6$/);
    await page.getByRole("heading", { name: /^Clusters at k = 6/ }).waitFor();
    await expect(page.getByRole("button", { name: "Propose as segment" }).count()).resolves.toBe(0);
    await page.getByRole("button", { name: "Run again with k = 6" }).waitFor();
    await shot(page, "analyst-run-k6");

    await page.goto(`${server.url}${runPath}`);
    const first = page.locator(".cluster-card").first();
    const name = first.getByLabel("Segment name for cluster 1");
    await name.fill("");
    await first.getByRole("button", { name: "Propose as segment" }).click();
    await first.getByText("Give the segment a name.").waitFor();
    await name.fill("Cluster one customers");
    await first.getByRole("button", { name: "Propose as segment" }).click();
    await page.waitForURL(/\/segments\/proposals\/[0-9a-f-]{36}$/);
    await page.getByText("Cluster one customers").first().waitFor();
    // The rule builder shows the cluster condition as a choice of run and cluster.
    const clusterSelect = page.locator("select[aria-label^='Cluster, ']").first();
    await clusterSelect.waitFor();
    expect(await clusterSelect.inputValue()).toBe(`${runPath.split("/").pop()}:1`);
    await page.waitForLoadState("networkidle");
    await shot(page, "analyst-cluster-proposal");
  });

  it("lets the committee read a run without starting or cancelling one, and refuses viewers", async () => {
    const page = await signIn(await browser.newContext(), ws.members.committee.email, "/models");
    await page.getByRole("heading", { name: /Model runs/ }).waitFor();
    await expect(page.getByRole("link", { name: "New model run" }).count()).resolves.toBe(0);
    await page.goto(`${server.url}${runPath}`);
    await page.getByRole("heading", { name: "How many clusters?" }).waitFor();
    await expect(page.getByRole("link", { name: "New run from these settings" }).count()).resolves.toBe(0);
    await shot(page, "committee-run");

    const viewer = await signIn(await browser.newContext(), ws.members.viewer.email, "/");
    const response = await viewer.goto(`${server.url}/models`);
    expect(response?.status()).toBe(403);
    await shot(viewer, "viewer-refused");
    expect(browserErrors).toEqual([]);
  });

  it("lets an analyst cancel a queued run, and reads well on a phone", async () => {
    const page = await signIn(await browser.newContext(), ws.members.analyst.email, runPath);
    await page.getByRole("link", { name: "New run from these settings" }).click();
    await page.waitForURL(/\/models\/new\?from=/);
    await expect(page.getByRole("checkbox", { name: "Monetary value" }).isChecked()).resolves.toBe(true);
    await expect(page.getByLabel("Transform for Monetary value").inputValue()).resolves.toBe("log1p");
    await expect(page.getByLabel("Largest k").inputValue()).resolves.toBe("6");
    for (const name of ["Recency (days)", "Frequency (orders)", "Monetary value"]) {
      await page.getByRole("checkbox", { name }).uncheck();
    }
    await page.getByRole("checkbox", { name: "Tenure (days)" }).check();
    await page.getByRole("checkbox", { name: "income" }).check();
    await page.getByRole("button", { name: "Start the run" }).click();
    await page.waitForURL(/\/models\/[0-9a-f-]{36}$/);
    await page.getByRole("button", { name: "Cancel run…" }).click();
    await page.getByRole("button", { name: "Cancel run", exact: true }).click();
    await page.getByText("The run was cancelled").waitFor();
    await shot(page, "analyst-run-cancelled");

    await page.setViewportSize({ width: 400, height: 860 });
    await page.goto(`${server.url}${runPath}`);
    await page.getByRole("heading", { name: "How many clusters?" }).waitFor();
    await shot(page, "analyst-run-phone");
    await page.goto(`${server.url}/models`);
    await page.getByRole("heading", { name: /Model runs/ }).waitFor();
    await shot(page, "analyst-runs-list-phone");
    expect(browserErrors).toEqual([]);
  });
});

describe("a Gaussian-mixture run in the browser", () => {
  it("is chosen on the form, and its page shows the BIC per k and how clearly customers belong", async () => {
    const page = await signIn(await browser.newContext(), ws.members.analyst.email, "/models/new");
    await page.getByText("Each customer belongs to exactly one cluster", { exact: false }).waitFor();
    await expect(page.getByRole("radio", { name: "k-means" }).isChecked()).resolves.toBe(true);
    await page.getByRole("radio", { name: "Gaussian mixture (overlapping groups)" }).check();
    for (const name of ["Recency (days)", "income"]) await page.getByRole("checkbox", { name }).check();
    await page.getByLabel("Smallest k").fill("2");
    await page.getByLabel("Largest k").fill("4");
    await page.getByRole("button", { name: "Start the run" }).click();
    await page.waitForURL(/\/models\/[0-9a-f-]{36}$/);
    const gmmPath = new URL(page.url()).pathname;
    await expect(runModelRun(server.database.db, ws.tenantId, gmmPath.split("/").pop() ?? "")).resolves.toBe("completed");
    await page.getByRole("heading", { name: "How many clusters?" }).waitFor();
    await page.getByText(/lowest BIC of the Gaussian mixture/).first().waitFor();
    await expect(page.locator(".k-chart").count()).resolves.toBe(5);
    await page.getByText("BIC (Gaussian mixture)", { exact: true }).waitFor();
    await page.getByRole("heading", { name: /^How clearly customers belong \(k = \d\)$/ }).waitFor();
    await page.getByText("Gaussian mixture, full covariance", { exact: false }).waitFor();
    await page.getByText(/^The Gaussian mixture was fitted again/).waitFor();
    await shot(page, "analyst-gmm-run");
    const metrics = await page.request.get(`${server.url}${gmmPath}/metrics.csv`);
    const rows = (await metrics.text()).trim().split("\n");
    expect(rows[0]).toContain("log_likelihood,bic,aic");
    expect(rows).toHaveLength(4);
    await page.goto(`${server.url}/models`);
    await page.getByRole("link", { name: /^Gaussian mixture · 2 features/ }).waitFor();
    expect(browserErrors).toEqual([]);
  });
});

describe("a DBSCAN run in the browser", () => {
  it("is chosen on the form with eps and minPts, and its page says how many clusters and outliers it found", async () => {
    const page = await signIn(await browser.newContext(), ws.members.analyst.email, "/models/new");
    await page.getByRole("radio", { name: "DBSCAN (density and outliers)" }).check();
    for (const name of ["Recency (days)", "income"]) await page.getByRole("checkbox", { name }).check();
    await page.getByLabel("eps (DBSCAN)").fill("0.6");
    await page.getByLabel("minPts (DBSCAN)").fill("4");
    await page.getByRole("button", { name: "Show the k-distance plot" }).click();
    await page.getByText("k-distance plot (k = 3)", { exact: true }).waitFor();
    await page.getByText(/The knee \(where the curve flattens\) suggests eps ≈ \d+\.\d\d/).waitFor();
    await expect(page.getByRole("radio", { name: "DBSCAN (density and outliers)" }).isChecked()).resolves.toBe(true);
    await page.getByLabel("eps (DBSCAN)").fill("0.6");
    await page.getByRole("button", { name: "Start the run" }).click();
    await page.waitForURL(/\/models\/[0-9a-f-]{36}$/);
    const path = new URL(page.url()).pathname;
    await expect(runModelRun(server.database.db, ws.tenantId, path.split("/").pop() ?? "")).resolves.toBe("completed");
    await page.getByRole("heading", { name: "What DBSCAN found" }).waitFor();
    await page.getByText(/^DBSCAN found [\d,]+ clusters? and [\d,]+ outliers? \(\d+\.\d%\)/).waitFor();
    await page.getByText("DBSCAN (eps = 0.6, minPts = 4", { exact: false }).waitFor();
    await page.getByText(/DBSCAN finds the number of clusters itself/).first().waitFor();
    await shot(page, "analyst-dbscan-run");
    await page.goto(`${server.url}/models`);
    await page.getByRole("link", { name: /^DBSCAN · 2 features/ }).waitFor();
    expect(browserErrors).toEqual([]);
  });
});

describe("a Ward run with a fixed group in the browser", () => {
  it("is chosen on the form with a business rule, shows the merge tree and the fixed group, and can be deleted", async () => {
    const page = await signIn(await browser.newContext(), ws.members.analyst.email, "/models/new");
    await page.getByRole("heading", { name: /Fixed groups/ }).waitFor();
    await page.getByRole("radio", { name: "Ward hierarchical (multi-level segments)" }).check();
    for (const name of ["Frequency (orders)", "Monetary value"]) await page.getByRole("checkbox", { name }).check();
    await page.getByLabel("Transform for Monetary value").selectOption("log1p");
    await page.getByLabel("Smallest k").fill("2");
    await page.getByLabel("Largest k").fill("4");
    const group = page.getByRole("group", { name: "Fixed group 1" });
    await group.getByLabel("Group 1 name").fill("Lapsed");
    await group.getByLabel("When").selectOption("recency_days");
    await group.getByLabel("Condition").selectOption("gt");
    await page.getByRole("button", { name: "Start the run" }).click();
    await page.getByText("Enter the number group “Lapsed” compares with.").waitFor();
    await expect(page.getByRole("group", { name: "Fixed group 1" }).getByLabel("Group 1 name").inputValue()).resolves.toBe("Lapsed");
    await shot(page, "analyst-new-run-fixed-group-error");
    await page.getByRole("group", { name: "Fixed group 1" }).getByLabel("Value").fill("250");
    await shot(page, "analyst-new-run-fixed-group");
    await page.getByRole("button", { name: "Start the run" }).click();
    await page.waitForURL(/\/models\/[0-9a-f-]{36}$/);
    const wardPath = new URL(page.url()).pathname;
    await page.getByRole("heading", { name: "Fixed groups" }).waitFor();
    await expect(runModelRun(server.database.db, ws.tenantId, wardPath.split("/").pop() ?? "")).resolves.toBe("completed");
    await page.getByRole("heading", { name: "Merge tree (multi-level segments)" }).waitFor();
    await page.getByRole("img", { name: "Ward dendrogram" }).waitFor();
    await page.getByText("Ward hierarchical (exact Ward on every customer", { exact: false }).waitFor();
    await page.getByText(/^The Ward tree was fitted again/).waitFor();
    // The fixed group: its rule in words, stored after the fitted clusters, with the lapsed third of the customers.
    const row = page.getByRole("row", { name: /Lapsed/ });
    await row.getByText("Days since last purchase > 250").waitFor();
    const cells = await row.locator("td").allInnerTexts();
    const k = Number((await page.getByText(/^Recommended k = \d+$/).innerText()).match(/\d+/)![0]);
    expect(cells[2]).toBe(String(k + 1));
    // The run's customers: active (not merged, not opted out) with both features.
    const { rows } = await server.database.ownerQuery<{ n: number; lapsed: number }>(
      `select count(*)::int as n, (count(*) filter (where f.recency_days > 250))::int as lapsed
         from customers c join customer_features f on f.tenant_id = c.tenant_id and f.customer_id = c.id
        where c.tenant_id = $1 and c.merged_into is null and not c.opted_out and f.frequency is not null and f.monetary is not null`,
      [ws.tenantId],
    );
    expect(rows[0].lapsed).toBeGreaterThan(50);
    expect(cells[3]).toBe(`${rows[0].lapsed} (${((100 * rows[0].lapsed) / rows[0].n).toFixed(1)}%)`);
    await page.locator(".cluster-card", { hasText: "Lapsed" }).first().waitFor();
    await shot(page, "analyst-ward-run");

    // Another k moves the cut on the tree.
    await page.getByRole("link", { name: `k = ${k === 2 ? 3 : 2}` }).click();
    await page.getByText(`k = ${k === 2 ? 3 : 2}`, { exact: true }).first().waitFor();
    await shot(page, "analyst-ward-run-other-k");

    await page.getByRole("button", { name: "Delete run…" }).click();
    await shot(page, "analyst-ward-delete-confirm");
    await page.getByRole("button", { name: "Delete run", exact: true }).click();
    await page.waitForURL(`${server.url}/models`);
    await expect(page.getByRole("link", { name: /^Ward hierarchical/ }).count()).resolves.toBe(0);
    expect(browserErrors).toEqual([]);
  });
});

describe("latent class and map runs in the browser", () => {
  it("a latent class run on categorical answers shows each class's answers; a map run draws the map", async () => {
    const page = await signIn(await browser.newContext(), ws.members.analyst.email, "/models/new");
    await page.getByRole("radio", { name: "Latent class analysis (categorical answers)" }).check();
    const categorical = page.getByRole("group", { name: "Categorical answers (latent class analysis only)" });
    await categorical.getByRole("checkbox", { name: "Region" }).check();
    await categorical.getByRole("checkbox", { name: "RFM segment" }).check();
    await page.getByLabel("Smallest k").fill("2");
    await page.getByLabel("Largest k").fill("3");
    await page.getByRole("button", { name: "Start the run" }).click();
    await page.waitForURL(/\/models\/[0-9a-f-]{36}$/);
    const lcaPath = new URL(page.url()).pathname;
    await expect(runModelRun(server.database.db, ws.tenantId, lcaPath.split("/").pop() ?? "")).resolves.toBe("completed");
    await page.getByRole("heading", { name: /^What each class answers \(k = \d\)$/ }).waitFor();
    await page.getByRole("table", { name: "Region" }).waitFor();
    await page.getByRole("table", { name: /Fit of each k/ }).getByText("lowest BIC", { exact: true }).waitFor();
    await page.getByText(/lowest BIC of the latent class model/).first().waitFor();
    await page.getByText(/^The latent class model was fitted again/).waitFor();
    await shot(page, "analyst-lca-run");

    await page.goto(`${server.url}/models/new`);
    await page.getByRole("radio", { name: "Self-organizing map (high-dimensional behaviour)" }).check();
    for (const name of ["Recency (days)", "Frequency (orders)", "Monetary value"]) await page.getByRole("checkbox", { name }).check();
    await page.getByLabel("Transform for Monetary value").selectOption("log1p");
    await page.getByLabel("Smallest k").fill("2");
    await page.getByLabel("Largest k").fill("4");
    await page.getByRole("button", { name: "Start the run" }).click();
    await page.waitForURL(/\/models\/[0-9a-f-]{36}$/);
    const somPath = new URL(page.url()).pathname;
    await expect(runModelRun(server.database.db, ws.tenantId, somPath.split("/").pop() ?? "")).resolves.toBe("completed");
    await page.getByRole("heading", { name: /^The map \(k = \d\)$/ }).waitFor();
    await page.getByRole("img", { name: /^Self-organizing map, \d+ × \d+ nodes/ }).waitFor();
    await page.getByRole("img", { name: "Monetary value across the map" }).waitFor();
    await page.getByText(/^The map \(and k-means on its nodes\) was fitted again/).waitFor();
    await page.getByRole("heading", { name: "On the data of 90 days earlier" }).waitFor();
    await shot(page, "analyst-som-run");
    await page.goto(`${server.url}/models`);
    await page.getByRole("link", { name: /^Self-organizing map · 3 features/ }).waitFor();
    await page.getByRole("link", { name: /^Latent class analysis · 2 features/ }).waitFor();
    expect(browserErrors).toEqual([]);
  });
});
