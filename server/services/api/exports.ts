import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { segments } from "../../../db/schema";
import { invalid, notFound } from "../../errors";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";

export const ZMembersExportInput = z.object({
  segmentId: z.uuid({ message: "is not a segment id" }),
  version: z.number().int().min(1),
  change: z.enum(["members", "added", "removed"]).default("members"),
});

/**
 * Records in the audit log that someone exported a segment version's members (or what it added
 * or removed) from the UI: exports carry customer ids out of Quorum, so who took which is kept.
 */
export async function logMembersExport(scope: TenantScope, input: z.input<typeof ZMembersExportInput>) {
  const { segmentId, version, change } = ZMembersExportInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const [segment] = await tx
      .select({ name: segments.name, currentVersion: segments.currentVersion })
      .from(segments)
      .where(and(eq(segments.tenantId, scope.tenantId), eq(segments.id, segmentId)));
    if (!segment) throw notFound("The segment");
    if (!segment.currentVersion || version > segment.currentVersion) throw invalid(`version: the segment has no version ${version}.`);
    await appendAudit(tx, scope, { action: "segment.export", objectType: "segment", objectId: segmentId, after: { name: segment.name, version, change, format: "csv", via: "UI" } });
    return { logged: true };
  });
}
