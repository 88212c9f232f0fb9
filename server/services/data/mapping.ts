import { z } from "zod";
import { ATTRIBUTE_TYPES, SENSITIVITIES, type AttributeType, type ImportKind, type Sensitivity } from "../../../db/schema";
import { parseBoolean, parseDate, parseNumber } from "./values";

/** The fields a column can feed, per kind of file, and which of them a file must provide. */
export const FIELDS = {
  customers: ["external_id", "name", "email", "phone", "region", "opted_out"],
  transactions: [
    "transaction_id",
    "customer_id",
    "invoice_no",
    "occurred_at",
    "quantity",
    "unit_price",
    "stock_code",
    "description",
    "country",
  ],
  events: ["event_id", "customer_id", "type", "occurred_at", "value", "channel", "campaign"],
} as const satisfies Record<ImportKind, readonly string[]>;

export const REQUIRED_FIELDS: Record<ImportKind, readonly string[]> = {
  customers: ["external_id"],
  transactions: ["invoice_no", "occurred_at", "quantity", "unit_price"],
  events: ["type", "occurred_at"],
};

export const FIELD_LABELS: Record<string, string> = {
  external_id: "Customer id",
  name: "Name",
  email: "Email",
  phone: "Phone",
  region: "Region",
  opted_out: "Opted out (consent)",
  transaction_id: "Transaction id",
  customer_id: "Customer id",
  invoice_no: "Invoice / order number",
  occurred_at: "Date",
  quantity: "Quantity",
  unit_price: "Unit price",
  stock_code: "Product code",
  description: "Description",
  country: "Country",
  event_id: "Event id",
  type: "Event type",
  value: "Value",
  channel: "Channel",
  campaign: "Campaign code",
  attribute: "Custom attribute",
  ignore: "Ignore",
};

const ZAttribute = z.object({
  key: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,62}$/, { message: "must be lower-case letters, digits and _ (starting with a letter)" }),
  label: z.string().trim().min(1).max(80),
  type: z.enum(ATTRIBUTE_TYPES),
  sensitivity: z.enum(SENSITIVITIES),
});

export const ZColumnMapping = z.object({
  column: z.string().max(200),
  field: z.string().max(40),
  attribute: ZAttribute.optional(),
});
export type ColumnMapping = z.infer<typeof ZColumnMapping>;

export const ZMapping = z.object({
  delimiter: z.enum([",", ";", "\t", "|"]).default(","),
  columns: z.array(ZColumnMapping).min(1).max(500),
});
export type Mapping = z.infer<typeof ZMapping>;

/** Checks a mapping against the file's header: every field known, required ones present, none twice. */
export function validateMapping(kind: ImportKind, header: readonly string[], mapping: Mapping): string[] {
  const problems: string[] = [];
  const allowed = new Set<string>([...FIELDS[kind], "ignore", ...(kind === "customers" ? ["attribute"] : [])]);
  const seen = new Map<string, string>();
  const keys = new Set<string>();
  for (const c of mapping.columns) {
    if (!header.includes(c.column)) problems.push(`Column '${c.column}' is not in the file's header.`);
    if (!allowed.has(c.field)) problems.push(`Column '${c.column}': '${c.field}' is not a field of ${kind === "events" ? "an" : "a"} ${kind} file.`);
    if (c.field === "attribute") {
      if (!c.attribute) problems.push(`Column '${c.column}': a custom attribute needs a key, label, type and sensitivity.`);
      else if (keys.has(c.attribute.key)) problems.push(`Attribute key '${c.attribute.key}' is used by two columns.`);
      else keys.add(c.attribute.key);
    } else if (c.field !== "ignore") {
      const other = seen.get(c.field);
      if (other) problems.push(`Columns '${other}' and '${c.column}' both map to ${FIELD_LABELS[c.field]}; choose one.`);
      seen.set(c.field, c.column);
    }
  }
  for (const field of REQUIRED_FIELDS[kind]) {
    if (!seen.has(field)) problems.push(`No column is mapped to ${FIELD_LABELS[field]}, which ${kind === "events" ? "an" : "a"} ${kind} file needs.`);
  }
  return problems;
}

const NAME_HINTS: { pattern: RegExp; customers?: string; transactions?: string; events?: string }[] = [
  { pattern: /^(customer|cust|client|member)[ _-]?(id|no|number|key)$|^customerid$/i, customers: "external_id", transactions: "customer_id", events: "customer_id" },
  { pattern: /^event[ _-]?(id|key)$/i, events: "event_id" },
  { pattern: /^(event[ _-]?)?type$|^kind$/i, events: "type" },
  { pattern: /^(value|score|amount|rating)$/i, events: "value" },
  { pattern: /^channel$|^medium$/i, events: "channel" },
  { pattern: /^campaign([ _-]?(code|id))?$/i, events: "campaign" },
  { pattern: /^(transaction|txn|order[ _-]?line|line)[ _-]?(id|key)$/i, transactions: "transaction_id" },
  { pattern: /^(invoice|order|receipt)[ _-]?(no|number|id)?$/i, transactions: "invoice_no" },
  { pattern: /date|time|timestamp|^occurred/i, transactions: "occurred_at", events: "occurred_at" },
  { pattern: /^(qty|quantity|units)$/i, transactions: "quantity" },
  { pattern: /price|unit[ _-]?cost/i, transactions: "unit_price" },
  { pattern: /^(stock|product|sku|item)[ _-]?(code|id)?$/i, transactions: "stock_code" },
  { pattern: /^description$/i, transactions: "description" },
  { pattern: /^country$/i, transactions: "country" },
  { pattern: /e-?mail/i, customers: "email" },
  { pattern: /phone|mobile|tel(ephone)?$/i, customers: "phone" },
  { pattern: /^(full[ _-]?)?name$/i, customers: "name" },
  { pattern: /^region$|^territory$/i, customers: "region" },
  { pattern: /opt(ed)?[ _-]?out|unsubscribed|consent/i, customers: "opted_out" },
];

const PROTECTED_HINT = /(^|[^a-z])(age|age[ _-]?band|gender|genre|sex|ethnicity|ethnic|race|religion|disability|nationality|marital)([^a-z]|$)/i;
const PII_HINT = /(^|[^a-z])(name|address|street|zip|postcode|birth|birthday|dob|ssn|passport)([^a-z]|$)/i;

export function attributeKey(column: string): string {
  const key = column
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 60);
  return /^[a-z]/.test(key) ? key : `attr_${key || "column"}`;
}

/** The type most of a column's sample values fit; blanks are ignored. */
export function inferType(values: readonly string[]): AttributeType {
  const filled = values.map((v) => v.trim()).filter((v) => v !== "");
  if (filled.length === 0) return "text";
  const share = (ok: (v: string) => boolean) => filled.filter(ok).length / filled.length;
  if (share((v) => parseNumber(v).ok) >= 0.98) return "number";
  if (share((v) => parseDate(v).ok) >= 0.98) return "date";
  if (share((v) => parseBoolean(v).ok && v !== "") === 1 && new Set(filled.map((v) => v.toLowerCase())).size <= 2) return "boolean";
  // A category repeats: few distinct values, each seen more than once on average.
  const distinct = new Set(filled).size;
  if (distinct <= Math.max(12, Math.sqrt(filled.length)) && distinct <= filled.length / 2) return "category";
  return "text";
}

export interface ColumnProfile {
  column: string;
  type: AttributeType;
  examples: string[];
  blanks: number;
}

/**
 * A first mapping for the user to review: field names recognised by their header, other columns
 * kept as custom attributes (customers) or ignored (transactions, events), with a suggested type and
 * sensitivity (protected for gender, age, ethnicity and the like; PII for names and addresses).
 */
export function inferMapping(kind: ImportKind, header: readonly string[], sample: readonly string[][], delimiter: Mapping["delimiter"] = ",") {
  const used = new Set<string>();
  const profiles: ColumnProfile[] = [];
  const columns: ColumnMapping[] = header.map((column, i) => {
    const values = sample.map((row) => row[i] ?? "");
    const type = inferType(values);
    profiles.push({ column, type, examples: [...new Set(values.filter((v) => v.trim()))].slice(0, 3), blanks: values.filter((v) => !v.trim()).length });
    const hint = NAME_HINTS.find((h) => h.pattern.test(column.trim()) && h[kind] && !used.has(h[kind]!));
    if (hint) {
      used.add(hint[kind]!);
      return { column, field: hint[kind]! };
    }
    if (kind !== "customers") return { column, field: "ignore" };
    const sensitivity: Sensitivity = PROTECTED_HINT.test(column) ? "protected" : PII_HINT.test(column) ? "pii" : "plain";
    return { column, field: "attribute", attribute: { key: attributeKey(column), label: column.trim() || "Column", type, sensitivity } };
  });
  return { mapping: { delimiter, columns } satisfies Mapping, profiles };
}
