import { createAdapter } from "@socket.io/redis-adapter";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { randomUUID } from "node:crypto";
import { createClient } from "redis";
import type { Server } from "socket.io";
import type { Logger } from "../logger";

/**
 * The other web instances of this deployment, as one instance sees them (decision 014).
 *
 * With `REDIS_URL`, socket.io gets the Redis adapter (so broadcasts, `fetchSockets` and
 * `disconnectSockets` span every instance) and co-editing gets a channel of its own on the same
 * Redis connections, `<REDIS_PREFIX>:collab`, on which instances exchange Yjs updates, presence
 * and "stored" notices as binary messages (the adapter's serverSideEmit sends JSON, which would
 * mangle updates). Without Redis there is one instance: nothing is published, nothing arrives.
 */
export interface Cluster {
  /** This instance's id, random per process. */
  readonly id: string;
  /** Whether other instances may exist. */
  readonly shared: boolean;
  /** Sends a message to every other instance (never back to this one). */
  publish(message: Uint8Array): void;
  /** The handler of messages from the other instances (one; a second replaces the first). */
  onMessage(handler: (from: string, message: Uint8Array) => void): void;
  /** Called when the connection to the others is back after a loss: messages may have been missed. */
  onReconnect(handler: () => void): void;
  /** Resolves once connected (at once for a single instance); rejects with a message naming REDIS_URL. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function singleInstance(): Cluster {
  return {
    id: randomUUID(),
    shared: false,
    publish() {},
    onMessage() {},
    onReconnect() {},
    ready: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/** How long the first connection to Redis may take before the start fails. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Connects this instance to the others through Redis and installs the socket.io Redis adapter
 * on `io`. Redis being away later is survived: node-redis reconnects (commands published
 * meanwhile wait in its queue), and `onReconnect` handlers resynchronise what was missed.
 */
export function redisCluster(io: Server, options: { url: string; prefix: string; logger: Logger }): Cluster {
  const { logger } = options;
  const id = randomUUID();
  const channel = `${options.prefix}:collab`;
  const pub = createClient({
    url: options.url,
    socket: { connectTimeout: 5_000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2_000) },
  });
  const sub = pub.duplicate();
  let handler: (from: string, message: Uint8Array) => void = () => {};
  const reconnectHandlers: (() => void)[] = [];
  let everReady = false;
  let down = false;
  let closed = false;

  for (const [name, client] of [
    ["publishing", pub],
    ["subscribing", sub],
  ] as const) {
    client.on("error", (err: unknown) => {
      if (closed || down) return;
      down = true;
      logger.warn({ err, connection: name }, "Redis is unreachable: co-editing between instances waits until it is back");
    });
  }
  sub.on("ready", () => {
    if (!everReady) return;
    down = false;
    logger.info("Redis is back: resynchronising co-edited documents with the other instances");
    for (const h of reconnectHandlers) h();
  });

  const connected = (async () => {
    await Promise.all([pub.connect(), sub.connect()]);
    await sub.subscribe(
      channel,
      (raw: Buffer) => {
        let from: string;
        let message: Uint8Array;
        try {
          const decoder = decoding.createDecoder(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
          from = decoding.readVarString(decoder);
          message = decoding.readVarUint8Array(decoder);
        } catch (err) {
          logger.warn({ err }, "unreadable message from another instance");
          return;
        }
        if (from !== id) handler(from, message);
      },
      true,
    );
    io.adapter(createAdapter(pub, sub, { key: `${options.prefix}:socket.io` }));
    everReady = true;
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`REDIS_URL: Redis did not answer within ${CONNECT_TIMEOUT_MS / 1000} s; check that it runs and the URL is right`)), CONNECT_TIMEOUT_MS);
  });
  const ready = Promise.race([connected, timeout]).finally(() => clearTimeout(timer));
  // A failed start is reported through ready(); this keeps it from being an unhandled rejection too.
  ready.catch(() => {});

  return {
    id,
    shared: true,
    publish(message) {
      const encoder = encoding.createEncoder();
      encoding.writeVarString(encoder, id);
      encoding.writeVarUint8Array(encoder, message);
      pub.publish(channel, Buffer.from(encoding.toUint8Array(encoder))).catch((err: unknown) => {
        if (!closed) logger.warn({ err }, "a co-editing message could not be sent to the other instances");
      });
    },
    onMessage(h) {
      handler = h;
    },
    onReconnect(h) {
      reconnectHandlers.push(h);
    },
    ready: () => ready,
    async close() {
      closed = true;
      const connectedBefore = everReady;
      await Promise.allSettled(
        [sub, pub].map(async (client) => {
          if (connectedBefore) await client.close();
          else if (client.isOpen) client.destroy();
        }),
      );
    },
  };
}
