import { z } from "zod";
import type { Tx } from "../../../db/client";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { workspaceSetting } from "../workspace-settings";
import { DEFAULT_APPROVAL_RULE, ZApprovalRule } from "./approval";

/**
 * How a workspace runs its segments: exclusive assignment (a customer belongs to the first
 * matching segment by priority) or overlapping segments, and the committee's approval rule.
 */
export const ZSegmentSettings = z.object({
  assignment: z.enum(["exclusive", "overlapping"], { message: "must be exclusive or overlapping" }),
  approval: ZApprovalRule,
});
export type SegmentSettings = z.infer<typeof ZSegmentSettings>;

export const DEFAULT_SEGMENT_SETTINGS: SegmentSettings = { assignment: "overlapping", approval: DEFAULT_APPROVAL_RULE };
const setting = workspaceSetting("segments", ZSegmentSettings, DEFAULT_SEGMENT_SETTINGS);

export function readSegmentSettings(tx: Tx, tenantId: string): Promise<SegmentSettings> {
  return setting.read(tx, tenantId);
}

export async function getSegmentSettings(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, (tx) => readSegmentSettings(tx, scope.tenantId));
}

export async function updateSegmentSettings(scope: TenantScope, input: z.input<typeof ZSegmentSettings>) {
  const value = ZSegmentSettings.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const before = await readSegmentSettings(tx, scope.tenantId);
    await setting.write(tx, scope.tenantId, value);
    await appendAudit(tx, scope, { action: "segment.settings.update", objectType: "settings", objectId: setting.key, before, after: value });
    return value;
  });
}
