import type { ImportKind } from "../../../db/schema";
import type { CsvRecord } from "../../lib/csv-reader";
import type { Mapping } from "./mapping";
import { normaliseEmail, normaliseExternalId, normalisePhone, parseBoolean, parseDate, parseNumber, type Parsed } from "./values";

export interface RowError {
  line: number;
  column: string;
  reason: string;
  value: string | null;
}

export type Converted = { ok: true; row: unknown[] } | { ok: false; errors: RowError[] };

/** The transaction-scoped staging table of an import (dropped at commit) and its bulk insert. */
interface Staging {
  create: string;
  insert: string;
  columnsOf(rows: unknown[][]): unknown[][];
}

function staging(columns: [string, string][]): Staging {
  return {
    create: `create temp table import_rows (${columns.map(([n, t]) => `${n} ${t}`).join(", ")}) on commit drop`,
    insert: `insert into import_rows select * from unnest(${columns.map(([, t], i) => `$${i + 1}::${t}[]`).join(", ")})`,
    columnsOf: (rows) => columns.map((_, i) => rows.map((r) => r[i])),
  };
}

export const STAGING: Record<ImportKind, Staging> = {
  transactions: staging([
    ["line", "int"],
    ["transaction_id", "text"],
    ["customer_external_id", "text"],
    ["invoice_no", "text"],
    ["stock_code", "text"],
    ["description", "text"],
    ["quantity", "numeric"],
    ["unit_price", "numeric"],
    ["occurred_at", "timestamptz"],
    ["country", "text"],
  ]),
  events: staging([
    ["line", "int"],
    ["event_id", "text"],
    ["customer_external_id", "text"],
    ["type", "text"],
    ["occurred_at", "timestamptz"],
    ["value", "float8"],
    ["channel", "text"],
    ["campaign", "text"],
  ]),
  customers: staging([
    ["line", "int"],
    ["external_id", "text"],
    ["name", "text"],
    ["email", "text"],
    ["email_norm", "text"],
    ["phone", "text"],
    ["phone_norm", "text"],
    ["region", "text"],
    ["opted_out", "boolean"],
    ["attributes", "jsonb"],
  ]),
};

const REQUIRED = new Set(["external_id", "invoice_no", "occurred_at", "quantity", "unit_price", "type"]);

/**
 * A function from a CSV record to a staging row, or to the reasons it cannot be imported: one
 * per bad cell, naming the column as the file names it.
 */
export function rowConverter(kind: ImportKind, header: string[], mapping: Mapping) {
  const index = new Map(header.map((h, i) => [h, i]));
  const fieldColumn = new Map<string, { column: string; i: number }>();
  const attributes: { column: string; i: number; key: string; type: string }[] = [];
  for (const c of mapping.columns) {
    const i = index.get(c.column);
    if (i === undefined) continue;
    if (c.field === "attribute" && c.attribute) attributes.push({ column: c.column, i, key: c.attribute.key, type: c.attribute.type });
    else if (c.field !== "ignore") fieldColumn.set(c.field, { column: c.column, i });
  }

  return (record: CsvRecord): Converted => {
    const { line, values } = record;
    if (values.length !== header.length) {
      return {
        ok: false,
        errors: [{ line, column: "*", reason: `expected ${header.length} fields (as in the header), found ${values.length}`, value: null }],
      };
    }
    const errors: RowError[] = [];
    const cell = (field: string): string | null => {
      const at = fieldColumn.get(field);
      if (!at) return null;
      const raw = values[at.i];
      if (raw.includes("\uFFFD")) {
        errors.push({ line, column: at.column, reason: "contains bytes that are not valid UTF-8 text", value: raw });
        return null;
      }
      const text = raw.trim();
      if (text === "") {
        if (REQUIRED.has(field)) errors.push({ line, column: at.column, reason: "is empty, but every row needs a value here", value: "" });
        return null;
      }
      return text;
    };
    const typed = <T>(field: string, parse: (raw: string) => Parsed<T>): T | null => {
      const text = cell(field);
      if (text === null) return null;
      const result = parse(text);
      if (result.ok) return result.value;
      errors.push({ line, column: fieldColumn.get(field)!.column, reason: result.reason, value: text });
      return null;
    };

    if (kind === "transactions") {
      const customer = cell("customer_id");
      const row = [
        line,
        cell("transaction_id"),
        customer === null ? null : normaliseExternalId(customer),
        cell("invoice_no"),
        cell("stock_code"),
        cell("description"),
        typed("quantity", parseNumber),
        typed("unit_price", parseNumber),
        typed("occurred_at", parseDate)?.toISOString() ?? null,
        cell("country"),
      ];
      return errors.length ? { ok: false, errors } : { ok: true, row };
    }

    if (kind === "events") {
      const customer = cell("customer_id");
      const type = cell("type");
      const value = typed("value", parseNumber);
      // NPS answers are on the 0–10 scale; anything else would distort the score.
      if (type === "nps_response") {
        const at = fieldColumn.get("value");
        if (!at) errors.push({ line, column: "*", reason: "an nps_response needs a value (0–10), but no column is mapped to Value", value: null });
        else if (value === null && values[at.i].trim() === "") errors.push({ line, column: at.column, reason: "an nps_response needs a value from 0 to 10", value: "" });
        else if (value !== null && !(Number.isInteger(value) && value >= 0 && value <= 10)) {
          errors.push({ line, column: at.column, reason: "an nps_response must be a whole number from 0 to 10", value: values[at.i].trim() });
        }
      }
      const row = [
        line,
        cell("event_id"),
        customer === null ? null : normaliseExternalId(customer),
        type,
        typed("occurred_at", parseDate)?.toISOString() ?? null,
        value,
        cell("channel"),
        cell("campaign"),
      ];
      return errors.length ? { ok: false, errors } : { ok: true, row };
    }

    const externalId = cell("external_id");
    const email = cell("email");
    const phone = cell("phone");
    const emailNorm = email === null ? null : normaliseEmail(email);
    const phoneNorm = phone === null ? null : normalisePhone(phone);
    if (emailNorm && !emailNorm.ok) errors.push({ line, column: fieldColumn.get("email")!.column, reason: emailNorm.reason, value: email });
    if (phoneNorm && !phoneNorm.ok) errors.push({ line, column: fieldColumn.get("phone")!.column, reason: phoneNorm.reason, value: phone });
    const attrs: Record<string, string | number | boolean> = {};
    for (const a of attributes) {
      const raw = values[a.i];
      if (raw.includes("\uFFFD")) {
        errors.push({ line, column: a.column, reason: "contains bytes that are not valid UTF-8 text", value: raw });
        continue;
      }
      const text = raw.trim();
      if (text === "") continue;
      const parsed: Parsed<string | number | boolean> =
        a.type === "number"
          ? parseNumber(text)
          : a.type === "date"
            ? (() => {
                const d = parseDate(text);
                return d.ok ? { ok: true, value: d.value.toISOString() } : d;
              })()
            : a.type === "boolean"
              ? parseBoolean(text)
              : { ok: true, value: text };
      if (parsed.ok) attrs[a.key] = parsed.value;
      else errors.push({ line, column: a.column, reason: parsed.reason, value: text });
    }
    const optedOut = typed("opted_out", parseBoolean);
    const row = [
      line,
      externalId === null ? null : normaliseExternalId(externalId),
      cell("name"),
      email,
      emailNorm?.ok ? emailNorm.value : null,
      phone,
      phoneNorm?.ok ? phoneNorm.value : null,
      cell("region"),
      optedOut,
      JSON.stringify(attrs),
    ];
    return errors.length ? { ok: false, errors } : { ok: true, row };
  };
}
