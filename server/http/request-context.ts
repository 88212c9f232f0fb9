import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../logger";

const SAFE_ID = /^[A-Za-z0-9._-]{8,100}$/;

/** Paths whose last segment is a secret (invite links) are logged without it. */
function loggablePath(url: string): string {
  const path = url.split("?")[0];
  return path.startsWith("/invite/") ? "/invite/[token]" : path;
}

/**
 * Gives a request its id (the caller's x-request-id when sane, sent back in the response) and,
 * when the logger writes info lines, an access log line once the response is finished. Plain
 * node:http, so that /api/v1 (served before Express) and Express share it.
 */
export function trackRequest(logger: Logger, req: IncomingMessage & { originalUrl?: string }, res: ServerResponse): string {
  const incoming = req.headers["x-request-id"];
  const requestId = typeof incoming === "string" && SAFE_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader("x-request-id", requestId);
  if (logger.isLevelEnabled("info")) {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const path = loggablePath(req.originalUrl ?? req.url ?? "/");
      if (path.startsWith("/assets/")) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({ requestId, method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, "request");
    });
  }
  return requestId;
}

/** Express middleware: the request id and a child logger carrying it in res.locals, and the access log line. */
export function requestLogging(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const requestId = trackRequest(logger, req, res);
    res.locals.requestId = requestId;
    res.locals.log = logger.child({ requestId });
    next();
  };
}
