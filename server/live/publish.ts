import { sql } from "drizzle-orm";
import type { Tx } from "../../db/client";

/** The PostgreSQL channel live events travel on, from a service's transaction to every web instance. */
export const LIVE_CHANNEL = "quorum_live";

/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more; events carry facts, not documents. */
export const MAX_LIVE_PAYLOAD_BYTES = 7_000;

/**
 * Publishes a live event on a workspace's topic (`<kind>/<id>`) from inside the service's
 * transaction: it is a `pg_notify`, which PostgreSQL delivers when — and only if — that
 * transaction commits, to every web instance listening (server/live/server.ts), which relays it
 * to the sockets subscribed to the topic. A rolled-back change publishes nothing.
 * Keep payloads small (ids, counts, states): subscribers read anything bigger through the API.
 */
export async function publishLive(tx: Tx, tenantId: string, topic: string, payload: unknown): Promise<void> {
  const message = JSON.stringify({ tenantId, topic, payload });
  if (Buffer.byteLength(message) > MAX_LIVE_PAYLOAD_BYTES) {
    throw new Error(`live event on ${topic} is ${Buffer.byteLength(message)} bytes: keep it under ${MAX_LIVE_PAYLOAD_BYTES} (send ids, not documents)`);
  }
  await tx.execute(sql`select pg_notify(${LIVE_CHANNEL}, ${message})`);
}

/** The channel that tells every web instance a member's access to a workspace ended or changed. */
export const MEMBER_REVOKED_CHANNEL = "quorum_member_revoked";

/**
 * From the transaction that removes a member or changes their role: once it commits, every web
 * instance closes that user's sockets (live topics and co-edited documents alike), so nothing of
 * the workspace reaches them on a subscription made under their old access. Their client
 * reconnects with its (now revoked) session and is refused or re-authorised as they now are.
 */
export async function notifyMemberRevoked(tx: Tx, tenantId: string, userId: string): Promise<void> {
  await tx.execute(sql`select pg_notify(${MEMBER_REVOKED_CHANNEL}, ${JSON.stringify({ tenantId, userId })})`);
}
