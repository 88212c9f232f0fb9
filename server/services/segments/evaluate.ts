import { isGroup, NUMBER_FEATURES, type Condition, type RuleGroup } from "./rules";

/** One customer as the rules see it. */
export interface CustomerFacts {
  features: Partial<Record<(typeof NUMBER_FEATURES)[number], number | null>> & { rfm_segment?: string | null };
  region: string | null;
  attributes: Record<string, unknown>;
  /** Segments whose published version has this customer as a member. */
  segments?: ReadonlySet<string>;
  /** The customer's cluster (1-based) in each completed model run that clustered them, by run id. */
  clusters?: ReadonlyMap<string, number>;
}

const DAY = 86_400_000;

function numberOf(field: string, c: CustomerFacts): number | null {
  if (field.startsWith("attr:")) {
    const v = c.attributes[field.slice(5)];
    return typeof v === "number" ? v : null;
  }
  return c.features[field as (typeof NUMBER_FEATURES)[number]] ?? null;
}

function categoryOf(field: string, c: CustomerFacts): string | null {
  if (field === "rfm_segment") return c.features.rfm_segment ?? null;
  if (field === "region") return c.region;
  const v = c.attributes[field.slice(5)];
  return v === undefined || v === null ? null : String(v);
}

function dateOf(field: string, c: CustomerFacts): number | null {
  const v = c.attributes[field.slice(5)];
  if (typeof v !== "string") return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

function utcDay(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`);
}

function holds(c: Condition, x: CustomerFacts, now: number): boolean {
  switch (c.op) {
    case "eq":
    case "ne":
    case "lt":
    case "lte":
    case "gt":
    case "gte": {
      const v = numberOf(c.field, x);
      if (v === null) return false;
      return { eq: v === c.value, ne: v !== c.value, lt: v < c.value, lte: v <= c.value, gt: v > c.value, gte: v >= c.value }[c.op];
    }
    case "between": {
      const v = numberOf(c.field, x);
      const [lo, hi] = c.value[0] <= c.value[1] ? c.value : [c.value[1], c.value[0]];
      return v !== null && v >= lo && v <= hi;
    }
    case "in":
    case "not_in": {
      const v = categoryOf(c.field, x);
      if (v === null) return false;
      return c.op === "in" ? c.values.includes(v) : !c.values.includes(v);
    }
    case "before": {
      const t = dateOf(c.field, x);
      return t !== null && t < utcDay(c.value);
    }
    case "after": {
      const t = dateOf(c.field, x);
      return t !== null && t >= utcDay(c.value) + DAY;
    }
    case "within_last_days": {
      const t = dateOf(c.field, x);
      return t !== null && t >= now - c.days * DAY;
    }
    case "in_segment":
    case "not_in_segment":
      return (x.segments?.has(c.segmentId) ?? false) === (c.op === "in_segment");
    case "in_cluster":
    case "not_in_cluster":
      return (x.clusters?.get(c.modelRunId) === c.cluster) === (c.op === "in_cluster");
  }
}

/**
 * The rule tree evaluated in memory, with the compiler's semantics (a condition on a missing
 * value is false; empty AND true, empty OR false): the reference the SQL is tested against,
 * and what live previews of small drafts can use.
 */
export function evaluateRules(tree: RuleGroup, customer: CustomerFacts, now = Date.now()): boolean {
  const results = tree.children.map((child) => (isGroup(child) ? evaluateRules(child, customer, now) : holds(child, customer, now)));
  return tree.combinator === "and" ? results.every(Boolean) : results.some(Boolean);
}
