import { sql, type SQL } from "drizzle-orm";
import type { Tx } from "../../../db/client";
import type { ImportKind } from "../../../db/schema";
import type { Mapping } from "./mapping";
import { profileRows, type QualityColumn, type QualityReport } from "./quality";

const FROM = sql.raw("import_rows r");

async function count(tx: Tx, where: SQL): Promise<number> {
  const result = await tx.execute<{ n: string }>(sql`select count(*) as n from ${FROM} where ${where}`);
  return Number(result.rows[0].n);
}

function mapped(mapping: Mapping, field: string): string | null {
  return mapping.columns.find((c) => c.field === field)?.column ?? null;
}

/**
 * The data-quality report of one import, over its staged valid rows (`import_rows`): profiles
 * of every mapped column, duplicates, and the out-of-range and inconsistent values of its kind.
 */
export async function buildQualityReport(
  tx: Tx,
  kind: ImportKind,
  mapping: Mapping,
  options: { maxMissingShare: number; rowsRead: number; rowsFailed: number },
): Promise<QualityReport & { rowsRead: number; rowsFailed: number }> {
  const now = new Date();
  const columns: QualityColumn[] = [];
  const add = (field: string, type: QualityColumn["type"], expr: SQL) => {
    const column = mapped(mapping, field);
    if (column) columns.push({ name: column, type, expr });
  };
  const checks: QualityReport["checks"] = [];
  let duplicateRows = 0;
  let duplicateKeys = 0;

  if (kind === "transactions") {
    add("customer_id", "text", sql`r.customer_external_id`);
    add("invoice_no", "text", sql`r.invoice_no`);
    add("stock_code", "text", sql`r.stock_code`);
    add("quantity", "number", sql`r.quantity`);
    add("unit_price", "number", sql`r.unit_price`);
    columns.push({ name: "Amount (quantity × unit price)", type: "number", expr: sql`(r.quantity * r.unit_price)` });
    add("occurred_at", "date", sql`r.occurred_at`);
    add("country", "category", sql`r.country`);
    const dup = await tx.execute<{ rows: string; keys: string }>(sql`
      select (select count(*) from keyed_rows where occurrence > 1) as rows,
             (select count(transaction_id) - (select count(*) from (select transaction_id from import_rows where transaction_id is not null group by 1) k)
              from import_rows) as keys`);
    duplicateRows = Number(dup.rows[0].rows);
    duplicateKeys = Number(dup.rows[0].keys);
    checks.push(
      { id: "duplicate_rows", label: "Rows identical to an earlier row (kept, as separate lines)", count: duplicateRows, severity: "warning" },
      { id: "duplicate_keys", label: "Transaction ids used more than once (the first is kept)", count: duplicateKeys, severity: "error" },
      { id: "no_customer", label: "Rows without a customer id (left out of customer features)", count: await count(tx, sql`r.customer_external_id is null`), severity: "info" },
      { id: "cancelled", label: "Cancellations (invoice number starting with C)", count: await count(tx, sql`r.invoice_no like 'C%'`), severity: "info" },
      { id: "negative_quantity", label: "Zero or negative quantities", count: await count(tx, sql`r.quantity <= 0`), severity: "warning" },
      { id: "non_positive_price", label: "Zero or negative unit prices", count: await count(tx, sql`r.unit_price <= 0`), severity: "warning" },
      { id: "future_dates", label: "Dates in the future", count: await count(tx, sql`r.occurred_at > ${now.toISOString()}::timestamptz`), severity: "error" },
    );
  } else if (kind === "events") {
    add("customer_id", "text", sql`r.customer_external_id`);
    add("type", "category", sql`r.type`);
    add("occurred_at", "date", sql`r.occurred_at`);
    add("value", "number", sql`r.value`);
    add("channel", "category", sql`r.channel`);
    add("campaign", "category", sql`r.campaign`);
    const dup = await tx.execute<{ rows: string; keys: string }>(sql`
      select (select count(*) from keyed_rows where occurrence > 1) as rows,
             (select count(event_id) - (select count(*) from (select event_id from import_rows where event_id is not null group by 1) k)
              from import_rows) as keys`);
    duplicateRows = Number(dup.rows[0].rows);
    duplicateKeys = Number(dup.rows[0].keys);
    checks.push(
      { id: "duplicate_rows", label: "Rows identical to an earlier row (kept, as separate events)", count: duplicateRows, severity: "warning" },
      { id: "duplicate_keys", label: "Event ids used more than once (the first is kept)", count: duplicateKeys, severity: "error" },
      { id: "no_customer", label: "Events without a customer id (left out of segment KPIs)", count: await count(tx, sql`r.customer_external_id is null`), severity: "info" },
      { id: "future_dates", label: "Dates in the future", count: await count(tx, sql`r.occurred_at > ${now.toISOString()}::timestamptz`), severity: "error" },
    );
  } else {
    add("external_id", "text", sql`r.external_id`);
    add("name", "text", sql`r.name`);
    add("email", "text", sql`r.email_norm`);
    add("phone", "text", sql`r.phone_norm`);
    add("region", "category", sql`r.region`);
    add("opted_out", "boolean", sql`r.opted_out`);
    for (const c of mapping.columns) {
      if (c.field !== "attribute" || !c.attribute) continue;
      const key = c.attribute.key;
      const type = c.attribute.type;
      const expr = type === "number" ? sql`(r.attributes->>${key})::float8` : type === "date" ? sql`(r.attributes->>${key})::timestamptz` : sql`(r.attributes->>${key})`;
      columns.push({ name: c.column, type: type === "boolean" ? "boolean" : type, expr });
    }
    const dup = await tx.execute<{ keys: string; emails: string; phones: string }>(sql`
      select (select count(*) - count(distinct external_id) from import_rows) as keys,
             (select count(email_norm) - count(distinct email_norm) from import_rows) as emails,
             (select count(phone_norm) - count(distinct phone_norm) from import_rows) as phones`);
    duplicateKeys = Number(dup.rows[0].keys);
    checks.push(
      { id: "duplicate_keys", label: "Customer ids repeated in the file (the last row wins)", count: duplicateKeys, severity: "warning" },
      { id: "shared_email", label: "Rows sharing an email with another row (merged by identity resolution)", count: Number(dup.rows[0].emails), severity: "info" },
      { id: "shared_phone", label: "Rows sharing a phone with another row (merged by identity resolution)", count: Number(dup.rows[0].phones), severity: "info" },
      { id: "opted_out", label: "Customers who opted out (kept, never targeted)", count: await count(tx, sql`r.opted_out`), severity: "info" },
    );
  }
  checks.unshift({ id: "invalid_rows", label: "Rows not imported (see the error report)", count: options.rowsFailed, severity: options.rowsFailed ? "error" : "info" });
  const profile = await profileRows(tx, FROM, columns, { maxMissingShare: options.maxMissingShare, now });
  for (const c of profile.columns) {
    if (c.number && (c.number.iqrOutliers || c.number.robustZOutliers)) {
      checks.push({
        id: `outliers:${c.name}`,
        label: `${c.name}: outliers (flagged, not removed): ${c.number.iqrOutliers} by IQR fences, ${c.number.robustZOutliers} by robust z-score > 3.5`,
        count: c.number.outliers,
        severity: "info",
      });
    }
    if (c.blocksModelling) {
      checks.push({
        id: `missing:${c.name}`,
        label: `${c.name}: ${(c.missingShare * 100).toFixed(1)}% missing, over the ${(options.maxMissingShare * 100).toFixed(0)}% limit for modelling`,
        count: c.missing,
        severity: "warning",
      });
    }
  }
  return {
    ...profile,
    rowsRead: options.rowsRead,
    rowsFailed: options.rowsFailed,
    duplicateRows,
    duplicateKeys,
    checks,
    thresholds: { maxMissingShare: options.maxMissingShare },
    generatedAt: now.toISOString(),
  };
}
