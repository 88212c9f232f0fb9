import type { NextFunction, Request, Response } from "express";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cross-site request forgery guard for every state-changing request (form posts, tRPC
 * mutations): a browser always says where a request comes from (Origin, or Sec-Fetch-Site,
 * or at least Referer), and it must be this site. Requests that carry none of these headers
 * do not come from a browser page, and carry no ambient cookie risk. SameSite=Lax session
 * cookies are the second line. See docs/decisions/002-csrf-origin-check.md.
 */
export function csrfGuard(publicUrl: string | undefined) {
  const allowed = publicUrl ? new URL(publicUrl).origin : null;
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const ownOrigin = allowed ?? `${req.protocol}://${req.get("host")}`;
    const crossSite = isCrossSite({ origin: req.get("origin"), fetchSite: req.get("sec-fetch-site"), referer: req.get("referer") }, ownOrigin);
    if (crossSite) {
      res.status(403).type("text/plain").send("This request came from another site and was refused (cross-site request forgery protection).");
      return;
    }
    next();
  };
}

/**
 * The rule itself, for every transport (HTTP requests here, the socket.io handshake in
 * server/collab/auth.ts): what the browser says about where a request comes from, against
 * this site's origin. No header at all means no browser page, hence no ambient-cookie risk.
 */
export function isCrossSite(
  headers: { origin?: string | null; fetchSite?: string | null; referer?: string | null },
  ownOrigin: string,
): boolean {
  const { origin, fetchSite, referer } = headers;
  let crossSite = false;
  if (fetchSite) crossSite = fetchSite === "cross-site" || fetchSite === "same-site";
  if (origin) crossSite = origin !== ownOrigin;
  else if (referer && !fetchSite) crossSite = safeOrigin(referer) !== ownOrigin;
  return crossSite;
}

function safeOrigin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
