import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { workspaceSettings } from "../../../db/schema";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { DEFAULT_PREPARATION, recomputeFeatures } from "./features";

export const ZDataSettings = z.object({
  /** A column more than this share missing blocks modelling on it. */
  maxMissingShare: z.number({ message: "must be a number" }).min(0).max(1),
  preparation: z.object({ dropCancellations: z.boolean(), dropNonPositive: z.boolean() }),
});
export type DataSettings = z.infer<typeof ZDataSettings>;

export const DEFAULT_DATA_SETTINGS: DataSettings = { maxMissingShare: 0.2, preparation: DEFAULT_PREPARATION };
const KEY = "data";

export async function readDataSettings(tx: Tx, tenantId: string): Promise<DataSettings> {
  const [row] = await tx
    .select({ value: workspaceSettings.value })
    .from(workspaceSettings)
    .where(and(eq(workspaceSettings.tenantId, tenantId), eq(workspaceSettings.key, KEY)));
  const parsed = ZDataSettings.safeParse(row?.value);
  return parsed.success ? parsed.data : DEFAULT_DATA_SETTINGS;
}

export async function getDataSettings(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, (tx) => readDataSettings(tx, scope.tenantId));
}

export async function updateDataSettings(scope: TenantScope, input: z.input<typeof ZDataSettings>) {
  const value = ZDataSettings.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const before = await readDataSettings(tx, scope.tenantId);
    await tx
      .insert(workspaceSettings)
      .values({ tenantId: scope.tenantId, key: KEY, value })
      .onConflictDoUpdate({ target: [workspaceSettings.tenantId, workspaceSettings.key], set: { value, updatedAt: new Date() } });
    // New preparation rules apply to the features (and so the RFM segments) at once.
    if (JSON.stringify(before.preparation) !== JSON.stringify(value.preparation)) {
      await recomputeFeatures(tx, scope.tenantId, value.preparation);
    }
    await appendAudit(tx, scope, { action: "settings.update", objectType: "settings", objectId: KEY, before, after: value });
    return value;
  });
}
