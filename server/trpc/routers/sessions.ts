import * as sessions from "../../services/sessions";
import { permissionProcedure, router } from "../init";

export const sessionsRouter = router({
  list: permissionProcedure("session:read").query(({ ctx }) => sessions.listSessions(ctx.scope)),
  get: permissionProcedure("session:read").input(sessions.ZSessionIdInput).query(({ ctx, input }) => sessions.getSession(ctx.scope, input)),
  agendaOptions: permissionProcedure("session:chair").query(({ ctx }) => sessions.agendaOptions(ctx.scope)),
  forProposal: permissionProcedure("session:read")
    .input(sessions.ZProposalSessionsInput)
    .query(({ ctx, input }) => sessions.sessionsForProposal(ctx.scope, input)),
  schedule: permissionProcedure("session:chair").input(sessions.ZScheduleInput).mutation(({ ctx, input }) => sessions.scheduleSession(ctx.scope, input)),
  update: permissionProcedure("session:chair").input(sessions.ZUpdateInput).mutation(({ ctx, input }) => sessions.updateSession(ctx.scope, input)),
  cancel: permissionProcedure("session:chair").input(sessions.ZSessionIdInput).mutation(({ ctx, input }) => sessions.cancelSession(ctx.scope, input)),
  start: permissionProcedure("session:chair").input(sessions.ZSessionIdInput).mutation(({ ctx, input }) => sessions.startSession(ctx.scope, input)),
  move: permissionProcedure("session:chair").input(sessions.ZMoveInput).mutation(({ ctx, input }) => sessions.moveToItem(ctx.scope, input)),
  close: permissionProcedure("session:chair").input(sessions.ZCloseInput).mutation(({ ctx, input }) => sessions.closeSession(ctx.scope, input)),
});
