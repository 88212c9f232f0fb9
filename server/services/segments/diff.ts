import { canonicalJson } from "../audit/canonical";
import type { Definition, SegmentMeta } from "./definition";
import { DECISION_USE_LABELS, META_LABELS } from "./definition";
import { describeCondition, type RuleNames } from "./describe";
import { isGroup, type Condition, type RuleGroup } from "./rules";

/**
 * A readable difference between two definitions: which descriptive fields changed and which
 * rules were added, removed or changed. Rules are followed by their node id (the co-edited draft
 * gives every node one); nodes without ids get their position as id.
 */
export interface DefinitionDiff {
  meta: { field: keyof SegmentMeta; label: string; before: string | null; after: string | null }[];
  rules: {
    added: { id: string; where: string; text: string }[];
    removed: { id: string; where: string; text: string }[];
    changed: { id: string; where: string; before: string; after: string }[];
  };
  /** True when nothing differs. */
  empty: boolean;
}

interface FlatNode {
  id: string;
  where: string;
  text: string;
  content: string;
}

function flatten(group: RuleGroup, name: RuleNames, path = "root", where = "", into: FlatNode[] = []): FlatNode[] {
  const id = group.id ?? path;
  const combinator = group.combinator === "and" ? "all of" : "any of";
  into.push({ id, where: where || "top level", text: `group: match ${combinator}`, content: `group:${group.combinator}` });
  group.children.forEach((child, i) => {
    const childWhere = `${where ? `${where} › ` : ""}#${i + 1}`;
    if (isGroup(child)) flatten(child, name, `${path}.${i}`, childWhere, into);
    else {
      const { id: nodeId, ...rest } = child as Condition;
      into.push({ id: nodeId ?? `${path}.${i}`, where: childWhere, text: describeCondition(child, name), content: canonicalJson(rest) });
    }
  });
  return into;
}

const META_KEYS = Object.keys(META_LABELS) as (keyof SegmentMeta)[];

export function diffDefinitions(
  before: Definition | null,
  after: Definition,
  names: RuleNames & { member?: (id: string) => string; region?: (id: string) => string } = {},
): DefinitionDiff {
  const show = (field: keyof SegmentMeta, value: string | null): string | null => {
    if (value === null || value === "") return null;
    if (field === "ownerId") return names.member?.(value) ?? value;
    if (field === "regionId") return names.region?.(value) ?? value;
    if (field === "parentId") return names.segment?.(value) ?? value;
    if (field === "decisionUse") return value === "none" ? null : (DECISION_USE_LABELS[value as keyof typeof DECISION_USE_LABELS] ?? value);
    return value;
  };
  const meta = META_KEYS.filter((k) => (before?.[k] ?? null) !== after[k] && !(before === null && !show(k, after[k]))).map((field) => ({
    field,
    label: META_LABELS[field],
    before: before ? show(field, before[field]) : null,
    after: show(field, after[field]),
  }));
  const old = new Map((before ? flatten(before.rules, names) : []).map((n) => [n.id, n]));
  const next = flatten(after.rules, names);
  const seen = new Set<string>();
  const rules: DefinitionDiff["rules"] = { added: [], removed: [], changed: [] };
  for (const node of next) {
    const prior = old.get(node.id);
    seen.add(node.id);
    if (!prior) {
      // An empty root group of a new definition is not worth a line.
      if (!(node.where === "top level" && before === null)) rules.added.push({ id: node.id, where: node.where, text: node.text });
    } else if (prior.content !== node.content) {
      rules.changed.push({ id: node.id, where: node.where, before: prior.text, after: node.text });
    }
  }
  for (const [id, node] of old) if (!seen.has(id)) rules.removed.push({ id, where: node.where, text: node.text });
  return { meta, rules, empty: meta.length + rules.added.length + rules.removed.length + rules.changed.length === 0 };
}
