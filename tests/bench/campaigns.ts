import { createDatabase } from "../../db/client";
import { makeWorkspace } from "../../db/seed/factories";
import { assignHoldout } from "../../server/analytics/holdout";
import { attributionBySegment, contributionBySegment, createCampaign, getCampaign, launchCampaign } from "../../server/services/campaigns";
import { scopeOf } from "../helpers/governance";
import type { BenchDatabase } from "./bench-db";

export const CAMPAIGN_ROWS = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);

const seconds = (start: bigint) => Math.round(Number(process.hrtime.bigint() - start) / 1e6) / 1000;

/**
 * `npm run bench -- campaigns`: holdout assignment of CAMPAIGN_ROWS customers in memory
 * (SHA-256 draws, stratified by 8 regions); then in PostgreSQL, with a published segment of all
 * of them written directly, a launch that freezes every member with a 10% stratified holdout, the campaign's results (one
 * conversion event per 10 customers, one purchase per 2), contribution per segment and
 * attribution over one touchpoint per 4 customers. One run each (they write or read once).
 */
export async function campaignsBench(database: BenchDatabase) {
  const n = CAMPAIGN_ROWS;
  const regions = ["North", "South", "East", "West", "Central", "Islands", "Coast", "Metro"];
  const inMemory = Array.from({ length: n }, (_, i) => ({ id: `c-${i}`, region: regions[i % regions.length] }));
  let started = process.hrtime.bigint();
  assignHoldout("bench", inMemory, { holdoutPercent: 10, stratifyByRegion: true });
  const assignSeconds = seconds(started);

  const db = createDatabase(database.appUrl);
  try {
    const w = await makeWorkspace(db, "Bench Campaigns");
    started = process.hrtime.bigint();
    await database.ownerQuery(
      `insert into customers (tenant_id, external_id, region)
       select $1, 'B' || lpad(i::text, 7, '0'), (array['North','South','East','West','Central','Islands','Coast','Metro'])[1 + i % 8] from generate_series(1, $2) i`,
      [w.tenantId, n],
    );
    const importId = "00000000-0000-4000-8000-00000000be0c";
    await database.ownerQuery(
      `insert into events (tenant_id, id, customer_external_id, type, occurred_at, channel, import_id)
       select $1::uuid, 'conv-' || i, 'B' || lpad(i::text, 7, '0'), 'conversion', timestamp '2026-03-10' + (i % 20) * interval '1 day', null, $3::uuid from generate_series(1, $2, 10) i
       union all
       select $1::uuid, 'touch-' || i, 'B' || lpad(i::text, 7, '0'), 'touchpoint', timestamp '2026-03-01' + (i % 25) * interval '1 day', (array['email','paid_media','sales','web'])[1 + i % 4], $3::uuid from generate_series(1, $2, 4) i`,
      [w.tenantId, n, importId],
    );
    await database.ownerQuery(
      `insert into transactions (tenant_id, id, customer_external_id, invoice_no, quantity, unit_price, occurred_at, import_id)
       select $1, 't-' || i, 'B' || lpad(i::text, 7, '0'), 'inv-' || i, 1 + i % 3, 5 + (i % 17), timestamp '2026-03-05' + (i % 25) * interval '1 day', $3 from generate_series(1, $2, 2) i`,
      [w.tenantId, n, importId],
    );
    await database.ownerQuery("analyze");
    const seedSeconds = seconds(started);
    // The segment "Everyone" as a publish leaves it: version 1 and a membership row per customer.
    const segment = await database.ownerQuery<{ id: string }>(
      `insert into segments (tenant_id, name, priority, status, current_version, member_count) values ($1, 'Everyone', 1, 'active', 1, $2) returning id`,
      [w.tenantId, n],
    );
    const segmentId = segment.rows[0].id;
    await database.ownerQuery(
      `insert into segment_versions (tenant_id, segment_id, version, definition, kind, member_count, added, removed) values ($1, $2, 1, '{}', 'create', $3, $3, 0)`,
      [w.tenantId, segmentId, n],
    );
    await database.ownerQuery(
      `insert into segment_memberships (tenant_id, segment_id, customer_id, from_version) select tenant_id, $2, id, 1 from customers where tenant_id = $1`,
      [w.tenantId, segmentId],
    );
    await database.ownerQuery("analyze");
    const analyst = scopeOf(w, "analyst");
    const campaign = await createCampaign(analyst, {
      name: "Bench",
      segmentId,
      channels: ["email"],
      budget: 10_000,
      periodStart: "2026-03-01",
      periodEnd: "2026-03-31",
      holdoutPercent: 10,
      stratifyByRegion: true,
      outcome: "conversion",
    });
    started = process.hrtime.bigint();
    await launchCampaign(analyst, { campaignId: campaign.id });
    const launchSeconds = seconds(started);
    started = process.hrtime.bigint();
    const view = await getCampaign(analyst, { campaignId: campaign.id });
    const resultsSeconds = seconds(started);
    started = process.hrtime.bigint();
    await contributionBySegment(analyst, { from: "2026-03-01", to: "2026-03-31" });
    const contributionSeconds = seconds(started);
    started = process.hrtime.bigint();
    const attribution = await attributionBySegment(analyst, { from: "2026-03-01", to: "2026-03-31" });
    const attributionSeconds = seconds(started);
    return {
      customers: n,
      assignInMemorySeconds: assignSeconds,
      seedSeconds,
      launchSeconds,
      resultsSeconds,
      contributionSeconds,
      attributionSeconds,
      treated: view.outcomes?.treated.n,
      holdout: view.outcomes?.holdout.n,
      conversionVerdict: view.economics?.conversion?.verdict,
      attributedRevenue: Math.round(attribution.overall.attributedRevenue),
    };
  } finally {
    await db.close();
  }
}
