/**
 * Business-rule constraints of a model run ("customers with no purchase in 365 days are always
 * Lapsed"): named fixed groups, each defined by a segment rule tree (the segment rule language and
 * compiler, server/services/segments/{rules,compile}.ts). Among the run's customers (active, with
 * every chosen feature), those matching a group's rule are assigned to that group and left out of
 * fitting; a customer matching several groups goes to the FIRST of them. The groups are stored as
 * extra clusters after the fitted ones (and after DBSCAN's outliers), named after the group.
 */
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import type { ModelConstraint } from "../../../db/schema";
import { DomainError, invalid } from "../../errors";
import { compileRules } from "../segments/compile";
import { ZRuleGroup } from "../segments/rules";
import { catalogFor, checkModelRuns } from "../segments/selection";

/** At most this many fixed groups per run (clusters are numbered up to 15 in segment rules). */
export const MAX_CONSTRAINTS = 3;

export const ZModelConstraint = z.object({
  name: z
    .string({ message: "give the fixed group a name" })
    .trim()
    .min(1, { message: "give the fixed group a name" })
    .max(60, { message: "a fixed group's name is at most 60 characters" }),
  rules: ZRuleGroup,
});

export const ZConstraintList = z
  .array(ZModelConstraint)
  .max(MAX_CONSTRAINTS, { message: `at most ${MAX_CONSTRAINTS} fixed groups` })
  .refine((cs) => new Set(cs.map((c) => c.name.toLowerCase())).size === cs.length, { message: "two fixed groups have the same name" });

/** The customer ids matching each constraint's rule (active customers only), in constraint order. */
async function matchingIds(tx: Tx, tenantId: string, constraints: readonly ModelConstraint[]): Promise<Set<string>[]> {
  const catalog = await catalogFor(tx, tenantId);
  const out: Set<string>[] = [];
  for (const c of constraints) {
    let where: ReturnType<typeof compileRules>;
    try {
      await checkModelRuns(tx, tenantId, c.rules);
      where = compileRules(c.rules, catalog);
    } catch (error) {
      if (error instanceof DomainError) throw invalid(`Fixed group "${c.name}": ${error.message}`);
      throw error;
    }
    const result = await tx.execute<{ id: string }>(
      sql`select c.id from customers c left join customer_features f on f.tenant_id = c.tenant_id and f.customer_id = c.id
          where c.tenant_id = ${tenantId}::uuid and c.merged_into is null and not c.opted_out and ${where}`,
    );
    out.push(new Set(result.rows.map((r) => r.id)));
  }
  return out;
}

/** Checks that every constraint's rule compiles in this workspace (at start, so mistakes are said at once). */
export async function checkConstraints(tx: Tx, tenantId: string, constraints: readonly ModelConstraint[]): Promise<void> {
  const catalog = await catalogFor(tx, tenantId);
  for (const c of constraints) {
    try {
      await checkModelRuns(tx, tenantId, c.rules);
      compileRules(c.rules, catalog);
    } catch (error) {
      if (error instanceof DomainError) throw invalid(`Fixed group "${c.name}": ${error.message}`);
      throw error;
    }
  }
}

/**
 * For each of the run's customers (ids in row order): the index of the first constraint whose
 * rule it matches, or −1 (clustered). Empty constraints give all −1.
 */
export async function constraintGroupOf(tx: Tx, tenantId: string, constraints: readonly ModelConstraint[], ids: readonly string[]): Promise<Int32Array> {
  const group = new Int32Array(ids.length).fill(-1);
  if (!constraints.length) return group;
  const sets = await matchingIds(tx, tenantId, constraints);
  for (let i = 0; i < ids.length; i++) {
    const g = sets.findIndex((s) => s.has(ids[i]));
    group[i] = g;
  }
  return group;
}
