import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database, Tx } from "../../../db/client";
import { sessions, users, type Role } from "../../../db/schema";
import { dummyHash, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "../../auth/passwords";
import { assertLoginAllowed, clearAccountFailures, recordLoginFailure, type LoginLimits } from "../../auth/rate-limit";
import { randomToken, sha256Hex } from "../../auth/tokens";
import { conflict, DomainError, forbidden } from "../../errors";
import { notifyMemberRevoked } from "../../live/publish";

export const ZEmail = z
  .string({ message: "Enter an email address such as ana@example.com." })
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter an email address such as ana@example.com." }));

export const ZSignUpInput = z.object({
  email: ZEmail,
  name: z.string({ message: "Enter your name." }).trim().min(1, { message: "Enter your name." }).max(120, { message: "Your name is too long (120 characters at most)." }),
  password: z
    .string({ message: "Choose a password." })
    .min(MIN_PASSWORD_LENGTH, { message: `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.` })
    .max(256, { message: "That password is too long (256 characters at most)." }),
});
export type SignUpInput = z.infer<typeof ZSignUpInput>;

export const ZLogInInput = z.object({
  email: ZEmail,
  password: z.string({ message: "Enter your password." }).min(1, { message: "Enter your password." }).max(256),
});
export type LogInInput = z.infer<typeof ZLogInInput>;

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

export interface NewSession {
  user: SessionUser;
  /** The cookie value; only its hash is stored. */
  token: string;
  expiresAt: Date;
}

export interface AuthSettings {
  sessionTtlHours: number;
  limits: LoginLimits;
}

async function createSession(db: Database, userId: string, ttlHours: number, activeTenantId: string | null = null) {
  const token = randomToken();
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await db.withoutTenant((tx) =>
    tx.insert(sessions).values({ tokenHash: sha256Hex(token), userId, expiresAt, activeTenantId }),
  );
  return { token, expiresAt };
}

export async function signUp(db: Database, input: SignUpInput, settings: AuthSettings): Promise<NewSession> {
  const data = ZSignUpInput.parse(input);
  const passwordHash = await hashPassword(data.password);
  const inserted = await db.withoutTenant((tx) =>
    tx
      .insert(users)
      .values({ email: data.email, name: data.name, passwordHash })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id, email: users.email, name: users.name }),
  );
  const user = inserted[0];
  if (!user) throw conflict(`An account for ${data.email} already exists. Sign in instead.`);
  const session = await createSession(db, user.id, settings.sessionTtlHours);
  return { user, ...session };
}

/**
 * Checks the password (at the same cost whether or not the account exists), counts failures
 * per account and per address, and issues a fresh session, revoking the one the browser held.
 */
export async function logIn(
  db: Database,
  input: LogInInput,
  meta: { ip: string; previousToken?: string | null },
  settings: AuthSettings,
): Promise<NewSession> {
  const data = ZLogInInput.parse(input);
  const keys = { account: data.email, ip: meta.ip };
  await assertLoginAllowed(db, keys, settings.limits);
  const [row] = await db.withoutTenant((tx) => tx.select().from(users).where(eq(users.email, data.email)).limit(1));
  const ok = await verifyPassword(row?.passwordHash ?? (await dummyHash()), data.password);
  if (!row || !ok) {
    await recordLoginFailure(db, keys, settings.limits);
    throw new DomainError("UNAUTHENTICATED", "That email and password do not match an account. Check both and try again.");
  }
  await clearAccountFailures(db, data.email);
  if (meta.previousToken) await logOut(db, meta.previousToken);
  const session = await createSession(db, row.id, settings.sessionTtlHours);
  return { user: { id: row.id, email: row.email, name: row.name }, ...session };
}

export async function logOut(db: Database, token: string): Promise<void> {
  await db.withoutTenant((tx) =>
    tx
      .update(sessions)
      .set({ revokedAt: new Date() })
      .where(and(eq(sessions.tokenHash, sha256Hex(token)), isNull(sessions.revokedAt))),
  );
}

export interface ResolvedSession {
  tokenHash: string;
  user: SessionUser;
  activeTenantId: string | null;
}

/** The live (not expired, not revoked) session behind a cookie token, or null. */
export async function resolveSession(db: Database, token: string | undefined | null): Promise<ResolvedSession | null> {
  if (!token || token.length > 200) return null;
  const tokenHash = sha256Hex(token);
  const [row] = await db.withoutTenant((tx) =>
    tx
      .select({
        activeTenantId: sessions.activeTenantId,
        id: users.id,
        email: users.email,
        name: users.name,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.tokenHash, tokenHash), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date())))
      .limit(1),
  );
  if (!row) return null;
  return { tokenHash, user: { id: row.id, email: row.email, name: row.name }, activeTenantId: row.activeTenantId };
}

export interface MyWorkspace {
  tenantId: string;
  slug: string;
  name: string;
  role: Role;
}

/** The workspaces a user belongs to (a cross-tenant read through a security-definer function). */
export async function listMyWorkspaces(db: Database, userId: string): Promise<MyWorkspace[]> {
  const result = await db.withoutTenant((tx) =>
    tx.execute<{ tenant_id: string; slug: string; name: string; role: Role }>(
      sql`select tenant_id, slug, name, role from app_user_workspaces(${userId}::uuid)`,
    ),
  );
  return result.rows.map((r) => ({ tenantId: r.tenant_id, slug: r.slug, name: r.name, role: r.role }));
}

export async function switchWorkspace(db: Database, session: ResolvedSession, tenantId: string): Promise<MyWorkspace> {
  const workspace = (await listMyWorkspaces(db, session.user.id)).find((w) => w.tenantId === tenantId);
  if (!workspace) throw forbidden("You are not a member of that workspace.");
  await db.withoutTenant((tx) =>
    tx.update(sessions).set({ activeTenantId: tenantId }).where(eq(sessions.tokenHash, session.tokenHash)),
  );
  return workspace;
}

/** Ends a member's sessions that act in a workspace (after their role changes or they are removed). */
export async function revokeWorkspaceSessions(tx: Tx, userId: string, tenantId: string): Promise<void> {
  await tx
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.userId, userId), eq(sessions.activeTenantId, tenantId), isNull(sessions.revokedAt)));
  // Open sockets were authorised under the old access: every instance closes them on commit.
  await notifyMemberRevoked(tx, tenantId, userId);
}
