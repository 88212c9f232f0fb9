import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import type { Tx } from "../../db/client";
import { workspaceSettings } from "../../db/schema";

/**
 * One JSON value per workspace and key (`workspace_settings`), validated by its schema on the
 * way in and out: a missing or no longer valid value reads as the default.
 */
export function workspaceSetting<T>(key: string, schema: z.ZodType<T>, fallback: T) {
  return {
    key,
    async read(tx: Tx, tenantId: string): Promise<T> {
      const [row] = await tx
        .select({ value: workspaceSettings.value })
        .from(workspaceSettings)
        .where(and(eq(workspaceSettings.tenantId, tenantId), eq(workspaceSettings.key, key)));
      const parsed = schema.safeParse(row?.value);
      return parsed.success ? parsed.data : fallback;
    },
    async write(tx: Tx, tenantId: string, value: T): Promise<void> {
      await tx
        .insert(workspaceSettings)
        .values({ tenantId, key, value })
        .onConflictDoUpdate({ target: [workspaceSettings.tenantId, workspaceSettings.key], set: { value, updatedAt: new Date() } });
    },
  };
}
