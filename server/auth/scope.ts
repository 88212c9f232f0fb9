import { DomainError } from "../errors";
import type { TenantScope } from "../services/scope";
import type { RequestContext } from "../trpc/context";
import { can, ROLE_LABELS, type Action } from "./permissions";

/**
 * The one gate every transport uses: a signed-in user, an active workspace resolved from the
 * session, and (when an action is named) a role the permission matrix allows.
 */
export function resolveScope(ctx: RequestContext, action?: Action): TenantScope {
  if (!ctx.session) throw new DomainError("UNAUTHENTICATED", "Sign in to continue.");
  const workspace = ctx.workspace;
  if (!workspace) throw new DomainError("FORBIDDEN", "You are not in a workspace yet. Create one or accept an invitation.");
  if (action && !can(workspace.role, action)) {
    throw new DomainError(
      "FORBIDDEN",
      `Your role (${ROLE_LABELS[workspace.role].label}) does not allow this (${action}). Ask a workspace admin if you need it.`,
    );
  }
  return {
    db: ctx.db,
    tenantId: workspace.tenantId,
    role: workspace.role,
    actor: { userId: ctx.session.user.id, label: ctx.session.user.email },
    requestId: ctx.requestId,
  };
}
