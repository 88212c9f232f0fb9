import * as models from "../../services/models";
import { permissionProcedure, router } from "../init";

export const modelsRouter = router({
  features: permissionProcedure("model:read").query(({ ctx }) => models.listModelFeatures(ctx.scope)),
  featureCheck: permissionProcedure("model:read").input(models.ZFeatureCheckInput).query(({ ctx, input }) => models.featureCheck(ctx.scope, input)),
  kDistances: permissionProcedure("model:read").input(models.ZKDistancesInput).query(({ ctx, input }) => models.kDistancePlot(ctx.scope, input)),
  list: permissionProcedure("model:read").input(models.ZListModelRunsInput).query(({ ctx, input }) => models.listModelRuns(ctx.scope, input)),
  get: permissionProcedure("model:read").input(models.ZModelRunIdInput).query(({ ctx, input }) => models.getModelRun(ctx.scope, input)),
  start: permissionProcedure("model:run").input(models.ZStartModelRunInput).mutation(({ ctx, input }) => models.startModelRun(ctx.scope, input, ctx.jobs)),
  chooseK: permissionProcedure("model:run").input(models.ZChooseKInput).mutation(({ ctx, input }) => models.chooseK(ctx.scope, input, ctx.jobs)),
  clusterOptions: permissionProcedure("model:read").query(({ ctx }) => models.clusterOptions(ctx.scope)),
  cancel: permissionProcedure("model:run").input(models.ZModelRunIdInput).mutation(({ ctx, input }) => models.cancelModelRun(ctx.scope, input)),
  delete: permissionProcedure("model:run").input(models.ZModelRunIdInput).mutation(({ ctx, input }) => models.deleteModelRun(ctx.scope, input)),
});
