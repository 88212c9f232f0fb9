import { redirect } from "@remix-run/node";
import { TRPCError } from "@trpc/server";
import { csvLine } from "../../server/lib/csv";
import { loginPath } from "./safe-redirect";

const STATUS: Partial<Record<TRPCError["code"], number>> = { BAD_REQUEST: 400, FORBIDDEN: 403, NOT_FOUND: 404 };

/** A CSV download of `rows` under `header`. */
export function csvDownload(fileName: string, header: readonly string[], rows: readonly (readonly unknown[])[]): Response {
  return new Response([csvLine(header), ...rows.map((r) => csvLine(r))].join(""), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${fileName}"`,
      "cache-control": "no-store",
    },
  });
}

/**
 * Runs a Models CSV route: a lost session goes to the login page (coming back to the page the
 * file belongs to); a refused, missing or malformed request answers with the service's message
 * as plain text; anything unexpected is rethrown.
 */
export async function csvOrFail(backTo: string, make: () => Promise<Response>): Promise<Response> {
  try {
    return await make();
  } catch (error) {
    if (error instanceof TRPCError) {
      if (error.code === "UNAUTHORIZED") throw redirect(loginPath(backTo));
      const status = STATUS[error.code];
      if (status) return new Response(error.message, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
    }
    throw error;
  }
}
