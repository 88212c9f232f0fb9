import express, { type NextFunction, type Request, type Response } from "express";
import { ZodError } from "zod";
import type { ApiScope } from "../../db/schema";
import { DomainError, HTTP_STATUS } from "../errors";
import { startCsv } from "../http/csv-response";
import { csvLine } from "../lib/csv";
import type { Logger } from "../logger";
import { customerSegments, membersExportTarget, membersPage, publishedSegments, segmentChanges, segmentDetail, setConsent, streamMembers, type Fallback } from "../services/api";
import { ApiRateLimiter, authenticateApiKey, type ApiPrincipal } from "../services/api-keys";
import { appendAudit } from "../services/audit";
import type { AppServices } from "../trpc/context";
import { describeZodError } from "../trpc/init";
import { renderApiDocs } from "./docs";
import { openApiDocument } from "./openapi";

type Handler = (p: ApiPrincipal, req: Request, res: Response) => Promise<void>;

function sendError(res: Response, status: number, code: string, message: string) {
  res.status(status).json({ error: { code, message } });
}

function setFallback(res: Response, fallbacks: Fallback[]) {
  if (!fallbacks.length) return;
  res.setHeader(
    "X-Quorum-Fallback",
    fallbacks.map((f) => `segment=${f.segmentId}; serving-version=${f.servingVersion}; failed-version=${f.failedVersion}`).join(", "),
  );
}

/** Answers `value` without its `fallbacks`, which go into the header instead. */
function sendJson<T extends { fallbacks: Fallback[] }>(res: Response, value: T) {
  const { fallbacks, ...body } = value;
  setFallback(res, fallbacks);
  res.json(body);
}

/**
 * REST /api/v1 for downstream systems (decision 008): a key with the scope each operation needs,
 * a per-key rate limit, thin handlers over services/api, and JSON errors that never carry a stack.
 */
export function createApiRouter(services: AppServices): express.Router {
  const limiter = new ApiRateLimiter(services.config.API_RATE_LIMIT_PER_MINUTE);
  const router = express.Router();

  const handle = (scopeFor: ApiScope | ((req: Request) => ApiScope), handler: Handler) => async (req: Request, res: Response) => {
    const log: Logger = res.locals.log ?? services.logger;
    try {
      const needed = typeof scopeFor === "function" ? scopeFor(req) : scopeFor;
      const principal = await authenticateApiKey(services.db, req.get("authorization"), needed, res.locals.requestId);
      limiter.take(principal.keyId);
      await handler(principal, req, res);
    } catch (error) {
      if (res.headersSent) {
        log.error({ err: error }, "API response failed mid-stream");
        res.destroy(error as Error);
      } else if (error instanceof DomainError) {
        const retryAfter = error.details?.retryAfter;
        if (typeof retryAfter === "number") res.setHeader("Retry-After", String(retryAfter));
        if (error.code === "UNAUTHENTICATED") res.setHeader("WWW-Authenticate", 'Bearer realm="quorum"');
        sendError(res, HTTP_STATUS[error.code], error.code, error.message);
      } else if (error instanceof ZodError) {
        sendError(res, 400, "INVALID", describeZodError(error));
      } else {
        log.error({ err: error }, "API request failed");
        sendError(res, 500, "INTERNAL", `Something went wrong on our side. If it keeps happening, give your admin this request id: ${res.locals.requestId}.`);
      }
    }
  };

  router.get("/openapi.json", (_req, res) => {
    res.setHeader("cache-control", "public, max-age=300");
    res.json(openApiDocument);
  });
  router.get("/docs", (_req, res) => {
    res.type("html").send(renderApiDocs(openApiDocument));
  });

  router.get(
    "/customers/:externalId/segments",
    handle("memberships:read", async (p, req, res) => sendJson(res, await customerSegments(p, req.params.externalId))),
  );
  router.post(
    "/customers/:externalId/consent",
    express.json({ limit: "16kb" }),
    handle("consent:write", async (p, req, res) => {
      res.json(await setConsent(p, req.params.externalId, req.body));
    }),
  );
  router.get("/segments", handle("memberships:read", async (p, _req, res) => sendJson(res, await publishedSegments(p))));
  router.get("/segments/:segmentId", handle("memberships:read", async (p, req, res) => sendJson(res, await segmentDetail(p, req.params.segmentId))));

  const wantsCsv = (req: Request) => req.accepts(["application/json", "text/csv"]) === "text/csv";
  router.get(
    "/segments/:segmentId/members",
    handle(
      (req) => (wantsCsv(req) ? "exports:read" : "memberships:read"),
      async (p, req, res) => {
        if (!wantsCsv(req)) {
          sendJson(res, await membersPage(p, req.params.segmentId, { cursor: req.query.cursor, limit: req.query.limit }));
          return;
        }
        const target = await membersExportTarget(p, req.params.segmentId, null);
        await p.db.withTenant(p.tenantId, (tx) =>
          appendAudit(tx, p.audit, {
            action: "segment.export",
            objectType: "segment",
            objectId: target.segmentId,
            after: { version: target.version, format: "csv", via: `API key ${p.keyName}` },
          }),
        );
        setFallback(res, target.fallbacks);
        startCsv(res, `segment-${target.segmentId.slice(0, 8)}-v${target.version}.csv`, ["external_id"]);
        await streamMembers(p, target.segmentId, target.version, async (ids) => {
          if (!res.write(ids.map((id) => csvLine([id])).join(""))) await new Promise((r) => res.once("drain", r));
        });
        res.end();
      },
    ),
  );
  router.get(
    "/segments/:segmentId/changes",
    handle("memberships:read", async (p, req, res) =>
      sendJson(res, await segmentChanges(p, req.params.segmentId, { since: req.query.since, cursor: req.query.cursor, limit: req.query.limit })),
    ),
  );

  router.use((req: Request, res: Response) => {
    sendError(res, 404, "NOT_FOUND", `There is no ${req.method} ${req.baseUrl}${req.path} in this API; see /api/v1/docs.`);
  });
  // A body that is not JSON (express.json) or any other error before a handler: JSON, no stack.
  router.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (error.type === "entity.parse.failed") return sendError(res, 400, "INVALID", "The request body is not valid JSON.");
    if (error.type === "entity.too.large") return sendError(res, 413, "INVALID", "The request body is too large.");
    (res.locals.log ?? services.logger).error({ err: error }, "API request failed");
    sendError(res, 500, "INTERNAL", `Something went wrong on our side. If it keeps happening, give your admin this request id: ${res.locals.requestId}.`);
  });
  return router;
}
