import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { invalid } from "../../errors";
import type { TenantScope } from "../scope";
import { describeDefinitionIssues } from "./definition";
import { segmentRow } from "./lookup";
import { ZRuleGroup } from "./rules";
import { CUSTOMER_FEATURES_JOIN, selectionSql, type Selectable } from "./selection";
import { readSegmentSettings } from "./settings";

export const ZPreviewInput = z.object({
  /** The segment being edited, to compare with its published version (null for a new one). */
  segmentId: z.uuid().nullable().default(null),
  rules: z.unknown(),
  parentId: z.uuid().nullable().default(null),
  regionId: z.uuid().nullable().default(null),
  sampleSize: z.number().int().min(0).max(50).default(10),
});

export interface Preview {
  base: number;
  matching: number;
  share: number;
  optedOutExcluded: number;
  sample: { externalId: string; region: string | null; rfmSegment: string | null; monetary: number | null }[];
  /** Change against the published version of the segment being edited. */
  published: { version: number; members: number; added: number; removed: number } | null;
  /** With exclusive assignment: the matches not already claimed by a segment of higher priority. */
  assigned: number | null;
  overlap: { segmentId: string; name: string; members: number; overlap: number }[];
}

/**
 * Who a definition selects right now, in one statement over the customer base: count, share,
 * a sample, the change against the published version, what exclusive assignment would leave
 * it, and its overlap with every other active segment. Merged duplicates count once (through
 * their survivor); opted-out customers are never members, and how many the rules would
 * otherwise select is reported.
 */
export async function previewDefinition(scope: TenantScope, input: z.input<typeof ZPreviewInput>): Promise<Preview> {
  const { segmentId, parentId, regionId, sampleSize, rules: raw } = ZPreviewInput.parse(input);
  const rules = ZRuleGroup.safeParse(raw);
  if (!rules.success) throw invalid(`Finish the rules first: ${describeDefinitionIssues(prefixRules(rules.error))}`);
  return scope.db.withTenant(scope.tenantId, (tx) => preview(tx, scope.tenantId, { rules: rules.data, parentId, regionId }, segmentId, sampleSize));
}

function prefixRules(error: z.ZodError): z.ZodError {
  return new z.ZodError(error.issues.map((issue) => ({ ...issue, path: ["rules", ...issue.path] })));
}

export async function preview(tx: Tx, tenantId: string, definition: Selectable, segmentId: string | null, sampleSize = 10): Promise<Preview> {
  const where = await selectionSql(tx, tenantId, definition, segmentId);
  const segment = segmentId ? await segmentRow(tx, tenantId, segmentId) : null;
  const settings = await readSegmentSettings(tx, tenantId);
  const self = segment?.id ?? null;
  const priority = segment?.priority ?? 2_147_483_647;
  const current = (alias: string) => sql.raw(`${alias}.tenant_id = m.tenant_id and ${alias}.customer_id = m.id and ${alias}.to_version is null`);
  const result = await tx.execute<{
    base: number;
    matching: number;
    opted_out: number;
    added: number | null;
    removed: number | null;
    assigned: number | null;
    overlap: { segmentId: string; name: string; members: number; overlap: number }[] | null;
    sample: Preview["sample"] | null;
  }>(sql`
    with m as materialized (
      select c.tenant_id, c.id, c.opted_out from customers c ${CUSTOMER_FEATURES_JOIN}
      where c.tenant_id = ${tenantId} and c.merged_into is null and ${where}
    ), members as (select * from m where not opted_out)
    select
      (select count(*)::int from customers c where c.tenant_id = ${tenantId} and c.merged_into is null and not c.opted_out) as base,
      (select count(*)::int from members) as matching,
      (select count(*)::int from m where opted_out) as opted_out,
      case when ${self}::uuid is null then null else (
        select count(*)::int from members m where not exists (
          select 1 from segment_memberships sm where ${current("sm")} and sm.segment_id = ${self}::uuid))
      end as added,
      case when ${self}::uuid is null then null else (
        select count(*)::int from segment_memberships sm
        where sm.tenant_id = ${tenantId} and sm.segment_id = ${self}::uuid and sm.to_version is null
          and not exists (select 1 from members m where m.id = sm.customer_id))
      end as removed,
      case when ${settings.assignment} = 'exclusive' then (
        select count(*)::int from members m where not exists (
          select 1 from segment_memberships sm join segments s on s.tenant_id = sm.tenant_id and s.id = sm.segment_id
          where ${current("sm")} and s.status = 'active' and s.priority < ${priority} and s.id is distinct from ${self}::uuid))
      end as assigned,
      (select json_agg(json_build_object('segmentId', s.id, 'name', s.name, 'members', coalesce(s.member_count, 0),
                                         'overlap', coalesce(o.n, 0)) order by s.priority)
       from segments s
       left join (select sm.segment_id, count(*)::int as n from segment_memberships sm join members m on ${current("sm")}
                  group by sm.segment_id) o on o.segment_id = s.id
       where s.tenant_id = ${tenantId} and s.status = 'active' and s.id is distinct from ${self}::uuid) as overlap,
      (select json_agg(x) from (
         select c.external_id as "externalId", c.region, f.rfm_segment as "rfmSegment", f.monetary
         from members m join customers c on c.tenant_id = m.tenant_id and c.id = m.id
         left join customer_features f on f.tenant_id = c.tenant_id and f.customer_id = c.id
         order by c.external_id limit ${sampleSize}) x) as sample`);
  const row = result.rows[0];
  return {
    base: row.base,
    matching: row.matching,
    share: row.base ? row.matching / row.base : 0,
    optedOutExcluded: row.opted_out,
    sample: row.sample ?? [],
    published:
      segment?.currentVersion && row.added !== null && row.removed !== null
        ? { version: segment.currentVersion, members: segment.memberCount ?? 0, added: row.added, removed: row.removed }
        : null,
    assigned: row.assigned,
    overlap: row.overlap ?? [],
  };
}
