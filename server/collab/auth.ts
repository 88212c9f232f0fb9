import type { IncomingMessage } from "node:http";
import { and, eq } from "drizzle-orm";
import type { Database, Tx } from "../../db/client";
import { memberships, type Role } from "../../db/schema";
import { readSessionCookie } from "../auth/cookies";
import type { Config } from "../config";
import { isCrossSite } from "../http/csrf";
import { listMyWorkspaces, resolveSession, type SessionUser } from "../services/accounts";
import { COLLAB_KINDS, parseDocName, type DocRef } from "./kinds";
import type { Access, JoinInput } from "./protocol";

/**
 * Who is on the other end of a socket: resolved once at the handshake from the session
 * cookie, exactly as an HTTP request is (the tenant is never taken from the client).
 */

export class HandshakeRefused extends Error {}

/** The origin a browser page of this site has, as the socket's upgrade request reached us. */
function ownOrigin(req: IncomingMessage, config: Pick<Config, "PUBLIC_URL" | "TRUST_PROXY">): string {
  if (config.PUBLIC_URL) return new URL(config.PUBLIC_URL).origin;
  const forwarded = config.TRUST_PROXY ? String(req.headers["x-forwarded-proto"] ?? "").split(",")[0].trim() : "";
  const encrypted = "encrypted" in req.socket && req.socket.encrypted === true;
  const proto = forwarded || (encrypted ? "https" : "http");
  return `${proto}://${req.headers.host}`;
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/**
 * The handshake's checks: the same cross-site rule as every state-changing HTTP request
 * (docs/decisions/002), then a live session from the cookie.
 */
export async function authenticateHandshake(
  db: Database,
  config: Pick<Config, "PUBLIC_URL" | "TRUST_PROXY">,
  req: IncomingMessage,
): Promise<SessionUser> {
  const crossSite = isCrossSite(
    { origin: header(req, "origin"), fetchSite: header(req, "sec-fetch-site"), referer: header(req, "referer") },
    ownOrigin(req, config),
  );
  if (crossSite) throw new HandshakeRefused("This connection came from another site and was refused (cross-site protection).");
  const session = await resolveSession(db, readSessionCookie(req.headers.cookie));
  if (!session) throw new HandshakeRefused("Sign in to edit together: this connection carries no valid session. Reload the page after signing in.");
  return session.user;
}

/** The user's role in a workspace the client names, or null when they are not a member. */
export async function roleIn(db: Database, userId: string, tenantId: string): Promise<Role | null> {
  const workspace = (await listMyWorkspaces(db, userId)).find((w) => w.tenantId === tenantId);
  return workspace?.role ?? null;
}

/** The same, read inside a transaction already scoped to the tenant (a batch re-checks it). */
export async function currentRole(tx: Tx, tenantId: string, userId: string): Promise<Role | null> {
  const [row] = await tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
  return row?.role ?? null;
}

export type JoinVerdict = { ok: true; ref: DocRef; access: Access } | { ok: false; error: string };

/**
 * Whether a user may open a document of a workspace they name: they must be a member of it
 * (their role comes from the membership, never from the client) and the document's kind must
 * let them read it at least.
 */
export async function authorizeJoin(db: Database, userId: string, input: JoinInput): Promise<JoinVerdict> {
  const role = await roleIn(db, userId, input.tenantId);
  if (!role) return { ok: false, error: "You are not a member of that workspace: switch to it or ask an admin for an invitation." };
  const ref = parseDocName(input.doc);
  if (!ref) {
    return { ok: false, error: `'${input.doc}' is not a document name: use <kind>/<id> with kind ${Object.keys(COLLAB_KINDS).join(" or ")}.` };
  }
  const access = await db.withTenant(input.tenantId, (tx) => ref.kind.authorize(tx, { tenantId: input.tenantId, userId, role }, ref.id));
  if (!access) return { ok: false, error: "This document does not exist in that workspace, or you may not open it." };
  return { ok: true, ref, access };
}
