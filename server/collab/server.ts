import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { attachLive, type Live } from "../live/server";
import type { AppServices } from "../trpc/context";
import { authenticateHandshake, authorizeJoin, HandshakeRefused } from "./auth";
import { redisCluster, singleInstance, type Cluster } from "./cluster";
import { DEFAULT_PERSISTENCE, type Ack, type PersistenceOptions } from "./persistence";
import { asBytes, EVENTS, MESSAGES, roomName, ZJoinInput, type JoinResult, type WriteResult } from "./protocol";
import { InvalidMessage, RoomRegistry, type CollabServer, type Member, type Room } from "./rooms";

export interface Collab {
  io: CollabServer;
  /** Server-pushed live events on the same sockets (server/live, decision 010). */
  live: Live;
  /** The other web instances (Redis), or this one alone. */
  cluster: Cluster;
  /** Resolves once connected to the other instances (at once without REDIS_URL). */
  ready(): Promise<void>;
  /** Stores every pending change, then disconnects every socket. */
  close(): Promise<void>;
}

/** Largest message a client may send: a whole draft on its first sync after a long offline spell. */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/**
 * Live co-editing over socket.io on the web server's port (path /socket.io): the handshake
 * authenticates the session cookie, `join` authorises a document, and the rooms sync Yjs
 * documents and presence with y-protocols. This file is the transport: it validates what
 * arrives and hands it to the rooms (server/collab/rooms.ts).
 */
export function attachCollab(
  httpServer: HttpServer,
  services: AppServices,
  options: { persistence?: Partial<PersistenceOptions> } = {},
): Collab {
  const { db, config, logger } = services;
  const io: CollabServer = new Server(httpServer, { serveClient: false, maxHttpBufferSize: MAX_MESSAGE_BYTES });
  const cluster = config.REDIS_URL ? redisCluster(io, { url: config.REDIS_URL, prefix: config.REDIS_PREFIX, logger }) : singleInstance();
  const rooms = new RoomRegistry(io, { db: services.collabDb ?? db, logger, cluster, persistence: { ...DEFAULT_PERSISTENCE, ...options.persistence } });
  let closing = false;

  io.use((socket, next) => {
    if (closing) return next(passing("The server is restarting: reconnecting shortly."));
    authenticateHandshake(db, config, socket.request).then(
      (user) => {
        socket.data.user = user;
        next();
      },
      (err: unknown) => {
        if (err instanceof HandshakeRefused) return next(err);
        logger.error({ err }, "checking a co-editing connection failed");
        next(passing("Your session could not be checked just now: reconnecting shortly."));
      },
    );
  });

  const live = attachLive(io, services);

  io.on("connection", (socket) => {
    /** The rooms this socket is in, by room name. */
    const joined = new Map<string, Joined>();
    /** Joins in progress (authorising, loading): a leave meanwhile cancels them. */
    const joining = new Map<string, object>();

    socket.on(EVENTS.join, (input, ack) => {
      if (typeof ack !== "function") return;
      const reply = ack as (result: JoinResult) => void;
      const parsed = ZJoinInput.safeParse(input);
      if (!parsed.success) return reply({ ok: false, error: "A join names a workspace id (tenantId) and a document (doc)." });
      if (closing) return reply({ ok: false, error: "The server is restarting: reconnecting shortly." });
      const name = roomName(parsed.data.tenantId, parsed.data.doc);
      const present = joined.get(name);
      if (present) return reply(present.room.welcome(present.member));
      if (joining.has(name)) return reply({ ok: false, error: "This document is already being opened on this connection." });
      const attempt = {};
      joining.set(name, attempt);
      void (async () => {
        const verdict = await authorizeJoin(db, socket.data.user.id, parsed.data);
        if (!verdict.ok) {
          if (joining.get(name) === attempt) joining.delete(name);
          return reply(verdict);
        }
        const room = await rooms.acquire(parsed.data.tenantId, verdict.ref);
        if (!socket.connected || joining.get(name) !== attempt) return rooms.release(room);
        joining.delete(name);
        const member = room.add(socket, socket.data.user, verdict.access);
        joined.set(name, { room, member });
        reply(room.welcome(member));
      })().catch((err: unknown) => {
        if (joining.get(name) === attempt) joining.delete(name);
        logger.error({ err, room: name }, "joining a co-edited document failed");
        reply({ ok: false, error: "This document could not be opened just now: try again in a moment." });
      });
    });

    /** A message a room could not take: the client's mistake (warn) or ours (error). */
    const logRefused = (err: unknown, room: string, what: string) => {
      const facts = { err, room, user: socket.data.user.id };
      if (err instanceof InvalidMessage) logger.warn(facts, `unreadable ${what}`);
      else logger.error(facts, `handling a ${what} failed`);
    };

    // Messages are handled synchronously, in the order they arrive, leaves included: a change
    // sent just before a leave is queued for storage before the room can close.
    socket.on(EVENTS.sync, (room, message, ack) => {
      const reply = typeof ack === "function" ? (ack as Ack) : undefined;
      if (closing) return;
      const entry = typeof room === "string" ? joined.get(room) : undefined;
      const bytes = asBytes(message);
      if (!entry) return reply?.(failure("not-joined", MESSAGES.notJoined));
      if (!bytes) return reply?.(failure("invalid-message", MESSAGES.invalid));
      try {
        entry.room.receiveSync(entry.member, bytes, reply);
      } catch (err) {
        logRefused(err, entry.room.name, "sync message");
        reply?.(failure("invalid-message", MESSAGES.invalid));
      }
    });

    socket.on(EVENTS.awareness, (room, update) => {
      const entry = typeof room === "string" ? joined.get(room) : undefined;
      const bytes = asBytes(update);
      if (!entry || !bytes || closing) return;
      try {
        entry.room.receiveAwareness(entry.member, bytes);
      } catch (err) {
        logRefused(err, entry.room.name, "awareness update");
      }
    });

    const leave = (name: string) => {
      joining.delete(name);
      const entry = joined.get(name);
      if (!entry) return;
      joined.delete(name);
      entry.room.remove(entry.member);
      rooms.release(entry.room);
    };
    socket.on(EVENTS.leave, (room) => {
      if (typeof room === "string") leave(room);
    });
    socket.on("disconnect", () => {
      joining.clear();
      for (const name of [...joined.keys()]) leave(name);
    });
  });

  return {
    io,
    live,
    cluster,
    ready: () => cluster.ready(),
    async close() {
      closing = true;
      await live.close();
      await rooms.close();
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
      });
      await cluster.close();
    },
  };
}

interface Joined {
  room: Room;
  member: Member;
}

/** A refusal for a passing reason: the client connects again a little later (`data.retry`). */
function passing(message: string): Error & { data: { retry: true } } {
  return Object.assign(new Error(message), { data: { retry: true as const } });
}

function failure(code: "not-joined" | "invalid-message", error: string): WriteResult {
  return { ok: false, code, error };
}
