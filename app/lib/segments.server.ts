import { redirect } from "@remix-run/node";
import { TRPCError } from "@trpc/server";
import { loginPath } from "./safe-redirect";

const CHANGES = ["members", "added", "removed"] as const;

/** The version and change a members list or CSV asks for, from its URL. */
export function membersQuery(segmentId: string | undefined, params: URLSearchParams) {
  const change = params.get("change");
  return {
    segmentId: segmentId ?? "",
    version: Number(params.get("version")),
    change: (CHANGES as readonly string[]).includes(change ?? "") ? (change as (typeof CHANGES)[number]) : "members",
    offset: Math.max(0, Number(params.get("offset")) || 0),
  };
}

const STATUS: Partial<Record<TRPCError["code"], number>> = {
  BAD_REQUEST: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
};

/**
 * A resource route's answer to a failed call: the service's message as plain text with its
 * status (a lost session goes to the login page); anything unexpected is rethrown.
 */
export function resourceFailure(error: unknown): Response {
  if (error instanceof TRPCError) {
    if (error.code === "UNAUTHORIZED") throw redirect(loginPath("/segments"));
    const status = STATUS[error.code];
    if (status) return new Response(error.message, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  throw error;
}
