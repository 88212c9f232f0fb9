import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import helmet from "helmet";
import { DomainError } from "../errors";
import { BUSY_RETRY_AFTER_SECONDS, isDatabaseBusy, isDatabaseUnreachable } from "./database-health";
import type { Logger } from "../logger";

/** Largest JSON body /trpc accepts (a rule tree or a SWOT board is a few kB). */
export const TRPC_BODY_LIMIT_BYTES = 1024 * 1024;
/** Most procedures one /trpc batch call may carry; the app's own pages never batch. */
export const TRPC_MAX_BATCH = 20;
/** Largest form post the Remix actions accept (uploads go to /data/imports/upload, which has its own limit). */
export const FORM_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

const kb = (bytes: number) => (bytes >= 1048576 ? `${bytes / 1048576} MB` : `${Math.round(bytes / 1024)} kB`);

export function tooLargeMessage(limitBytes: number): string {
  return `The request body is too large: this address accepts at most ${kb(limitBytes)}. Send less data at once (data files go through the import upload).`;
}

/** The per-response CSP nonce; Remix's document (app/entry.server.tsx) puts it on its inline scripts. */
export function cspNonceOf(res: Response): string {
  return typeof res.locals.cspNonce === "string" ? res.locals.cspNonce : "";
}

function nonceSource(_req: IncomingMessage, res: ServerResponse): string {
  return `'nonce-${cspNonceOf(res as Response)}'`;
}

/** The page's own host over WebSocket (socket.io); 'self' alone does not cover ws:/wss: in every browser. */
function webSocketSelf(publicOrigin: URL | null) {
  return (req: IncomingMessage): string => {
    const host = publicOrigin?.host ?? req.headers.host ?? "";
    const secure = publicOrigin ? publicOrigin.protocol === "https:" : (req.socket as { encrypted?: boolean }).encrypted === true;
    return /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `${secure ? "wss" : "ws"}://${host}` : "'self'";
  };
}

/**
 * Security headers on every response (helmet; decision 017). The content-security policy:
 * scripts only from this origin or inline with the response's nonce; style elements likewise,
 * style *attributes* allowed (React renders `style={…}` into the server HTML; an attribute
 * cannot run script or pull a stylesheet); images also from data: and blob: (chart PNG/SVG
 * export); connections to this origin and its WebSocket (socket.io); no plugins, no framing,
 * forms only to this origin. HSTS and upgrade-insecure-requests only when PUBLIC_URL is https.
 * The Vite development server injects unnonced styles, so `ui: "development"` sends no CSP.
 */
export function securityHeaders(options: { publicUrl: string | undefined; ui: "production" | "development" }): RequestHandler[] {
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl) : null;
  const https = publicOrigin?.protocol === "https:";
  const directives = {
    "default-src": ["'self'"],
    "script-src": ["'self'", nonceSource],
    "script-src-attr": ["'none'"],
    "style-src": ["'self'", nonceSource],
    "style-src-elem": ["'self'", nonceSource],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'", webSocketSelf(publicOrigin)],
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
    "media-src": ["'self'"],
    "object-src": ["'none'"],
    "frame-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    ...(https ? { "upgrade-insecure-requests": [] } : {}),
  };
  const setNonce: RequestHandler = (_req, res, next) => {
    res.locals.cspNonce = randomBytes(16).toString("base64");
    next();
  };
  return [
    setNonce,
    helmet({
      contentSecurityPolicy: options.ui === "production" ? { useDefaults: false, directives } : false,
      strictTransportSecurity: https ? { maxAge: 365 * 24 * 3600, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
      xFrameOptions: { action: "deny" },
      referrerPolicy: { policy: "strict-origin-when-cross-origin" },
    }),
  ];
}

/**
 * Refuses a request body over `limitBytes` by its Content-Length before anything reads it, and
 * a state-changing request without a Content-Length (browsers always send one for form posts;
 * a chunked body of unknown size could not be bounded before Remix buffers it).
 */
export function bodySizeGuard(limitBytes: number, options: { requireLength?: boolean } = {}): RequestHandler {
  return (req, res, next) => {
    if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
    const header = req.headers["content-length"];
    if (header === undefined) {
      if (options.requireLength && req.headers["transfer-encoding"]) {
        res.status(411).type("text/plain").send("Send the request body with a Content-Length header (chunked bodies are not accepted here).");
        return;
      }
      return next();
    }
    if (Number(header) > limitBytes) {
      res.setHeader("Connection", "close");
      res.status(413).type("text/plain").send(tooLargeMessage(limitBytes));
      return;
    }
    next();
  };
}

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  limit?: number;
  expose?: boolean;
}

/** What a client error raised by Express or its body parsers means, in words for the caller. */
function describeClientError(error: HttpishError, status: number): string {
  switch (error.type) {
    case "entity.parse.failed":
      return "The request body is not valid JSON.";
    case "entity.too.large":
      return tooLargeMessage(error.limit ?? TRPC_BODY_LIMIT_BYTES);
    case "encoding.unsupported":
    case "charset.unsupported":
      return "The request body's encoding or character set is not supported; send UTF-8.";
    case "request.aborted":
      return "The request was aborted before its body arrived.";
    case "request.size.invalid":
      return "The request body is shorter or longer than its Content-Length says.";
  }
  if (status === 400) return "The request could not be read (a malformed address or body).";
  if (status === 404) return "There is nothing at this address.";
  if (status === 413) return tooLargeMessage(error.limit ?? TRPC_BODY_LIMIT_BYTES);
  return "The request was refused.";
}

/**
 * The last Express error handler: a client error (4xx from Express, a body parser, a malformed
 * URL) says what was wrong; anything else is logged and answered with the request id only.
 * Never a stack trace or an internal message.
 */
export function errorHandler(logger: Logger) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = (typeof error === "object" && error !== null ? error : {}) as HttpishError;
    const status = e.status ?? e.statusCode;
    const log: Logger = res.locals.log ?? logger;
    if (res.headersSent) {
      log.error({ err: error }, "response failed mid-stream");
      res.destroy();
      return;
    }
    if (typeof status === "number" && status >= 400 && status < 500) {
      log.info({ status, type: e.type }, "client error");
      res.status(status).type("text/plain").send(describeClientError(e, status));
      return;
    }
    log.error({ err: error }, "unhandled request error");
    res.status(500).type("text/plain").send(`Something went wrong on our side (request id ${res.locals.requestId}).`);
  };
}

/** Retry-After for a /trpc answer whose error is a rate limit (its DomainError carries the seconds). */
export function retryAfterMeta({ errors }: { errors: readonly { cause?: unknown }[] }): { headers?: Record<string, string> } {
  for (const error of errors) {
    const seconds = error.cause instanceof DomainError ? error.cause.details?.retryAfter : undefined;
    if (typeof seconds === "number") return { headers: { "Retry-After": String(seconds) } };
    if (isDatabaseBusy(error.cause)) return { headers: { "Retry-After": String(BUSY_RETRY_AFTER_SECONDS) } };
    if (isDatabaseUnreachable(error.cause)) return { headers: { "Retry-After": "5" } };
  }
  return {};
}

/**
 * The client's address as Express's req.ip gives it with `trust proxy` true or false: the
 * left-most X-Forwarded-For entry behind a trusted proxy, the socket's peer otherwise. For
 * handlers served on plain node:http (/api/v1).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers["x-forwarded-for"];
  const first = trustProxy && typeof forwarded === "string" ? forwarded.split(",")[0].trim() : "";
  return first || req.socket.remoteAddress || "unknown";
}
