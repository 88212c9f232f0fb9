import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../../db/client";
import { memberships, workspaces } from "../../../db/schema";
import { isUniqueViolation } from "../../lib/pg-error";
import { appendAudit } from "../audit";
import type { Actor, TenantScope } from "../scope";

export const ZWorkspaceName = z
  .string()
  .trim()
  .min(2, { message: "Give the workspace a name of at least 2 characters." })
  .max(80, { message: "The workspace name is too long (80 characters at most)." });

export const ZCreateWorkspaceInput = z.object({ name: ZWorkspaceName });
export type CreateWorkspaceInput = z.infer<typeof ZCreateWorkspaceInput>;

export function slugify(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return base || "workspace";
}

/** Creates a workspace with its creator as owner; the slug gets a suffix when taken. */
export async function createWorkspace(db: Database, actor: Actor, input: CreateWorkspaceInput, requestId?: string) {
  const { name } = ZCreateWorkspaceInput.parse(input);
  const base = slugify(name);
  for (let attempt = 0; attempt < 20; attempt++) {
    const slug = attempt === 0 ? base : `${base}-${randomUUID().slice(0, 4 + Math.min(attempt, 4))}`;
    const tenantId = randomUUID();
    try {
      await db.withTenant(tenantId, async (tx) => {
        await tx.insert(workspaces).values({ id: tenantId, slug, name });
        await tx.insert(memberships).values({ tenantId, userId: actor.userId, role: "owner" });
        await appendAudit(tx, { tenantId, actor, requestId }, {
          action: "workspace.create",
          objectType: "workspace",
          objectId: tenantId,
          after: { name, slug },
        });
      });
      return { tenantId, slug, name };
    } catch (error) {
      if (isUniqueViolation(error, "workspaces_slug_unique")) continue;
      throw error;
    }
  }
  throw new Error("could not find a free workspace slug");
}

export async function getWorkspace(scope: TenantScope) {
  const [row] = await scope.db.withTenant(scope.tenantId, (tx) =>
    tx.select().from(workspaces).where(eq(workspaces.id, scope.tenantId)),
  );
  return row;
}

export async function renameWorkspace(scope: TenantScope, input: { name: string }) {
  const name = ZWorkspaceName.parse(input.name);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const [before] = await tx.select().from(workspaces).where(eq(workspaces.id, scope.tenantId));
    await tx.update(workspaces).set({ name }).where(eq(workspaces.id, scope.tenantId));
    await appendAudit(tx, scope, {
      action: "workspace.rename",
      objectType: "workspace",
      objectId: scope.tenantId,
      before: { name: before.name },
      after: { name },
    });
    return { ...before, name };
  });
}
