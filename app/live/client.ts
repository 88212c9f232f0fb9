import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import {
  LIVE_EVENTS,
  type LiveClientToServerEvents,
  type LiveEvent,
  type LiveServerToClientEvents,
  type SubscribeResult,
} from "../../server/live/protocol";

/**
 * Server-pushed live events (decision 010) for the browser and for Node (tests: pass `url` and
 * the session cookie in `socket.extraHeaders`). One socket.io connection carries any number of
 * subscriptions; after a reconnect every subscription is made again and its listener is told
 * to resync (events published while it was away were not delivered). No DOM APIs.
 */

export type LiveListener = (message: { kind: "event"; payload: unknown } | { kind: "resync" }) => void;

export interface LiveClientOptions {
  url?: string;
  socket?: Partial<ManagerOptions & SocketOptions>;
}

type ClientSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

interface Subscription {
  tenantId: string;
  topic: string;
  listeners: Set<LiveListener>;
  /** The server's answer to the latest subscribe (refusals are kept, so a page can say why). */
  result: Promise<SubscribeResult>;
}

export class LiveClient {
  readonly socket: ClientSocket;
  private readonly subscriptions = new Map<string, Subscription>();
  private everConnected = false;

  constructor(options: LiveClientOptions = {}) {
    const socketOptions: Partial<ManagerOptions & SocketOptions> = { withCredentials: true, ...options.socket };
    this.socket = options.url ? io(options.url, socketOptions) : io(socketOptions);
    this.socket.on("connect", () => {
      const again = this.everConnected;
      this.everConnected = true;
      for (const sub of this.subscriptions.values()) {
        sub.result = this.ask(sub);
        if (again) for (const l of sub.listeners) l({ kind: "resync" });
      }
    });
    this.socket.on(LIVE_EVENTS.event, (event: LiveEvent) => {
      const sub = this.subscriptions.get(key(event.tenantId, event.topic));
      if (sub) for (const l of sub.listeners) l({ kind: "event", payload: event.payload });
    });
    this.socket.on(LIVE_EVENTS.resync, () => {
      for (const sub of this.subscriptions.values()) for (const l of sub.listeners) l({ kind: "resync" });
    });
  }

  private ask(sub: Subscription): Promise<SubscribeResult> {
    return this.socket
      .timeout(10_000)
      .emitWithAck(LIVE_EVENTS.subscribe, { tenantId: sub.tenantId, topic: sub.topic })
      .catch(() => ({ ok: false, error: "Live updates did not answer in time." }) as const);
  }

  /**
   * Listens to a workspace's topic; resolves with the server's answer to the subscription.
   * The returned `stop` removes the listener (and the subscription with its last listener).
   */
  subscribe(tenantId: string, topic: string, listener: LiveListener): { result: Promise<SubscribeResult>; stop: () => void } {
    const k = key(tenantId, topic);
    let sub = this.subscriptions.get(k);
    if (!sub) {
      const created: Subscription = { tenantId, topic, listeners: new Set(), result: Promise.resolve({ ok: false, error: "Connecting…" }) };
      created.result = this.socket.connected
        ? this.ask(created)
        : new Promise((resolve) => {
            this.socket.once("connect", () => resolve(created.result));
            // The server turned the connection away (signed out, another site): say why.
            this.socket.once("connect_error", (error) => resolve({ ok: false, error: error.message }));
          });
      this.subscriptions.set(k, created);
      sub = created;
    }
    sub.listeners.add(listener);
    const current = sub;
    return {
      result: current.result,
      stop: () => {
        current.listeners.delete(listener);
        if (current.listeners.size === 0 && this.subscriptions.get(k) === current) {
          this.subscriptions.delete(k);
          if (this.socket.connected) this.socket.emit(LIVE_EVENTS.unsubscribe, { tenantId, topic });
        }
      },
    };
  }

  /**
   * Asks the server for a subscription again (it authorises and notes it anew: a session room
   * renews when the session starts, so that people already waiting are counted as attending).
   */
  renew(tenantId: string, topic: string): Promise<SubscribeResult> {
    const sub = this.subscriptions.get(key(tenantId, topic));
    if (!sub) return Promise.resolve({ ok: false, error: "Not subscribed to that topic." });
    sub.result = this.ask(sub);
    return sub.result;
  }

  close(): void {
    this.subscriptions.clear();
    this.socket.disconnect();
  }
}

function key(tenantId: string, topic: string): string {
  return `${tenantId}/${topic}`;
}
