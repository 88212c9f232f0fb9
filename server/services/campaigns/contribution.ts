import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { attributeRevenue, DEFAULT_LOOKBACK_DAYS } from "../../analytics/attribution";
import { invalid } from "../../errors";
import type { TenantScope } from "../scope";
import { periodBounds } from "./results";
import { readMargin } from "./settings";

const ZIsoDate = z.iso.date({ message: "must be a date such as 2026-01-31" });

/** A date range; without one, the 12 months up to the latest transaction. */
export const ZPeriodInput = z
  .object({ from: ZIsoDate.optional(), to: ZIsoDate.optional() })
  .refine((v) => !v.from || !v.to || v.to >= v.from, { path: ["to"], message: "must be on or after the start date" });

export const ZAttributionInput = ZPeriodInput.and(
  z.object({
    lookbackDays: z.number().int("must be a whole number of days").min(1, "must be at least 1 day").max(365, "must be at most 365 days").default(DEFAULT_LOOKBACK_DAYS),
    /** What counts as a conversion: each invoice of `transactions`, or `events` of type conversion (value = revenue). */
    source: z.enum(["transactions", "events"], { message: "must be transactions or events" }).default("transactions"),
  }),
);

async function resolvePeriod(tx: Tx, tenantId: string, input: { from?: string; to?: string }): Promise<{ from: string; to: string }> {
  if (input.from && input.to) return { from: input.from, to: input.to };
  const res = await tx.execute<{ last: string | null }>(sql`select max(occurred_at)::date::text as last from transactions where tenant_id = ${tenantId}`);
  const to = input.to ?? res.rows[0]?.last ?? new Date().toISOString().slice(0, 10);
  const d = new Date(`${to}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  d.setUTCDate(d.getUTCDate() + 1);
  const from = input.from ?? d.toISOString().slice(0, 10);
  if (to < from) throw invalid(`The period ends (${to}) before it starts (${from}).`, { field: "to" });
  return { from, to };
}

/**
 * Per segment (its current members) over a period: revenue from transactions, cost to serve and
 * campaign cost — each cost prorated by the share of its own period's days that fall in the
 * range — and contribution = revenue × margin − cost to serve − campaign cost (decision 015).
 * Customer-level costs count for every active segment the customer is in.
 */
export async function contributionBySegment(scope: TenantScope, input: z.input<typeof ZPeriodInput> = {}) {
  const parsed = ZPeriodInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const { from, to } = await resolvePeriod(tx, scope.tenantId, parsed);
    const { from: fromTs, toExclusive } = periodBounds(from, to);
    const margin = await readMargin(tx, scope.tenantId);
    const overlap = (start: ReturnType<typeof sql>, end: ReturnType<typeof sql>) =>
      sql`greatest(0, least(${end}, ${to}::date) - greatest(${start}, ${from}::date) + 1)::float8 / (${end} - ${start} + 1)`;
    const rows = await tx.execute<{
      segment_id: string;
      name: string;
      customers: number;
      revenue: number;
      customer_costs: number;
      segment_costs: number;
      campaign_cost: number;
    }>(sql`
      with members as (
        select sm.segment_id, c.id as customer_id, c.external_id
        from segment_memberships sm
        join segments s on s.tenant_id = sm.tenant_id and s.id = sm.segment_id and s.status = 'active'
        join customers c on c.tenant_id = sm.tenant_id and c.id = sm.customer_id
        where sm.tenant_id = ${scope.tenantId} and sm.to_version is null
      ),
      rev as (
        select t.customer_external_id, sum(t.quantity * t.unit_price)::float8 as revenue from transactions t
        where t.tenant_id = ${scope.tenantId} and t.occurred_at >= ${fromTs} and t.occurred_at < ${toExclusive} and t.customer_external_id is not null
        group by 1
      ),
      ccost as (
        select k.customer_id, sum(k.amount * ${overlap(sql`k.period_start`, sql`k.period_end`)})::float8 as amount
        from cost_to_serve k
        where k.tenant_id = ${scope.tenantId} and k.scope = 'customer' and k.period_start <= ${to}::date and k.period_end >= ${from}::date
        group by 1
      ),
      per_segment as (
        select m.segment_id, count(*)::int as customers, coalesce(sum(rev.revenue), 0)::float8 as revenue,
          coalesce(sum(ccost.amount), 0)::float8 as customer_costs
        from members m
        left join rev on rev.customer_external_id = m.external_id
        left join ccost on ccost.customer_id = m.customer_id
        group by m.segment_id
      )
      select s.id as segment_id, s.name, coalesce(p.customers, 0) as customers, coalesce(p.revenue, 0)::float8 as revenue,
        coalesce(p.customer_costs, 0)::float8 as customer_costs,
        coalesce((select sum(k.amount * ${overlap(sql`k.period_start`, sql`k.period_end`)}) from cost_to_serve k
          where k.tenant_id = s.tenant_id and k.segment_id = s.id and k.period_start <= ${to}::date and k.period_end >= ${from}::date), 0)::float8 as segment_costs,
        coalesce((select sum(coalesce(cp.actual_cost, cp.budget) * ${overlap(sql`cp.period_start`, sql`cp.period_end`)}) from campaigns cp
          where cp.tenant_id = s.tenant_id and cp.segment_id = s.id and cp.status <> 'draft'
            and cp.period_start <= ${to}::date and cp.period_end >= ${from}::date), 0)::float8 as campaign_cost
      from segments s
      left join per_segment p on p.segment_id = s.id
      where s.tenant_id = ${scope.tenantId} and s.status = 'active'
      order by s.priority, s.name`);
    const segmentsOut = rows.rows.map((r) => {
      const costToServe = r.customer_costs + r.segment_costs;
      return {
        segmentId: r.segment_id,
        name: r.name,
        customers: r.customers,
        revenue: r.revenue,
        costToServe,
        campaignCost: r.campaign_cost,
        contribution: r.revenue * margin - costToServe - r.campaign_cost,
      };
    });
    return { from, to, margin, segments: segmentsOut };
  });
}

/**
 * Revenue per segment × channel under first-touch, last-touch and linear attribution
 * (server/analytics/attribution.ts) for conversions in the period; touchpoints are `events` of
 * type 'touchpoint' with a channel, up to the lookback before the period too.
 */
export async function attributionBySegment(scope: TenantScope, input: z.input<typeof ZAttributionInput> = {}) {
  const parsed = ZAttributionInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const { from, to } = await resolvePeriod(tx, scope.tenantId, parsed);
    const { from: fromTs, toExclusive } = periodBounds(from, to);
    const touchFrom = new Date(fromTs.getTime() - parsed.lookbackDays * 86_400_000);
    const [touchRows, conversionRows, memberRows] = [
      await tx.execute<{ customer: string; at: Date; channel: string }>(sql`
        select customer_external_id as customer, occurred_at as at, channel from events
        where tenant_id = ${scope.tenantId} and type = 'touchpoint' and channel is not null and customer_external_id is not null
          and occurred_at >= ${touchFrom} and occurred_at < ${toExclusive}`),
      parsed.source === "transactions"
        ? await tx.execute<{ customer: string; at: Date; revenue: number }>(sql`
            select customer_external_id as customer, min(occurred_at) as at, sum(quantity * unit_price)::float8 as revenue from transactions
            where tenant_id = ${scope.tenantId} and customer_external_id is not null and occurred_at >= ${fromTs} and occurred_at < ${toExclusive}
            group by customer_external_id, invoice_no`)
        : await tx.execute<{ customer: string; at: Date; revenue: number }>(sql`
            select customer_external_id as customer, occurred_at as at, coalesce(value, 0)::float8 as revenue from events
            where tenant_id = ${scope.tenantId} and type = 'conversion' and customer_external_id is not null
              and occurred_at >= ${fromTs} and occurred_at < ${toExclusive}`),
      await tx.execute<{ external_id: string; segment_id: string }>(sql`
        select c.external_id, sm.segment_id from segment_memberships sm
        join segments s on s.tenant_id = sm.tenant_id and s.id = sm.segment_id and s.status = 'active'
        join customers c on c.tenant_id = sm.tenant_id and c.id = sm.customer_id
        where sm.tenant_id = ${scope.tenantId} and sm.to_version is null`),
    ];
    const segmentsOf = new Map<string, string[]>();
    for (const m of memberRows.rows) {
      const list = segmentsOf.get(m.external_id);
      if (list) list.push(m.segment_id);
      else segmentsOf.set(m.external_id, [m.segment_id]);
    }
    const result = attributeRevenue(
      touchRows.rows.map((t) => ({ customerId: t.customer, at: new Date(t.at).getTime(), channel: t.channel })),
      conversionRows.rows.map((c) => ({ customerId: c.customer, at: new Date(c.at).getTime(), revenue: c.revenue, groups: segmentsOf.get(c.customer) ?? [] })),
      { lookbackDays: parsed.lookbackDays },
    );
    const names = await tx.execute<{ id: string; name: string }>(sql`
      select id, name from segments where tenant_id = ${scope.tenantId} and status = 'active' order by priority, name`);
    return {
      from,
      to,
      lookbackDays: parsed.lookbackDays,
      source: parsed.source,
      overall: result.overall,
      segments: names.rows.map((s) => ({ segmentId: s.id, name: s.name, table: result.byGroup.get(s.id) ?? null })),
    };
  });
}
