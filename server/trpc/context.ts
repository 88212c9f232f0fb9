import type { Request, Response } from "express";
import type { Database } from "../../db/client";
import type { Config } from "../config";
import type { Logger } from "../logger";
import type { JobQueue } from "../services/data/imports";
import { listMyWorkspaces, resolveSession, type MyWorkspace, type ResolvedSession } from "../services/accounts";
import { readSessionCookie, sessionCookieWriter, type SessionCookieWriter } from "../auth/cookies";

export interface AppServices {
  db: Database;
  /**
   * The pool co-editing rooms load and store documents through (decision 016): a bulkhead, so
   * that busy rooms storing edits back to back never make a page, tRPC or API request wait for a
   * connection. Absent (tests, tools): `db`.
   */
  collabDb?: Database;
  config: Config;
  logger: Logger;
  /** Enqueues background jobs inside a service's transaction. */
  jobs: JobQueue;
}

/** What every transport knows about a request once the session has been resolved. */
export interface RequestContext extends AppServices {
  requestId: string;
  ip: string;
  session: ResolvedSession | null;
  /** The active workspace and the user's role in it: from the session, never from client input. */
  workspace: MyWorkspace | null;
  workspaces: MyWorkspace[];
  cookies: SessionCookieWriter & { token: string | null };
}

export interface RequestFacts {
  token: string | null;
  ip: string;
  requestId: string;
  cookies: SessionCookieWriter;
}

/** Resolves the session, the user's workspaces and the active one from what a request carries. */
export async function buildRequestContext(services: AppServices, facts: RequestFacts): Promise<RequestContext> {
  const session = await resolveSession(services.db, facts.token);
  const workspaces = session ? await listMyWorkspaces(services.db, session.user.id) : [];
  const workspace = workspaces.find((w) => w.tenantId === session?.activeTenantId) ?? workspaces[0] ?? null;
  return {
    ...services,
    requestId: facts.requestId,
    ip: facts.ip,
    session,
    workspace,
    workspaces,
    cookies: { token: facts.token, ...facts.cookies },
  };
}

export function createRequestContext(services: AppServices, req: Request, res: Response): Promise<RequestContext> {
  return buildRequestContext(services, {
    token: readSessionCookie(req.headers.cookie),
    ip: req.ip ?? req.socket.remoteAddress ?? "unknown",
    requestId: String(res.getHeader("x-request-id") ?? ""),
    cookies: sessionCookieWriter(res, req.secure),
  });
}
