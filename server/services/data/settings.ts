import { z } from "zod";
import type { Tx } from "../../../db/client";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { workspaceSetting } from "../workspace-settings";
import { DEFAULT_PREPARATION, recomputeFeatures } from "./features";

export const ZDataSettings = z.object({
  /** A column more than this share missing blocks modelling on it. */
  maxMissingShare: z.number({ message: "must be a number" }).min(0).max(1),
  preparation: z.object({ dropCancellations: z.boolean(), dropNonPositive: z.boolean() }),
});
export type DataSettings = z.infer<typeof ZDataSettings>;

export const DEFAULT_DATA_SETTINGS: DataSettings = { maxMissingShare: 0.2, preparation: DEFAULT_PREPARATION };
const setting = workspaceSetting("data", ZDataSettings, DEFAULT_DATA_SETTINGS);

export function readDataSettings(tx: Tx, tenantId: string): Promise<DataSettings> {
  return setting.read(tx, tenantId);
}

export async function getDataSettings(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, (tx) => readDataSettings(tx, scope.tenantId));
}

export async function updateDataSettings(scope: TenantScope, input: z.input<typeof ZDataSettings>) {
  const value = ZDataSettings.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const before = await readDataSettings(tx, scope.tenantId);
    await setting.write(tx, scope.tenantId, value);
    // New preparation rules apply to the features (and so the RFM segments) at once.
    if (JSON.stringify(before.preparation) !== JSON.stringify(value.preparation)) {
      await recomputeFeatures(tx, scope.tenantId, value.preparation);
    }
    await appendAudit(tx, scope, { action: "settings.update", objectType: "settings", objectId: setting.key, before, after: value });
    return value;
  });
}
