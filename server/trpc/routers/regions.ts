import * as workspaces from "../../services/workspaces";
import { permissionProcedure, router } from "../init";

export const regionsRouter = router({
  list: permissionProcedure("region:read").query(({ ctx }) => workspaces.listRegions(ctx.scope)),
  create: permissionProcedure("region:manage")
    .input(workspaces.ZCreateRegionInput)
    .mutation(({ ctx, input }) => workspaces.createRegion(ctx.scope, input)),
  rename: permissionProcedure("region:manage")
    .input(workspaces.ZRenameRegionInput)
    .mutation(({ ctx, input }) => workspaces.renameRegion(ctx.scope, input)),
  delete: permissionProcedure("region:manage")
    .input(workspaces.ZRegionIdInput)
    .mutation(({ ctx, input }) => workspaces.deleteRegion(ctx.scope, input)),
});
