import * as workspaces from "../../services/workspaces";
import { switchWorkspace } from "../../services/accounts";
import { authedProcedure, permissionProcedure, router } from "../init";

export const workspaceRouter = router({
  create: authedProcedure.input(workspaces.ZCreateWorkspaceInput).mutation(async ({ ctx, input }) => {
    const actor = { userId: ctx.user.id, label: ctx.user.email };
    const created = await workspaces.createWorkspace(ctx.db, actor, input, ctx.requestId);
    await switchWorkspace(ctx.db, ctx.session, created.tenantId);
    return created;
  }),
  get: permissionProcedure("workspace:read").query(({ ctx }) => workspaces.getWorkspace(ctx.scope)),
  rename: permissionProcedure("workspace:update")
    .input(workspaces.ZCreateWorkspaceInput)
    .mutation(({ ctx, input }) => workspaces.renameWorkspace(ctx.scope, input)),
});
