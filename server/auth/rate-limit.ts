import { and, eq, lt, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { authAttempts } from "../../db/schema";
import { DomainError } from "../errors";

export interface LoginLimits {
  maxPerAccount: number;
  maxPerIp: number;
  windowMinutes: number;
}

function windowStart(now: Date, minutes: number): Date {
  const ms = minutes * 60_000;
  return new Date(Math.floor(now.getTime() / ms) * ms);
}

function minutesLeft(now: Date, minutes: number): number {
  const end = windowStart(now, minutes).getTime() + minutes * 60_000;
  return Math.max(1, Math.ceil((end - now.getTime()) / 60_000));
}

/**
 * Fixed-window counters of failed sign-ins, in PostgreSQL so that every instance shares them.
 * Throws RATE_LIMITED before a password is even checked once a key is over its limit.
 */
export async function assertLoginAllowed(db: Database, keys: { account: string; ip: string }, limits: LoginLimits) {
  const now = new Date();
  const start = windowStart(now, limits.windowMinutes);
  const rows = await db.withoutTenant((tx) =>
    tx
      .select({ key: authAttempts.key, failures: authAttempts.failures })
      .from(authAttempts)
      .where(and(sql`${authAttempts.key} in (${`account:${keys.account}`}, ${`ip:${keys.ip}`})`, eq(authAttempts.windowStart, start))),
  );
  const failures = (key: string) => rows.find((r) => r.key === key)?.failures ?? 0;
  const wait = minutesLeft(now, limits.windowMinutes);
  if (failures(`account:${keys.account}`) >= limits.maxPerAccount) {
    throw new DomainError(
      "RATE_LIMITED",
      `Too many failed sign-in attempts for this account. Try again in ${wait} minute${wait === 1 ? "" : "s"}.`,
    );
  }
  if (failures(`ip:${keys.ip}`) >= limits.maxPerIp) {
    throw new DomainError(
      "RATE_LIMITED",
      `Too many failed sign-in attempts from your network address. Try again in ${wait} minute${wait === 1 ? "" : "s"}.`,
    );
  }
}

export async function recordLoginFailure(db: Database, keys: { account: string; ip: string }, limits: LoginLimits) {
  const start = windowStart(new Date(), limits.windowMinutes);
  await db.withoutTenant(async (tx) => {
    for (const key of [`account:${keys.account}`, `ip:${keys.ip}`]) {
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

export async function clearAccountFailures(db: Database, account: string) {
  await db.withoutTenant((tx) => tx.delete(authAttempts).where(eq(authAttempts.key, `account:${account}`)));
}
