import * as swot from "../../services/swot";
import { permissionProcedure, router } from "../init";

export const swotRouter = router({
  list: permissionProcedure("swot:read").query(({ ctx }) => swot.listBoards(ctx.scope)),
  get: permissionProcedure("swot:read").input(swot.ZBoardInput).query(({ ctx, input }) => swot.getBoard(ctx.scope, input)),
  review: permissionProcedure("swot:read").input(swot.ZReviewIdInput).query(({ ctx, input }) => swot.getReview(ctx.scope, input)),
  saveReview: permissionProcedure("swot:review").input(swot.ZSaveReviewInput).mutation(({ ctx, input }) => swot.saveReview(ctx.scope, input)),
  setSchedule: permissionProcedure("swot:review").input(swot.ZScheduleInput).mutation(({ ctx, input }) => swot.setReviewSchedule(ctx.scope, input)),
  teams: permissionProcedure("swot:read").query(({ ctx }) => swot.getTeams(ctx.scope)),
  updateTeams: permissionProcedure("swot:configure").input(swot.ZTeams).mutation(({ ctx, input }) => swot.updateTeams(ctx.scope, input)),
});
