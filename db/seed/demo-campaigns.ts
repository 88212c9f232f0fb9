import { and, asc, eq, sql } from "drizzle-orm";
import { holdoutDraw } from "../../server/analytics/holdout";
import { createCampaign, finishCampaign, importCosts, launchCampaign, setContributionMargin, setCost, updateCampaign } from "../../server/services/campaigns";
import type { TenantScope } from "../../server/services/scope";
import type { Database } from "../client";
import { campaignMembers, customers, events, segments, type Role } from "../schema";

type Accounts = { role: Role; name: string; user: { id: string; email: string } }[];

const CHANNELS = ["email", "paid_media", "sales", "web"] as const;
const DAY = 86_400_000;
/** The import id the demo's synthetic events carry (they are written here, not through an upload). */
const DEMO_EVENTS_IMPORT = "00000000-0000-4000-8000-00000000ca11";

/**
 * Campaigns for the demo workspace: a finished autumn campaign with a 10% holdout on the first
 * segment (its conversion events are synthetic — treated members convert at 18%, held-out ones
 * at 12%, decided by a hash so the seed is the same every time — while its revenue comes from
 * the real Online Retail transactions), a draft on the second segment, touchpoints before
 * customers' autumn invoices for attribution, cost to serve per segment and (through the CSV
 * import) per customer, and a 35% contribution margin.
 */
export async function seedDemoCampaigns(db: Database, tenantId: string, accounts: Accounts): Promise<void> {
  const analystAccount = accounts.find((a) => a.role === "analyst")!;
  const analyst: TenantScope = { db, tenantId, actor: { userId: analystAccount.user.id, label: analystAccount.user.email }, role: "analyst" };
  const active = await db.withTenant(tenantId, (tx) =>
    tx
      .select({ id: segments.id, name: segments.name, members: segments.memberCount })
      .from(segments)
      .where(and(eq(segments.tenantId, tenantId), eq(segments.status, "active")))
      .orderBy(asc(segments.priority), asc(segments.name)),
  );
  const target = active.find((s) => (s.members ?? 0) >= 20);
  if (!target) return;

  await setContributionMargin(analyst, { margin: 0.35 });
  const autumn = await createCampaign(analyst, {
    name: "Autumn win-back",
    segmentId: target.id,
    channels: ["email", "web"],
    budget: 8000,
    periodStart: "2011-09-01",
    periodEnd: "2011-11-30",
    frequencyCap: 2,
    holdoutPercent: 10,
    stratifyByRegion: true,
    outcome: "conversion",
  });
  await launchCampaign(analyst, { campaignId: autumn.id });

  await db.withTenant(tenantId, async (tx) => {
    const members = await tx
      .select({ externalId: customers.externalId, holdout: campaignMembers.holdout })
      .from(campaignMembers)
      .innerJoin(customers, and(eq(customers.tenantId, campaignMembers.tenantId), eq(customers.id, campaignMembers.customerId)))
      .where(and(eq(campaignMembers.tenantId, tenantId), eq(campaignMembers.campaignId, autumn.id)));
    const rows: (typeof events.$inferInsert)[] = [];
    const start = Date.UTC(2011, 8, 1);
    for (const m of members) {
      const u = holdoutDraw("demo-autumn-conversion", m.externalId);
      const at = new Date(start + Math.floor(holdoutDraw("demo-autumn-day", m.externalId) * 90) * DAY + 14 * 3_600_000);
      if (!m.holdout) {
        rows.push({ tenantId, id: `demo-email-${m.externalId}`, customerExternalId: m.externalId, type: "touchpoint", occurredAt: new Date(Math.max(start, at.getTime() - 6 * DAY)), channel: "email", campaign: "autumn-win-back", importId: DEMO_EVENTS_IMPORT });
      }
      if (u < (m.holdout ? 0.12 : 0.18)) {
        rows.push({ tenantId, id: `demo-conv-${m.externalId}`, customerExternalId: m.externalId, type: "conversion", occurredAt: at, value: null, channel: m.holdout ? null : "email", campaign: m.holdout ? null : "autumn-win-back", importId: DEMO_EVENTS_IMPORT });
      }
    }
    // Touchpoints 1–20 days before a third of the customers' first invoice of the autumn.
    const invoices = await tx.execute<{ customer: string; at: Date }>(sql`
      select customer_external_id as customer, min(occurred_at) as at from transactions
      where tenant_id = ${tenantId} and customer_external_id is not null and occurred_at >= '2011-09-01' and occurred_at < '2011-12-10'
      group by customer_external_id`);
    for (const inv of invoices.rows) {
      if (holdoutDraw("demo-touch-sample", inv.customer) >= 1 / 3) continue;
      const touches = 1 + Math.floor(holdoutDraw("demo-touch-count", inv.customer) * 3);
      for (let k = 0; k < touches; k++) {
        const channel = CHANNELS[Math.floor(holdoutDraw(`demo-touch-channel-${k}`, inv.customer) * CHANNELS.length)];
        const daysBefore = 1 + Math.floor(holdoutDraw(`demo-touch-day-${k}`, inv.customer) * 20);
        rows.push({ tenantId, id: `demo-touch-${inv.customer}-${k}`, customerExternalId: inv.customer, type: "touchpoint", occurredAt: new Date(new Date(inv.at).getTime() - daysBefore * DAY), channel, importId: DEMO_EVENTS_IMPORT });
      }
    }
    for (let i = 0; i < rows.length; i += 2_000) await tx.insert(events).values(rows.slice(i, i + 2_000)).onConflictDoNothing();
  });
  await updateCampaign(analyst, { campaignId: autumn.id, actualCost: 7200 });
  await finishCampaign(analyst, { campaignId: autumn.id });

  const second = active.find((s) => s.id !== target.id);
  if (second) {
    await createCampaign(analyst, {
      name: "Gift season paid push",
      segmentId: second.id,
      channels: ["paid_media", "web"],
      budget: 15000,
      periodStart: "2011-11-15",
      periodEnd: "2011-12-09",
      holdoutPercent: 15,
      stratifyByRegion: false,
      outcome: "revenue",
    });
  }

  for (const [i, s] of active.slice(0, 4).entries()) {
    await setCost(analyst, { scope: "segment", segmentId: s.id, periodStart: "2011-01-01", periodEnd: "2011-12-31", amount: 4000 + 2500 * i });
  }
  const sample = await db.withTenant(tenantId, (tx) =>
    tx.select({ externalId: customers.externalId }).from(customers).where(eq(customers.tenantId, tenantId)).orderBy(asc(customers.externalId)).limit(40),
  );
  const csv = ["customer_id,period_start,period_end,amount", ...sample.map((c, i) => `${c.externalId},2011-01-01,2011-12-31,${(12 + (i % 9) * 3.5).toFixed(2)}`)].join("\n");
  await importCosts(analyst, { fileName: "service-costs-2011.csv", csv });
}
