import * as kpis from "../../services/kpis";
import { permissionProcedure, router } from "../init";

export const kpisRouter = router({
  list: permissionProcedure("dashboard:read").query(({ ctx }) => kpis.listKpis(ctx.scope)),
  dashboard: permissionProcedure("dashboard:read").input(kpis.ZDashboardInput).query(({ ctx, input }) => kpis.dashboard(ctx.scope, input)),
  segmentSeries: permissionProcedure("dashboard:read").input(kpis.ZSegmentSeriesInput).query(({ ctx, input }) => kpis.segmentSeries(ctx.scope, input)),
  status: permissionProcedure("dashboard:read").query(({ ctx }) => kpis.rollupStatus(ctx.scope)),
  create: permissionProcedure("kpi:configure").input(kpis.ZCreateKpiInput).mutation(({ ctx, input }) => kpis.createKpi(ctx.scope, input)),
  update: permissionProcedure("kpi:configure").input(kpis.ZUpdateKpiInput).mutation(({ ctx, input }) => kpis.updateKpi(ctx.scope, input)),
  delete: permissionProcedure("kpi:configure").input(kpis.ZKpiIdInput).mutation(({ ctx, input }) => kpis.deleteKpi(ctx.scope, input)),
  setOwner: permissionProcedure("kpi:configure").input(kpis.ZSetOwnerInput).mutation(({ ctx, input }) => kpis.setKpiOwner(ctx.scope, input)),
  setTarget: permissionProcedure("kpi:configure").input(kpis.ZSetTargetInput).mutation(({ ctx, input }) => kpis.setKpiTarget(ctx.scope, input)),
  rebuild: permissionProcedure("kpi:configure").mutation(({ ctx }) => kpis.requestRebuild(ctx.scope)),
});
