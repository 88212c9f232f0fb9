import { z } from "zod";

/**
 * The wire protocol of server-pushed live events over socket.io (the co-editing connection,
 * decision 010), shared by the server (server/live) and the client (app/live). Pure.
 *
 * A topic is `<kind>/<id>` within a workspace (e.g. `session/<id>`, `proposal/<id>`); the
 * kind's entry in server/live/topics.ts decides who may subscribe.
 *   client → server  live:subscribe   ({tenantId, topic}, ack(SubscribeResult))
 *                    live:unsubscribe ({tenantId, topic})
 *   server → client  live:event       (LiveEvent)
 *                    live:resync      () — events may have been missed: read the state again
 */

export const LIVE_EVENTS = {
  subscribe: "live:subscribe",
  unsubscribe: "live:unsubscribe",
  event: "live:event",
  resync: "live:resync",
} as const;

export const ZSubscribeInput = z.object({
  tenantId: z.uuid({ message: "must be a workspace id" }),
  topic: z.string().min(3).max(200),
});
export type SubscribeInput = z.infer<typeof ZSubscribeInput>;

export type SubscribeResult = { ok: true } | { ok: false; error: string };

/** An event as subscribers receive it: the topic it was published on and the service's payload. */
export interface LiveEvent<P = unknown> {
  tenantId: string;
  topic: string;
  payload: P;
}

export interface LiveClientToServerEvents {
  "live:subscribe"(input: SubscribeInput, ack: (result: SubscribeResult) => void): void;
  "live:unsubscribe"(input: SubscribeInput): void;
}

export interface LiveServerToClientEvents {
  "live:event"(event: LiveEvent): void;
  "live:resync"(): void;
}
