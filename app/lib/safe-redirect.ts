/**
 * A redirect target taken from user input is followed only when it is a path on this site: it
 * starts with a single "/" (not "//" or "/\", which browsers treat as another host).
 */
export function safeRedirect(value: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) {
    return fallback;
  }
  if (/[\u0000-\u001f]/.test(value)) return fallback;
  return value;
}

/** The login page, asked to come back to `path` once signed in. */
export function loginPath(path: string): string {
  const target = safeRedirect(path, "/");
  return target === "/" ? "/login" : `/login?redirectTo=${encodeURIComponent(target)}`;
}

/** The path and query of a request, for coming back to it later. */
export function pathOf(request: Request): string {
  const url = new URL(request.url);
  return `${url.pathname}${url.search}`;
}
