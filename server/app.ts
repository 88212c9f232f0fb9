import * as trpcExpress from "@trpc/server/adapters/express";
import express, { type NextFunction, type Request, type Response } from "express";
import { createServer, type Server } from "node:http";
import { createApiRouter, isApiPath } from "./api/router";
import { attachCollab, type Collab } from "./collab/server";
import { auditExportHandler } from "./http/audit-export";
import { csrfGuard } from "./http/csrf";
import { databaseContext, databaseErrors, databaseGate, DatabaseHealth, healthRoute } from "./http/database-health";
import { importErrorsHandler, uploadHandler } from "./http/data-routes";
import type { scopedRoute } from "./http/scoped-route";
import { mountRemix } from "./http/remix";
import { requestLogging } from "./http/request-context";
import { bodySizeGuard, errorHandler, FORM_BODY_LIMIT_BYTES, retryAfterMeta, securityHeaders, TRPC_BODY_LIMIT_BYTES, TRPC_MAX_BATCH } from "./http/security";
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
  const headers = securityHeaders({ publicUrl: config.PUBLIC_URL, ui: options.ui });
  app.use(headers);

  const health = new DatabaseHealth(db, logger);
  let draining = false;
  app.get("/healthz", healthRoute(health, () => draining));
  app.use(databaseGate(health, () => draining));

  app.use(csrfGuard(config.PUBLIC_URL));
  // tRPC reads and parses the body itself (bounded by maxBodySize), so a malformed or oversized
  // body gets a tRPC-shaped error like any other failure of a procedure.
  app.use(
    "/trpc",
    bodySizeGuard(TRPC_BODY_LIMIT_BYTES),
    trpcExpress.createExpressMiddleware({
      router: appRouter,
      createContext: ({ req, res }) => databaseContext(health, () => createRequestContext(services, req, res)),
      // A procedure that met a lost database: let the health check decide whether it is down.
      onError: ({ error }) => health.noteError(error.cause ?? error),
      maxBodySize: TRPC_BODY_LIMIT_BYTES,
      maxBatchSize: TRPC_MAX_BATCH,
      responseMeta: retryAfterMeta,
    }),
  );

  const route = (handler: ReturnType<typeof scopedRoute>) => {
    const bound = handler(services);
    return (req: Request, res: Response, next: NextFunction) => bound(req, res).catch(next);
  };
  app.get("/audit/export.csv", route(auditExportHandler));
  app.post("/data/imports/upload", route(uploadHandler));
  app.get("/data/imports/:importId/errors.csv", route(importErrorsHandler));

  app.use(bodySizeGuard(FORM_BODY_LIMIT_BYTES, { requireLength: true }));
  const closeUi = await mountRemix(app, services, options.ui);
  app.use(databaseErrors(health));
  app.use(errorHandler(logger));

  // REST for downstream systems (API keys in the Authorization header, no cookies, hence no
  // CSRF) is answered before Express, with the same headers, database gate and request ids
  // (decision 016).
  const api = createApiRouter(services, { headers, health, draining: () => draining });
  const server = createServer((req, res) => (isApiPath(req.url) ? api(req, res) : app(req, res)));
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
