/**
 * Campaigns on real PostgreSQL: launch freezes the groups (a later publish does not move them),
 * results come from real events and transactions, ROI and contribution follow the documented
 * formulas, and the cost-to-serve import keeps good rows and names bad ones.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { conversionLift, meanGroup, welchLift } from "../../server/analytics/lift";
import { attributeRevenue } from "../../server/analytics/attribution";
import {
  attributionBySegment,
  contributionBySegment,
  createCampaign,
  deleteCampaign,
  finishCampaign,
  getCampaign,
  importCosts,
  launchCampaign,
  listCampaigns,
  listCosts,
  roiBySegment,
  setContributionMargin,
  setCost,
  updateCampaign,
} from "../../server/services/campaigns";
import { createProposal, decideProposal, submitProposal } from "../../server/services/segments";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { publishedSegment, scopeOf } from "../helpers/governance";

let t: TestDatabase;
let w: FactoryWorkspace;
let segmentId: string;

const N = 400;
const REGIONS = ["North", "South", "East", null];
const ext = (i: number) => `CUST-${String(i).padStart(3, "0")}`;

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Campaign Co");
  await t.ownerQuery(
    `insert into customers (tenant_id, external_id, region)
     select $1, 'CUST-' || lpad(i::text, 3, '0'), (array['North','South','East',null])[1 + i % 4] from generate_series(0, $2 - 1) i`,
    [w.tenantId, N],
  );
  segmentId = (await publishedSegment(w, "Everyone", { combinator: "and", children: [] })).segmentId;
});
afterAll(() => t.drop());

const analyst = () => scopeOf(w, "analyst");

const BASE = {
  channels: ["email", "web"] as ("email" | "web")[],
  budget: 5000,
  periodStart: "2026-03-01",
  periodEnd: "2026-03-31",
  holdoutPercent: 20,
  stratifyByRegion: true,
  outcome: "conversion" as const,
};

async function members(campaignId: string) {
  const { rows } = await t.ownerQuery<{ external_id: string; holdout: boolean; region: string | null }>(
    `select c.external_id, m.holdout, m.region from campaign_members m join customers c on c.tenant_id = m.tenant_id and c.id = m.customer_id
     where m.campaign_id = $1 order by c.external_id`,
    [campaignId],
  );
  return rows;
}

describe("a campaign's life", () => {
  let campaignId: string;
  let frozen: Awaited<ReturnType<typeof members>>;

  it("is created as a draft with its fields checked", async () => {
    await expect(createCampaign(analyst(), { ...BASE, name: "Bad dates", segmentId, periodEnd: "2026-02-01" })).rejects.toThrow(/on or after the start date/);
    await expect(createCampaign(analyst(), { ...BASE, name: "Bad holdout", segmentId, holdoutPercent: 75 })).rejects.toThrow(/at most 50%/);
    const created = await createCampaign(analyst(), { ...BASE, name: "Spring email", segmentId });
    campaignId = created.id;
    expect(created.status).toBe("draft");
    const view = await getCampaign(analyst(), { campaignId });
    expect(view.outcomes).toBeNull();
    expect(view.segmentName).toBe("Everyone");
  });

  it("launch freezes the members with an exact 20% holdout in every region", async () => {
    const launched = await launchCampaign(analyst(), { campaignId });
    expect(launched.status).toBe("running");
    expect(launched.segmentVersion).toBe(1);
    frozen = await members(campaignId);
    expect(frozen).toHaveLength(N);
    const view = await getCampaign(analyst(), { campaignId });
    expect(view.balance.map((b) => [b.region, b.treated, b.holdout])).toEqual([
      ["East", 80, 20],
      ["North", 80, 20],
      ["South", 80, 20],
      [null, 80, 20],
    ]);
    await expect(launchCampaign(analyst(), { campaignId })).rejects.toThrow(/already launched/);
    await expect(updateCampaign(analyst(), { campaignId, holdoutPercent: 30 })).rejects.toThrow(/only its name and actual cost can change now \(not holdoutPercent\)/);
    const { rows } = await t.ownerQuery(`select changes from audit_log where tenant_id = $1 and action = 'campaign.launch'`, [w.tenantId]);
    expect(rows[0].changes.after).toMatchObject({ members: N, holdout: 80, segmentVersion: 1 });
  });

  it("keeps its groups when the segment is published again", async () => {
    const retire = await createProposal(scopeOf(w, "analyst"), { kind: "retire", segmentId });
    await submitProposal(scopeOf(w, "analyst"), { proposalId: retire.proposalId });
    await decideProposal(scopeOf(w, "admin"), { proposalId: retire.proposalId, decision: "approve", reason: "Republish under the campaign" });
    const current = await t.ownerQuery(`select count(*)::int as n from segment_memberships where segment_id = $1 and to_version is null`, [segmentId]);
    expect(current.rows[0].n).toBe(0);
    expect(await members(campaignId)).toEqual(frozen);
  });

  it("measures conversion and revenue per group from events and transactions in the period", async () => {
    const treated = frozen.filter((m) => !m.holdout).map((m) => m.external_id);
    const holdout = frozen.filter((m) => m.holdout).map((m) => m.external_id);
    // 96 of 320 treated convert (30%), 12 of 80 held out (15%). Noise that must not count: a
    // second conversion of the same customer, conversions before and after the period, and a
    // touchpoint of a holdout customer.
    const events: [string, string, string, string | null][] = [];
    treated.slice(0, 96).forEach((c, i) => events.push([`conv-t-${i}`, c, "2026-03-10T12:00:00Z", "conversion"]));
    holdout.slice(0, 12).forEach((c, i) => events.push([`conv-h-${i}`, c, "2026-03-31T23:59:00Z", "conversion"]));
    events.push(["dup", treated[0], "2026-03-11T00:00:00Z", "conversion"]);
    events.push(["early", holdout[40], "2026-02-28T23:59:59Z", "conversion"]);
    events.push(["late", holdout[41], "2026-04-01T00:00:00Z", "conversion"]);
    events.push(["touch", holdout[42], "2026-03-05T00:00:00Z", "touchpoint"]);
    const importId = "00000000-0000-0000-0000-0000000000aa";
    for (const [id, customer, at, type] of events) {
      await t.ownerQuery(`insert into events (tenant_id, id, customer_external_id, type, occurred_at, import_id) values ($1, $2, $3, $4, $5, $6)`, [
        w.tenantId,
        id,
        customer,
        type,
        at,
        importId,
      ]);
    }
    // Revenue: treated customer i spends 10 + (i mod 7) in one invoice, holdout j 9 + (j mod 3);
    // one treated customer returns 4 units of 1.5 (negative), and a purchase after the period is ignored.
    const revenueT = treated.map((_, i) => 10 + (i % 7));
    const revenueH = holdout.map((_, j) => 9 + (j % 3));
    const tx: [string, string, number, number, string][] = [];
    treated.forEach((c, i) => tx.push([`t-${i}`, c, 1, revenueT[i], "2026-03-15T10:00:00Z"]));
    holdout.forEach((c, j) => tx.push([`h-${j}`, c, 2, revenueH[j] / 2, "2026-03-20T10:00:00Z"]));
    tx.push(["ret", treated[5], -4, 1.5, "2026-03-25T10:00:00Z"]);
    revenueT[5] -= 6;
    tx.push(["after", treated[6], 1, 1000, "2026-04-02T10:00:00Z"]);
    for (const [id, customer, qty, price, at] of tx) {
      await t.ownerQuery(
        `insert into transactions (tenant_id, id, customer_external_id, invoice_no, quantity, unit_price, occurred_at, import_id) values ($1, $2, $3, $2, $4, $5, $6, $7)`,
        [w.tenantId, id, customer, qty, price, at, importId],
      );
    }
    const view = await getCampaign(analyst(), { campaignId });
    expect(view.outcomes?.treated).toMatchObject({ n: 320, conversions: 96 });
    expect(view.outcomes?.holdout).toMatchObject({ n: 80, conversions: 12 });
    const expected = conversionLift({ n: 320, conversions: 96 }, { n: 80, conversions: 12 });
    expect(view.economics?.conversion?.lift.difference).toBeCloseTo(0.15, 12);
    expect(view.economics?.conversion?.lift.interval.low).toBeCloseTo(expected.interval.low, 12);
    expect(view.economics?.conversion?.verdict).toMatch(/^\+15\.0 points \(95% CI \+\d\.\d to \+\d\d\.\d\): significant$/);
    // Welch from the inserted amounts (two-pass variance here; PostgreSQL's var_samp there).
    const welch = welchLift(meanGroup(revenueT), meanGroup(revenueH));
    const revenue = view.economics?.revenue?.lift;
    expect(view.outcomes?.treated.revenue).toBeCloseTo(revenueT.reduce((s, x) => s + x, 0), 8);
    expect(revenue?.difference).toBeCloseTo(welch.difference, 10);
    expect(revenue?.df).toBeCloseTo(welch.df, 6);
    expect(revenue?.interval.low).toBeCloseTo(welch.interval.low, 8);
    expect(revenue?.interval.high).toBeCloseTo(welch.interval.high, 8);
  });

  it("computes ROI as incremental contribution over cost", async () => {
    await setContributionMargin(analyst(), { margin: 0.4 });
    const before = await getCampaign(analyst(), { campaignId });
    const lift = before.economics!.revenue!.lift.difference;
    expect(before.economics?.costSource).toBe("budget");
    expect(before.economics?.roi).toBeCloseTo((lift * 320 * 0.4) / 5000, 12);
    await updateCampaign(analyst(), { campaignId, actualCost: 200, name: "Spring email (final)" });
    const after = await getCampaign(analyst(), { campaignId });
    expect(after.economics?.costSource).toBe("actual");
    expect(after.economics?.incrementalRevenue).toBeCloseTo(lift * 320, 10);
    expect(after.economics?.incrementalContribution).toBeCloseTo(lift * 320 * 0.4, 10);
    expect(after.economics?.roi).toBeCloseTo((lift * 320 * 0.4) / 200, 12);
    const roi = await roiBySegment(analyst());
    expect(roi.segments).toEqual([
      expect.objectContaining({ segmentId, campaigns: 1, cost: 200, incrementalContribution: expect.closeTo(lift * 320 * 0.4, 8) }),
    ]);
  });

  it("finishes, then can be deleted; a running one cannot", async () => {
    await expect(deleteCampaign(analyst(), { campaignId })).rejects.toThrow(/is running: finish it/);
    expect((await finishCampaign(analyst(), { campaignId })).status).toBe("finished");
    await expect(finishCampaign(analyst(), { campaignId })).rejects.toThrow(/only a running campaign/);
    expect((await listCampaigns(analyst())).map((c) => [c.name, c.status, c.members, c.holdoutMembers])).toEqual([["Spring email (final)", "finished", N, 80]]);
  });

  it("is not created for a retired segment", async () => {
    await expect(createCampaign(analyst(), { ...BASE, name: "Too late", segmentId })).rejects.toThrow("Segment 'Everyone' is retired: choose an active segment.");
  });
});

describe("cost to serve", () => {
  let live: string;

  beforeAll(async () => {
    live = (await publishedSegment(w, "Costed", { combinator: "and", children: [] })).segmentId;
  });

  it("imports good rows, lists bad ones by line and column, and replaces on re-import", async () => {
    const csv = [
      "customer_id,segment,period_start,period_end,amount",
      "CUST-001,,2026-01-01,2026-12-31,120",
      "CUST-002,,2026-01-01,2026-12-31,abc",
      "NOPE-9,,2026-01-01,2026-12-31,5",
      "CUST-003,,2026-13-01,2026-12-31,5",
      ",Costed,2026-01-01,2026-06-30,1000",
      "CUST-004,Costed,2026-01-01,2026-06-30,7",
      "CUST-005,,2026-06-01,2026-05-01,7",
      "CUST-006,,2026-01-01,2026-12-31,-3",
      "CUST-001,,2026-01-01,2026-12-31,240",
      ",Unknown segment,2026-01-01,2026-06-30,1",
    ].join("\n");
    const result = await importCosts(analyst(), { csv, fileName: "costs.csv" });
    expect(result).toMatchObject({ rowsRead: 10, imported: 2, replacedInFile: 1, failed: 7 });
    expect(result.errors.map((e) => e.message)).toEqual([
      "Line 3: 'amount' must be a number, got 'abc'",
      "Line 4: 'customer_id' is not a customer of this workspace, got 'NOPE-9'",
      "Line 5: 'period_start' must be a date such as 2026-01-31, got '2026-13-01'",
      "Line 7: 'customer_id' and 'segment' are both filled: a row is for one customer or one segment",
      "Line 8: 'period_end' must be on or after period_start (2026-06-01), got '2026-05-01'",
      "Line 9: 'amount' must be 0 or more, got '-3'",
      "Line 11: 'segment' is not a segment of this workspace, got 'Unknown segment'",
    ]);
    const listed = await listCosts(analyst());
    expect(listed.rows.map((r) => [r.scope, r.customerExternalId ?? r.segmentName, r.amount, r.source]).sort()).toEqual([
      ["customer", "CUST-001", 240, "import"],
      ["segment", "Costed", 1000, "import"],
    ]);
    await importCosts(analyst(), { csv: "customer_id,period_start,period_end,amount\nCUST-001,2026-01-01,2026-12-31,365\n" });
    expect((await listCosts(analyst(), { scope: "customer" })).rows.map((r) => r.amount)).toEqual([365]);
    const { rows } = await t.ownerQuery(`select changes from audit_log where tenant_id = $1 and action = 'cost.import' order by seq`, [w.tenantId]);
    expect(rows.map((r) => r.changes.after.imported)).toEqual([2, 1]);
  });

  it("refuses a file without the required columns, naming them", async () => {
    await expect(importCosts(analyst(), { csv: "customer,amount\nCUST-001,4\n" })).rejects.toThrow(
      "Line 1: the header needs the columns 'customer_id or segment', 'period_start', 'period_end' (it has: customer, amount).",
    );
  });

  it("contribution per segment: revenue × margin − prorated cost to serve − prorated campaign cost", async () => {
    await setCost(analyst(), { scope: "customer", customerExternalId: "CUST-002", periodStart: "2026-03-01", periodEnd: "2026-03-31", amount: 31 });
    await expect(setCost(analyst(), { scope: "customer", customerExternalId: "GHOST", periodStart: "2026-03-01", periodEnd: "2026-03-31", amount: 1 })).rejects.toThrow(
      "No customer has the id 'GHOST' in this workspace.",
    );
    const costed = await createCampaign(analyst(), { ...BASE, name: "Costed push", segmentId: live, budget: 310, periodStart: "2026-03-01", periodEnd: "2026-03-31" });
    await launchCampaign(analyst(), { campaignId: costed.id });
    const r = await contributionBySegment(analyst(), { from: "2026-03-01", to: "2026-03-10" });
    const row = r.segments.find((s) => s.segmentId === live)!;
    const { rows } = await t.ownerQuery<{ revenue: number }>(
      `select sum(quantity * unit_price)::float8 as revenue from transactions where tenant_id = $1 and occurred_at >= '2026-03-01' and occurred_at < '2026-03-11'`,
      [w.tenantId],
    );
    // Only the 96 treated conversions' purchases fall on 15 March — outside 1–10 March.
    expect(rows[0].revenue).toBeNull();
    expect(row.revenue).toBe(0);
    // Customer costs: CUST-001 365 over 365 days → 10 days = 10; CUST-002 31 over 31 days → 10.
    // Segment cost 1000 over 181 days (Jan–Jun 2026) → 10 days = 1000·10/181. Campaign 310 over 31 days → 100.
    expect(row.customers).toBe(N);
    expect(row.costToServe).toBeCloseTo(10 + 10 + (1000 * 10) / 181, 9);
    expect(row.campaignCost).toBeCloseTo(100, 9);
    expect(row.contribution).toBeCloseTo(-(20 + (1000 * 10) / 181) - 100, 9);
    const march = await contributionBySegment(analyst(), { from: "2026-03-01", to: "2026-03-31" });
    const full = march.segments.find((s) => s.segmentId === live)!;
    const { rows: all } = await t.ownerQuery<{ revenue: number }>(
      `select sum(quantity * unit_price)::float8 as revenue from transactions where tenant_id = $1 and occurred_at >= '2026-03-01' and occurred_at < '2026-04-01'`,
      [w.tenantId],
    );
    expect(full.revenue).toBeCloseTo(all[0].revenue, 8);
    expect(full.contribution).toBeCloseTo(full.revenue * 0.4 - full.costToServe - 310, 8);
  });
});

describe("attribution by segment", () => {
  it("matches the pure rules on the workspace's touchpoints and invoices", async () => {
    const importId = "00000000-0000-0000-0000-0000000000bb";
    // Touches placed around the March invoice of three customers with exactly one (treated buy on
    // 15 March, held-out on 20 March; one treated customer also has a return on 25 March).
    const { rows: invoiceAt } = await t.ownerQuery<{ customer: string; at: Date }>(
      `select customer_external_id as customer, min(occurred_at) as at from transactions
       where tenant_id = $1 and occurred_at >= '2026-03-01' and occurred_at < '2026-04-01'
       group by customer_external_id having count(*) = 1 order by customer_external_id limit 3`,
      [w.tenantId],
    );
    const [c1, c2, c3] = invoiceAt.map((r) => r.customer);
    const day = 86_400_000;
    const at = (customer: string, days: number) => new Date(new Date(invoiceAt.find((r) => r.customer === customer)!.at).getTime() + days * day).toISOString();
    const touches: [string, string, string, string][] = [
      ["tp-1", c1, at(c1, -23), "email"],
      ["tp-2", c1, at(c1, -3), "web"],
      ["tp-3", c2, at(c2, -40), "paid_media"],
      ["tp-4", c3, at(c3, -1), "sales"],
      ["tp-5", c3, at(c3, 1), "email"],
    ];
    for (const [id, customer, at, channel] of touches) {
      await t.ownerQuery(`insert into events (tenant_id, id, customer_external_id, type, occurred_at, channel, import_id) values ($1, $2, $3, 'touchpoint', $4, $5, $6)`, [
        w.tenantId,
        id,
        customer,
        at,
        channel,
        importId,
      ]);
    }
    const result = await attributionBySegment(analyst(), { from: "2026-03-01", to: "2026-03-31" });
    const { rows } = await t.ownerQuery<{ customer: string; at: Date; revenue: number }>(
      `select customer_external_id as customer, min(occurred_at) as at, sum(quantity * unit_price)::float8 as revenue from transactions
       where tenant_id = $1 and occurred_at >= '2026-03-01' and occurred_at < '2026-04-01' group by customer_external_id, invoice_no`,
      [w.tenantId],
    );
    const expected = attributeRevenue(
      touches.map(([, customerId, at, channel]) => ({ customerId, at: Date.parse(at), channel })),
      rows.map((r) => ({ customerId: r.customer, at: new Date(r.at).getTime(), revenue: r.revenue })),
    );
    expect(result.overall.channels).toEqual(expected.overall.channels);
    // Hand-worked: c1 has email (23 days before) then web; c2's paid touch is 40 days back
    // (outside 30); c3's email comes a day after the purchase.
    const revenueOf = (c: string) => rows.filter((r) => r.customer === c).reduce((s, r) => s + r.revenue, 0);
    const email = result.overall.channels.find((c) => c.channel === "email");
    expect(email?.firstTouch).toBeCloseTo(revenueOf(c1), 8);
    expect(email?.linear).toBeCloseTo(revenueOf(c1) / 2, 8);
    expect(result.overall.channels.find((c) => c.channel === "web")?.lastTouch).toBeCloseTo(revenueOf(c1), 8);
    expect(result.overall.channels.find((c) => c.channel === "sales")?.lastTouch).toBeCloseTo(revenueOf(c3), 8);
    expect(result.overall.channels.some((c) => c.channel === "paid_media")).toBe(false);
    const costed = result.segments.find((s) => s.name === "Costed");
    expect(costed?.table?.attributedRevenue).toBeCloseTo(expected.overall.attributedRevenue, 8);
  });
});
