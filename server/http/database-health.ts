import { TRPCError } from "@trpc/server";
import type { NextFunction, Request, Response } from "express";
import type { Database } from "../../db/client";
import type { Logger } from "../logger";

/** What a person or a client reads while PostgreSQL cannot be reached. */
export const DATABASE_UNREACHABLE = "The database is unreachable; retrying. Try again in a moment.";

/**
 * What a person or a client reads when every database connection is busy: the request waited its
 * turn for a connection longer than the pool allows. The database is up; retrying soon works.
 */
export const DATABASE_BUSY = "The server is busy; your request was not processed. Try again in a moment.";
/** Seconds a client should wait before retrying a request refused because the pool was busy. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

/** pg-pool's words when a request waited longer than connectionTimeoutMillis for a free connection (the pool is full; PostgreSQL is fine). */
const POOL_WAIT_TIMEOUT = /^timeout exceeded when trying to connect$/i;

/**
 * Whether an error (or one it wraps) is a request that gave up waiting for a free pooled
 * connection: load, not an outage. It is still one of isDatabaseUnreachable's errors (a
 * background job retries it the same way), so callers check this one first.
 */
export function isDatabaseBusy(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const e = current as { message?: unknown; cause?: unknown };
    if (typeof e.message === "string" && POOL_WAIT_TIMEOUT.test(e.message)) return true;
    current = e.cause;
  }
  return false;
}

/** SQLSTATEs of a connection that failed or was cut: class 08, and the server shutting it down (57P01-57P03). */
const CONNECTION_STATES = /^(08|57P0[123])/;
/** Node's socket errors on the way to the server. */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
/** pg's own words when it gave up connecting, or lost the connection under a query. */
const PG_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|connection timeout/i;

/** Whether an error (or any error it wraps: drizzle and tRPC wrap pg's) says PostgreSQL could not be reached or dropped the connection. */
export function isDatabaseUnreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const e = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof e.code === "string" && (CONNECTION_STATES.test(e.code) || SOCKET_CODES.has(e.code))) return true;
    if (typeof e.message === "string" && PG_MESSAGES.test(e.message)) return true;
    // An AggregateError (connecting to every address of 'localhost' failed) holds the real errors.
    if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnreachable(inner))) return true;
    current = e.cause;
  }
  return false;
}

/**
 * Whether PostgreSQL is reachable, as far as this instance knows. A request that finds it
 * unreachable marks it down; from then on requests are answered at once with 503 (instead of each
 * waiting for a connection timeout) while a probe pings it every `probeMs` and marks it up again
 * when it answers. The pool replaces broken connections by itself.
 */
export class DatabaseHealth {
  private down = false;
  private verifying = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly probeMs = 1_000,
  ) {}

  get reachable(): boolean {
    return !this.down;
  }

  /**
   * An error a request met. When it is a lost database connection, a ping decides: a single cut
   * connection (the pool replaces it) changes nothing; a database that does not answer is marked
   * down. Returns whether the error was a lost database.
   */
  noteError(error: unknown): boolean {
    // A full pool is load, not an outage: it must not mark the database down (nor cost a ping).
    if (isDatabaseBusy(error) || !isDatabaseUnreachable(error)) return false;
    if (!this.down && !this.verifying && !this.closed) {
      this.verifying = true;
      void this.db
        .ping()
        .catch((err: unknown) => this.markDown(err))
        .finally(() => {
          this.verifying = false;
        });
    }
    return true;
  }

  /** Pings now (for /healthz); the answer also updates the state. */
  async check(): Promise<boolean> {
    try {
      await this.db.ping();
      this.markUp();
      return true;
    } catch (err) {
      this.markDown(err);
      return false;
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private markDown(error: unknown) {
    if (this.down || this.closed) return;
    this.down = true;
    this.logger.warn({ err: error }, "the database is unreachable: answering 503 until it is back");
    this.probeSoon();
  }

  private markUp() {
    if (!this.down) return;
    this.down = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.logger.info("the database is reachable again");
  }

  private probeSoon() {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.db.ping().then(
        () => this.markUp(),
        () => this.probeSoon(),
      );
    }, this.probeMs);
    this.timer.unref();
  }
}

/** The 503 for a request that found every connection busy: says so (not "unreachable") and asks for a retry in BUSY_RETRY_AFTER_SECONDS. */
export function sendDatabaseBusy(req: Request, res: Response): void {
  res.status(503).set("Retry-After", String(BUSY_RETRY_AFTER_SECONDS));
  if (req.path.startsWith("/trpc")) {
    res.json({ error: { message: DATABASE_BUSY, code: -32603, data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503, requestId: res.locals.requestId } } });
  } else if (req.path.startsWith("/api/")) {
    res.json({ error: { code: "SERVICE_UNAVAILABLE", message: DATABASE_BUSY } });
  } else if (wantsJson(req)) {
    res.json({ error: DATABASE_BUSY, requestId: res.locals.requestId });
  } else {
    res
      .type("html")
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${BUSY_RETRY_AFTER_SECONDS}"><title>Quorum: busy</title></head>` +
          `<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2937">` +
          `<h1 style="font-size:1.4rem">Quorum is busy</h1><p>Every database connection was in use and your request waited too long, so it was not processed. ` +
          `This page reloads by itself in a moment; nothing you saved before is lost.</p>` +
          `<p style="color:#6b7280;font-size:.85rem">Request id ${escapeHtml(String(res.locals.requestId ?? "unknown"))}</p></body></html>`,
      );
  }
}

/** A JSON client (tRPC, the REST API, fetch) rather than a browser navigating to a page. */
function wantsJson(req: Request): boolean {
  return req.path.startsWith("/trpc") || req.path.startsWith("/api/") || !req.accepts("html");
}

/** The 503 answer: tRPC's error shape for /trpc, the REST API's for /api, `{ error }` JSON for other clients, a page that retries for browsers. */
export function sendDatabaseUnreachable(req: Request, res: Response): void {
  res.status(503).set("Retry-After", "5");
  if (req.path.startsWith("/trpc")) {
    res.json({ error: { message: DATABASE_UNREACHABLE, code: -32603, data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503, requestId: res.locals.requestId } } });
  } else if (req.path.startsWith("/api/")) {
    res.json({ error: { code: "SERVICE_UNAVAILABLE", message: DATABASE_UNREACHABLE } });
  } else if (wantsJson(req)) {
    res.json({ error: DATABASE_UNREACHABLE, requestId: res.locals.requestId });
  } else {
    res
      .type("html")
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>Quorum: database unreachable</title></head>` +
          `<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2937">` +
          `<h1 style="font-size:1.4rem">The database is unreachable</h1><p>Quorum cannot reach its database just now and is retrying. ` +
          `This page reloads by itself every few seconds; nothing you saved before is lost.</p>` +
          `<p style="color:#6b7280;font-size:.85rem">Request id ${escapeHtml(String(res.locals.requestId ?? "unknown"))}</p></body></html>`,
      );
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * GET /healthz for load balancers: 200 when this instance serves and reaches PostgreSQL; 503
 * while it drains for a shutdown (route no new requests here) or cannot reach the database.
 */
export function healthRoute(health: DatabaseHealth, draining: () => boolean) {
  return async (_req: Request, res: Response) => {
    const database = (await health.check()) ? "ok" : "unreachable";
    if (draining()) res.status(503).json({ status: "draining", database, message: "This instance is shutting down; its clients move to the others." });
    else if (database === "ok") res.json({ status: "ok", database });
    else res.status(503).json({ status: "unavailable", database, message: DATABASE_UNREACHABLE });
  };
}

/**
 * Answers 503 at once while the database is known to be down (/healthz still checks for
 * itself), and asks keep-alive clients to reconnect (elsewhere) while the instance drains.
 */
export function databaseGate(health: DatabaseHealth, draining: () => boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (draining()) res.set("Connection", "close");
    if (health.reachable || req.path === "/healthz") return next();
    sendDatabaseUnreachable(req, res);
  };
}

/** Turns a request that failed because the database went away into the 503 answer (other errors pass on). */
export function databaseErrors(health: DatabaseHealth) {
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (isDatabaseBusy(error) && !res.headersSent) return sendDatabaseBusy(req, res);
    if (!health.noteError(error) || res.headersSent) return next(error);
    sendDatabaseUnreachable(req, res);
  };
}

/**
 * tRPC's context reads the session from PostgreSQL before any procedure runs: a lost database
 * there is a 503 with the same message (and marks the database suspect), not an internal error.
 */
export async function databaseContext<T>(health: DatabaseHealth, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (err) {
    if (isDatabaseBusy(err)) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_BUSY, cause: err });
    if (health.noteError(err)) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_UNREACHABLE, cause: err });
    throw err;
  }
}
