import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { COST_SCOPES, costToServe, customers, segments } from "../../../db/schema";
import { CsvError, CsvParser, type CsvRecord } from "../../lib/csv-reader";
import { invalid, notFound } from "../../errors";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";

/**
 * Cost to serve (decision 015): an amount per customer or per segment and period, entered in
 * the UI or imported from CSV. One amount per customer (segment) and period: a later entry or
 * import replaces it.
 */

const ZIsoDate = z.iso.date({ message: "must be a date such as 2026-01-31" });

export const ZCostEntryInput = z
  .object({
    scope: z.enum(COST_SCOPES, { message: "must be customer or segment" }),
    customerExternalId: z.string().trim().min(1, "name the customer").max(200).optional(),
    segmentId: z.uuid({ message: "choose a segment" }).optional(),
    periodStart: ZIsoDate,
    periodEnd: ZIsoDate,
    amount: z.number({ message: "must be a number" }).min(0, "must be 0 or more").max(1e12, "is too large"),
  })
  .superRefine((v, ctx) => {
    if (v.periodEnd < v.periodStart) ctx.addIssue({ code: "custom", path: ["periodEnd"], message: "must be on or after the start date" });
    if (v.scope === "customer" && !v.customerExternalId) ctx.addIssue({ code: "custom", path: ["customerExternalId"], message: "name the customer" });
    if (v.scope === "segment" && !v.segmentId) ctx.addIssue({ code: "custom", path: ["segmentId"], message: "choose a segment" });
  });

export const ZCostIdInput = z.object({ costId: z.uuid({ message: "is not a cost id" }) });

export const ZListCostsInput = z.object({
  scope: z.enum(COST_SCOPES).optional(),
  limit: z.number().int().min(1).max(10_000).default(500),
});

/** 2 MB of CSV text (the largest form post the pages accept): about 40,000 rows of customer costs. */
const MAX_CSV_CHARS = 2_000_000;
export const ZImportCostsInput = z.object({
  fileName: z.string().trim().max(200).default("costs.csv"),
  csv: z.string().min(1, "the file is empty").max(MAX_CSV_CHARS, "the file is larger than 2 MB: split it into several files"),
});

export const COST_CSV_COLUMNS = ["customer_id or segment", "period_start", "period_end", "amount"] as const;

interface CostValue {
  scope: "customer" | "segment";
  customerId: string | null;
  segmentId: string | null;
  periodStart: string;
  periodEnd: string;
  amount: number;
}

async function upsertCosts(tx: Tx, scope: TenantScope, rows: CostValue[], source: "import" | "manual"): Promise<void> {
  const now = new Date();
  const values = rows.map((r) => ({ ...r, tenantId: scope.tenantId, source, createdBy: scope.actor.userId, updatedAt: now }));
  const set = { amount: sql`excluded.amount`, source: sql`excluded.source`, createdBy: sql`excluded.created_by`, updatedAt: sql`excluded.updated_at` };
  const customerRows = values.filter((v) => v.customerId !== null);
  const segmentRows = values.filter((v) => v.segmentId !== null);
  const CHUNK = 2_000;
  for (let i = 0; i < customerRows.length; i += CHUNK) {
    await tx
      .insert(costToServe)
      .values(customerRows.slice(i, i + CHUNK))
      .onConflictDoUpdate({
        target: [costToServe.tenantId, costToServe.customerId, costToServe.periodStart, costToServe.periodEnd],
        targetWhere: sql`customer_id is not null`,
        set,
      });
  }
  for (let i = 0; i < segmentRows.length; i += CHUNK) {
    await tx
      .insert(costToServe)
      .values(segmentRows.slice(i, i + CHUNK))
      .onConflictDoUpdate({
        target: [costToServe.tenantId, costToServe.segmentId, costToServe.periodStart, costToServe.periodEnd],
        targetWhere: sql`segment_id is not null`,
        set,
      });
  }
}

export async function listCosts(scope: TenantScope, input: z.input<typeof ZListCostsInput> = {}) {
  const { scope: costScope, limit } = ZListCostsInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const rows = await tx
      .select({
        id: costToServe.id,
        scope: costToServe.scope,
        customerExternalId: customers.externalId,
        segmentId: costToServe.segmentId,
        segmentName: segments.name,
        periodStart: costToServe.periodStart,
        periodEnd: costToServe.periodEnd,
        amount: costToServe.amount,
        source: costToServe.source,
        updatedAt: costToServe.updatedAt,
      })
      .from(costToServe)
      .leftJoin(customers, and(eq(customers.tenantId, costToServe.tenantId), eq(customers.id, costToServe.customerId)))
      .leftJoin(segments, and(eq(segments.tenantId, costToServe.tenantId), eq(segments.id, costToServe.segmentId)))
      .where(and(eq(costToServe.tenantId, scope.tenantId), costScope ? eq(costToServe.scope, costScope) : undefined))
      .orderBy(desc(costToServe.periodStart), asc(costToServe.scope), asc(segments.name), asc(customers.externalId))
      .limit(limit);
    const [totals] = await tx
      .select({ count: sql<number>`count(*)::int`, amount: sql<number>`coalesce(sum(${costToServe.amount}), 0)::float8` })
      .from(costToServe)
      .where(and(eq(costToServe.tenantId, scope.tenantId), costScope ? eq(costToServe.scope, costScope) : undefined));
    return { rows, total: totals.count, totalAmount: totals.amount };
  });
}

export async function setCost(scope: TenantScope, input: z.input<typeof ZCostEntryInput>) {
  const v = ZCostEntryInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    let customerId: string | null = null;
    let segmentId: string | null = null;
    if (v.scope === "customer") {
      const [c] = await tx
        .select({ id: customers.id })
        .from(customers)
        .where(and(eq(customers.tenantId, scope.tenantId), eq(customers.externalId, v.customerExternalId ?? "")));
      if (!c) throw invalid(`No customer has the id '${v.customerExternalId}' in this workspace.`, { field: "customerExternalId" });
      customerId = c.id;
    } else {
      const [s] = await tx
        .select({ id: segments.id })
        .from(segments)
        .where(and(eq(segments.tenantId, scope.tenantId), eq(segments.id, v.segmentId ?? "")));
      if (!s) throw notFound("The segment");
      segmentId = s.id;
    }
    const row: CostValue = { scope: v.scope, customerId, segmentId, periodStart: v.periodStart, periodEnd: v.periodEnd, amount: v.amount };
    await upsertCosts(tx, scope, [row], "manual");
    await appendAudit(tx, scope, { action: "cost.set", objectType: "cost_to_serve", objectId: customerId ?? segmentId, after: { ...v } });
    return { saved: true as const };
  });
}

export async function deleteCost(scope: TenantScope, input: z.input<typeof ZCostIdInput>) {
  const { costId } = ZCostIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const [row] = await tx
      .delete(costToServe)
      .where(and(eq(costToServe.tenantId, scope.tenantId), eq(costToServe.id, costId)))
      .returning();
    if (!row) throw notFound("The cost entry");
    await appendAudit(tx, scope, { action: "cost.delete", objectType: "cost_to_serve", objectId: costId, before: row });
    return { deleted: true as const };
  });
}

export interface CostImportError {
  line: number;
  column: string;
  reason: string;
  value: string | null;
  message: string;
}

function parseCsv(text: string): CsvRecord[] {
  const parser = new CsvParser({ checkFieldCount: false });
  const out: CsvRecord[] = [];
  try {
    parser.push(text.replace(/^\uFEFF/, ""), out);
    parser.end(out);
  } catch (error) {
    if (error instanceof CsvError) throw invalid(`The file is not valid CSV: line ${error.line}: ${error.reason}.`);
    throw error;
  }
  return out;
}

/**
 * Imports costs from CSV: a header with `customer_id` (the customer's id in your data) or
 * `segment` (a segment's name) or both, and `period_start`, `period_end` (YYYY-MM-DD) and
 * `amount`. Each row names one customer or one segment. Bad rows are listed with their line,
 * column and reason; every good row is saved (later rows for the same customer or segment and
 * period replace earlier ones), in one transaction with its audit entry.
 */
export async function importCosts(scope: TenantScope, input: z.input<typeof ZImportCostsInput>) {
  const { csv, fileName } = ZImportCostsInput.parse(input);
  const records = parseCsv(csv);
  if (records.length === 0) throw invalid("The file is empty: it needs a header and at least one row.");
  const [header, ...body] = records;
  const names = header.values.map((v) => v.trim().toLowerCase());
  const col = (name: string) => names.indexOf(name);
  const iCustomer = col("customer_id");
  const iSegment = col("segment");
  const missing = ["period_start", "period_end", "amount"].filter((c) => col(c) < 0);
  if (iCustomer < 0 && iSegment < 0) missing.unshift("customer_id or segment");
  if (missing.length) {
    throw invalid(`Line ${header.line}: the header needs the column${missing.length > 1 ? "s" : ""} ${missing.map((m) => `'${m}'`).join(", ")} (it has: ${header.values.join(", ")}).`);
  }
  const iStart = col("period_start");
  const iEnd = col("period_end");
  const iAmount = col("amount");

  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const customerIds = new Map<string, string>();
    const wantedCustomers = iCustomer >= 0 ? [...new Set(body.map((r) => (r.values[iCustomer] ?? "").trim()).filter(Boolean))] : [];
    for (let i = 0; i < wantedCustomers.length; i += 10_000) {
      const found = await tx
        .select({ id: customers.id, externalId: customers.externalId })
        .from(customers)
        .where(and(eq(customers.tenantId, scope.tenantId), inArray(customers.externalId, wantedCustomers.slice(i, i + 10_000))));
      for (const f of found) customerIds.set(f.externalId, f.id);
    }
    const segmentIds = new Map<string, string>();
    if (iSegment >= 0) {
      const all = await tx.select({ id: segments.id, name: segments.name }).from(segments).where(eq(segments.tenantId, scope.tenantId));
      for (const s of all) segmentIds.set(s.name.trim().toLowerCase(), s.id);
    }

    const errors: CostImportError[] = [];
    const fail = (line: number, column: string, reason: string, value: string | null) =>
      errors.push({ line, column, reason, value, message: `Line ${line}: '${column}' ${reason}${value !== null ? `, got '${value}'` : ""}` });
    const good = new Map<string, CostValue>();
    let replacedInFile = 0;
    for (const record of body) {
      const cell = (i: number) => (i >= 0 ? (record.values[i] ?? "").trim() : "");
      if (record.values.every((v) => v.trim() === "")) continue;
      const customerRef = cell(iCustomer);
      const segmentRef = cell(iSegment);
      const before = errors.length;
      let target: Pick<CostValue, "scope" | "customerId" | "segmentId"> | null = null;
      if (customerRef && segmentRef) fail(record.line, "customer_id", "and 'segment' are both filled: a row is for one customer or one segment", null);
      else if (!customerRef && !segmentRef) fail(record.line, iCustomer >= 0 ? "customer_id" : "segment", "is empty: name a customer or a segment", null);
      else if (customerRef) {
        const id = customerIds.get(customerRef);
        if (!id) fail(record.line, "customer_id", "is not a customer of this workspace", customerRef);
        else target = { scope: "customer", customerId: id, segmentId: null };
      } else {
        const id = segmentIds.get(segmentRef.toLowerCase());
        if (!id) fail(record.line, "segment", "is not a segment of this workspace", segmentRef);
        else target = { scope: "segment", customerId: null, segmentId: id };
      }
      const start = cell(iStart);
      const end = cell(iEnd);
      const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
      if (!isDate(start)) fail(record.line, "period_start", "must be a date such as 2026-01-31", start);
      if (!isDate(end)) fail(record.line, "period_end", "must be a date such as 2026-01-31", end);
      else if (isDate(start) && end < start) fail(record.line, "period_end", `must be on or after period_start (${start})`, end);
      const amountText = cell(iAmount);
      const amount = amountText === "" ? Number.NaN : Number(amountText);
      if (!Number.isFinite(amount)) fail(record.line, "amount", "must be a number", amountText);
      else if (amount < 0) fail(record.line, "amount", "must be 0 or more", amountText);
      if (errors.length > before || !target) continue;
      const key = `${target.customerId ?? target.segmentId}|${start}|${end}`;
      if (good.has(key)) replacedInFile++;
      good.set(key, { ...target, periodStart: start, periodEnd: end, amount });
    }
    const rows = [...good.values()];
    await upsertCosts(tx, scope, rows, "import");
    const summary = { fileName, rowsRead: body.length, imported: rows.length, replacedInFile, failed: errors.length };
    await appendAudit(tx, scope, { action: "cost.import", objectType: "cost_to_serve", after: summary });
    return { ...summary, errors: errors.slice(0, 1_000), moreErrors: Math.max(0, errors.length - 1_000) };
  });
}
