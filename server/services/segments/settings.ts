import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { workspaceSettings } from "../../../db/schema";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
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
const KEY = "segments";

export async function readSegmentSettings(tx: Tx, tenantId: string): Promise<SegmentSettings> {
  const [row] = await tx
    .select({ value: workspaceSettings.value })
    .from(workspaceSettings)
    .where(and(eq(workspaceSettings.tenantId, tenantId), eq(workspaceSettings.key, KEY)));
  const parsed = ZSegmentSettings.safeParse(row?.value);
  return parsed.success ? parsed.data : DEFAULT_SEGMENT_SETTINGS;
}

export async function getSegmentSettings(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, (tx) => readSegmentSettings(tx, scope.tenantId));
}

export async function updateSegmentSettings(scope: TenantScope, input: z.input<typeof ZSegmentSettings>) {
  const value = ZSegmentSettings.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const before = await readSegmentSettings(tx, scope.tenantId);
    await tx
      .insert(workspaceSettings)
      .values({ tenantId: scope.tenantId, key: KEY, value })
      .onConflictDoUpdate({ target: [workspaceSettings.tenantId, workspaceSettings.key], set: { value, updatedAt: new Date() } });
    await appendAudit(tx, scope, { action: "segment.settings.update", objectType: "settings", objectId: KEY, before, after: value });
    return value;
  });
}
