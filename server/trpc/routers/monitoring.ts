import * as monitoring from "../../services/monitoring";
import { permissionProcedure, router } from "../init";

export const monitoringRouter = router({
  overview: permissionProcedure("monitor:read").query(({ ctx }) => monitoring.monitoringOverview(ctx.scope)),
  run: permissionProcedure("monitor:read").input(monitoring.ZRunIdInput).query(({ ctx, input }) => monitoring.monitorRun(ctx.scope, input)),
  migration: permissionProcedure("monitor:read").input(monitoring.ZMigrationInput).query(({ ctx, input }) => monitoring.migrationMatrix(ctx.scope, input)),
  start: permissionProcedure("monitor:run").input(monitoring.ZRequestRunInput).mutation(({ ctx, input }) => monitoring.requestRun(ctx.scope, input)),
  captureBaseline: permissionProcedure("monitor:run").mutation(({ ctx }) => monitoring.captureBaseline(ctx.scope)),
  acknowledge: permissionProcedure("monitor:acknowledge").input(monitoring.ZAcknowledgeInput).mutation(({ ctx, input }) => monitoring.acknowledgeAlert(ctx.scope, input)),
  settings: permissionProcedure("monitor:read").query(({ ctx }) => monitoring.getMonitoringSettings(ctx.scope)),
  updateSettings: permissionProcedure("monitor:configure").input(monitoring.ZMonitoringSettings).mutation(({ ctx, input }) => monitoring.updateMonitoringSettings(ctx.scope, input)),
});
