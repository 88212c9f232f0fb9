import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { authAttempts } from "../../db/schema";
import { DomainError } from "../errors";

export interface LoginLimits {
  maxPerAccount: number;
  maxPerIp: number;
  windowMinutes: number;
}

/** One counter to check: its key in auth_attempts, how many attempts the window allows, and who it limits. */
export interface AttemptCheck {
  key: string;
  max: number;
  /** "Too many … " — the sentence's subject, e.g. "failed sign-in attempts for this account". */
  what: string;
}

function windowStart(now: Date, minutes: number): Date {
  const ms = minutes * 60_000;
  return new Date(Math.floor(now.getTime() / ms) * ms);
}

function secondsLeft(now: Date, minutes: number): number {
  const end = windowStart(now, minutes).getTime() + minutes * 60_000;
  return Math.max(1, Math.ceil((end - now.getTime()) / 1000));
}

/**
 * Fixed-window attempt counters in PostgreSQL (auth_attempts), so every instance shares them.
 * Throws RATE_LIMITED (with `details.retryAfter` in seconds, for a Retry-After header) once any
 * key has reached its limit in the current window, before the attempt does any work.
 */
export async function assertAttemptsAllowed(db: Database, checks: AttemptCheck[], windowMinutes: number): Promise<void> {
  const now = new Date();
  const start = windowStart(now, windowMinutes);
  const rows = await db.withoutTenant((tx) =>
    tx
      .select({ key: authAttempts.key, failures: authAttempts.failures })
      .from(authAttempts)
      .where(and(inArray(authAttempts.key, checks.map((c) => c.key)), eq(authAttempts.windowStart, start))),
  );
  for (const check of checks) {
    const count = rows.find((r) => r.key === check.key)?.failures ?? 0;
    if (count < check.max) continue;
    const retryAfter = secondsLeft(now, windowMinutes);
    const minutes = Math.ceil(retryAfter / 60);
    throw new DomainError("RATE_LIMITED", `Too many ${check.what}. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, { retryAfter });
  }
}

/** Counts one attempt against each key in the current window. */
export async function recordAttempt(db: Database, keys: string[], windowMinutes: number): Promise<void> {
  const start = windowStart(new Date(), windowMinutes);
  await db.withoutTenant(async (tx) => {
    for (const key of keys) {
      await tx
        .insert(authAttempts)
        .values({ key, windowStart: start, failures: 1 })
        .onConflictDoUpdate({
          target: [authAttempts.key, authAttempts.windowStart],
          set: { failures: sql`${authAttempts.failures} + 1` },
        });
    }
    // Old windows are of no further use.
    await tx.delete(authAttempts).where(lt(authAttempts.windowStart, new Date(start.getTime() - 24 * 3600_000)));
  });
}

function loginChecks(keys: { account: string; ip: string }, limits: LoginLimits): AttemptCheck[] {
  return [
    { key: `account:${keys.account}`, max: limits.maxPerAccount, what: "failed sign-in attempts for this account" },
    { key: `ip:${keys.ip}`, max: limits.maxPerIp, what: "failed sign-in attempts from your network address" },
  ];
}

/** Refuses a sign-in before the password is even checked once the account or the address is over its limit. */
export async function assertLoginAllowed(db: Database, keys: { account: string; ip: string }, limits: LoginLimits) {
  await assertAttemptsAllowed(db, loginChecks(keys, limits), limits.windowMinutes);
}

export async function recordLoginFailure(db: Database, keys: { account: string; ip: string }, limits: LoginLimits) {
  await recordAttempt(db, loginChecks(keys, limits).map((c) => c.key), limits.windowMinutes);
}

export async function clearAccountFailures(db: Database, account: string) {
  await db.withoutTenant((tx) => tx.delete(authAttempts).where(eq(authAttempts.key, `account:${account}`)));
}

/**
 * Runs `attempt` under the counters of `checks`: refused while any is over its limit; counted
 * before it runs when `counts` is "all", otherwise when `counts` says its outcome was a failure.
 */
export async function limitedAttempt<T>(
  db: Database,
  checks: AttemptCheck[],
  windowMinutes: number,
  counts: "all" | ((outcome: { value?: T; error?: unknown }) => boolean),
  attempt: () => Promise<T>,
): Promise<T> {
  await assertAttemptsAllowed(db, checks, windowMinutes);
  const keys = checks.map((c) => c.key);
  if (counts === "all") await recordAttempt(db, keys, windowMinutes);
  let value: T;
  try {
    value = await attempt();
  } catch (error) {
    if (counts !== "all" && counts({ error })) await recordAttempt(db, keys, windowMinutes);
    throw error;
  }
  if (counts !== "all" && counts({ value })) await recordAttempt(db, keys, windowMinutes);
  return value;
}
