import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { attributeDefinitions } from "../../../db/schema";
import { invalid } from "../../errors";

const text = (what: string) =>
  z
    .string({ message: `${what} must be text` })
    .trim()
    .min(1, { message: `${what} must not be empty` })
    .max(80, { message: `${what} must be at most 80 characters` });

const ZEventFilter = z
  .object({
    type: text("the event type").optional(),
    channel: text("the channel").optional(),
    campaign: text("the campaign").optional(),
    minValue: z.number({ message: "the minimum value must be a number" }).finite().optional(),
    maxValue: z.number({ message: "the maximum value must be a number" }).finite().optional(),
  })
  .strict()
  .refine((f) => f.minValue === undefined || f.maxValue === undefined || f.minValue <= f.maxValue, {
    message: "the minimum value must not exceed the maximum value",
  });

const ZAttributeKey = z.string({ message: "the attribute must be text" }).regex(/^[a-z][a-z0-9_]{0,62}$/, { message: "is not an attribute key" });

/** An aggregate over the members' events in the period (value = the event's value column). */
const ZEventMeasure = z
  .object({
    source: z.literal("events"),
    aggregate: z.enum(["count", "sum", "average", "distinct"], { message: "must be count, sum, average or distinct (customers)" }),
    filter: ZEventFilter.default({}),
  })
  .strict();

/** An aggregate over the members themselves (the same in every period). */
const ZCustomerMeasure = z
  .object({
    source: z.literal("customers"),
    aggregate: z.enum(["count", "sum", "average"], { message: "must be count, sum or average" }),
    /** The number attribute summed or averaged. */
    attribute: ZAttributeKey.optional(),
    filter: z
      .object({
        attribute: ZAttributeKey,
        op: z.enum(["eq", "neq", "gt", "gte", "lt", "lte"], { message: "must be eq, neq, gt, gte, lt or lte" }),
        value: z.union([z.string().max(200), z.number().finite(), z.boolean()], { message: "must be text, a number or true/false" }),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((m) => m.aggregate === "count" || m.attribute !== undefined, {
    message: "a sum or average over customers needs the number attribute it adds up",
    path: ["attribute"],
  });

export const ZKpiMeasure = z.discriminatedUnion("source", [ZEventMeasure, ZCustomerMeasure], {
  message: "source must be events or customers",
});
export type KpiMeasure = z.infer<typeof ZKpiMeasure>;

/** A custom KPI: one aggregate, or the ratio of two (null when the denominator is 0). */
export const ZCustomKpiSpec = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("aggregate"), measure: ZKpiMeasure }).strict(),
    z.object({ kind: z.literal("ratio"), numerator: ZKpiMeasure, denominator: ZKpiMeasure }).strict(),
  ],
  { message: "kind must be aggregate or ratio" },
);
export type CustomKpiSpec = z.infer<typeof ZCustomKpiSpec>;

/** The measures of a spec with the name a message uses for each. */
export function measuresOf(spec: CustomKpiSpec): { name: string; measure: KpiMeasure }[] {
  return spec.kind === "aggregate"
    ? [{ name: "measure", measure: spec.measure }]
    : [
        { name: "numerator", measure: spec.numerator },
        { name: "denominator", measure: spec.denominator },
      ];
}

/**
 * Checks a spec's customer attributes against the workspace's attribute definitions: each must
 * exist, a summed or averaged one must be a number, and so must one compared with gt/gte/lt/lte.
 * Throws one INVALID error listing every problem.
 */
export async function checkSpecAttributes(tx: Tx, tenantId: string, spec: CustomKpiSpec): Promise<void> {
  const defs = await tx
    .select({ key: attributeDefinitions.key, type: attributeDefinitions.type })
    .from(attributeDefinitions)
    .where(and(eq(attributeDefinitions.tenantId, tenantId)));
  const types = new Map(defs.map((d) => [d.key, d.type]));
  const problems: string[] = [];
  for (const { name, measure } of measuresOf(spec)) {
    if (measure.source !== "customers") continue;
    const need = (key: string, numeric: boolean, role: string) => {
      const type = types.get(key);
      if (!type) problems.push(`${name}: ${role} '${key}' is not an attribute of this workspace's customers.`);
      else if (numeric && type !== "number") problems.push(`${name}: ${role} '${key}' is a ${type} attribute; it must be a number.`);
    };
    if (measure.attribute) need(measure.attribute, true, "attribute");
    if (measure.filter) {
      const ordered = ["gt", "gte", "lt", "lte"].includes(measure.filter.op);
      need(measure.filter.attribute, ordered, "filter attribute");
      if (ordered && typeof measure.filter.value !== "number") {
        problems.push(`${name}: comparing with ${measure.filter.op} needs a number, got ${JSON.stringify(measure.filter.value)}.`);
      }
    }
  }
  if (problems.length) throw invalid(problems.join(" "), { problems });
}
