import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { regions } from "../../../db/schema";
import { conflict, notFound } from "../../errors";
import { isUniqueViolation } from "../../lib/pg-error";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";

export const ZRegionName = z
  .string()
  .trim()
  .min(1, { message: "Enter a region name." })
  .max(60, { message: "The region name is too long (60 characters at most)." });

export const ZCreateRegionInput = z.object({ name: ZRegionName });
export const ZRenameRegionInput = z.object({ regionId: z.uuid(), name: ZRegionName });
export const ZRegionIdInput = z.object({ regionId: z.uuid() });

export async function listRegions(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, (tx) =>
    tx
      .select({ id: regions.id, name: regions.name, createdAt: regions.createdAt })
      .from(regions)
      .where(eq(regions.tenantId, scope.tenantId))
      .orderBy(asc(regions.name)),
  );
}

function duplicateName(name: string) {
  return conflict(`A region called '${name}' already exists. Choose another name.`);
}

export async function createRegion(scope: TenantScope, input: z.input<typeof ZCreateRegionInput>) {
  const { name } = ZCreateRegionInput.parse(input);
  try {
    return await scope.db.withTenant(scope.tenantId, async (tx) => {
      const [row] = await tx.insert(regions).values({ tenantId: scope.tenantId, name }).returning();
      await appendAudit(tx, scope, { action: "region.create", objectType: "region", objectId: row.id, after: { name } });
      return { id: row.id, name: row.name };
    });
  } catch (error) {
    if (isUniqueViolation(error, "regions_name_unique")) throw duplicateName(name);
    throw error;
  }
}

export async function renameRegion(scope: TenantScope, input: z.input<typeof ZRenameRegionInput>) {
  const { regionId, name } = ZRenameRegionInput.parse(input);
  try {
    return await scope.db.withTenant(scope.tenantId, async (tx) => {
      const where = and(eq(regions.tenantId, scope.tenantId), eq(regions.id, regionId));
      const [before] = await tx.select().from(regions).where(where);
      if (!before) throw notFound("That region");
      await tx.update(regions).set({ name }).where(where);
      await appendAudit(tx, scope, {
        action: "region.rename",
        objectType: "region",
        objectId: regionId,
        before: { name: before.name },
        after: { name },
      });
      return { id: regionId, name };
    });
  } catch (error) {
    if (isUniqueViolation(error, "regions_name_unique")) throw duplicateName(name);
    throw error;
  }
}

export async function deleteRegion(scope: TenantScope, input: z.input<typeof ZRegionIdInput>) {
  const { regionId } = ZRegionIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const where = and(eq(regions.tenantId, scope.tenantId), eq(regions.id, regionId));
    const [before] = await tx.delete(regions).where(where).returning();
    if (!before) throw notFound("That region");
    await appendAudit(tx, scope, { action: "region.delete", objectType: "region", objectId: regionId, before: { name: before.name } });
    return { id: regionId };
  });
}
