import * as trpcExpress from "@trpc/server/adapters/express";
import express, { type NextFunction, type Request, type Response } from "express";
import { createServer, type Server } from "node:http";
import { createApiRouter } from "./api/router";
import { attachCollab, type Collab } from "./collab/server";
import { auditExportHandler } from "./http/audit-export";
import { csrfGuard } from "./http/csrf";
import { databaseErrors, databaseGate, DatabaseHealth, healthRoute } from "./http/database-health";
import { importErrorsHandler, uploadHandler } from "./http/data-routes";
import type { scopedRoute } from "./http/scoped-route";
import { mountRemix } from "./http/remix";
import { requestLogging } from "./http/request-context";
import { createRequestContext, type AppServices } from "./trpc/context";
import { appRouter } from "./trpc/router";

export interface HttpApp {
  app: express.Express;
  server: Server;
  /** Live co-editing (socket.io on /socket.io). */
  collab: Collab;
  /**
   * Drains and stops: /healthz answers "draining", no new connections are accepted, pending
   * co-edits are stored and sockets closed (clients reconnect to another instance), requests in
   * flight finish (cut after `graceMs`).
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/**
 * Express + tRPC (/trpc) + the Remix handler + live co-editing (socket.io) on one port. All
 * state is in PostgreSQL; co-edited documents are held in memory while someone has them open.
 */
export async function createHttpApp(services: AppServices, options: { ui: "production" | "development" }): Promise<HttpApp> {
  const { config, db, logger } = services;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.TRUST_PROXY);
  app.use(requestLogging(logger));

  const health = new DatabaseHealth(db, logger);
  let draining = false;
  app.get("/healthz", healthRoute(health, () => draining));
  app.use(databaseGate(health, () => draining));

  // REST for downstream systems: API keys in the Authorization header, no cookies, hence no CSRF.
  app.use("/api/v1", createApiRouter(services));
  app.use(csrfGuard(config.PUBLIC_URL));
  app.use(
    "/trpc",
    express.json({ limit: "1mb" }),
    trpcExpress.createExpressMiddleware({
      router: appRouter,
      createContext: ({ req, res }) => createRequestContext(services, req, res),
    }),
  );

  const route = (handler: ReturnType<typeof scopedRoute>) => {
    const bound = handler(services);
    return (req: Request, res: Response, next: NextFunction) => bound(req, res).catch(next);
  };
  app.get("/audit/export.csv", route(auditExportHandler));
  app.post("/data/imports/upload", route(uploadHandler));
  app.get("/data/imports/:importId/errors.csv", route(importErrorsHandler));

  const closeUi = await mountRemix(app, services, options.ui);
  app.use(databaseErrors(health));

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    (res.locals.log ?? logger).error({ err: error }, "unhandled request error");
    if (!res.headersSent) {
      res.status(500).type("text/plain").send(`Something went wrong on our side (request id ${res.locals.requestId}).`);
    }
  });

  const server = createServer(app);
  const collab = attachCollab(server, services);
  return {
    app,
    server,
    collab,
    async close({ graceMs = 10_000 } = {}) {
      draining = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await collab.close();
      const cut = setTimeout(() => server.closeAllConnections(), graceMs);
      await stopped;
      clearTimeout(cut);
      health.close();
      await closeUi();
    },
  };
}
