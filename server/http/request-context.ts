import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../logger";

const SAFE_ID = /^[A-Za-z0-9._-]{8,100}$/;

/** Paths whose last segment is a secret (invite links) are logged without it. */
function loggablePath(url: string): string {
  const path = url.split("?")[0];
  return path.startsWith("/invite/") ? "/invite/[token]" : path;
}

/** Gives every request an id (the caller's x-request-id when sane), a child logger and an access log line. */
export function requestLogging(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers["x-request-id"];
    const requestId = typeof incoming === "string" && SAFE_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader("x-request-id", requestId);
    res.locals.requestId = requestId;
    res.locals.log = logger.child({ requestId });
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (req.path.startsWith("/assets/")) return;
      (res.locals.log as Logger).info(
        { method: req.method, path: loggablePath(req.originalUrl), status: res.statusCode, ms: Math.round(ms * 10) / 10 },
        "request",
      );
    });
    next();
  };
}
