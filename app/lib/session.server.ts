import type { AppLoadContext } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { errorPage } from "./errors.server";
import { ROLE_LABELS, type Action } from "./roles";
import { loginPath, pathOf } from "./safe-redirect";

/** The signed-in user, or a redirect to the login page that comes back to this request. */
export async function requireUser(request: Request, context: AppLoadContext) {
  const me = await context.trpc.auth.me();
  if (!me.user) throw redirect(loginPath(pathOf(request)));
  return { ...me, user: me.user };
}

/** The signed-in user in their active workspace; without one, the create-a-workspace page. */
export async function requireWorkspace(request: Request, context: AppLoadContext) {
  const me = await requireUser(request, context);
  if (!me.workspace) throw redirect("/workspaces/new");
  return { ...me, workspace: me.workspace };
}

/** As requireWorkspace, and the 403 page unless the member's role allows `action`. */
export async function requirePermission(request: Request, context: AppLoadContext, action: Action) {
  const me = await requireWorkspace(request, context);
  if (!me.permissions.includes(action)) {
    throw errorPage(
      403,
      `Your role (${
        ROLE_LABELS[me.workspace.role].label
      }) does not allow this (${action}). Ask a workspace admin if you need it.`
    );
  }
  return me;
}
