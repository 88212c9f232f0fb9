import { sql } from "drizzle-orm";
import type { Tx } from "../../../db/client";

/**
 * The facts that calibrate a segment's SWOT board: its size, its growth between the last two
 * published versions, its share of revenue (customers' monetary value from customer_features)
 * and an RFM summary of its current members.
 */
export interface SegmentFacts {
  /** Current members; null before the first publication. */
  size: number | null;
  version: number | null;
  growth: { previousVersion: number; previousSize: number; change: number; percent: number | null } | null;
  /** Customers added and removed by the current version. */
  added: number | null;
  removed: number | null;
  /** Share of all customers' monetary value held by the members (0–1); null without RFM features. */
  revenueShare: number | null;
  rfm: {
    /** Members with computed RFM features. */
    customers: number;
    avgRecencyDays: number;
    avgFrequency: number;
    avgMonetary: number;
    /** The most common RFM segments among the members, largest first. */
    topSegments: { name: string; customers: number; share: number }[];
  } | null;
}

export async function segmentFacts(tx: Tx, tenantId: string, segmentId: string): Promise<SegmentFacts> {
  const versions = await tx.execute<{ version: number; member_count: number; added: number; removed: number }>(sql`
    select v.version, v.member_count, v.added, v.removed from segment_versions v
    join segments s on s.tenant_id = v.tenant_id and s.id = v.segment_id
    where v.tenant_id = ${tenantId} and v.segment_id = ${segmentId} and v.version <= coalesce(s.current_version, 0)
    order by v.version desc limit 2`);
  const [current, previous] = versions.rows;
  const growth = current && previous
    ? {
        previousVersion: previous.version,
        previousSize: previous.member_count,
        change: current.member_count - previous.member_count,
        percent: previous.member_count > 0 ? (current.member_count - previous.member_count) / previous.member_count : null,
      }
    : null;
  const [money] = (
    await tx.execute<{ members_value: number | null; all_value: number | null }>(sql`
      select
        (select sum(cf.monetary) from segment_memberships m
           join customer_features cf on cf.tenant_id = m.tenant_id and cf.customer_id = m.customer_id
          where m.tenant_id = ${tenantId} and m.segment_id = ${segmentId} and m.to_version is null)::float8 as members_value,
        (select sum(cf.monetary) from customer_features cf where cf.tenant_id = ${tenantId})::float8 as all_value`)
  ).rows;
  const [summary] = (
    await tx.execute<{ n: number; recency: number | null; frequency: number | null; monetary: number | null }>(sql`
      select count(*)::int as n, avg(cf.recency_days)::float8 as recency, avg(cf.frequency)::float8 as frequency, avg(cf.monetary)::float8 as monetary
      from segment_memberships m
      join customer_features cf on cf.tenant_id = m.tenant_id and cf.customer_id = m.customer_id
      where m.tenant_id = ${tenantId} and m.segment_id = ${segmentId} and m.to_version is null`)
  ).rows;
  const top = summary.n
    ? (
        await tx.execute<{ name: string; n: number }>(sql`
          select cf.rfm_segment as name, count(*)::int as n
          from segment_memberships m
          join customer_features cf on cf.tenant_id = m.tenant_id and cf.customer_id = m.customer_id
          where m.tenant_id = ${tenantId} and m.segment_id = ${segmentId} and m.to_version is null
          group by cf.rfm_segment order by n desc, name limit 3`)
      ).rows
    : [];
  return {
    size: current?.member_count ?? null,
    version: current?.version ?? null,
    growth,
    added: current?.added ?? null,
    removed: current?.removed ?? null,
    revenueShare: money.all_value && money.all_value > 0 ? (money.members_value ?? 0) / money.all_value : null,
    rfm: summary.n
      ? {
          customers: summary.n,
          avgRecencyDays: summary.recency ?? 0,
          avgFrequency: summary.frequency ?? 0,
          avgMonetary: summary.monetary ?? 0,
          topSegments: top.map((t) => ({ name: t.name, customers: t.n, share: t.n / summary.n })),
        }
      : null,
  };
}
