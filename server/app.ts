import * as trpcExpress from "@trpc/server/adapters/express";
import express, { type NextFunction, type Request, type Response } from "express";
import { createServer, type Server } from "node:http";
import { createApiRouter } from "./api/router";
import { attachCollab, type Collab } from "./collab/server";
import { auditExportHandler } from "./http/audit-export";
import { csrfGuard } from "./http/csrf";
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
  close(): Promise<void>;
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
  app.use(securityHeaders({ publicUrl: config.PUBLIC_URL, ui: options.ui }));

  app.get("/healthz", async (_req, res) => {
    try {
      await db.ping();
      res.json({ status: "ok", database: "ok" });
    } catch {
      res.status(503).json({ status: "unavailable", database: "unreachable" });
    }
  });

  // REST for downstream systems: API keys in the Authorization header, no cookies, hence no CSRF.
  app.use("/api/v1", createApiRouter(services));
  app.use(csrfGuard(config.PUBLIC_URL));
  // tRPC reads and parses the body itself (bounded by maxBodySize), so a malformed or oversized
  // body gets a tRPC-shaped error like any other failure of a procedure.
  app.use(
    "/trpc",
    bodySizeGuard(TRPC_BODY_LIMIT_BYTES),
    trpcExpress.createExpressMiddleware({
      router: appRouter,
      createContext: ({ req, res }) => createRequestContext(services, req, res),
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
  app.use(errorHandler(logger));

  const server = createServer(app);
  const collab = attachCollab(server, services);
  return {
    app,
    server,
    collab,
    async close() {
      await collab.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await closeUi();
    },
  };
}
