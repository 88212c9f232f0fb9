import type { Response } from "express";

export const SESSION_COOKIE = "quorum_session";

export function readSessionCookie(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return value ? decodeURIComponent(value) : null;
    }
  }
  return null;
}

export interface SessionCookieWriter {
  setSession(token: string, expiresAt: Date): void;
  clearSession(): void;
}

/** httpOnly, SameSite=Lax, Secure when the request came over https. */
export function sessionCookieWriter(res: Response, secure: boolean): SessionCookieWriter {
  const base = { httpOnly: true, sameSite: "lax" as const, secure, path: "/" };
  return {
    setSession: (token, expiresAt) => res.cookie(SESSION_COOKIE, token, { ...base, expires: expiresAt }),
    clearSession: () => res.clearCookie(SESSION_COOKIE, base),
  };
}
