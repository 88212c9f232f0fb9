import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { segments, segmentVersions } from "../../../db/schema";
import { RFM_SEGMENTS } from "../../analytics/rfm";
import { can } from "../../auth/permissions";
import { clusterOptions } from "../models";
import { invalid } from "../../errors";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { ZDefinition, type Definition } from "./definition";
import { diffDefinitions } from "./diff";
import { namesOf, segmentRow } from "./lookup";
import { readSegmentSettings } from "./settings";

export const ZSegmentIdInput = z.object({ segmentId: z.uuid({ message: "is not a segment id" }) });
export const ZVersionMembersInput = ZSegmentIdInput.extend({
  version: z.number().int().min(1),
  /** Members of that version, or only those it added or removed. */
  change: z.enum(["members", "added", "removed"]).default("members"),
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().min(0).default(0),
});
export const ZReorderInput = z.object({ order: z.array(z.uuid()).min(1).max(1000) });

/**
 * Every segment with its published version, size, owner, region, status, last change and open
 * proposals; regional variants carry their parent's id so the page can draw the tree. With
 * exclusive assignment, `assigned` is how many customers the segment keeps once those claimed
 * by segments of higher priority are taken away.
 */
export async function listSegments(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const settings = await readSegmentSettings(tx, scope.tenantId);
    const rows = await tx.execute<{
      id: string;
      name: string;
      parent_id: string | null;
      region: string | null;
      owner: string | null;
      priority: number;
      status: string;
      current_version: number | null;
      member_count: number | null;
      updated_at: string;
      open_proposals: number;
      description: string | null;
    }>(sql`
      select s.id, s.name, s.parent_id, r.name as region, u.name as owner, s.priority, s.status, s.current_version,
             s.member_count, s.updated_at,
             (select count(*)::int from segment_proposals p where p.tenant_id = s.tenant_id and p.segment_id = s.id
                and p.status in ('draft', 'submitted')) as open_proposals,
             (select v.definition ->> 'description' from segment_versions v where v.tenant_id = s.tenant_id
                and v.segment_id = s.id and v.version = s.current_version) as description
      from segments s
      left join regions r on r.tenant_id = s.tenant_id and r.id = s.region_id
      left join users u on u.id = s.owner_id
      where s.tenant_id = ${scope.tenantId}
      order by s.priority, s.name`);
    let assigned = new Map<string, number>();
    if (settings.assignment === "exclusive") {
      const counts = await tx.execute<{ segment_id: string; n: number }>(sql`
        select segment_id, count(*)::int as n from (
          select distinct on (sm.customer_id) sm.customer_id, sm.segment_id
          from segment_memberships sm join segments s on s.tenant_id = sm.tenant_id and s.id = sm.segment_id
          where sm.tenant_id = ${scope.tenantId} and sm.to_version is null and s.status = 'active'
          order by sm.customer_id, s.priority) x
        group by segment_id`);
      assigned = new Map(counts.rows.map((r) => [r.segment_id, r.n]));
    }
    return {
      assignment: settings.assignment,
      segments: rows.rows.map((r) => ({
        id: r.id,
        name: r.name,
        parentId: r.parent_id,
        region: r.region,
        owner: r.owner,
        priority: r.priority,
        status: r.status === "proposed" && r.open_proposals === 0 ? "not adopted" : r.status,
        currentVersion: r.current_version,
        memberCount: r.member_count,
        assigned: settings.assignment === "exclusive" && r.status === "active" ? (assigned.get(r.id) ?? 0) : null,
        updatedAt: new Date(r.updated_at),
        openProposals: r.open_proposals,
        description: r.description,
      })),
    };
  });
}

/** One segment with its whole history: every version, who proposed and published it, its diff and size. */
export async function getSegment(scope: TenantScope, input: z.input<typeof ZSegmentIdInput>) {
  const { segmentId } = ZSegmentIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const segment = await segmentRow(tx, scope.tenantId, segmentId);
    const names = await namesOf(tx, scope.tenantId);
    const versions = await tx
      .select()
      .from(segmentVersions)
      .where(and(eq(segmentVersions.tenantId, scope.tenantId), eq(segmentVersions.segmentId, segmentId)))
      .orderBy(asc(segmentVersions.version));
    const approvers = await tx.execute<{ proposal_id: string; name: string; vote: string; reason: string }>(sql`
      select v.proposal_id, u.name, v.vote, v.reason from proposal_votes v join users u on u.id = v.user_id
      join segment_proposals p on p.tenant_id = v.tenant_id and p.id = v.proposal_id
      where v.tenant_id = ${scope.tenantId} and p.segment_id = ${segmentId}`);
    const decisions = await tx.execute<{ id: string; decided_by: string | null; overridden: boolean; decision_reason: string | null }>(sql`
      select id, decided_by, overridden, decision_reason from segment_proposals
      where tenant_id = ${scope.tenantId} and segment_id = ${segmentId} and status = 'approved'`);
    let previous: Definition | null = null;
    const history = versions.map((v) => {
      const definition = ZDefinition.parse(v.definition);
      const diff = diffDefinitions(previous, definition, names);
      previous = definition;
      const decision = decisions.rows.find((d) => d.id === v.proposalId);
      return {
        version: v.version,
        kind: v.kind,
        restoredFrom: v.restoredFrom,
        definition,
        diff,
        memberCount: v.memberCount,
        added: v.added,
        removed: v.removed,
        proposedBy: v.proposedBy ? names.member(v.proposedBy) : null,
        publishedBy: v.publishedBy ? names.member(v.publishedBy) : null,
        publishedAt: v.publishedAt,
        proposalId: v.proposalId,
        overridden: decision?.overridden ?? false,
        decisionReason: decision?.decision_reason ?? null,
        approvals: approvers.rows.filter((a) => a.proposal_id === v.proposalId && a.vote === "approve").map((a) => ({ name: a.name, reason: a.reason })),
      };
    });
    const parent = segment.parentId ? { id: segment.parentId, name: names.segment(segment.parentId) } : null;
    return {
      segment: {
        id: segment.id,
        name: segment.name,
        status: segment.status,
        priority: segment.priority,
        currentVersion: segment.currentVersion,
        memberCount: segment.memberCount,
        owner: segment.ownerId ? names.member(segment.ownerId) : null,
        region: segment.regionId ? names.region(segment.regionId) : null,
        parent,
      },
      current: history.at(-1)?.definition ?? null,
      history: history.reverse(),
    };
  });
}

/** The members of a version, or the customers it added or removed (membership is stored as intervals). */
export async function versionMembers(scope: TenantScope, input: z.input<typeof ZVersionMembersInput>) {
  const { segmentId, version, change, limit, offset } = ZVersionMembersInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    await segmentRow(tx, scope.tenantId, segmentId);
    const filter =
      change === "added"
        ? sql`sm.from_version = ${version}`
        : change === "removed"
          ? sql`sm.to_version = ${version}`
          : sql`sm.from_version <= ${version} and (sm.to_version is null or sm.to_version > ${version})`;
    const base = sql`from segment_memberships sm join customers c on c.tenant_id = sm.tenant_id and c.id = sm.customer_id
      where sm.tenant_id = ${scope.tenantId} and sm.segment_id = ${segmentId} and ${filter}`;
    const [total] = (await tx.execute<{ n: number }>(sql`select count(*)::int as n ${base}`)).rows;
    const rows = await tx.execute<{ external_id: string; region: string | null }>(
      sql`select c.external_id, c.region ${base} order by c.external_id limit ${limit} offset ${offset}`,
    );
    return { total: total.n, customers: rows.rows.map((r) => ({ externalId: r.external_id, region: r.region })) };
  });
}

/** Sets the priority order (first = highest priority), e.g. after dragging rows on the segments page. */
export async function reorderSegments(scope: TenantScope, input: z.input<typeof ZReorderInput>) {
  const { order } = ZReorderInput.parse(input);
  if (new Set(order).size !== order.length) throw invalid("Each segment may appear once in the order.");
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const rows = await tx
      .select({ id: segments.id, priority: segments.priority })
      .from(segments)
      .where(eq(segments.tenantId, scope.tenantId))
      .orderBy(asc(segments.priority));
    if (rows.length !== order.length || !rows.every((r) => order.includes(r.id))) {
      throw invalid("The order must list every segment of the workspace exactly once.");
    }
    await tx.execute(sql`
      update segments s set priority = o.pos, updated_at = now()
      from unnest(${sql.param(order)}::uuid[]) with ordinality as o(id, pos)
      where s.tenant_id = ${scope.tenantId} and s.id = o.id`);
    await appendAudit(tx, scope, {
      action: "segment.reorder",
      objectType: "segment",
      before: rows.map((r) => r.id),
      after: order,
    });
    return { order };
  });
}

/**
 * What the rule builder offers: usable attributes (protected ones are left out), segments,
 * regions, members, and the known values of category fields (region and category attributes).
 */
export async function builderOptions(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const [attributes, segmentRows, regionRows, memberRows] = await Promise.all([
      tx.execute<{ key: string; label: string; type: string }>(sql`
        select key, label, type from attribute_definitions
        where tenant_id = ${scope.tenantId} and sensitivity <> 'protected' order by label`),
      tx.execute<{ id: string; name: string; status: string; parent_id: string | null }>(sql`
        select id, name, status, parent_id from segments where tenant_id = ${scope.tenantId} order by priority, name`),
      tx.execute<{ id: string; name: string }>(sql`select id, name from regions where tenant_id = ${scope.tenantId} order by name`),
      tx.execute<{ id: string; name: string; role: string }>(sql`
        select u.id, u.name, m.role from memberships m join users u on u.id = m.user_id
        where m.tenant_id = ${scope.tenantId} order by u.name`),
    ]);
    // The values people can pick for category fields: the most frequent ones in the data.
    const values: Record<string, string[]> = {};
    const regionValues = await tx.execute<{ v: string }>(sql`
      select region as v from customers where tenant_id = ${scope.tenantId} and region is not null
      group by region order by count(*) desc, region limit 200`);
    values.region = [...new Set([...regionValues.rows.map((r) => r.v), ...regionRows.rows.map((r) => r.name)])];
    for (const a of attributes.rows.filter((a) => a.type === "category")) {
      const rows = await tx.execute<{ v: string }>(sql`
        select attributes ->> ${a.key}::text as v from customers
        where tenant_id = ${scope.tenantId} and attributes ? ${a.key}::text and jsonb_typeof(attributes -> ${a.key}::text) <> 'null'
        group by 1 order by count(*) desc, 1 limit 200`);
      values[`attr:${a.key}`] = rows.rows.map((r) => r.v);
    }
    return {
      values,
      // Model runs' clusters, for "is in cluster" rules: only for roles that may read models.
      clusters: can(scope.role, "model:read") ? await clusterOptions(scope) : [],
      attributes: attributes.rows,
      segments: segmentRows.rows.map((s) => ({ id: s.id, name: s.name, status: s.status, parentId: s.parent_id })),
      regions: regionRows.rows,
      members: memberRows.rows,
      rfmSegments: [...RFM_SEGMENTS],
    };
  });
}
