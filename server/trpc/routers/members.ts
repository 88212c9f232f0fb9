import * as workspaces from "../../services/workspaces";
import { permissionProcedure, router } from "../init";

export const membersRouter = router({
  list: permissionProcedure("member:read").query(({ ctx }) => workspaces.listMembers(ctx.scope)),
  update: permissionProcedure("member:manage")
    .input(workspaces.ZUpdateMemberInput)
    .mutation(({ ctx, input }) => workspaces.updateMember(ctx.scope, input)),
  remove: permissionProcedure("member:manage")
    .input(workspaces.ZMemberIdInput)
    .mutation(({ ctx, input }) => workspaces.removeMember(ctx.scope, input)),
});

export const invitesRouter = router({
  list: permissionProcedure("member:manage").query(({ ctx }) => workspaces.listInvites(ctx.scope)),
  create: permissionProcedure("member:manage")
    .input(workspaces.ZCreateInviteInput)
    .mutation(({ ctx, input }) => workspaces.createInvite(ctx.scope, input, ctx.config.INVITE_TTL_HOURS)),
  revoke: permissionProcedure("member:manage")
    .input(workspaces.ZInviteIdInput)
    .mutation(({ ctx, input }) => workspaces.revokeInvite(ctx.scope, input)),
});
