import { eq, sql } from "drizzle-orm";
import { attributeDefinitions } from "../../../db/schema";
import type { TenantScope } from "../scope";
import { compileRules, type AttributeCatalog } from "./compile";
import { ZRuleGroup, type RuleGroup } from "./rules";

export async function attributeCatalog(scope: TenantScope): Promise<AttributeCatalog> {
  const defs = await scope.db.withTenant(scope.tenantId, (tx) =>
    tx
      .select({ key: attributeDefinitions.key, type: attributeDefinitions.type, sensitivity: attributeDefinitions.sensitivity })
      .from(attributeDefinitions)
      .where(eq(attributeDefinitions.tenantId, scope.tenantId)),
  );
  const byKey = new Map(defs.map((d) => [d.key, d]));
  return { get: (key) => byKey.get(key) };
}

/**
 * Who a definition selects right now: the count and share of the customer base (merged
 * duplicates count once, through their survivor) and a sample. Opted-out customers are never
 * members of a targeted segment; how many the rules would otherwise select is reported.
 */
export async function previewDefinition(scope: TenantScope, input: unknown, sampleSize = 10) {
  const tree: RuleGroup = ZRuleGroup.parse(input);
  const where = compileRules(tree, await attributeCatalog(scope));
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const counts = await tx.execute<{ base: number; matching: number; opted_out: number }>(sql`
      select count(*) filter (where not c.opted_out)::int as base,
             count(*) filter (where not c.opted_out and ${where})::int as matching,
             count(*) filter (where c.opted_out and ${where})::int as opted_out
      from customers c
      left join customer_features f on f.tenant_id = c.tenant_id and f.customer_id = c.id
      where c.tenant_id = ${scope.tenantId} and c.merged_into is null`);
    const sample = await tx.execute<{ external_id: string; rfm_segment: string | null; monetary: number | null }>(sql`
      select c.external_id, f.rfm_segment, f.monetary from customers c
      left join customer_features f on f.tenant_id = c.tenant_id and f.customer_id = c.id
      where c.tenant_id = ${scope.tenantId} and c.merged_into is null and not c.opted_out and ${where}
      order by c.external_id limit ${sampleSize}`);
    const { base, matching, opted_out } = counts.rows[0];
    return {
      base,
      matching,
      share: base ? matching / base : 0,
      optedOutExcluded: opted_out,
      sample: sample.rows.map((r) => ({ externalId: r.external_id, rfmSegment: r.rfm_segment, monetary: r.monetary })),
    };
  });
}
