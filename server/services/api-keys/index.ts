import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../../db/client";
import { API_SCOPES, apiKeys, users, type ApiScope } from "../../../db/schema";
import { randomToken, sha256Hex } from "../../auth/tokens";
import { DomainError, invalid, notFound } from "../../errors";
import { appendAudit, type AuditContext } from "../audit";
import type { TenantScope } from "../scope";

export const ZApiScope = z.enum(API_SCOPES, { message: `must be one of ${API_SCOPES.join(", ")}` });
export const ZCreateApiKeyInput = z.object({
  name: z.string().trim().min(1, { message: "Give the key a name, e.g. the system that will use it" }).max(80, { message: "must be at most 80 characters" }),
  scopes: z
    .array(ZApiScope)
    .min(1, { message: "Choose at least one scope" })
    .refine((s) => new Set(s).size === s.length, { message: "Each scope may be chosen once" }),
});
export const ZApiKeyIdInput = z.object({ keyId: z.uuid({ message: "is not an API key id" }) });

/** A key is `qk_<workspace id, 32 hex>_<secret>`: the workspace id scopes the lookup (as invite tokens do). */
const KEY_FORMAT = /^qk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

function tenantOfKey(key: string): string | null {
  const m = KEY_FORMAT.exec(key);
  if (!m) return null;
  const h = m[1];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Creates a key; the whole key is in the answer and nowhere else (only its SHA-256 is stored). */
export async function createApiKey(scope: TenantScope, input: z.input<typeof ZCreateApiKeyInput>) {
  const { name, scopes } = ZCreateApiKeyInput.parse(input);
  const secret = randomToken();
  const key = `qk_${scope.tenantId.replace(/-/g, "").toLowerCase()}_${secret}`;
  const hint = secret.slice(0, 6);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({ tenantId: scope.tenantId, name, scopes, keyHash: sha256Hex(key), hint, createdBy: scope.actor.userId })
      .returning({ id: apiKeys.id, createdAt: apiKeys.createdAt });
    await appendAudit(tx, scope, { action: "apikey.create", objectType: "api_key", objectId: row.id, after: { name, scopes, hint } });
    return { id: row.id, name, scopes, hint, createdAt: row.createdAt, key };
  });
}

export async function listApiKeys(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const rows = await tx
      .select({
        id: apiKeys.id,
        name: apiKeys.name,
        scopes: apiKeys.scopes,
        hint: apiKeys.hint,
        createdAt: apiKeys.createdAt,
        createdBy: users.name,
        lastUsedAt: apiKeys.lastUsedAt,
        revokedAt: apiKeys.revokedAt,
      })
      .from(apiKeys)
      .leftJoin(users, eq(users.id, apiKeys.createdBy))
      .where(eq(apiKeys.tenantId, scope.tenantId))
      .orderBy(sql`${apiKeys.revokedAt} is not null`, asc(apiKeys.name), asc(apiKeys.createdAt));
    return rows.map((r) => ({ ...r, createdBy: r.createdBy ?? "a former member" }));
  });
}

/**
 * Revokes a key at once on every web instance: the revoking transaction notifies
 * API_KEY_CHANNEL with the key's hash (delivered on commit), every instance's listener
 * (server/live/server.ts) forgets its cached entry, and the next request with it is refused
 * (decision 014). An instance whose listener was down forgets every entry when it reconnects;
 * the cache's few seconds bound the rest.
 */
export async function revokeApiKey(scope: TenantScope, input: z.input<typeof ZApiKeyIdInput>) {
  const { keyId } = ZApiKeyIdInput.parse(input);
  const revoked = await scope.db.withTenant(scope.tenantId, async (tx) => {
    const [row] = await tx
      .select({ id: apiKeys.id, name: apiKeys.name, keyHash: apiKeys.keyHash, revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .where(and(eq(apiKeys.tenantId, scope.tenantId), eq(apiKeys.id, keyId)))
      .for("update");
    if (!row) throw notFound("The API key");
    if (row.revokedAt) throw invalid(`The key “${row.name}” was already revoked.`);
    const at = new Date();
    await tx
      .update(apiKeys)
      .set({ revokedAt: at, revokedBy: scope.actor.userId })
      .where(and(eq(apiKeys.tenantId, scope.tenantId), eq(apiKeys.id, keyId)));
    await appendAudit(tx, scope, { action: "apikey.revoke", objectType: "api_key", objectId: keyId, after: { name: row.name } });
    await tx.execute(sql`select pg_notify(${API_KEY_CHANNEL}, ${row.keyHash})`);
    return { id: keyId, keyHash: row.keyHash, revokedAt: at };
  });
  principals.delete(revoked.keyHash);
  return { id: revoked.id, revokedAt: revoked.revokedAt };
}

/** Who is calling the API: a workspace's key with its scopes. */
export interface ApiPrincipal {
  db: Database;
  tenantId: string;
  keyId: string;
  keyName: string;
  scopes: readonly ApiScope[];
  /** For the audit log: the key, on behalf of the member who created it. */
  audit: AuditContext;
}

interface CachedKey {
  tenantId: string;
  keyId: string;
  name: string;
  scopes: ApiScope[];
  hint: string;
  createdBy: string | null;
  revoked: boolean;
  loadedAt: number;
}

/**
 * Keys looked up in the last few seconds, by hash. A revocation through this process removes
 * its entry at once; other instances refuse a revoked key once their entry is this old.
 */
export const KEY_CACHE_MS = 5_000;
const principals = new Map<string, CachedKey>();

/** The PostgreSQL channel on which a revocation names the key's hash to every web instance. */
export const API_KEY_CHANNEL = "quorum_api_keys";

/** Drops a key's cached entry (a revocation on any instance); without a hash, every entry. */
export function forgetApiKey(keyHash?: string): void {
  if (keyHash === undefined) principals.clear();
  else principals.delete(keyHash);
}
/** When each key's last-used time was last written (per process): at most once a minute. */
export const LAST_USED_EVERY_MS = 60_000;
const lastUsedWritten = new Map<string, number>();

const unauthenticated = (message: string) => new DomainError("UNAUTHENTICATED", message);

async function loadKey(db: Database, tenantId: string, keyHash: string): Promise<CachedKey | null> {
  const cached = principals.get(keyHash);
  const now = Date.now();
  if (cached && now - cached.loadedAt < KEY_CACHE_MS) return cached;
  const [row] = await db.withTenant(tenantId, (tx) =>
    tx
      .select({ id: apiKeys.id, name: apiKeys.name, scopes: apiKeys.scopes, hint: apiKeys.hint, createdBy: apiKeys.createdBy, revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.keyHash, keyHash))),
  );
  if (!row) {
    principals.delete(keyHash);
    return null;
  }
  const entry: CachedKey = {
    tenantId,
    keyId: row.id,
    name: row.name,
    scopes: row.scopes,
    hint: row.hint,
    createdBy: row.createdBy,
    revoked: row.revokedAt !== null,
    loadedAt: now,
  };
  if (principals.size > 10_000) principals.clear();
  principals.set(keyHash, entry);
  return entry;
}

/**
 * The principal an `Authorization: Bearer <key>` header names, or a 401 that says what is
 * wrong; a key without `needed` is a 403. Records the key's last use (at most once a minute).
 */
export async function authenticateApiKey(db: Database, header: string | undefined, needed: ApiScope, requestId?: string): Promise<ApiPrincipal> {
  if (!header) throw unauthenticated("Send your API key in the Authorization header: 'Authorization: Bearer qk_…'.");
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw unauthenticated("The Authorization header must be 'Bearer <API key>'.");
  const key = m[1];
  const tenantId = tenantOfKey(key);
  if (!tenantId) throw unauthenticated("That is not a Quorum API key (keys look like qk_<32 hex>_<43 characters>).");
  const keyHash = sha256Hex(key);
  const found = await loadKey(db, tenantId, keyHash);
  if (!found) throw unauthenticated("This API key is not valid. Check that it was copied whole, or create a new one in Settings → API.");
  if (found.revoked) throw unauthenticated(`This API key (“${found.name}”) has been revoked. Create a new one in Settings → API.`);
  if (!found.scopes.includes(needed)) {
    throw new DomainError("FORBIDDEN", `This API key (“${found.name}”) does not have the scope ${needed}; its scopes are ${found.scopes.join(", ")}.`);
  }
  await touchLastUsed(db, found);
  const label = `API key “${found.name}” (${found.hint}…)`;
  return {
    db,
    tenantId,
    keyId: found.keyId,
    keyName: found.name,
    scopes: found.scopes,
    audit: { tenantId, actor: found.createdBy ? { userId: found.createdBy, label } : null, requestId },
  };
}

async function touchLastUsed(db: Database, key: CachedKey): Promise<void> {
  const now = Date.now();
  if (now - (lastUsedWritten.get(key.keyId) ?? 0) < LAST_USED_EVERY_MS) return;
  lastUsedWritten.set(key.keyId, now);
  await db.withTenant(key.tenantId, (tx) =>
    tx
      .update(apiKeys)
      .set({ lastUsedAt: new Date(now) })
      .where(and(eq(apiKeys.tenantId, key.tenantId), eq(apiKeys.id, key.keyId))),
  );
}

/**
 * Requests per key per minute, counted in fixed one-minute windows on this instance (decision
 * 008: behind a load balancer each instance counts its own share). `subject` names what is
 * limited in the RATE_LIMITED message ("This API key is", or requests from an address without a valid key "are").
 */
export class ApiRateLimiter {
  private windows = new Map<string, { start: number; count: number }>();
  constructor(
    readonly perMinute: number,
    readonly subject = "This API key is",
  ) {}

  private window(key: string, now: number) {
    const start = Math.floor(now / 60_000) * 60_000;
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      if (this.windows.size > 10_000) this.windows.clear();
      w = { start, count: 0 };
      this.windows.set(key, w);
    }
    return w;
  }

  private refuse(start: number, now: number): never {
    const retryAfter = Math.max(1, Math.ceil((start + 60_000 - now) / 1000));
    throw new DomainError("RATE_LIMITED", `${this.subject} limited to ${this.perMinute} requests a minute. Try again in ${retryAfter} s.`, {
      retryAfter,
    });
  }

  /** Counts a request; throws RATE_LIMITED with the seconds until the window ends when over the limit. */
  take(key: string, now = Date.now()): void {
    const w = this.window(key, now);
    w.count++;
    if (w.count > this.perMinute) this.refuse(w.start, now);
  }

  /** Throws RATE_LIMITED when `key` has used up this window, without counting a request. */
  check(key: string, now = Date.now()): void {
    const w = this.window(key, now);
    if (w.count >= this.perMinute) this.refuse(w.start, now);
  }
}
