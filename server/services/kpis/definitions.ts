import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { ALL_CUSTOMERS, KPI_DIRECTIONS, KPI_UNITS, kpiDefinitions, kpiRollups, kpiTargets, memberships, segments, users } from "../../../db/schema";
import { conflict, invalid, notFound } from "../../errors";
import { isUniqueViolation } from "../../lib/pg-error";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { BUILTIN_KEYS, BUILTIN_KPIS } from "./builtins";
import { queueRollup } from "./runs";
import { checkSpecAttributes, ZCustomKpiSpec, type CustomKpiSpec } from "./spec";
import type { KpiDefinitionView } from "./types";

/** Inserts the built-in KPIs a workspace does not have yet (idempotent). */
export async function ensureBuiltinKpis(tx: Tx, tenantId: string): Promise<void> {
  await tx
    .insert(kpiDefinitions)
    .values(BUILTIN_KPIS.map((k, i) => ({ tenantId, key: k.key, name: k.name, description: k.description, builtin: k.key, unit: k.unit, direction: k.direction, position: i })))
    .onConflictDoNothing({ target: [kpiDefinitions.tenantId, kpiDefinitions.key] });
}

/** Every KPI of the workspace in dashboard order (built-ins first), with owner and targets. */
export async function readDefinitions(tx: Tx, tenantId: string): Promise<KpiDefinitionView[]> {
  await ensureBuiltinKpis(tx, tenantId);
  const rows = await tx
    .select({ def: kpiDefinitions, ownerName: users.name })
    .from(kpiDefinitions)
    .leftJoin(users, eq(users.id, kpiDefinitions.ownerUserId))
    .where(eq(kpiDefinitions.tenantId, tenantId))
    .orderBy(asc(kpiDefinitions.position), asc(kpiDefinitions.createdAt), asc(kpiDefinitions.key));
  const targets = await tx
    .select({ kpiId: kpiTargets.kpiId, segmentId: kpiTargets.segmentId, target: kpiTargets.target })
    .from(kpiTargets)
    .where(eq(kpiTargets.tenantId, tenantId));
  return rows.map(({ def, ownerName }) => ({
    id: def.id,
    key: def.key,
    name: def.name,
    description: def.description,
    builtin: def.builtin,
    spec: def.spec ? (def.spec as CustomKpiSpec) : null,
    unit: def.unit,
    direction: def.direction,
    ownerUserId: def.ownerUserId,
    ownerName: def.ownerUserId ? ownerName : null,
    targets: targets.filter((t) => t.kpiId === def.id).map((t) => ({ segmentId: t.segmentId, target: t.target })),
    updatedAt: def.updatedAt.toISOString(),
  }));
}

export async function listKpis(scope: TenantScope): Promise<KpiDefinitionView[]> {
  return scope.db.withTenant(scope.tenantId, (tx) => readDefinitions(tx, scope.tenantId));
}

const ZKpiId = z.uuid({ message: "is not a KPI id" });
const ZName = z.string({ message: "is required" }).trim().min(2, { message: "must be at least 2 characters" }).max(80, { message: "must be at most 80 characters" });

export const ZCreateKpiInput = z.object({
  key: z
    .string({ message: "is required" })
    .trim()
    .regex(/^[a-z][a-z0-9_]{1,40}$/, { message: "must be 2–41 lower-case letters, digits and _ starting with a letter" })
    .refine((k) => !BUILTIN_KEYS.has(k), { message: "is the key of a built-in KPI; choose another" }),
  name: ZName,
  description: z.string().trim().max(500, { message: "must be at most 500 characters" }).default(""),
  unit: z.enum(KPI_UNITS, { message: `must be one of ${KPI_UNITS.join(", ")}` }),
  direction: z.enum(KPI_DIRECTIONS, { message: "must be higher or lower" }),
  spec: ZCustomKpiSpec,
  ownerUserId: z.uuid({ message: "is not a user id" }).nullable().default(null),
});
export type CreateKpiInput = z.input<typeof ZCreateKpiInput>;

export const ZUpdateKpiInput = z.object({
  kpiId: ZKpiId,
  name: ZName.optional(),
  description: z.string().trim().max(500, { message: "must be at most 500 characters" }).optional(),
  unit: z.enum(KPI_UNITS, { message: `must be one of ${KPI_UNITS.join(", ")}` }).optional(),
  direction: z.enum(KPI_DIRECTIONS, { message: "must be higher or lower" }).optional(),
  /** Custom KPIs only. */
  spec: ZCustomKpiSpec.optional(),
});
export const ZKpiIdInput = z.object({ kpiId: ZKpiId });
export const ZSetOwnerInput = z.object({ kpiId: ZKpiId, ownerUserId: z.uuid({ message: "is not a user id" }).nullable() });
export const ZSetTargetInput = z.object({
  kpiId: ZKpiId,
  /** A segment's id, or ALL_CUSTOMERS for the whole business. */
  segmentId: z.uuid({ message: "is not a segment id" }),
  /** null removes the target. */
  target: z.number({ message: "must be a number" }).finite({ message: "must be a finite number" }).nullable(),
});

async function loadKpi(tx: Tx, tenantId: string, kpiId: string) {
  const [row] = await tx.select().from(kpiDefinitions).where(and(eq(kpiDefinitions.tenantId, tenantId), eq(kpiDefinitions.id, kpiId)));
  if (!row) throw notFound("The KPI");
  return row;
}

async function checkOwner(tx: Tx, tenantId: string, userId: string | null) {
  if (userId === null) return;
  const [member] = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
  if (!member) throw invalid("The owner must be a member of this workspace.", { field: "ownerUserId" });
}

/** A custom KPI; its roll-ups are computed by a rebuild queued in the same transaction. */
export async function createKpi(scope: TenantScope, input: CreateKpiInput): Promise<KpiDefinitionView> {
  const value = ZCreateKpiInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    await ensureBuiltinKpis(tx, scope.tenantId);
    await checkOwner(tx, scope.tenantId, value.ownerUserId);
    await checkSpecAttributes(tx, scope.tenantId, value.spec);
    const [{ max }] = await tx
      .select({ max: sql<number>`coalesce(max(${kpiDefinitions.position}), 0)::int` })
      .from(kpiDefinitions)
      .where(eq(kpiDefinitions.tenantId, scope.tenantId));
    let id: string;
    try {
      [{ id }] = await tx
        .insert(kpiDefinitions)
        .values({ tenantId: scope.tenantId, ...value, position: max + 1, createdBy: scope.actor.userId })
        .returning({ id: kpiDefinitions.id });
    } catch (error) {
      if (isUniqueViolation(error, "kpi_definitions_key_unique")) throw conflict(`A KPI with the key '${value.key}' already exists.`);
      throw error;
    }
    await appendAudit(tx, scope, { action: "kpi.create", objectType: "kpi", objectId: id, after: value });
    await queueRollup(tx, scope.tenantId, { trigger: "definition", createdBy: scope.actor.userId });
    return (await readDefinitions(tx, scope.tenantId)).find((k) => k.id === id)!;
  });
}

export async function updateKpi(scope: TenantScope, input: z.input<typeof ZUpdateKpiInput>): Promise<KpiDefinitionView> {
  const { kpiId, ...changes } = ZUpdateKpiInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const before = await loadKpi(tx, scope.tenantId, kpiId);
    if (changes.spec && before.builtin) throw invalid(`'${before.name}' is a built-in KPI: its computation cannot be changed.`, { field: "spec" });
    if (changes.spec) await checkSpecAttributes(tx, scope.tenantId, changes.spec);
    await tx
      .update(kpiDefinitions)
      .set({ ...changes, updatedAt: new Date() })
      .where(and(eq(kpiDefinitions.tenantId, scope.tenantId), eq(kpiDefinitions.id, kpiId)));
    await appendAudit(tx, scope, {
      action: "kpi.update",
      objectType: "kpi",
      objectId: kpiId,
      before: { name: before.name, description: before.description, unit: before.unit, direction: before.direction, spec: before.spec },
      after: changes,
    });
    if (changes.spec) await queueRollup(tx, scope.tenantId, { trigger: "definition", createdBy: scope.actor.userId });
    return (await readDefinitions(tx, scope.tenantId)).find((k) => k.id === kpiId)!;
  });
}

/** Deletes a custom KPI with its targets and roll-ups. Built-ins cannot be deleted. */
export async function deleteKpi(scope: TenantScope, input: z.input<typeof ZKpiIdInput>): Promise<{ deleted: string }> {
  const { kpiId } = ZKpiIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const before = await loadKpi(tx, scope.tenantId, kpiId);
    if (before.builtin) throw invalid(`'${before.name}' is a built-in KPI and cannot be deleted.`);
    await tx.delete(kpiRollups).where(and(eq(kpiRollups.tenantId, scope.tenantId), eq(kpiRollups.kpiId, kpiId)));
    await tx.delete(kpiDefinitions).where(and(eq(kpiDefinitions.tenantId, scope.tenantId), eq(kpiDefinitions.id, kpiId)));
    await appendAudit(tx, scope, { action: "kpi.delete", objectType: "kpi", objectId: kpiId, before: { key: before.key, name: before.name, spec: before.spec } });
    return { deleted: kpiId };
  });
}

export async function setKpiOwner(scope: TenantScope, input: z.input<typeof ZSetOwnerInput>): Promise<KpiDefinitionView> {
  const { kpiId, ownerUserId } = ZSetOwnerInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const before = await loadKpi(tx, scope.tenantId, kpiId);
    await checkOwner(tx, scope.tenantId, ownerUserId);
    await tx
      .update(kpiDefinitions)
      .set({ ownerUserId, updatedAt: new Date() })
      .where(and(eq(kpiDefinitions.tenantId, scope.tenantId), eq(kpiDefinitions.id, kpiId)));
    await appendAudit(tx, scope, { action: "kpi.owner", objectType: "kpi", objectId: kpiId, before: { ownerUserId: before.ownerUserId }, after: { ownerUserId } });
    return (await readDefinitions(tx, scope.tenantId)).find((k) => k.id === kpiId)!;
  });
}

export async function setKpiTarget(scope: TenantScope, input: z.input<typeof ZSetTargetInput>): Promise<KpiDefinitionView> {
  const { kpiId, segmentId, target } = ZSetTargetInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    await loadKpi(tx, scope.tenantId, kpiId);
    if (segmentId !== ALL_CUSTOMERS) {
      const [segment] = await tx.select({ id: segments.id }).from(segments).where(and(eq(segments.tenantId, scope.tenantId), eq(segments.id, segmentId)));
      if (!segment) throw notFound("The segment");
    }
    const where = and(eq(kpiTargets.tenantId, scope.tenantId), eq(kpiTargets.kpiId, kpiId), eq(kpiTargets.segmentId, segmentId));
    const [before] = await tx.select({ target: kpiTargets.target }).from(kpiTargets).where(where);
    if (target === null) await tx.delete(kpiTargets).where(where);
    else {
      await tx
        .insert(kpiTargets)
        .values({ tenantId: scope.tenantId, kpiId, segmentId, target, updatedBy: scope.actor.userId })
        .onConflictDoUpdate({
          target: [kpiTargets.tenantId, kpiTargets.kpiId, kpiTargets.segmentId],
          set: { target, updatedBy: scope.actor.userId, updatedAt: new Date() },
        });
    }
    await appendAudit(tx, scope, {
      action: "kpi.target",
      objectType: "kpi",
      objectId: kpiId,
      before: { segmentId, target: before?.target ?? null },
      after: { segmentId, target },
    });
    return (await readDefinitions(tx, scope.tenantId)).find((k) => k.id === kpiId)!;
  });
}
