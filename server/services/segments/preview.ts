import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { invalid } from "../../errors";
import type { TenantScope } from "../scope";
import { describeDefinitionIssues } from "./definition";
import { segmentRow } from "./lookup";
import { ZRuleGroup } from "./rules";
import { materialiseMatches, type Selectable } from "./selection";
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
  // The size of the base is independent of the definition: counted on a second connection meanwhile.
  const base = scope.db.withTenant(scope.tenantId, (tx) => countBase(tx, scope.tenantId));
  const result = scope.db.withTenant(scope.tenantId, (tx) =>
    preview(tx, scope.tenantId, { rules: rules.data, parentId, regionId }, segmentId, sampleSize, base),
  );
  await Promise.allSettled([base, result]);
  return result;
}

/** Customers who can be members at all: not merged into another record, not opted out. */
async function countBase(tx: Tx, tenantId: string): Promise<number> {
  const [{ base }] = (
    await tx.execute<{ base: number }>(sql`
      select count(*)::int as base from customers c where c.tenant_id = ${tenantId} and c.merged_into is null and not c.opted_out`)
  ).rows;
  return base;
}

function prefixRules(error: z.ZodError): z.ZodError {
  return new z.ZodError(error.issues.map((issue) => ({ ...issue, path: ["rules", ...issue.path] })));
}

export async function preview(
  tx: Tx,
  tenantId: string,
  definition: Selectable,
  segmentId: string | null,
  sampleSize = 10,
  baseCount?: Promise<number>,
): Promise<Preview> {
  const segment = segmentId ? await segmentRow(tx, tenantId, segmentId) : null;
  const settings = await readSegmentSettings(tx, tenantId);
  const self = segment?.id ?? null;
  const exclusive = settings.assignment === "exclusive";
  const priority = segment?.priority ?? 2_147_483_647;
  // Not analysed: the figures below probe indexes once per match, a plan that needs no statistics.
  await materialiseMatches(tx, tenantId, definition, self, false);
  const base = await (baseCount ?? countBase(tx, tenantId));
  // One probe of the current-membership index per match gives the overlap with every segment,
  // this one included (its kept members); hashing all memberships instead costs twice as much.
  // Forced (a lateral subquery behind an "offset 0" fence, no hash/merge join, no seq scan),
  // because right after a publication the membership table's statistics may still say "empty",
  // and the planner would then put it on the outside and compare every pair.
  await tx.execute(sql`set local enable_hashjoin = off`);
  await tx.execute(sql`set local enable_mergejoin = off`);
  await tx.execute(sql`set local enable_seqscan = off`);
  const result = await tx.execute<{
    matching: number;
    opted_out: number;
    kept: number | null;
    assigned: number | null;
    overlap: { segmentId: string; name: string; members: number; overlap: number }[] | null;
    sample: Preview["sample"] | null;
  }>(sql`
    with hits as materialized (
      select x.segment_id, count(*)::int as n from segment_matches m
      cross join lateral (
        select sm.segment_id from segment_memberships sm
        where sm.tenant_id = ${tenantId} and sm.customer_id = m.id and sm.to_version is null
        offset 0) x
      where not m.opted_out group by x.segment_id
    )
    select
      (select count(*)::int from segment_matches where not opted_out) as matching,
      (select count(*)::int from segment_matches where opted_out) as opted_out,
      (select coalesce(sum(n), 0)::int from hits where segment_id = ${self}::uuid) as kept,
      case when not ${exclusive} then null else (
        select count(*)::int from segment_matches m where not m.opted_out and not exists (
          select 1 from segment_memberships sm join segments s on s.tenant_id = sm.tenant_id and s.id = sm.segment_id
          where sm.tenant_id = ${tenantId} and sm.customer_id = m.id and sm.to_version is null and s.status = 'active'
            and s.priority < ${priority} and s.id is distinct from ${self}::uuid))
      end as assigned,
      (select json_agg(json_build_object('segmentId', s.id, 'name', s.name, 'members', coalesce(s.member_count, 0),
                                         'overlap', coalesce(h.n, 0)) order by s.priority)
       from segments s left join hits h on h.segment_id = s.id
       where s.tenant_id = ${tenantId} and s.status = 'active' and s.id is distinct from ${self}::uuid) as overlap,
      (select json_agg(x) from (
         select m.external_id as "externalId", m.region, f.rfm_segment as "rfmSegment", f.monetary
         from (select * from segment_matches where not opted_out order by external_id limit ${sampleSize}) m
         left join customer_features f on f.tenant_id = ${tenantId} and f.customer_id = m.id
         order by m.external_id) x) as sample`);
  for (const setting of ["enable_hashjoin", "enable_mergejoin", "enable_seqscan"]) await tx.execute(sql.raw(`reset ${setting}`));
  const row = result.rows[0];
  const published = segment?.currentVersion ? (segment.memberCount ?? 0) : null;
  return {
    base,
    matching: row.matching,
    share: base ? row.matching / base : 0,
    optedOutExcluded: row.opted_out,
    sample: row.sample ?? [],
    // Kept members are matches already in the published version; the rest of it is removed.
    published:
      published !== null && row.kept !== null
        ? { version: segment!.currentVersion!, members: published, added: row.matching - row.kept, removed: published - row.kept }
        : null,
    assigned: row.assigned,
    overlap: row.overlap ?? [],
  };
}
