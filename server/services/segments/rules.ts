import { z } from "zod";

/**
 * A segment definition's rule tree: nested AND/OR groups of conditions over customer features
 * and attributes. The tree is data (it lives in Yjs documents and proposals); it reaches SQL
 * only through `compileRules`, with every value as a parameter.
 */

/** Numeric features computed per customer (customer_features). */
export const NUMBER_FEATURES = [
  "recency_days",
  "frequency",
  "monetary",
  "average_order_value",
  "tenure_days",
  "purchase_span_days",
  "r",
  "f",
  "m",
] as const;
export type NumberFeature = (typeof NUMBER_FEATURES)[number];

/** Category fields of every customer. */
export const CATEGORY_FIELDS = ["rfm_segment", "region"] as const;

const ZAttributeKey = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, { message: "is not an attribute key" });

/** A field: a built-in feature or category, or a custom attribute (`attr:<key>`). */
export const ZNumberField = z.union([z.enum(NUMBER_FEATURES), z.templateLiteral(["attr:", ZAttributeKey])]);
export const ZCategoryField = z.union([z.enum(CATEGORY_FIELDS), z.templateLiteral(["attr:", ZAttributeKey])]);
export const ZDateField = z.templateLiteral(["attr:", ZAttributeKey]);

/** A node id: the co-edited draft names every group and condition, so diffs can follow them. */
const ZNodeId = z.string().max(64).optional();
const finite = z.number({ message: "enter a number" }).refine(Number.isFinite, { message: "must be a finite number" });
const isoDate = z.string({ message: "enter a date such as 2026-01-31" }).regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date such as 2026-01-31" });

export const ZCondition = z.discriminatedUnion("op", [
  z.object({ id: ZNodeId, op: z.enum(["eq", "ne", "lt", "lte", "gt", "gte"]), field: ZNumberField, value: finite }),
  z.object({ id: ZNodeId, op: z.literal("between"), field: ZNumberField, value: z.tuple([finite, finite], { message: "enter both bounds" }) }),
  z.object({ id: ZNodeId, op: z.enum(["in", "not_in"]), field: ZCategoryField, values: z.array(z.string().max(200), { message: "choose at least one value" }).max(500) }),
  z.object({ id: ZNodeId, op: z.enum(["before", "after"]), field: ZDateField, value: isoDate }),
  z.object({
    id: ZNodeId,
    op: z.literal("within_last_days"),
    field: ZDateField,
    days: z.number({ message: "enter a number of days" }).int({ message: "enter whole days" }).min(0).max(36_500),
  }),
  /** Membership of another segment's published version. */
  z.object({ id: ZNodeId, op: z.enum(["in_segment", "not_in_segment"]), segmentId: z.uuid({ message: "must name a segment" }) }),
  /**
   * Membership of cluster `cluster` (1-based) of a completed model run, at the run's chosen k
   * (model_run_assignments). "not_in_cluster" is its negation: customers the run did not
   * cluster (missing features, or newer than the run) are not in any of its clusters.
   */
  z.object({
    id: ZNodeId,
    op: z.enum(["in_cluster", "not_in_cluster"]),
    modelRunId: z.uuid({ message: "must name a model run" }),
    cluster: z.number({ message: "choose a cluster" }).int({ message: "choose a cluster" }).min(1, { message: "clusters are numbered from 1" }).max(15),
  }),
]);
export type Condition = z.infer<typeof ZCondition>;

export interface RuleGroup {
  id?: string;
  combinator: "and" | "or";
  children: (RuleGroup | Condition)[];
}

export const ZRuleGroup: z.ZodType<RuleGroup> = z.lazy(() =>
  z.object({
    id: ZNodeId,
    combinator: z.enum(["and", "or"]),
    children: z.array(z.union([ZRuleGroup, ZCondition])).max(200),
  }),
);

export function isGroup(node: RuleGroup | Condition): node is RuleGroup {
  return "combinator" in node;
}

/** Depth of nesting allowed: enough for any readable definition, bounded for the compiler. */
export const MAX_DEPTH = 8;

export function depthOf(node: RuleGroup | Condition): number {
  return isGroup(node) ? 1 + Math.max(0, ...node.children.map(depthOf)) : 0;
}

/** Model runs (and their clusters) a tree refers to through "is in cluster" conditions. */
export function referencedModelRuns(node: RuleGroup | Condition, into = new Map<string, Set<number>>()): Map<string, Set<number>> {
  if (isGroup(node)) for (const child of node.children) referencedModelRuns(child, into);
  else if (node.op === "in_cluster" || node.op === "not_in_cluster") {
    const clusters = into.get(node.modelRunId) ?? new Set<number>();
    clusters.add(node.cluster);
    into.set(node.modelRunId, clusters);
  }
  return into;
}

/** Segments a tree refers to through "is in segment" conditions. */
export function referencedSegments(node: RuleGroup | Condition, into = new Set<string>()): Set<string> {
  if (isGroup(node)) for (const child of node.children) referencedSegments(child, into);
  else if (node.op === "in_segment" || node.op === "not_in_segment") into.add(node.segmentId);
  return into;
}
