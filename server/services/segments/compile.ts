import { sql, type SQL } from "drizzle-orm";
import { invalid } from "../../errors";
import { depthOf, isGroup, MAX_DEPTH, NUMBER_FEATURES, type Condition, type RuleGroup } from "./rules";

/** What the compiler knows of the workspace's custom attributes. */
export interface AttributeCatalog {
  get(key: string): { type: string; sensitivity: string } | undefined;
}

/**
 * Compiles a rule tree to a boolean SQL expression over `c` (customers) and `f`
 * (customer_features, left-joined). Every value is a bound parameter; field names are checked
 * against fixed lists and the attribute catalog, never interpolated. Semantics (shared with
 * `evaluateRules`): a condition on a missing value is false, `not_in` included; an empty AND
 * is true and an empty OR is false. Protected attributes cannot be used (data minimisation).
 */
export function compileRules(tree: RuleGroup, catalog: AttributeCatalog): SQL {
  if (depthOf(tree) > MAX_DEPTH) throw invalid(`A definition may nest groups ${MAX_DEPTH} levels deep at most.`);
  return group(tree, catalog);
}

function group(node: RuleGroup, catalog: AttributeCatalog): SQL {
  if (node.children.length === 0) return node.combinator === "and" ? sql`true` : sql`false`;
  const parts = node.children.map((child) => (isGroup(child) ? group(child, catalog) : condition(child, catalog)));
  return sql`(${sql.join(parts, node.combinator === "and" ? sql` and ` : sql` or `)})`;
}

function attribute(field: string, catalog: AttributeCatalog, want: "number" | "category" | "date") {
  const key = field.slice("attr:".length);
  const def = catalog.get(key);
  if (!def) throw invalid(`The attribute '${key}' does not exist in this workspace.`);
  if (def.sensitivity === "protected") {
    throw invalid(`'${key}' is a protected attribute: it can be audited for bias but not used to define a segment.`);
  }
  const fits = want === "category" ? ["category", "text", "boolean"].includes(def.type) : def.type === want;
  if (!fits) throw invalid(`The attribute '${key}' holds ${def.type} values and cannot be compared as ${want === "category" ? "a category" : `a ${want}`}.`);
  return key;
}

function numberExpr(field: string, catalog: AttributeCatalog): SQL {
  if ((NUMBER_FEATURES as readonly string[]).includes(field)) return sql`f.${sql.identifier(field)}::float8`;
  const key = attribute(field, catalog, "number");
  return sql`(case when jsonb_typeof(c.attributes -> ${key}::text) = 'number' then (c.attributes ->> ${key}::text)::float8 end)`;
}

function categoryExpr(field: string, catalog: AttributeCatalog): SQL {
  if (field === "rfm_segment") return sql`f.rfm_segment`;
  if (field === "region") return sql`c.region`;
  const key = attribute(field, catalog, "category");
  return sql`(c.attributes ->> ${key}::text)`;
}

function dateExpr(field: string, catalog: AttributeCatalog): SQL {
  const key = attribute(field, catalog, "date");
  return sql`(case when jsonb_typeof(c.attributes -> ${key}::text) = 'string' then (c.attributes ->> ${key}::text)::timestamptz end)`;
}

const COMPARE = { eq: sql`=`, ne: sql`<>`, lt: sql`<`, lte: sql`<=`, gt: sql`>`, gte: sql`>=` } as const;

function condition(c: Condition, catalog: AttributeCatalog): SQL {
  let expr: SQL;
  switch (c.op) {
    case "eq":
    case "ne":
    case "lt":
    case "lte":
    case "gt":
    case "gte":
      expr = sql`${numberExpr(c.field, catalog)} ${COMPARE[c.op]} ${c.value}::float8`;
      break;
    case "between": {
      const [lo, hi] = c.value[0] <= c.value[1] ? c.value : [c.value[1], c.value[0]];
      expr = sql`${numberExpr(c.field, catalog)} between ${lo}::float8 and ${hi}::float8`;
      break;
    }
    case "in":
    case "not_in": {
      const value = categoryExpr(c.field, catalog);
      const member = sql`${value} = any(${sql.param(c.values)}::text[])`;
      expr = c.op === "in" ? member : sql`${value} is not null and not (${member})`;
      break;
    }
    case "before":
      expr = sql`${dateExpr(c.field, catalog)} < ${c.value}::date`;
      break;
    case "after":
      expr = sql`${dateExpr(c.field, catalog)} >= (${c.value}::date + 1)`;
      break;
    case "within_last_days":
      expr = sql`${dateExpr(c.field, catalog)} >= now() - make_interval(days => ${c.days}::int)`;
      break;
    case "in_segment":
    case "not_in_segment": {
      const member = sql`exists (select 1 from segment_memberships sm where sm.tenant_id = c.tenant_id
        and sm.segment_id = ${c.segmentId}::uuid and sm.customer_id = c.id and sm.to_version is null)`;
      expr = c.op === "in_segment" ? member : sql`not ${member}`;
      break;
    }
    case "in_cluster":
    case "not_in_cluster": {
      const member = sql`exists (select 1 from model_run_assignments ma where ma.tenant_id = c.tenant_id
        and ma.run_id = ${c.modelRunId}::uuid and ma.customer_id = c.id and ma.cluster = ${c.cluster}::smallint)`;
      expr = c.op === "in_cluster" ? member : sql`not ${member}`;
      break;
    }
  }
  // A comparison with a missing value is unknown in SQL; here it is simply false.
  return sql`coalesce(${expr}, false)`;
}

/**
 * Whether a tree can only select customers that have computed features (every way to satisfy
 * it goes through a feature condition, which is false when features are missing). Then the
 * features can be inner-joined, and PostgreSQL filters them before the join.
 */
export function requiresFeatures(node: RuleGroup | Condition): boolean {
  if (isGroup(node)) {
    return node.combinator === "and" ? node.children.some(requiresFeatures) : node.children.length > 0 && node.children.every(requiresFeatures);
  }
  return "field" in node && (node.field === "rfm_segment" || (NUMBER_FEATURES as readonly string[]).includes(node.field));
}
