import { and, asc, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { CAMPAIGN_CHANNELS, CAMPAIGN_OUTCOMES, campaigns, segments, users } from "../../../db/schema";
import { assignHoldout } from "../../analytics/holdout";
import { conflict, invalid, notFound } from "../../errors";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";

const ZIsoDate = z.iso.date({ message: "must be a date such as 2026-01-31" });

export const ZCampaignIdInput = z.object({ campaignId: z.uuid({ message: "is not a campaign id" }) });

const ZCampaignFields = z.object({
  name: z.string().trim().min(1, "give the campaign a name").max(120, "must be at most 120 characters"),
  segmentId: z.uuid({ message: "choose a segment" }),
  channels: z
    .array(z.enum(CAMPAIGN_CHANNELS, { message: `must be one of ${CAMPAIGN_CHANNELS.join(", ")}` }))
    .min(1, "choose at least one channel")
    .refine((c) => new Set(c).size === c.length, "each channel may appear only once"),
  budget: z.number({ message: "must be a number" }).min(0, "must be 0 or more").max(1e12, "is too large"),
  actualCost: z.number({ message: "must be a number" }).min(0, "must be 0 or more").max(1e12, "is too large").nullable(),
  periodStart: ZIsoDate,
  periodEnd: ZIsoDate,
  frequencyCap: z.number().int("must be a whole number").min(1, "must be at least 1 contact a week").max(100, "must be at most 100").nullable(),
  holdoutPercent: z.number({ message: "must be a number" }).min(1, "must be at least 1%").max(50, "must be at most 50%"),
  stratifyByRegion: z.boolean(),
  outcome: z.enum(CAMPAIGN_OUTCOMES, { message: "must be conversion or revenue" }),
});

function checkPeriod(v: { periodStart?: string; periodEnd?: string }, ctx: z.RefinementCtx) {
  if (v.periodStart && v.periodEnd && v.periodEnd < v.periodStart) {
    ctx.addIssue({ code: "custom", path: ["periodEnd"], message: "must be on or after the start date" });
  }
}

export const ZCreateCampaignInput = ZCampaignFields.extend({
  actualCost: ZCampaignFields.shape.actualCost.default(null),
  frequencyCap: ZCampaignFields.shape.frequencyCap.default(null),
  stratifyByRegion: ZCampaignFields.shape.stratifyByRegion.default(false),
}).superRefine(checkPeriod);
export const ZUpdateCampaignInput = ZCampaignFields.partial().extend({ campaignId: ZCampaignIdInput.shape.campaignId }).superRefine(checkPeriod);

export type CampaignRow = typeof campaigns.$inferSelect;

/** Fields a running or finished campaign may still change: its groups and period are fixed by the experiment. */
const ALWAYS_EDITABLE = new Set(["name", "actualCost"]);

export async function campaignRow(tx: Tx, tenantId: string, campaignId: string, lock = false): Promise<CampaignRow> {
  const query = tx
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.tenantId, tenantId), eq(campaigns.id, campaignId)));
  const [row] = lock ? await query.for("update") : await query;
  if (!row) throw notFound("The campaign");
  return row;
}

async function activeSegment(tx: Tx, tenantId: string, segmentId: string) {
  const [row] = await tx
    .select({ id: segments.id, name: segments.name, status: segments.status, currentVersion: segments.currentVersion })
    .from(segments)
    .where(and(eq(segments.tenantId, tenantId), eq(segments.id, segmentId)));
  if (!row) throw notFound("The segment");
  return row;
}

export async function listCampaigns(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const rows = await tx
      .select({
        campaign: campaigns,
        segmentName: segments.name,
        createdByName: users.name,
        members: sql<number>`(select count(*)::int from campaign_members m where m.tenant_id = ${campaigns.tenantId} and m.campaign_id = ${campaigns.id})`,
        holdout: sql<number>`(select count(*)::int from campaign_members m where m.tenant_id = ${campaigns.tenantId} and m.campaign_id = ${campaigns.id} and m.holdout)`,
      })
      .from(campaigns)
      .innerJoin(segments, and(eq(segments.tenantId, campaigns.tenantId), eq(segments.id, campaigns.segmentId)))
      .leftJoin(users, eq(users.id, campaigns.createdBy))
      .where(eq(campaigns.tenantId, scope.tenantId))
      .orderBy(desc(campaigns.periodStart), asc(campaigns.name));
    return rows.map((r) => ({ ...r.campaign, segmentName: r.segmentName, createdByName: r.createdByName, members: r.members, holdoutMembers: r.holdout }));
  });
}

export async function createCampaign(scope: TenantScope, input: z.input<typeof ZCreateCampaignInput>) {
  const values = ZCreateCampaignInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const segment = await activeSegment(tx, scope.tenantId, values.segmentId);
    if (segment.status === "retired") throw invalid(`Segment '${segment.name}' is retired: choose an active segment.`, { field: "segmentId" });
    const [row] = await tx
      .insert(campaigns)
      .values({ ...values, tenantId: scope.tenantId, createdBy: scope.actor.userId })
      .returning();
    await appendAudit(tx, scope, { action: "campaign.create", objectType: "campaign", objectId: row.id, after: values });
    return row;
  });
}

export async function updateCampaign(scope: TenantScope, input: z.input<typeof ZUpdateCampaignInput>) {
  const { campaignId, ...changes } = ZUpdateCampaignInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const before = await campaignRow(tx, scope.tenantId, campaignId, true);
    const fields = Object.entries(changes).filter(([, v]) => v !== undefined);
    if (before.status !== "draft") {
      const fixed = fields.map(([k]) => k).filter((k) => !ALWAYS_EDITABLE.has(k));
      if (fixed.length) {
        throw conflict(`Campaign '${before.name}' is ${before.status}: only its name and actual cost can change now (not ${fixed.join(", ")}).`);
      }
    }
    const next = Object.fromEntries(fields) as Partial<CampaignRow>;
    const periodStart = next.periodStart ?? before.periodStart;
    const periodEnd = next.periodEnd ?? before.periodEnd;
    if (periodEnd < periodStart) throw invalid("The end date must be on or after the start date.", { field: "periodEnd" });
    if (next.segmentId) await activeSegment(tx, scope.tenantId, next.segmentId);
    const [row] = await tx
      .update(campaigns)
      .set({ ...next, updatedAt: new Date() })
      .where(and(eq(campaigns.tenantId, scope.tenantId), eq(campaigns.id, campaignId)))
      .returning();
    const beforeChanged = Object.fromEntries(fields.map(([k]) => [k, before[k as keyof CampaignRow]]));
    await appendAudit(tx, scope, { action: "campaign.update", objectType: "campaign", objectId: campaignId, before: beforeChanged, after: Object.fromEntries(fields) });
    return row;
  });
}

/**
 * Freezes the segment's current members into campaign_members with their holdout flag
 * (server/analytics/holdout.ts, seeded by the campaign id) and starts the campaign.
 */
export async function launchCampaign(scope: TenantScope, input: z.input<typeof ZCampaignIdInput>) {
  const { campaignId } = ZCampaignIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const campaign = await campaignRow(tx, scope.tenantId, campaignId, true);
    if (campaign.status !== "draft") throw conflict(`Campaign '${campaign.name}' was already launched.`);
    const segment = await activeSegment(tx, scope.tenantId, campaign.segmentId);
    if (segment.status !== "active" || segment.currentVersion === null) {
      throw conflict(`Segment '${segment.name}' has no published membership yet: publish it before launching the campaign.`);
    }
    const members = await tx.execute<{ id: string; region: string | null }>(sql`
      select c.id, c.region from segment_memberships sm
      join customers c on c.tenant_id = sm.tenant_id and c.id = sm.customer_id
      where sm.tenant_id = ${scope.tenantId} and sm.segment_id = ${campaign.segmentId} and sm.to_version is null
        and c.merged_into is null and not c.opted_out`);
    if (members.rows.length < 4) {
      throw conflict(`Segment '${segment.name}' has ${members.rows.length} reachable customers: a holdout experiment needs at least 4.`);
    }
    const assigned = assignHoldout(campaign.id, members.rows, { holdoutPercent: campaign.holdoutPercent, stratifyByRegion: campaign.stratifyByRegion });
    const held = assigned.filter((a) => a.holdout).length;
    if (held === 0 || held === assigned.length) {
      throw conflict(`A ${campaign.holdoutPercent}% holdout of ${assigned.length} customers leaves one group empty: raise the holdout or widen the segment.`);
    }
    // Four array parameters per statement (unnest) instead of six parameters per row.
    const CHUNK = 50_000;
    for (let i = 0; i < assigned.length; i += CHUNK) {
      const part = assigned.slice(i, i + CHUNK);
      await tx.execute(sql`
        insert into campaign_members (tenant_id, campaign_id, customer_id, region, holdout, draw)
        select ${scope.tenantId}, ${campaignId}, m.customer_id, m.region, m.holdout, m.draw
        from unnest(${sql.param(part.map((a) => a.id))}::uuid[], ${sql.param(part.map((a) => a.region))}::text[],
                    ${sql.param(part.map((a) => a.holdout))}::boolean[], ${sql.param(part.map((a) => a.u))}::float8[])
          as m(customer_id, region, holdout, draw)`);
    }
    const launchedAt = new Date();
    const [row] = await tx
      .update(campaigns)
      .set({ status: "running", segmentVersion: segment.currentVersion, launchedAt, updatedAt: launchedAt })
      .where(and(eq(campaigns.tenantId, scope.tenantId), eq(campaigns.id, campaignId)))
      .returning();
    await appendAudit(tx, scope, {
      action: "campaign.launch",
      objectType: "campaign",
      objectId: campaignId,
      after: { segmentVersion: segment.currentVersion, members: assigned.length, holdout: held, holdoutPercent: campaign.holdoutPercent, stratifyByRegion: campaign.stratifyByRegion },
    });
    return row;
  });
}

export async function finishCampaign(scope: TenantScope, input: z.input<typeof ZCampaignIdInput>) {
  const { campaignId } = ZCampaignIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const campaign = await campaignRow(tx, scope.tenantId, campaignId, true);
    if (campaign.status !== "running") throw conflict(`Campaign '${campaign.name}' is ${campaign.status}: only a running campaign can be finished.`);
    const finishedAt = new Date();
    const [row] = await tx
      .update(campaigns)
      .set({ status: "finished", finishedAt, updatedAt: finishedAt })
      .where(and(eq(campaigns.tenantId, scope.tenantId), eq(campaigns.id, campaignId)))
      .returning();
    await appendAudit(tx, scope, { action: "campaign.finish", objectType: "campaign", objectId: campaignId, before: { status: "running" }, after: { status: "finished" } });
    return row;
  });
}

export async function deleteCampaign(scope: TenantScope, input: z.input<typeof ZCampaignIdInput>) {
  const { campaignId } = ZCampaignIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const campaign = await campaignRow(tx, scope.tenantId, campaignId, true);
    if (campaign.status === "running") throw conflict(`Campaign '${campaign.name}' is running: finish it before deleting it.`);
    await tx.delete(campaigns).where(and(eq(campaigns.tenantId, scope.tenantId), eq(campaigns.id, campaignId)));
    await appendAudit(tx, scope, { action: "campaign.delete", objectType: "campaign", objectId: campaignId, before: { name: campaign.name, status: campaign.status } });
    return { deleted: true as const };
  });
}
