import { createCallerFactory, router } from "./init";
import { apiRouter } from "./routers/api";
import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { campaignsRouter } from "./routers/campaigns";
import { dataRouter } from "./routers/data";
import { kpisRouter } from "./routers/kpis";
import { invitesRouter, membersRouter } from "./routers/members";
import { modelsRouter } from "./routers/models";
import { monitoringRouter } from "./routers/monitoring";
import { regionsRouter } from "./routers/regions";
import { segmentsRouter } from "./routers/segments";
import { sessionsRouter } from "./routers/sessions";
import { swotRouter } from "./routers/swot";
import { workspaceRouter } from "./routers/workspace";

export const appRouter = router({
  api: apiRouter,
  auth: authRouter,
  workspace: workspaceRouter,
  members: membersRouter,
  invites: invitesRouter,
  regions: regionsRouter,
  audit: auditRouter,
  data: dataRouter,
  segments: segmentsRouter,
  sessions: sessionsRouter,
  models: modelsRouter,
  monitoring: monitoringRouter,
  swot: swotRouter,
  campaigns: campaignsRouter,
  kpis: kpisRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
