import { and, eq, isNotNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { customerMerges, customers } from "../../../db/schema";
import { invalid, notFound } from "../../errors";
import { appendAudit, type AuditContext } from "../audit";
import type { TenantScope } from "../scope";
import { compareCustomerIds } from "../../analytics/rfm";
import { recomputeFeatures } from "./features";
import { readDataSettings } from "./settings";

interface Candidate {
  id: string;
  externalId: string;
  emailNorm: string | null;
  phoneNorm: string | null;
  createdAt: Date;
}

/**
 * Groups customers that share a normalised email or phone (transitively: A~B by email and
 * B~C by phone puts A, B and C together). Pairs whose merge was undone stay apart.
 * The survivor of a group is its oldest record (then the first customer id in id order).
 */
export function planMerges(
  candidates: Candidate[],
  undone: ReadonlySet<string>,
): { survivorId: string; mergedId: string; matchedOn: "email" | "phone" }[] {
  const parent = new Map(candidates.map((c) => [c.id, c.id]));
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  const reason = new Map<string, "email" | "phone">();
  const link = (field: "emailNorm" | "phoneNorm", label: "email" | "phone") => {
    const first = new Map<string, string>();
    for (const c of candidates) {
      const key = c[field];
      if (!key) continue;
      const other = first.get(key);
      if (!other) {
        first.set(key, c.id);
        continue;
      }
      if (undone.has(`${other}|${c.id}`) || undone.has(`${c.id}|${other}`)) continue;
      const [a, b] = [find(other), find(c.id)];
      if (a !== b) {
        parent.set(b, a);
        if (!reason.has(c.id)) reason.set(c.id, label);
        if (!reason.has(other)) reason.set(other, label);
      }
    }
  };
  link("emailNorm", "email");
  link("phoneNorm", "phone");
  const groups = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const root = find(c.id);
    groups.set(root, [...(groups.get(root) ?? []), c]);
  }
  const plan: { survivorId: string; mergedId: string; matchedOn: "email" | "phone" }[] = [];
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    members.sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime() || compareCustomerIds(x.externalId, y.externalId));
    const [survivor, ...rest] = members;
    for (const m of rest) plan.push({ survivorId: survivor.id, mergedId: m.id, matchedOn: reason.get(m.id) ?? "email" });
  }
  return plan;
}

/** Merges duplicate customers of the tenant (inside the caller's transaction); returns how many. */
export async function resolveIdentities(tx: Tx, audit: AuditContext): Promise<number> {
  const tenantId = audit.tenantId;
  const rows = await tx.execute<{ id: string; external_id: string; email_norm: string | null; phone_norm: string | null; created_at: Date }>(sql`
    select id, external_id, email_norm, phone_norm, created_at from customers c
    where c.tenant_id = ${tenantId} and c.merged_into is null and (
      c.email_norm in (select email_norm from customers where tenant_id = ${tenantId} and merged_into is null and email_norm is not null
                       group by email_norm having count(*) > 1)
      or c.phone_norm in (select phone_norm from customers where tenant_id = ${tenantId} and merged_into is null and phone_norm is not null
                          group by phone_norm having count(*) > 1))`);
  if (rows.rows.length === 0) return 0;
  const undoneRows = await tx
    .select({ s: customerMerges.survivorId, m: customerMerges.mergedId })
    .from(customerMerges)
    .where(and(eq(customerMerges.tenantId, tenantId), isNotNull(customerMerges.undoneAt)));
  const plan = planMerges(
    rows.rows.map((r) => ({ id: r.id, externalId: r.external_id, emailNorm: r.email_norm, phoneNorm: r.phone_norm, createdAt: new Date(r.created_at) })),
    new Set(undoneRows.map((u) => `${u.s}|${u.m}`)),
  );
  for (const p of plan) {
    await tx
      .update(customers)
      .set({ mergedInto: p.survivorId, updatedAt: new Date() })
      .where(and(eq(customers.tenantId, tenantId), eq(customers.id, p.mergedId)));
    // Records merged into the one now merged follow it to the new survivor (one level, always).
    await tx
      .update(customers)
      .set({ mergedInto: p.survivorId })
      .where(and(eq(customers.tenantId, tenantId), eq(customers.mergedInto, p.mergedId)));
    await tx.insert(customerMerges).values({ tenantId, ...p });
  }
  if (plan.length) {
    await appendAudit(tx, audit, {
      action: "customer.merge",
      objectType: "customer",
      after: { merges: plan.length, matchedOn: [...new Set(plan.map((p) => p.matchedOn))] },
    });
  }
  return plan.length;
}

export const ZMergeIdInput = z.object({ mergeId: z.uuid() });

export async function listMerges(scope: TenantScope, limit = 200) {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const rows = await tx.execute<{
      id: string;
      matched_on: string;
      created_at: Date;
      undone_at: Date | null;
      survivor_id: string;
      survivor_external_id: string;
      merged_id: string;
      merged_external_id: string;
    }>(sql`
      select m.id, m.matched_on, m.created_at, m.undone_at, s.id survivor_id, s.external_id survivor_external_id,
             d.id merged_id, d.external_id merged_external_id
      from customer_merges m
      join customers s on s.tenant_id = m.tenant_id and s.id = m.survivor_id
      join customers d on d.tenant_id = m.tenant_id and d.id = m.merged_id
      where m.tenant_id = ${scope.tenantId}
      order by m.created_at desc limit ${limit}`);
    return rows.rows.map((r) => ({
      id: r.id,
      matchedOn: r.matched_on,
      createdAt: new Date(r.created_at),
      undoneAt: r.undone_at ? new Date(r.undone_at) : null,
      survivor: { id: r.survivor_id, externalId: r.survivor_external_id },
      merged: { id: r.merged_id, externalId: r.merged_external_id },
    }));
  });
}

/** Splits a merged customer off again; the pair is then never merged automatically. */
export async function undoMerge(scope: TenantScope, input: z.input<typeof ZMergeIdInput>) {
  const { mergeId } = ZMergeIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const [merge] = await tx
      .select()
      .from(customerMerges)
      .where(and(eq(customerMerges.tenantId, scope.tenantId), eq(customerMerges.id, mergeId)))
      .for("update");
    if (!merge) throw notFound("That merge");
    if (merge.undoneAt) throw invalid("This merge was already undone.");
    await tx
      .update(customers)
      .set({ mergedInto: null, updatedAt: new Date() })
      .where(and(eq(customers.tenantId, scope.tenantId), eq(customers.id, merge.mergedId)));
    await tx
      .update(customerMerges)
      .set({ undoneAt: new Date() })
      .where(and(eq(customerMerges.tenantId, scope.tenantId), eq(customerMerges.id, mergeId)));
    await recomputeFeatures(tx, scope.tenantId, (await readDataSettings(tx, scope.tenantId)).preparation);
    await appendAudit(tx, scope, {
      action: "customer.unmerge",
      objectType: "customer",
      objectId: merge.mergedId,
      before: { mergedInto: merge.survivorId },
      after: { mergedInto: null },
    });
    return { mergeId, customerId: merge.mergedId };
  });
}

