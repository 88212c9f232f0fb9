import pg from "pg";
import type { Server } from "socket.io";
import type { CollabServer, SocketData } from "../collab/rooms";
import { z } from "zod";
import { roleIn } from "../collab/auth";

import type { AppServices } from "../trpc/context";
import { API_KEY_CHANNEL, forgetApiKey } from "../services/api-keys";
import { LIVE_CHANNEL, MEMBER_REVOKED_CHANNEL } from "./publish";
import { LIVE_EVENTS, ZSubscribeInput, type LiveEvent, type LiveServerToClientEvents, type SubscribeResult } from "./protocol";
import { LIVE_TOPICS, parseTopic } from "./topics";

/** What a client sends, as the server receives it: nothing is trusted. */
interface LiveClientToServerEventsUntrusted {
  "live:subscribe"(input: unknown, ack: unknown): void;
  "live:unsubscribe"(input: unknown): void;
}
type LiveServer = Server<LiveClientToServerEventsUntrusted, LiveServerToClientEvents, Record<string, never>, SocketData>;

export interface Live {
  /** Stops listening for events. */
  close(): Promise<void>;
  /** Resolves once the listening connection is up (tests wait for it before publishing). */
  ready(): Promise<void>;
}

const ZNotification = z.object({ tenantId: z.uuid(), topic: z.string(), payload: z.unknown() });

/** The socket.io room of a workspace's topic: only the server puts sockets in rooms. */
export function liveRoom(tenantId: string, topic: string): string {
  return `live/${tenantId}/${topic}`;
}

/**
 * Server-pushed live events (decision 010) on the co-editing socket.io server: sockets
 * subscribe to a workspace's topic (membership and the topic kind's rule are checked, as for a
 * co-edited document), and every event a service published with `publishLive` — a PostgreSQL
 * NOTIFY, delivered when its transaction commits — is relayed to the topic's sockets. Every web
 * instance listens, so an event reaches subscribers wherever they are connected.
 */
export function attachLive(collabIo: CollabServer, services: AppServices): Live {
  // The co-editing server's events are typed for co-editing; live events share its sockets.
  const io = collabIo as unknown as LiveServer;
  const { db, logger } = services;
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = 100;
  let connected: Promise<void> = Promise.resolve();

  const relay = (message: pg.Notification) => {
    // The same connection carries API key revocations to this instance's key cache.
    if (message.channel === API_KEY_CHANNEL && message.payload) return forgetApiKey(message.payload);
    if (message.channel === MEMBER_REVOKED_CHANNEL && message.payload) return void dropMember(message.payload);
    if (message.channel !== LIVE_CHANNEL || !message.payload) return;
    let parsed: z.infer<typeof ZNotification>;
    try {
      parsed = ZNotification.parse(JSON.parse(message.payload));
    } catch (err) {
      logger.warn({ err }, "unreadable live event");
      return;
    }
    const event: LiveEvent = parsed;
    // Every instance hears the NOTIFY and relays it to its own sockets (with the Redis adapter a
    // plain io.to() would reach every instance's sockets, once from each instance).
    io.local.to(liveRoom(parsed.tenantId, parsed.topic)).emit(LIVE_EVENTS.event, event);
  };

  /** Closes this instance's sockets of a user whose membership was removed or changed. */
  const dropMember = async (payload: string) => {
    try {
      const { userId } = z.object({ tenantId: z.string(), userId: z.string() }).parse(JSON.parse(payload));
      for (const socket of await io.local.fetchSockets()) if (socket.data.user?.id === userId) socket.disconnect(true);
    } catch (err) {
      logger.warn({ err }, "could not close the sockets of a revoked member");
    }
  };

  const listen = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: String(db.pool.options.connectionString) });
    next.on("notification", relay);
    const lost = (err?: unknown) => {
      if (client !== next) return;
      client = null;
      next.removeAllListeners("notification");
      next.end().catch(() => {});
      if (closed) return;
      logger.warn({ err }, `live events: lost the listening connection, reconnecting in ${retryMs} ms`);
      setTimeout(() => {
        connected = listen().then(() => {
          // Events published meanwhile were not relayed: subscribers read their state again,
          // and revocations may have been missed: cached API keys are looked up again.
          forgetApiKey();
          io.local.emit(LIVE_EVENTS.resync);
        });
      }, retryMs);
      retryMs = Math.min(retryMs * 2, 5_000);
    };
    next.on("error", lost);
    next.on("end", () => lost());
    client = next;
    try {
      await next.connect();
      await next.query(`listen ${LIVE_CHANNEL}`);
      await next.query(`listen ${API_KEY_CHANNEL}`);
      await next.query(`listen ${MEMBER_REVOKED_CHANNEL}`);
      retryMs = 100;
    } catch (err) {
      lost(err);
    }
  };
  connected = listen();

  io.on("connection", (socket) => {
    socket.on(LIVE_EVENTS.subscribe, (input, ack) => {
      if (typeof ack !== "function") return;
      const reply = ack as (result: SubscribeResult) => void;
      const parsed = ZSubscribeInput.safeParse(input);
      if (!parsed.success) return reply({ ok: false, error: "A subscription names a workspace id (tenantId) and a topic (<kind>/<id>)." });
      const { tenantId, topic } = parsed.data;
      const ref = parseTopic(topic);
      if (!ref) {
        return reply({ ok: false, error: `'${topic}' is not a live topic: use <kind>/<id> with kind ${Object.keys(LIVE_TOPICS).join(" or ")}.` });
      }
      const userId = socket.data.user.id;
      void (async () => {
        const role = await roleIn(db, userId, tenantId);
        if (!role) return reply({ ok: false, error: "You are not a member of that workspace: switch to it or ask an admin for an invitation." });
        const who = { tenantId, userId, role };
        const allowed = await db.withTenant(tenantId, (tx) => ref.kind.authorize(tx, who, ref.id));
        if (!allowed) return reply({ ok: false, error: "This does not exist in that workspace, or you may not follow it." });
        if (!socket.connected) return;
        await socket.join(liveRoom(tenantId, topic));
        reply({ ok: true });
        if (ref.kind.subscribed) {
          await db.withTenant(tenantId, (tx) => ref.kind.subscribed!(tx, who, ref.id)).catch((err: unknown) => {
            logger.error({ err, topic }, "noting a live subscription failed");
          });
        }
      })().catch((err: unknown) => {
        logger.error({ err, topic }, "subscribing to a live topic failed");
        reply({ ok: false, error: "Live updates could not be started just now: reload the page in a moment." });
      });
    });
    socket.on(LIVE_EVENTS.unsubscribe, (input) => {
      const parsed = ZSubscribeInput.safeParse(input);
      if (parsed.success) void socket.leave(liveRoom(parsed.data.tenantId, parsed.data.topic));
    });
  });

  return {
    ready: () => connected,
    async close() {
      closed = true;
      const current = client;
      client = null;
      if (current) await current.end().catch(() => {});
    },
  };
}
