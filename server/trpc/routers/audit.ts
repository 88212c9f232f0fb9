import * as audit from "../../services/audit";
import { permissionProcedure, router } from "../init";

export const auditRouter = router({
  list: permissionProcedure("audit:read")
    .input(audit.ZAuditListInput)
    .query(({ ctx, input }) => audit.listAudit(ctx.scope, input)),
  actions: permissionProcedure("audit:read").query(({ ctx }) => audit.listAuditActions(ctx.scope)),
  verify: permissionProcedure("audit:read").mutation(({ ctx }) => audit.verifyAuditChain(ctx.db, ctx.scope.tenantId)),
});
