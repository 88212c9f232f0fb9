import { data, redirect } from "@remix-run/node";
import { TRPCError } from "@trpc/server";
import { loginPath, pathOf } from "./safe-redirect";

/** What a failed form submission sends back: a message for the form and one per field. */
export interface FormFailure {
  formError: string | null;
  fieldErrors: Record<string, string>;
}

interface Issue {
  path: PropertyKey[];
  message: string;
}

function zodIssues(cause: unknown): Issue[] {
  if (typeof cause !== "object" || cause === null || !("issues" in cause) || !Array.isArray(cause.issues)) return [];
  return cause.issues as Issue[];
}

/** The page that shows a 400/403/404 (or 503: the database is unreachable) inside the app shell, with the server's explanation. */
export function errorPage(status: 400 | 403 | 404 | 503, message: string) {
  return data({ message }, { status });
}

/**
 * Turns a tRPC error from an action into messages for the form (field errors when validation
 * failed). A lost session goes to the login page, except on the pages that sign people in,
 * where "unauthenticated" is the answer to show; anything unexpected is rethrown to the error
 * boundary, which does not show internals.
 */
export function formFailure(error: unknown, request: Request, options: { signingIn?: boolean } = {}): FormFailure {
  if (!(error instanceof TRPCError) || error.code === "INTERNAL_SERVER_ERROR") throw error;
  if (error.code === "UNAUTHORIZED" && !options.signingIn) throw redirect(loginPath(pathOf(request)));
  const fieldErrors: Record<string, string> = {};
  for (const issue of zodIssues(error.cause)) {
    const key = issue.path.map(String).join(".");
    if (key && !fieldErrors[key]) fieldErrors[key] = issue.message;
  }
  const unplaced = zodIssues(error.cause).some((i) => i.path.length === 0);
  return { formError: Object.keys(fieldErrors).length && !unplaced ? null : error.message, fieldErrors };
}

/**
 * Runs a loader's tRPC calls: a lost session redirects to the login page (coming back here),
 * a refused permission, a missing object or a malformed request shows the 403/404/400 page
 * with the server's message.
 */
export async function loadOrFail<T>(request: Request, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof TRPCError) {
      if (error.code === "UNAUTHORIZED") throw redirect(loginPath(pathOf(request)));
      if (error.code === "FORBIDDEN") throw errorPage(403, error.message);
      if (error.code === "NOT_FOUND") throw errorPage(404, error.message);
      if (error.code === "BAD_REQUEST") throw errorPage(400, error.message);
      if (error.code === "SERVICE_UNAVAILABLE") throw errorPage(503, error.message);
    }
    throw error;
  }
}

/** A string field of a submitted form ("" when absent). */
export function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}
