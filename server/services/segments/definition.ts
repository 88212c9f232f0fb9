import { z } from "zod";
import { ZRuleGroup, type RuleGroup } from "./rules";

/**
 * What a segment is used to decide (decision 011): a segment used for pricing, credit-like or
 * service-level decisions whose bias audit fails the four-fifths rule is published only with a
 * committee justification recorded on its proposal.
 */
export const DECISION_USES = ["none", "pricing", "credit", "service_level"] as const;
export type DecisionUse = (typeof DECISION_USES)[number];
export const DECISION_USE_LABELS: Record<DecisionUse, string> = {
  none: "Not used for decisions about individuals",
  pricing: "Pricing",
  credit: "Credit-like decisions",
  service_level: "Service level",
};

/**
 * A segment definition as a version stores it and a proposal's draft holds it: the descriptive
 * fields a committee reviews and the rule tree that selects the members. Pure (zod only), so
 * the browser's rule builder validates with the same schema as the server.
 */
export const ZSegmentMeta = z.object({
  name: z.string({ message: "is required" }).trim().min(1, { message: "is required" }).max(120, { message: "must be at most 120 characters" }),
  description: z.string().max(4000, { message: "must be at most 4,000 characters" }),
  valueProposition: z.string().max(4000, { message: "must be at most 4,000 characters" }),
  ownerId: z.uuid({ message: "must be a member" }).nullable(),
  /** A regional variant's region; its parent is the global segment it refines. */
  regionId: z.uuid({ message: "must be a region" }).nullable(),
  parentId: z.uuid({ message: "must be a segment" }).nullable(),
  /** Older definitions have no flag: "none". */
  decisionUse: z.enum(DECISION_USES, { message: "must be none, pricing, credit or service_level" }).default("none"),
});
export type SegmentMeta = z.infer<typeof ZSegmentMeta>;

export const ZDefinition = ZSegmentMeta.extend({ rules: ZRuleGroup });
export type Definition = z.infer<typeof ZDefinition>;

export const META_LABELS: Record<keyof SegmentMeta, string> = {
  name: "Name",
  description: "Description",
  valueProposition: "Value proposition",
  ownerId: "Owner",
  regionId: "Region",
  parentId: "Parent segment",
  decisionUse: "Decision use",
};

export function emptyRules(): RuleGroup {
  return { combinator: "and", children: [] };
}

/** "rules.children.2.value: must be a finite number" → a sentence a person can act on. */
export function describeDefinitionIssues(error: z.ZodError): string {
  return flattenUnions(error.issues)
    .slice(0, 5)
    .map((issue) => {
      const [head, ...rest] = issue.path;
      if (head === "rules") {
        const where = [];
        for (let i = 0; i < rest.length; i++) {
          if (rest[i] === "children" && typeof rest[i + 1] === "number") where.push(`#${(rest[i + 1] as number) + 1}`);
        }
        const field = rest.filter((p) => typeof p === "string" && p !== "children").at(-1);
        return `Rule ${where.join(" › ") || "(root)"}${field ? ` ${String(field)}` : ""}: ${issue.message}`;
      }
      const label = META_LABELS[head as keyof SegmentMeta] ?? String(head);
      return `${label}: ${issue.message}`;
    })
    .join("; ");
}

/**
 * A rule is a group or a condition (a union): of the union's branches, report the one that came
 * closest (fewest issues), so "value is required" reaches the person, not "Invalid input".
 */
function flattenUnions(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== "invalid_union" || !issue.errors?.length) return [issue];
    const closest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
    return flattenUnions(closest.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })));
  });
}
