import { and, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Tx } from "../../../db/client";
import { campaigns, segments } from "../../../db/schema";
import { balanceByRegion } from "../../analytics/holdout";
import { conversionLift, conversionVerdict, revenueVerdict, welchLift, type ConversionLift, type MeanLift } from "../../analytics/lift";
import type { TenantScope } from "../scope";
import { campaignRow, ZCampaignIdInput, type CampaignRow } from "./campaigns";
import { readMargin } from "./settings";

/**
 * A campaign's outcome per group (decision 015), over its period [start 00:00 UTC, end + 1 day):
 * - conversion: a member converted when an `events` row of type 'conversion' for their external
 *   id falls in the period;
 * - revenue: the sum of quantity × unit price of their `transactions` in the period (0 without
 *   any; returns and cancellations count negative), so revenue per customer is over all members.
 * Economics: incremental revenue = the revenue-per-customer lift × treated customers (whatever
 * the campaign's primary outcome, money comes from revenue); incremental contribution = that ×
 * the contribution margin; ROI = incremental contribution ÷ cost (the actual cost when entered,
 * else the budget), so 1.0 pays back the cost exactly.
 */

interface GroupStats {
  n: number;
  conversions: number;
  revenue: number;
  meanRevenue: number;
  varianceRevenue: number;
}

export interface CampaignOutcomes {
  from: string;
  to: string;
  treated: GroupStats;
  holdout: GroupStats;
}

export function periodBounds(periodStart: string, periodEnd: string): { from: Date; toExclusive: Date } {
  const from = new Date(`${periodStart}T00:00:00Z`);
  const toExclusive = new Date(`${periodEnd}T00:00:00Z`);
  toExclusive.setUTCDate(toExclusive.getUTCDate() + 1);
  return { from, toExclusive };
}

export async function campaignOutcomes(tx: Tx, tenantId: string, campaign: Pick<CampaignRow, "id" | "periodStart" | "periodEnd">): Promise<CampaignOutcomes> {
  const { from, toExclusive } = periodBounds(campaign.periodStart, campaign.periodEnd);
  // Plain joins against the period's aggregates (hash joins); a members CTE used three times was
  // materialised without statistics and planned as nested loops, quadratic in the members.
  const rows = await tx.execute<{ holdout: boolean; n: number; conversions: number; revenue: number; mean: number; variance: number | null }>(sql`
    select cm.holdout, count(*)::int as n, count(conv.cid)::int as conversions,
      coalesce(sum(rev.revenue), 0)::float8 as revenue, avg(coalesce(rev.revenue, 0))::float8 as mean,
      var_samp(coalesce(rev.revenue, 0))::float8 as variance
    from campaign_members cm
    join customers c on c.tenant_id = cm.tenant_id and c.id = cm.customer_id
    left join (
      select distinct e.customer_external_id as cid from events e
      where e.tenant_id = ${tenantId} and e.type = 'conversion' and e.occurred_at >= ${from} and e.occurred_at < ${toExclusive}
    ) conv on conv.cid = c.external_id
    left join (
      select t.customer_external_id as cid, sum(t.quantity * t.unit_price)::float8 as revenue from transactions t
      where t.tenant_id = ${tenantId} and t.occurred_at >= ${from} and t.occurred_at < ${toExclusive} and t.customer_external_id is not null
      group by t.customer_external_id
    ) rev on rev.cid = c.external_id
    where cm.tenant_id = ${tenantId} and cm.campaign_id = ${campaign.id}
    group by cm.holdout`);
  const empty: GroupStats = { n: 0, conversions: 0, revenue: 0, meanRevenue: 0, varianceRevenue: 0 };
  const group = (holdout: boolean): GroupStats => {
    const r = rows.rows.find((x) => x.holdout === holdout);
    return r ? { n: r.n, conversions: r.conversions, revenue: r.revenue, meanRevenue: r.mean, varianceRevenue: r.variance ?? 0 } : empty;
  };
  return { from: campaign.periodStart, to: campaign.periodEnd, treated: group(false), holdout: group(true) };
}

export interface CampaignEconomics {
  conversion: { lift: ConversionLift; verdict: string } | null;
  revenue: { lift: MeanLift; verdict: string } | null;
  cost: number;
  costSource: "actual" | "budget";
  margin: number;
  incrementalRevenue: number | null;
  incrementalContribution: number | null;
  contributionInterval: { low: number; high: number } | null;
  roi: number | null;
  roiInterval: { low: number; high: number } | null;
}

export function campaignEconomics(campaign: Pick<CampaignRow, "actualCost" | "budget">, outcomes: CampaignOutcomes, margin: number): CampaignEconomics {
  const { treated, holdout } = outcomes;
  const conversion =
    treated.n >= 1 && holdout.n >= 1 ? conversionLift({ n: treated.n, conversions: treated.conversions }, { n: holdout.n, conversions: holdout.conversions }) : null;
  const revenue =
    treated.n >= 2 && holdout.n >= 2
      ? welchLift({ n: treated.n, mean: treated.meanRevenue, variance: treated.varianceRevenue }, { n: holdout.n, mean: holdout.meanRevenue, variance: holdout.varianceRevenue })
      : null;
  const cost = campaign.actualCost ?? campaign.budget;
  const perCustomerToContribution = (x: number) => x * treated.n * margin;
  const incrementalContribution = revenue ? perCustomerToContribution(revenue.difference) : null;
  const contributionInterval = revenue ? { low: perCustomerToContribution(revenue.interval.low), high: perCustomerToContribution(revenue.interval.high) } : null;
  return {
    conversion: conversion ? { lift: conversion, verdict: conversionVerdict(conversion) } : null,
    revenue: revenue ? { lift: revenue, verdict: revenueVerdict(revenue) } : null,
    cost,
    costSource: campaign.actualCost === null ? "budget" : "actual",
    margin,
    incrementalRevenue: revenue ? revenue.difference * treated.n : null,
    incrementalContribution,
    contributionInterval,
    roi: incrementalContribution !== null && cost > 0 ? incrementalContribution / cost : null,
    roiInterval: contributionInterval && cost > 0 ? { low: contributionInterval.low / cost, high: contributionInterval.high / cost } : null,
  };
}

async function regionBalance(tx: Tx, tenantId: string, campaignId: string) {
  const rows = await tx.execute<{ region: string | null; holdout: boolean; n: number }>(sql`
    select region, holdout, count(*)::int as n from campaign_members
    where tenant_id = ${tenantId} and campaign_id = ${campaignId} group by region, holdout`);
  return balanceByRegion(rows.rows.map((r) => ({ region: r.region, holdout: r.holdout, count: r.n })));
}

export async function getCampaign(scope: TenantScope, input: z.input<typeof ZCampaignIdInput>) {
  const { campaignId } = ZCampaignIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const campaign = await campaignRow(tx, scope.tenantId, campaignId);
    const [segment] = await tx
      .select({ name: segments.name, memberCount: segments.memberCount })
      .from(segments)
      .where(and(eq(segments.tenantId, scope.tenantId), eq(segments.id, campaign.segmentId)));
    const margin = await readMargin(tx, scope.tenantId);
    if (campaign.status === "draft") {
      return { campaign, segmentName: segment?.name ?? "", segmentMembers: segment?.memberCount ?? null, balance: [], outcomes: null, economics: null };
    }
    const outcomes = await campaignOutcomes(tx, scope.tenantId, campaign);
    return {
      campaign,
      segmentName: segment?.name ?? "",
      segmentMembers: segment?.memberCount ?? null,
      balance: await regionBalance(tx, scope.tenantId, campaignId),
      outcomes,
      economics: campaignEconomics(campaign, outcomes, margin),
    };
  });
}

/**
 * ROI per campaign and per segment over launched campaigns: a segment's ROI is the sum of its
 * campaigns' incremental contribution ÷ the sum of their costs (campaigns without a revenue
 * lift are listed but left out of the segment's sums).
 */
export async function roiBySegment(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const margin = await readMargin(tx, scope.tenantId);
    const launched = await tx
      .select({ campaign: campaigns, segmentName: segments.name })
      .from(campaigns)
      .innerJoin(segments, and(eq(segments.tenantId, campaigns.tenantId), eq(segments.id, campaigns.segmentId)))
      .where(and(eq(campaigns.tenantId, scope.tenantId), sql`${campaigns.status} <> 'draft'`));
    const perCampaign = [];
    for (const { campaign, segmentName } of launched) {
      const economics = campaignEconomics(campaign, await campaignOutcomes(tx, scope.tenantId, campaign), margin);
      perCampaign.push({
        campaignId: campaign.id,
        name: campaign.name,
        status: campaign.status,
        segmentId: campaign.segmentId,
        segmentName,
        cost: economics.cost,
        incrementalContribution: economics.incrementalContribution,
        roi: economics.roi,
        significant: economics.revenue?.lift.significant ?? false,
      });
    }
    const bySegment = new Map<string, { segmentId: string; segmentName: string; campaigns: number; cost: number; incrementalContribution: number }>();
    for (const c of perCampaign) {
      if (c.incrementalContribution === null) continue;
      const row = bySegment.get(c.segmentId) ?? { segmentId: c.segmentId, segmentName: c.segmentName, campaigns: 0, cost: 0, incrementalContribution: 0 };
      row.campaigns++;
      row.cost += c.cost;
      row.incrementalContribution += c.incrementalContribution;
      bySegment.set(c.segmentId, row);
    }
    const segmentsRoi = [...bySegment.values()]
      .map((s) => ({ ...s, roi: s.cost > 0 ? s.incrementalContribution / s.cost : null }))
      .sort((a, b) => (b.roi ?? -Infinity) - (a.roi ?? -Infinity));
    return { margin, campaigns: perCampaign.sort((a, b) => (b.roi ?? -Infinity) - (a.roi ?? -Infinity)), segments: segmentsRoi };
  });
}
