/**
 * Typed domain errors. Services throw these; one formatter (server/trpc/errors.ts) maps them to
 * tRPC and HTTP responses. Messages are written for the person who will read them.
 */
export type DomainErrorCode =
  | "INVALID"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "RATE_LIMITED";

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const invalid = (message: string, details?: Record<string, unknown>) => new DomainError("INVALID", message, details);
export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} was not found in this workspace.`);
export const forbidden = (message: string) => new DomainError("FORBIDDEN", message);
export const conflict = (message: string) => new DomainError("CONFLICT", message);

export const HTTP_STATUS: Record<DomainErrorCode, number> = {
  INVALID: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
};
