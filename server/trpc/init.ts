import { initTRPC, TRPCError, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { ZodError } from "zod";
import type { Action } from "../auth/permissions";
import { resolveScope } from "../auth/scope";
import { DomainError, type DomainErrorCode } from "../errors";
import { DATABASE_BUSY, DATABASE_UNREACHABLE, isDatabaseBusy, isDatabaseUnreachable } from "../http/database-health";
import { tooLargeMessage, TRPC_BODY_LIMIT_BYTES, TRPC_MAX_BATCH } from "../http/security";
import type { RequestContext } from "./context";

const TRPC_CODES: Record<DomainErrorCode, TRPC_ERROR_CODE_KEY> = {
  INVALID: "BAD_REQUEST",
  UNAUTHENTICATED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
};

/** "email: Enter an email address …" for each problem, in the order zod found them. */
export function describeZodError(error: ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}

/** Errors raised by tRPC itself before a procedure runs, in words for the caller (never the parser's internals). */
function transportMessage({ code, message, cause }: TRPCError): string | null {
  if (code === "PARSE_ERROR" || cause instanceof SyntaxError) return "The request could not be read: its body or input parameter is not valid JSON.";
  if (code === "PAYLOAD_TOO_LARGE") return tooLargeMessage(TRPC_BODY_LIMIT_BYTES);
  if (message === "Batch call exceeds maximum size") return `A batch may call at most ${TRPC_MAX_BATCH} procedures.`;
  return null;
}

const t = initTRPC.context<RequestContext>().create({
  errorFormatter({ shape, error, ctx }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      message: internal
        ? `Something went wrong on our side. Try again; if it keeps happening, give your admin this request id: ${ctx?.requestId ?? "unknown"}.`
        : zod
          ? describeZodError(zod)
          : (transportMessage(error) ?? shape.message),
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        requestId: ctx?.requestId,
        fieldErrors: zod ? Object.fromEntries(zod.issues.map((i) => [i.path.join("."), i.message])) : undefined,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain and validation errors thrown by services become tRPC errors with their own message. */
const domainErrors = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof DomainError) {
      throw new TRPCError({ code: TRPC_CODES[cause.code], message: cause.message, cause });
    }
    if (cause instanceof ZodError) {
      throw new TRPCError({ code: "BAD_REQUEST", message: describeZodError(cause), cause });
    }
    if (isDatabaseBusy(cause)) {
      ctx.logger.warn({ err: cause, requestId: ctx.requestId, path }, "procedure refused: every database connection busy");
      throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_BUSY, cause });
    }
    if (isDatabaseUnreachable(cause)) {
      ctx.logger.warn({ err: cause, requestId: ctx.requestId, path }, "procedure failed: database unreachable");
      throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_UNREACHABLE, cause });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR") {
      ctx.logger.error({ err: cause ?? result.error, requestId: ctx.requestId, path }, "procedure failed");
    }
  }
  return result;
});

export const publicProcedure = t.procedure.use(domainErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session) throw new DomainError("UNAUTHENTICATED", "Sign in to continue.");
  return next({ ctx: { ...ctx, session: ctx.session, user: ctx.session.user } });
});

export const tenantProcedure = authedProcedure.use(({ ctx, next }) => {
  const scope = resolveScope(ctx);
  return next({ ctx: { ...ctx, workspace: ctx.workspace!, scope } });
});

export function permissionProcedure(action: Action) {
  return tenantProcedure.use(({ ctx, next }) => {
    resolveScope(ctx, action);
    return next();
  });
}
