import { readFile } from "node:fs/promises";
import path from "node:path";
import type { BrowserContext, Download, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatKpiValue } from "../../app/components/kpis/format";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { recomputeFeatures } from "../../server/services/data/features";
import { dashboard, runRollup } from "../../server/services/kpis";
import type { DashboardPayload } from "../../server/services/kpis/types";
import { launchBrowser, pageRecorder, signInAt, type TestBrowser } from "../helpers/browser";
import { publishedSegment, scopeOf } from "../helpers/governance";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * The executive dashboard in Chromium over real roll-ups: generated customers, invoices and
 * events in two regions, two published segments, the roll-up runs executed as the worker would.
 * A viewer (executive) reads tiles and the heat map whose figures equal the service's, filters
 * (grain, region, segments) that change the URL and the figures, downloads CSV (checked cell by
 * cell), PNG and SVG, prints an A4 landscape PDF, and finds no edit controls. An analyst creates
 * a custom KPI (a validation error first), sets a target (a bad one first), rebuilds, and the
 * open dashboard refreshes itself when the roll-up finishes. Screenshots at 1440×900.
 */

const SHOTS = path.resolve("test-results/e2e-dashboards");

let server: TestServer;
let browser: TestBrowser;
let ws: FactoryWorkspace;
let northSegment = "";
let frequentSegment = "";

const { openPage, shot, browserErrors, resetShots } = pageRecorder(SHOTS, { timeoutMs: 20_000 });

async function signIn(context: BrowserContext, email: string, to: string): Promise<Page> {
  const page = await openPage(context);
  await page.setViewportSize({ width: 1440, height: 900 });
  return signInAt(page, server.url, email, to);
}

/** Runs every queued roll-up of the workspace, oldest first, as the worker would. */
async function drainRollups(tenantId: string): Promise<number> {
  const { rows } = await server.database.ownerQuery<{ id: string }>(
    "select id from kpi_rollup_runs where tenant_id = $1 and status = 'queued' order by created_at",
    [tenantId],
  );
  for (const r of rows) expect(await runRollup(server.database.db, tenantId, r.id)).toBe("completed");
  return rows.length;
}

/** What the service says the dashboard holds, read as the viewer. */
function served(input: Parameters<typeof dashboard>[1]): Promise<DashboardPayload> {
  return dashboard(scopeOf(ws, "viewer"), input);
}

function cellOf(p: DashboardPayload, segmentName: string, kpiKey: string) {
  const segment = p.segments.find((s) => s.name === segmentName)!;
  const kpi = p.kpis.find((k) => k.key === kpiKey)!;
  return { kpi, cell: p.cells.find((c) => c.segmentId === segment.id && c.kpiId === kpi.id)! };
}

/** The value written on a KPI tile. */
async function tileValue(page: Page, name: string): Promise<string> {
  return page.locator(`article.kpi-tile[data-kpi="${name}"] [data-testid="kpi-value"]`).innerText();
}

async function exportChart(page: Page, title: string, format: "Image (PNG)" | "Vector (SVG)" | "Data (CSV)"): Promise<Download> {
  const card = page.locator("section.chart-card", { has: page.getByRole("heading", { name: title, exact: true }) });
  await card.getByLabel(`Export ${title}`).click();
  const [download] = await Promise.all([page.waitForEvent("download"), card.getByRole("button", { name: format }).click()]);
  return download;
}

async function downloaded(download: Download): Promise<Buffer> {
  const file = await download.path();
  return readFile(file);
}

beforeAll(async () => {
  await resetShots();
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  ws = await makeWorkspace(server.database.db, "Dash Co");
  const q = server.database.ownerQuery.bind(server.database);
  const h = (expr: string, n: number) => `(abs(hashtext(${expr})) % ${n})`;
  await q(
    `insert into customers (tenant_id, external_id, region)
     select $1, 'D' || lpad(i::text, 4, '0'), (array['North', 'South'])[1 + i % 2] from generate_series(1, 160) i`,
    [ws.tenantId],
  );
  // 900 invoices of 1-2 lines from January to June 2025.
  await q(
    `insert into transactions (tenant_id, id, customer_external_id, invoice_no, quantity, unit_price, occurred_at, import_id)
     select $1, 'T' || inv || '-' || line, 'D' || lpad((1 + ${h("inv::text || 'k'", 160)})::text, 4, '0'), 'I' || inv,
            1 + ${h("inv::text || line::text || 'n'", 4)}, round((2 + ${h("inv::text || line::text || 'p'", 3000)} / 100.0)::numeric, 2),
            timestamptz '2025-01-01 09:00:00+00' + make_interval(days => ${h("inv::text || 'd'", 181)}), gen_random_uuid()
     from generate_series(1, 900) inv cross join lateral generate_series(1, 1 + ${h("inv::text || 'l'", 2)}) line`,
    [ws.tenantId],
  );
  await q(
    `insert into events (tenant_id, id, customer_external_id, type, occurred_at, value, import_id)
     select $1, 'E' || i, 'D' || lpad((1 + ${h("i::text || 'k'", 160)})::text, 4, '0'),
            (array['conversion', 'support_ticket', 'visit'])[1 + ${h("i::text || 't'", 3)}],
            timestamptz '2025-01-01 00:00:00+00' + make_interval(secs => ${h("i::text || 's'", 181 * 86400)}), 1 + ${h("i::text || 'v'", 9)}, gen_random_uuid()
     from generate_series(1, 700) i`,
    [ws.tenantId],
  );
  await server.database.db.withTenant(ws.tenantId, (tx) => recomputeFeatures(tx, ws.tenantId));
  northSegment = (await publishedSegment(ws, "North customers", { combinator: "and", children: [{ id: "r", op: "in", field: "region", values: ["North"] }] })).segmentId;
  frequentSegment = (await publishedSegment(ws, "Frequent", { combinator: "and", children: [{ id: "f", op: "gte", field: "frequency", value: 6 }] })).segmentId;
  await server.database.ownerQuery(
    "insert into kpi_rollup_runs (tenant_id, trigger, created_by) values ($1, 'rebuild', null)",
    [ws.tenantId],
  );
  expect(await drainRollups(ws.tenantId)).toBeGreaterThan(0);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("executive dashboard", () => {
  it("shows a viewer the service's figures, filters in the URL, exports and a print view, and no edit controls", async () => {
    const page = await signIn(await browser.newContext(), ws.members.viewer.email, "/dashboards?grain=month");
    const month = await served({ grain: "month" });
    expect(month.period?.label).toBe("June 2025");
    await page.getByRole("heading", { name: "Dashboards", level: 1 }).waitFor();
    await page.getByText("June 2025. KPIs per segment", { exact: false }).waitFor();

    // Tiles: the whole business's values as the service computed them.
    for (const key of ["revenue", "orders", "segment_size", "average_order_value"]) {
      const { kpi, cell } = cellOf(month, "All customers", key);
      expect(cell.value).not.toBeNull();
      expect(await tileValue(page, kpi.name)).toBe(formatKpiValue(cell.value, kpi.unit, { compact: true }));
    }
    // The revenue tile's change against May, as the service's previous value gives it.
    const revenue = cellOf(month, "All customers", "revenue").cell;
    const pct = ((revenue.value! - revenue.previous!) / Math.abs(revenue.previous!)) * 100;
    const changeText = await page.locator('article.kpi-tile[data-kpi="Revenue"] .kpi-tile__change').innerText();
    expect(changeText).toContain(`${pct >= 0 ? "+" : "−"}${Math.abs(pct).toFixed(1)}%`);
    expect(changeText).toContain("vs May 2025");

    // Heat map cell of a segment.
    const north = cellOf(month, "North customers", "revenue");
    await expect
      .poll(() => page.locator('[data-cell="North customers|Revenue"] text').textContent())
      .toBe(formatKpiValue(north.cell.value, "currency", { compact: true }));
    // Hovering a cell explains it.
    await page.locator('[data-cell="North customers|Revenue"] rect').hover();
    const tip = page.locator(".chart-tip");
    await tip.getByText("North customers · Revenue").waitFor();
    expect(await tip.innerText()).toContain("all customers × its");
    await page.getByRole("img", { name: /Segment size per period/ }).waitFor();
    await page.getByRole("img", { name: /Revenue, actual against expected/ }).waitFor();
    await shot(page, "viewer-month");

    // No edit controls for a viewer, here or on the KPI page.
    expect(await page.getByRole("button", { name: "Rebuild roll-ups" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Manage KPIs" }).count()).toBe(0);

    // CSV of the heat map: the service's raw numbers, row by row.
    const csv = (await downloaded(await exportChart(page, "Segments × KPIs", "Data (CSV)"))).toString("utf8");
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("segment,kpi,unit,value,target,all_customers,reference,vs_all_customers");
    expect(lines.length).toBe(1 + month.segments.length * month.kpis.length);
    // Revenue is a total: North is compared with all customers' revenue × North's share of them.
    const all = cellOf(month, "All customers", "revenue").cell.value!;
    const share = month.segments.find((s) => s.name === "North customers")!.members / month.segments.find((s) => s.allCustomers)!.members;
    const expected = all * share;
    expect(lines).toContain(`North customers,Revenue,currency,${north.cell.value},,${all},${expected},${(north.cell.value! - expected) / expected}`);
    // A rate is compared with all customers' rate as it is.
    const northRetention = cellOf(month, "North customers", "retention_rate").cell.value!;
    const allRetention = cellOf(month, "All customers", "retention_rate").cell.value!;
    expect(lines).toContain(
      `North customers,Retention rate,percent,${northRetention},,${allRetention},${allRetention},${(northRetention - allRetention) / allRetention}`,
    );
    const orders = cellOf(month, "Frequent", "orders");
    expect(lines.some((l) => l.startsWith(`Frequent,Orders,count,${orders.cell.value},`))).toBe(true);

    // PNG and SVG of a chart.
    const png = await exportChart(page, "Revenue", "Image (PNG)");
    expect(png.suggestedFilename()).toBe("revenue.png");
    const pngBytes = await downloaded(png);
    expect(pngBytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    // Drawn at twice the chart's size: the IHDR width is even and wider than a phone.
    expect(pngBytes.readUInt32BE(16)).toBeGreaterThan(800);
    const svg = await exportChart(page, "Revenue", "Vector (SVG)");
    expect(svg.suggestedFilename()).toBe("revenue.svg");
    const svgText = (await downloaded(svg)).toString("utf8");
    expect(svgText).toMatch(/^<\?xml[^>]*>\n<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svgText).toContain("North customers");
    expect(svgText).toMatch(/style="fill:[^"]*stroke/);
    expect(svgText).not.toContain('class="');

    // Filters: the grain goes into the URL and the figures follow.
    await page.getByLabel("Grain").selectOption("week");
    await page.waitForURL(/grain=week/);
    const week = await served({ grain: "week" });
    await page.getByText(`${week.period!.label}. KPIs per segment`, { exact: false }).waitFor();
    const weekRevenue = cellOf(week, "All customers", "revenue");
    expect(await tileValue(page, "Revenue")).toBe(formatKpiValue(weekRevenue.cell.value, "currency", { compact: true }));

    // Region North.
    await page.getByLabel("Region").selectOption({ label: "North" });
    await page.waitForURL(new RegExp(`region=${ws.regionIds[0]}`));
    const northWeek = await served({ grain: "week", regionId: ws.regionIds[0] });
    const northRevenue = cellOf(northWeek, "All customers", "revenue").cell.value;
    expect(northRevenue).not.toBe(weekRevenue.cell.value);
    await expect.poll(() => tileValue(page, "Revenue")).toBe(formatKpiValue(northRevenue, "currency", { compact: true }));

    // One segment: only it (and all customers) in the heat map.
    await page.getByRole("checkbox", { name: "Frequent" }).check();
    await page.waitForURL(new RegExp(`segment=${frequentSegment}`));
    await page.locator('[data-cell="Frequent|Revenue"]').waitFor();
    await expect.poll(() => page.locator('[data-cell="North customers|Revenue"]').count()).toBe(0);
    expect(page.url()).toContain("grain=week");
    await shot(page, "viewer-week-north-frequent");

    // The print view: A4 landscape PDF of the same filters.
    await page.getByRole("link", { name: "Print / PDF" }).click();
    await page.waitForURL(/\/dashboards\/print\?.*segment=/);
    await page.getByText("Dash Co · KPI dashboard").waitFor();
    await page.getByText(/North · Frequent · Generated/).waitFor();
    await page.emulateMedia({ media: "print" });
    const pdf = await page.pdf({ format: "A4", landscape: true, printBackground: true });
    const pdfText = pdf.toString("latin1");
    expect(pdfText.startsWith("%PDF-")).toBe(true);
    // A4 landscape is 842 × 595 points.
    const box = pdfText.match(/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/)!;
    expect(Math.round(Number(box[1]))).toBeGreaterThanOrEqual(841);
    expect(Math.round(Number(box[2]))).toBeLessThanOrEqual(596);
    // One page as printed: A4 landscape less the 10 mm margins is about 1047 × 718 CSS pixels.
    await page.setViewportSize({ width: 1047, height: 718 });
    await shot(page, "print-page");
    await page.emulateMedia({ media: "screen" });

    // The KPI definitions are readable, without controls.
    await page.goto(`${server.url}/dashboards/kpis`);
    await page.getByRole("table", { name: "Definitions" }).getByRole("rowheader", { name: /^Revenue Sum of quantity/ }).waitFor();
    expect(await page.getByRole("link", { name: "New custom KPI" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: /^Edit / }).count()).toBe(0);
    const runsBefore = (await server.database.ownerQuery("select 1 from kpi_rollup_runs where tenant_id = $1", [ws.tenantId])).rows.length;
    const forbidden = await page.request.post(`${server.url}/dashboards/kpis`, { form: { intent: "rebuild" }, headers: { origin: server.url } });
    expect(await forbidden.text()).toContain("does not allow this (kpi:configure)");
    expect((await server.database.ownerQuery("select 1 from kpi_rollup_runs where tenant_id = $1", [ws.tenantId])).rows.length).toBe(runsBefore);

    // The segment page shows its KPIs over time and links its SWOT board.
    await page.goto(`${server.url}/segments/${northSegment}`);
    await page.getByRole("heading", { name: "KPIs over time" }).waitFor();
    await page.getByRole("img", { name: "KPIs of North customers per month" }).waitFor();
    expect(await page.getByRole("link", { name: "SWOT board" }).last().getAttribute("href")).toBe(`/swot/${northSegment}`);
    await shot(page, "segment-kpis");
    expect(browserErrors).toEqual([]);
  });

  it("lets an analyst define a KPI and a target, with field errors, and refreshes the open dashboard after a rebuild", async () => {
    const context = await browser.newContext();
    const page = await signIn(context, ws.members.analyst.email, "/dashboards/kpis");
    await page.getByRole("link", { name: "New custom KPI" }).click();
    const form = page.getByRole("form", { name: "New custom KPI" });
    await form.getByLabel("Name").fill("Conversion value");
    await form.getByLabel("Key").fill("conversion_value");
    await form.getByLabel("Unit").selectOption("currency");
    await form.getByLabel("Aggregate").selectOption("sum");
    await form.getByLabel("Event type").fill("conversion");
    await form.getByLabel("Minimum value").fill("abc");
    await form.getByRole("button", { name: "Create KPI" }).click();
    await form.getByText("the minimum value must be a number").waitFor();
    // What was typed is kept.
    expect(await form.getByLabel("Name").inputValue()).toBe("Conversion value");
    await shot(page, "analyst-kpi-error");
    await form.getByLabel("Minimum value").fill("2");
    await form.getByRole("button", { name: "Create KPI" }).click();
    await page.getByText("KPI created.", { exact: false }).waitFor();
    const { rows: created } = await server.database.ownerQuery<{ spec: unknown }>(
      "select spec from kpi_definitions where tenant_id = $1 and key = 'conversion_value'",
      [ws.tenantId],
    );
    expect(created[0].spec).toEqual({ kind: "aggregate", measure: { source: "events", aggregate: "sum", filter: { type: "conversion", minValue: 2 } } });

    // A target for North customers' revenue: a bad one is refused under its field.
    await page.getByRole("link", { name: "Edit Revenue" }).click();
    const targets = page.getByRole("form", { name: "Targets of Revenue" });
    await targets.getByLabel("North customers").fill("lots");
    await targets.getByRole("button", { name: "Save targets" }).click();
    await targets.getByText("'lots' is not a number.").waitFor();
    await targets.getByLabel("North customers").fill("2500");
    await targets.getByRole("button", { name: "Save targets" }).click();
    await page.getByText("Targets saved.").waitFor();
    await shot(page, "analyst-kpi-edit");

    // The new KPI queued its roll-up: the page says so, and rebuilding waits for it.
    await page.getByRole("progressbar", { name: "Updating roll-ups after a KPI change" }).waitFor();
    expect(await page.getByRole("button", { name: "Rebuild roll-ups" }).isDisabled()).toBe(true);

    // An open dashboard refreshes by itself when that roll-up finishes.
    const dash = await signIn(await browser.newContext(), ws.members.analyst.email, `/dashboards?grain=month&focus=${northSegment}`);
    await dash.locator(".dash-live--live").waitFor();
    // Defined but not rolled up yet: its tile has no value.
    expect(await tileValue(dash, "Conversion value")).toBe("—");
    expect(await drainRollups(ws.tenantId)).toBe(1);
    const after = await served({ grain: "month" });
    const value = cellOf(after, "North customers", "conversion_value").cell.value;
    expect(value).toBeGreaterThan(0);
    await expect.poll(() => tileValue(dash, "Conversion value"), { timeout: 15_000 }).toBe(formatKpiValue(value, "currency", { compact: true }));

    // Once it is done (the page follows the run), a full rebuild can be asked for.
    await page.getByRole("button", { name: "Rebuild roll-ups" }).click({ timeout: 15_000 });
    await page.getByRole("progressbar", { name: "Updating roll-ups after a rebuild" }).waitFor();
    expect(await drainRollups(ws.tenantId)).toBe(1);
    // The North tile of revenue now shows its target.
    await dash.locator('article.kpi-tile[data-kpi="Revenue"]').getByText("Target 2,500.00").waitFor();
    await shot(dash, "analyst-dashboard-after-rebuild");
    expect(browserErrors).toEqual([]);
  });

  it("tells an analyst of a workspace without roll-ups what to do, and shows progress once asked", async () => {
    const empty = await makeWorkspace(server.database.db, "Empty Co");
    const page = await signIn(await browser.newContext(), empty.members.analyst.email, "/dashboards");
    await page.getByRole("heading", { name: "No roll-ups yet" }).waitFor();
    await shot(page, "empty");
    await page.getByRole("button", { name: "Rebuild roll-ups" }).click();
    await page.getByText("Roll-ups are being computed").waitFor();
    await page.getByRole("progressbar", { name: "Roll-ups are being computed" }).waitFor();
    await shot(page, "computing");
    expect(browserErrors).toEqual([]);
  });
});
