import { isGroup, type Condition, type NumberFeature, type RuleGroup } from "./rules";

/**
 * Human wording of rules: the rule builder's labels and the sentences diffs and history show.
 * Pure, so the browser and the server word a rule the same way.
 */

export const FEATURE_LABELS: Record<NumberFeature | "rfm_segment" | "region", string> = {
  recency_days: "Days since last purchase",
  frequency: "Orders",
  monetary: "Total spend",
  average_order_value: "Average order value",
  tenure_days: "Days since first purchase",
  purchase_span_days: "Days between first and last purchase",
  r: "RFM recency score (1–5)",
  f: "RFM frequency score (1–5)",
  m: "RFM monetary score (1–5)",
  rfm_segment: "RFM segment",
  region: "Region",
};

export const OPERATOR_LABELS: Record<Condition["op"], string> = {
  eq: "=",
  ne: "≠",
  lt: "<",
  lte: "≤",
  gt: ">",
  gte: "≥",
  between: "between",
  in: "is one of",
  not_in: "is none of",
  before: "before",
  after: "after",
  within_last_days: "within the last",
  in_segment: "is in segment",
  not_in_segment: "is not in segment",
  in_cluster: "is in cluster",
  not_in_cluster: "is not in cluster",
};

/** How rules name what they refer to by id or key (segments, custom attributes). */
export interface RuleNames {
  segment?: (id: string) => string;
  /** A model run's name, e.g. "model run of 3 March (income, spending)". */
  modelRun?: (id: string) => string;
  attribute?: (key: string) => string;
}

export function fieldLabel(field: string, names: RuleNames = {}): string {
  if (field.startsWith("attr:")) return names.attribute?.(field.slice(5)) ?? field.slice(5).replace(/_/g, " ");
  return FEATURE_LABELS[field as keyof typeof FEATURE_LABELS] ?? field;
}

const number = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 4 });

/** "Total spend ≥ 500", "RFM segment is one of Champions, Loyal", "is in segment “VIP”". */
export function describeCondition(c: Condition, names: RuleNames = {}): string {
  const label = (field: string) => fieldLabel(field, names);
  switch (c.op) {
    case "between":
      return `${label(c.field)} between ${number(c.value[0])} and ${number(c.value[1])}`;
    case "in":
    case "not_in":
      return `${label(c.field)} ${OPERATOR_LABELS[c.op]} ${c.values.length ? c.values.join(", ") : "(nothing)"}`;
    case "before":
    case "after":
      return `${label(c.field)} ${c.op} ${c.value}`;
    case "within_last_days":
      return `${label(c.field)} within the last ${c.days} day${c.days === 1 ? "" : "s"}`;
    case "in_segment":
    case "not_in_segment":
      return `${OPERATOR_LABELS[c.op]} “${names.segment?.(c.segmentId) ?? c.segmentId}”`;
    case "in_cluster":
    case "not_in_cluster":
      return `${OPERATOR_LABELS[c.op]} ${c.cluster} of model run “${names.modelRun?.(c.modelRunId) ?? c.modelRunId}”`;
    default:
      return `${label(c.field)} ${OPERATOR_LABELS[c.op]} ${number(c.value)}`;
  }
}

export function describeGroup(group: RuleGroup, names: RuleNames = {}): string {
  if (group.children.length === 0) return group.combinator === "and" ? "everyone" : "no one";
  const parts = group.children.map((child) => (isGroup(child) ? `(${describeGroup(child, names)})` : describeCondition(child, names)));
  return parts.join(group.combinator === "and" ? " and " : " or ");
}
