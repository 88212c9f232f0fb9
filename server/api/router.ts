import type { IncomingMessage, ServerResponse } from "node:http";
import type { Request, RequestHandler, Response } from "express";
import { ZodError } from "zod";
import type { ApiScope } from "../../db/schema";
import { DomainError, HTTP_STATUS } from "../errors";
import { startCsv } from "../http/csv-response";
import { BUSY_RETRY_AFTER_SECONDS, DATABASE_BUSY, DATABASE_UNREACHABLE, isDatabaseBusy, type DatabaseHealth } from "../http/database-health";
import { trackRequest } from "../http/request-context";
import { clientAddress } from "../http/security";
import { csvLine } from "../lib/csv";
import { customerSegments, membersExportTarget, membersPage, publishedSegments, segmentChanges, segmentDetail, setConsent, streamMembers, type Fallback } from "../services/api";
import { ApiRateLimiter, authenticateApiKey, type ApiPrincipal } from "../services/api-keys";
import { appendAudit } from "../services/audit";
import type { AppServices } from "../trpc/context";
import { describeZodError } from "../trpc/init";
import { renderApiDocs } from "./docs";
import { openApiDocument } from "./openapi";

/** Where the API is served. */
export const API_PREFIX = "/api/v1";

/** Whether a request URL is the API's (matched without regard to case, as Express matched its mount path). */
export function isApiPath(url: string | undefined): boolean {
  if (!url || url.length < API_PREFIX.length || url.slice(0, API_PREFIX.length).toLowerCase() !== API_PREFIX) return false;
  const next = url.charAt(API_PREFIX.length);
  return next === "" || next === "/" || next === "?";
}

/** One request to an operation: its path parameters and query, the response, its id for logs and audit. */
export interface ApiCall {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  /** Query parameters: a string, or an array when one is repeated (as Express's parser gave them). */
  query: Record<string, string | string[]>;
  requestId: string;
}

type Operation = (call: ApiCall) => Promise<void> | void;
type Handler = (p: ApiPrincipal, call: ApiCall) => Promise<void>;

interface Route {
  method: "GET" | "POST";
  /** The path below /api/v1, with `:name` parameters. */
  path: string;
  segments: string[];
  run: Operation;
}

export interface ApiHandler {
  /** Answers a request whose URL starts with /api/v1. */
  (req: IncomingMessage, res: ServerResponse): void;
  /** The operations served, as `get /customers/{externalId}/segments` (for the OpenAPI test). */
  readonly routes: readonly { method: string; path: string }[];
}

/** What the API shares with the rest of the server when it is served before Express. */
export interface ApiOptions {
  /** The security headers every response gets (server/http/security.ts); they set headers and res.locals only. */
  headers?: RequestHandler[];
  /** The database's health: while it is down the API answers 503 at once, and a request that finds it lost reports it. */
  health?: DatabaseHealth;
  /** Whether the instance is draining (connections are then closed after their response). */
  draining?: () => boolean;
}

const CONSENT_BODY_LIMIT = 16 * 1024;

function sendBody(res: ServerResponse, status: number, type: string, body: string) {
  res.statusCode = status;
  res.setHeader("content-type", type);
  res.setHeader("content-length", Buffer.byteLength(body));
  res.end(body);
}

function sendJsonBody(res: ServerResponse, status: number, value: unknown) {
  sendBody(res, status, "application/json; charset=utf-8", JSON.stringify(value));
}

function sendError(res: ServerResponse, status: number, code: string, message: string) {
  sendJsonBody(res, status, { error: { code, message } });
}

/** The answer while the database is unreachable (as server/http/database-health.ts gives it for /api/). */
function sendUnreachable(res: ServerResponse) {
  res.setHeader("Retry-After", "5");
  sendError(res, 503, "SERVICE_UNAVAILABLE", DATABASE_UNREACHABLE);
}

function setFallback(res: ServerResponse, fallbacks: Fallback[]) {
  if (!fallbacks.length) return;
  res.setHeader(
    "X-Quorum-Fallback",
    fallbacks.map((f) => `segment=${f.segmentId}; serving-version=${f.servingVersion}; failed-version=${f.failedVersion}`).join(", "),
  );
}

/** Answers `value` without its `fallbacks`, which go into the header instead. */
function sendJson<T extends { fallbacks: Fallback[] }>(res: ServerResponse, value: T) {
  const { fallbacks, ...body } = value;
  setFallback(res, fallbacks);
  sendJsonBody(res, 200, body);
}

/** A client error found before an operation ran (a body or path it cannot read). */
class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parseQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  if (!search) return query;
  for (const [name, value] of new URLSearchParams(search)) {
    const seen = query[name];
    query[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadRequest(400, `The path segment '${segment}' is not validly percent-encoded.`);
  }
}

/**
 * Which of `offered` the Accept header prefers, by the rules Express's req.accepts follows
 * (negotiator): each offered type takes its most specific matching range; the highest q wins,
 * then the more specific match, then the range listed first, then the order offered. No header
 * means any type (the first offered); null when none is acceptable.
 */
export function preferredType(accept: string | undefined, offered: readonly string[]): string | null {
  const ranges = (accept ?? "*/*").split(",").flatMap((part, order) => {
    const [range, ...params] = part.split(";");
    const [type, subtype] = range.trim().toLowerCase().split("/");
    if (!type || !subtype) return [];
    const qParam = params.map((p) => p.split("=").map((x) => x.trim())).find(([k]) => k.toLowerCase() === "q");
    const q = qParam ? Number(qParam[1]) : 1;
    return Number.isFinite(q) ? [{ type, subtype, q, order }] : [];
  });
  const ranked = offered.flatMap((candidate, index) => {
    const [type, subtype] = candidate.toLowerCase().split("/");
    let best: { q: number; s: number; o: number } | null = null;
    for (const r of ranges) {
      if ((r.type !== type && r.type !== "*") || (r.subtype !== subtype && r.subtype !== "*")) continue;
      const spec = { q: r.q, s: (r.type === type ? 4 : 0) + (r.subtype === subtype ? 2 : 0), o: r.order };
      if (!best || spec.s - best.s > 0 || (spec.s === best.s && (spec.q > best.q || (spec.q === best.q && spec.o > best.o)))) best = spec;
    }
    return best && best.q > 0 ? [{ ...best, candidate, index }] : [];
  });
  ranked.sort((a, b) => b.q - a.q || b.s - a.s || a.o - b.o || a.index - b.index);
  return ranked[0]?.candidate ?? null;
}

/** The JSON body of a request (at most `limit` bytes); `{}` when it has none or is not JSON. */
async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    req.resume();
    return {};
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BadRequest(413, "The request body is too large.");
    chunks.push(chunk);
  }
  if (!size) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BadRequest(400, "The request body is not valid JSON.");
  }
}

/**
 * REST /api/v1 for downstream systems (decision 008): a key with the scope each operation needs,
 * a per-key rate limit, thin handlers over services/api, and JSON errors that never carry a stack.
 * Plain node:http, served before Express (decision 016): Express's per-request set-up (its
 * request/response prototypes, middleware stack, res.json, ETag) cost as much server CPU as the
 * whole lookup of a customer's segments. `options` carry what Express would have applied.
 */
export function createApiRouter(services: AppServices, options: ApiOptions = {}): ApiHandler {
  const limiter = new ApiRateLimiter(services.config.API_RATE_LIMIT_PER_MINUTE);
  // A flood of requests with no or wrong keys (guessing, a misconfigured client) is cut off per
  // address before each costs a key lookup (decision 017).
  const invalidKeys = new ApiRateLimiter(services.config.API_INVALID_KEY_LIMIT_PER_MINUTE, "Requests without a valid API key from your address are");
  const routes: Route[] = [];
  const route = (method: Route["method"], path: string, run: Operation) => routes.push({ method, path, segments: path.split("/").slice(1), run });

  const failed = (call: ApiCall, error: unknown) => {
    const { res, requestId } = call;
    const log = () => services.logger.child({ requestId });
    if (res.headersSent) {
      log().error({ err: error }, "API response failed mid-stream");
      res.destroy(error as Error);
    } else if (error instanceof DomainError) {
      const retryAfter = error.details?.retryAfter;
      if (typeof retryAfter === "number") res.setHeader("Retry-After", String(retryAfter));
      if (error.code === "UNAUTHENTICATED") res.setHeader("WWW-Authenticate", 'Bearer realm="quorum"');
      sendError(res, HTTP_STATUS[error.code], error.code, error.message);
    } else if (error instanceof ZodError) {
      sendError(res, 400, "INVALID", describeZodError(error));
    } else if (isDatabaseBusy(error)) {
      // Every connection busy: load, not an outage; the client retries shortly.
      res.setHeader("Retry-After", String(BUSY_RETRY_AFTER_SECONDS));
      sendError(res, 503, "SERVICE_UNAVAILABLE", DATABASE_BUSY);
    } else if (options.health?.noteError(error)) {
      sendUnreachable(res);
    } else if (error instanceof BadRequest) {
      if (error.status === 413) res.setHeader("connection", "close");
      sendError(res, error.status, "INVALID", error.message);
    } else {
      log().error({ err: error }, "API request failed");
      sendError(res, 500, "INTERNAL", `Something went wrong on our side. If it keeps happening, give your admin this request id: ${requestId}.`);
    }
  };

  const keyed =
    (scopeFor: ApiScope | ((call: ApiCall) => ApiScope), handler: Handler): Operation =>
    async (call) => {
      const needed = typeof scopeFor === "function" ? scopeFor(call) : scopeFor;
      const address = clientAddress(call.req, services.config.TRUST_PROXY);
      invalidKeys.check(address);
      const principal = await authenticateApiKey(services.db, call.req.headers.authorization, needed, call.requestId).catch((error: unknown) => {
        if (error instanceof DomainError && error.code === "UNAUTHENTICATED") invalidKeys.take(address);
        throw error;
      });
      limiter.take(principal.keyId);
      await handler(principal, call);
    };

  route("GET", "/openapi.json", ({ res }) => {
    res.setHeader("cache-control", "public, max-age=300");
    sendJsonBody(res, 200, openApiDocument);
  });
  // The page's style element carries the response's CSP nonce (server/http/security.ts sets it in res.locals).
  route("GET", "/docs", ({ res }) => {
    const nonce = (res as { locals?: { cspNonce?: unknown } }).locals?.cspNonce;
    sendBody(res, 200, "text/html; charset=utf-8", renderApiDocs(openApiDocument, typeof nonce === "string" ? nonce : ""));
  });

  route(
    "GET",
    "/customers/:externalId/segments",
    keyed("memberships:read", async (p, { params, res }) => sendJson(res, await customerSegments(p, params.externalId))),
  );
  route(
    "POST",
    "/customers/:externalId/consent",
    keyed("consent:write", async (p, { req, params, res }) => {
      const body = await readJsonBody(req, CONSENT_BODY_LIMIT);
      sendJsonBody(res, 200, await setConsent(p, params.externalId, body));
    }),
  );
  route("GET", "/segments", keyed("memberships:read", async (p, { res }) => sendJson(res, await publishedSegments(p))));
  route("GET", "/segments/:segmentId", keyed("memberships:read", async (p, { params, res }) => sendJson(res, await segmentDetail(p, params.segmentId))));

  const wantsCsv = ({ req }: ApiCall) => preferredType(req.headers.accept, ["application/json", "text/csv"]) === "text/csv";
  route(
    "GET",
    "/segments/:segmentId/members",
    keyed(
      (call) => (wantsCsv(call) ? "exports:read" : "memberships:read"),
      async (p, call) => {
        const { params, query, res } = call;
        if (!wantsCsv(call)) {
          sendJson(res, await membersPage(p, params.segmentId, { cursor: query.cursor, limit: query.limit }));
          return;
        }
        const target = await membersExportTarget(p, params.segmentId, null);
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
  route(
    "GET",
    "/segments/:segmentId/changes",
    keyed("memberships:read", async (p, { params, query, res }) =>
      sendJson(res, await segmentChanges(p, params.segmentId, { since: query.since, cursor: query.cursor, limit: query.limit })),
    ),
  );

  /** The route and its parameters for a path below /api/v1 (HEAD is served as GET without a body). */
  const match = (method: string, path: string): { route: Route; params: Record<string, string> } | null => {
    const parts = path.split("/").slice(1);
    const wanted = method === "HEAD" ? "GET" : method;
    for (const r of routes) {
      if (r.method !== wanted || r.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; ok && i < parts.length; i++) {
        const s = r.segments[i];
        if (s.startsWith(":")) ok = parts[i] !== "" && (params[s.slice(1)] = decodeSegment(parts[i])) !== undefined;
        else ok = s === parts[i] || s === parts[i].toLowerCase();
      }
      if (ok) return { route: r, params };
    }
    return null;
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const requestId = trackRequest(services.logger, req, res);
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = (q < 0 ? url : url.slice(0, q)).slice(API_PREFIX.length) || "/";
    const call: ApiCall = { req, res, params: {}, query: {}, requestId };
    try {
      if (options.headers) applyHeaders(options.headers, req, res);
      if (options.draining?.()) res.setHeader("connection", "close");
      if (options.health && !options.health.reachable) {
        req.resume();
        return sendUnreachable(res);
      }
      const found = match(req.method ?? "GET", path);
      if (!found) {
        req.resume();
        return sendError(res, 404, "NOT_FOUND", `There is no ${req.method} ${API_PREFIX}${path} in this API; see ${API_PREFIX}/docs.`);
      }
      call.params = found.params;
      call.query = q < 0 ? {} : parseQuery(url.slice(q + 1));
      const running = found.route.run(call);
      if (running) running.catch((error: unknown) => failed(call, error));
    } catch (error) {
      failed(call, error);
    }
  };
  return Object.assign(handler, { routes: routes.map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/:(\w+)/g, "{$1}") })) });
}

/**
 * Runs header-setting Express middleware (helmet and the CSP nonce) on a plain response: they
 * only set headers and res.locals, and call next at once.
 */
function applyHeaders(handlers: RequestHandler[], req: IncomingMessage, res: ServerResponse & { locals?: Record<string, unknown> }) {
  res.locals ??= {};
  for (const handler of handlers) {
    let failure: unknown = null;
    // The handlers are typed for Express's request and response; they use only what node:http has and res.locals.
    handler(req as Request, res as Response, (err?: unknown) => (failure = err ?? null));
    if (failure) throw failure;
  }
}
