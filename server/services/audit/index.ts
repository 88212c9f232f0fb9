import { and, asc, desc, eq, gt, gte, ilike, lt, lte, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Database, Tx } from "../../../db/client";
import { auditLog } from "../../../db/schema";
import type { Actor, TenantScope } from "../scope";
import { entryHash, GENESIS_HASH } from "./chain";

export interface AuditInput {
  action: string;
  objectType: string;
  objectId?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditContext {
  tenantId: string;
  actor: Actor | null;
  requestId?: string;
}

/** Arbitrary constant: first key of the per-tenant lock that orders audit appends (tests hold it to stop a write just before its audit entry). */
export const AUDIT_LOCK_CLASS = 727_002;

/**
 * Appends one entry to the tenant's hash chain, inside the caller's transaction, so that the
 * entry exists if and only if the change it records does.
 */
export async function appendAudit(tx: Tx, ctx: AuditContext, input: AuditInput): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_CLASS}, hashtext(${ctx.tenantId}))`);
  const [last] = await tx
    .select({ seq: auditLog.seq, hash: auditLog.hash })
    .from(auditLog)
    .where(eq(auditLog.tenantId, ctx.tenantId))
    .orderBy(desc(auditLog.seq))
    .limit(1);
  const entry = {
    tenantId: ctx.tenantId,
    seq: (last?.seq ?? 0) + 1,
    at: new Date(),
    actorId: ctx.actor?.userId ?? null,
    actorLabel: ctx.actor?.label ?? "system",
    action: input.action,
    objectType: input.objectType,
    objectId: input.objectId ?? null,
    changes: JSON.parse(JSON.stringify({ before: input.before, after: input.after })) as Record<string, unknown>,
    requestId: ctx.requestId ?? null,
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  await tx.insert(auditLog).values({ ...entry, prevHash, hash: entryHash(prevHash, entry) });
}

export const ZAuditFilter = z.object({
  actor: z.string().trim().max(200).optional(),
  action: z.string().trim().max(100).optional(),
  objectType: z.string().trim().max(100).optional(),
  objectId: z.string().trim().max(200).optional(),
  from: z.coerce.date({ message: "must be a date such as 2026-01-31" }).optional(),
  to: z.coerce.date({ message: "must be a date such as 2026-01-31" }).optional(),
});
export type AuditFilter = z.infer<typeof ZAuditFilter>;

export const ZAuditListInput = ZAuditFilter.extend({
  beforeSeq: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type AuditListInput = z.input<typeof ZAuditListInput>;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function filterConditions(tenantId: string, f: AuditFilter): SQL[] {
  const conditions: SQL[] = [eq(auditLog.tenantId, tenantId)];
  if (f.actor) conditions.push(ilike(auditLog.actorLabel, `%${escapeLike(f.actor)}%`));
  if (f.action) conditions.push(ilike(auditLog.action, `${escapeLike(f.action)}%`));
  if (f.objectType) conditions.push(eq(auditLog.objectType, f.objectType));
  if (f.objectId) conditions.push(eq(auditLog.objectId, f.objectId));
  if (f.from) conditions.push(gte(auditLog.at, f.from));
  if (f.to) conditions.push(lte(auditLog.at, f.to));
  return conditions;
}

export type AuditEntry = typeof auditLog.$inferSelect;

async function queryAudit(scope: TenantScope, f: AuditFilter, beforeSeq: number | undefined, limit: number) {
  const conditions = filterConditions(scope.tenantId, f);
  if (beforeSeq) conditions.push(lt(auditLog.seq, beforeSeq));
  const rows = await scope.db.withTenant(scope.tenantId, (tx) =>
    tx
      .select()
      .from(auditLog)
      .where(and(...conditions))
      .orderBy(desc(auditLog.seq))
      .limit(limit + 1),
  );
  const entries = rows.slice(0, limit);
  return { entries, nextBeforeSeq: rows.length > limit ? entries[entries.length - 1].seq : null };
}

/** Newest first, filtered, paged by sequence number. */
export async function listAudit(scope: TenantScope, input: AuditListInput) {
  const f = ZAuditListInput.parse(input);
  return queryAudit(scope, f, f.beforeSeq, f.limit);
}

/** The distinct actions recorded so far, for the filter's suggestions. */
export async function listAuditActions(scope: TenantScope): Promise<string[]> {
  const rows = await scope.db.withTenant(scope.tenantId, (tx) =>
    tx.selectDistinct({ action: auditLog.action }).from(auditLog).where(eq(auditLog.tenantId, scope.tenantId)).orderBy(asc(auditLog.action)),
  );
  return rows.map((r) => r.action);
}

export const AUDIT_CSV_HEADER = ["seq", "at", "actor", "action", "object_type", "object_id", "changes", "request_id", "hash"];

/** Filtered entries, newest first, in batches: for a streamed CSV export of any size. */
export async function* auditExportRows(scope: TenantScope, filter: AuditFilter, batchSize = 1000) {
  let beforeSeq: number | undefined;
  for (;;) {
    const { entries, nextBeforeSeq } = await queryAudit(scope, filter, beforeSeq, batchSize);
    for (const e of entries) {
      yield [e.seq, e.at, e.actorLabel, e.action, e.objectType, e.objectId, e.changes, e.requestId, e.hash];
    }
    if (nextBeforeSeq === null) return;
    beforeSeq = nextBeforeSeq;
  }
}

export type ChainVerdict =
  | { intact: true; entries: number; lastHash: string }
  | { intact: false; entries: number; brokenAtSeq: number; reason: string };

/**
 * Walks the tenant's chain from the first entry and reports the first entry whose sequence,
 * link or content hash does not hold.
 */
export async function verifyAuditChain(db: Database, tenantId: string, batchSize = 2000): Promise<ChainVerdict> {
  return db.withTenant(
    tenantId,
    async (tx) => {
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    for (;;) {
      const rows = await tx
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.tenantId, tenantId), gt(auditLog.seq, expectedSeq - 1)))
        .orderBy(asc(auditLog.seq))
        .limit(batchSize);
      for (const row of rows) {
        const seq = row.seq;
        if (seq !== expectedSeq) {
          return { intact: false, entries: expectedSeq - 1, brokenAtSeq: expectedSeq, reason: `entry ${expectedSeq} is missing` };
        }
        if (row.prevHash !== prevHash) {
          return { intact: false, entries: seq - 1, brokenAtSeq: seq, reason: `entry ${seq} does not link to entry ${seq - 1}` };
        }
        if (entryHash(prevHash, row) !== row.hash) {
          return { intact: false, entries: seq - 1, brokenAtSeq: seq, reason: `entry ${seq} was altered after it was written` };
        }
        prevHash = row.hash;
        expectedSeq++;
      }
      if (rows.length < batchSize) return { intact: true, entries: expectedSeq - 1, lastHash: prevHash };
    }
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}
