import type { KpiMeasure } from "../../../server/services/kpis/spec";
import type { CustomKpiSpec } from "../../../server/services/kpis/types";

/**
 * The custom-KPI form's fields ⇄ the spec kpis.create/update take. Inputs are named by the
 * spec's path ("spec.measure.filter.type", "spec.numerator.aggregate"), so the server's
 * validation errors, which carry those paths, land under the right input. Values are passed
 * on as typed where they are clearly numbers; anything else is left for the server to judge
 * (a minimum of "abc" comes back as "the minimum value must be a number" under its input).
 */

export type Get = (name: string) => string;

/** A number field: empty is absent, a number is a number, anything else is sent as typed. */
function numberOrText(raw: string): number | string | undefined {
  const text = raw.trim();
  if (text === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

/** A comparison value: a number when it reads as one, true/false, else text. */
function comparisonValue(raw: string): number | string | boolean {
  const text = raw.trim();
  if (text === "true" || text === "false") return text === "true";
  const n = Number(text);
  return text !== "" && Number.isFinite(n) ? n : text;
}

function optionalText(raw: string): string | undefined {
  return raw.trim() === "" ? undefined : raw.trim();
}

function measureFrom(get: Get, prefix: string): Record<string, unknown> {
  const source = get(`${prefix}.source`);
  const aggregate = get(`${prefix}.aggregate`);
  if (source === "customers") {
    const attribute = optionalText(get(`${prefix}.attribute`));
    const filterAttribute = optionalText(get(`${prefix}.filter.attribute`));
    return {
      source,
      aggregate,
      ...(attribute ? { attribute } : {}),
      ...(filterAttribute
        ? { filter: { attribute: filterAttribute, op: get(`${prefix}.filter.op`) || "eq", value: comparisonValue(get(`${prefix}.filter.value`)) } }
        : {}),
    };
  }
  const filter: Record<string, unknown> = {};
  for (const key of ["type", "channel", "campaign"] as const) {
    const v = optionalText(get(`${prefix}.filter.${key}`));
    if (v !== undefined) filter[key] = v;
  }
  for (const key of ["minValue", "maxValue"] as const) {
    const v = numberOrText(get(`${prefix}.filter.${key}`));
    if (v !== undefined) filter[key] = v;
  }
  return { source, aggregate, filter };
}

/**
 * The spec from the form. Deliberately untyped on the way out (`unknown`): it is user input,
 * which the server validates with ZCustomKpiSpec.
 */
export function specFromForm(get: Get): unknown {
  return get("spec.kind") === "ratio"
    ? { kind: "ratio", numerator: measureFrom(get, "spec.numerator"), denominator: measureFrom(get, "spec.denominator") }
    : { kind: "aggregate", measure: measureFrom(get, "spec.measure") };
}

/** The form's initial values for an existing spec (for editing), keyed by input name. */
export function formValuesOf(spec: CustomKpiSpec | null): Record<string, string> {
  const out: Record<string, string> = { "spec.kind": spec?.kind ?? "aggregate" };
  if (!spec) return out;
  const measures = spec.kind === "aggregate" ? { "spec.measure": spec.measure } : { "spec.numerator": spec.numerator, "spec.denominator": spec.denominator };
  for (const [prefix, m] of Object.entries(measures)) {
    out[`${prefix}.source`] = m.source;
    out[`${prefix}.aggregate`] = m.aggregate;
    if (m.source === "events") {
      for (const [k, v] of Object.entries(m.filter ?? {})) if (v !== undefined) out[`${prefix}.filter.${k}`] = String(v);
    } else {
      if (m.attribute) out[`${prefix}.attribute`] = m.attribute;
      if (m.filter) {
        out[`${prefix}.filter.attribute`] = m.filter.attribute;
        out[`${prefix}.filter.op`] = m.filter.op;
        out[`${prefix}.filter.value`] = String(m.filter.value);
      }
    }
  }
  return out;
}

/** A spec in one line for the KPI list: "sum of value of 'purchase' events ÷ count of customers". */
export function describeSpec(spec: CustomKpiSpec): string {
  const one = (m: KpiMeasure): string => {
    if (m.source === "events") {
      const f = m.filter ?? {};
      const what = f.type ? `'${f.type}' events` : "events";
      const extra = [
        f.channel ? `channel ${f.channel}` : null,
        f.campaign ? `campaign ${f.campaign}` : null,
        f.minValue !== undefined ? `value ≥ ${f.minValue}` : null,
        f.maxValue !== undefined ? `value ≤ ${f.maxValue}` : null,
      ].filter(Boolean);
      const agg = m.aggregate === "distinct" ? "customers with" : m.aggregate === "count" ? "count of" : `${m.aggregate} of the value of`;
      return `${agg} ${what}${extra.length ? ` (${extra.join(", ")})` : ""}`;
    }
    const agg = m.aggregate === "count" ? "count of customers" : `${m.aggregate} of ${m.attribute} over customers`;
    return m.filter ? `${agg} where ${m.filter.attribute} ${OPS[m.filter.op]} ${String(m.filter.value)}` : agg;
  };
  return spec.kind === "aggregate" ? one(spec.measure) : `${one(spec.numerator)} ÷ ${one(spec.denominator)}`;
}

export const OPS = { eq: "=", neq: "≠", gt: ">", gte: "≥", lt: "<", lte: "≤" } as const;
