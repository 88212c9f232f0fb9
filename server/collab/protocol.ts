import { fromBase64, toBase64 } from "lib0/buffer";
import { z } from "zod";

/**
 * The wire protocol of live co-editing over socket.io, shared by the server (server/collab)
 * and the provider (app/collab). Pure: no Node or DOM APIs.
 *
 * A socket joins documents by name (`join`); every later message names the room it is for,
 * `<tenantId>/<kind>/<id>`, so one connection can hold several documents.
 *   client → server  join      ({tenantId, doc}, ack(JoinResult))
 *                    leave     (room)
 *                    sync      (room, y-protocols sync message, ack?(WriteResult))
 *                    awareness (room, y-protocols awareness update)
 *   server → client  sync      (room, y-protocols sync message)
 *                    awareness (room, y-protocols awareness update)
 * Messages are binary, except the changes and presence the server relays to a room: those are
 * base64 text (`asText`), which socket.io sends as one WebSocket frame encoded once for the
 * whole room, where a binary message costs two frames, built and written for each recipient.
 *                    collab-error (CollabNotice)
 * A sync message carrying changes (SyncStep2 or Update) is acknowledged once what it brought
 * is stored in PostgreSQL (with every change the server received before it), or refused.
 */

export const EVENTS = {
  join: "join",
  leave: "leave",
  sync: "sync",
  awareness: "awareness",
  error: "collab-error",
} as const;

export const ZJoinInput = z.object({
  tenantId: z.uuid({ message: "must be a workspace id" }),
  doc: z.string().min(1).max(200),
});
export type JoinInput = z.infer<typeof ZJoinInput>;

export type Access = "write" | "read";

export type JoinResult =
  | {
      ok: true;
      room: string;
      access: Access;
      /** SyncStep1 (the server's state vector) then SyncStep2 (its whole document). */
      sync: Uint8Array[];
      /** Everyone present, as one awareness update (empty when nobody is). */
      awareness: Uint8Array | null;
    }
  | { ok: false; error: string };

export type WriteResult = { ok: true } | { ok: false; code: CollabErrorCode; error: string };

export type CollabErrorCode = "read-only" | "invalid-message" | "not-joined";

export interface CollabNotice {
  room: string;
  code: CollabErrorCode;
  message: string;
}

/** What a participant shows the others: who they are and what they are working on. */
export const ZPresence = z.object({
  user: z.object({ id: z.string().max(64), name: z.string().max(200), color: z.string().max(32) }),
  /** The id of the rule, field or card the person is editing, or null. */
  focus: z.string().max(200).nullable(),
  /** Where the person's pointer is on a shared surface (a SWOT board), as fractions of its size. */
  pointer: z.object({ x: z.number().min(0).max(1), y: z.number().min(0).max(1) }).nullable().optional(),
});
export type Presence = z.infer<typeof ZPresence>;

/**
 * A person's colour in presence avatars and cursors: derived from their user id, so everyone
 * sees the same colour for the same person (the server sets it; nobody chooses or forges it).
 */
export function colorFor(userId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `hsl(${hash % 360} 62% 40%)`;
}

export function roomName(tenantId: string, doc: string): string {
  return `${tenantId}/${doc}`;
}

export const MESSAGES = {
  readOnly: "You may only watch this document: your changes are not saved.",
  lostWrite: "This document can no longer be edited (it was submitted, or your role changed): your latest changes were not saved.",
  notJoined: "Join this document before sending changes to it.",
  invalid: "That message could not be read as a document change.",
} as const;

/** A message as base64 text, the form the server relays changes and presence in. */
export function asText(bytes: Uint8Array): string {
  return toBase64(bytes);
}

/** Socket.io hands binary payloads over as Buffer (Node) or ArrayBuffer (browser); relayed ones come as base64 text. */
export function asBytes(data: unknown): Uint8Array | null {
  if (typeof data === "string") {
    try {
      return fromBase64(data);
    } catch {
      return null;
    }
  }
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/** The events as a client sends them (typed for the provider). */
export interface ClientToServerEvents {
  join(input: JoinInput, ack: (result: JoinResult) => void): void;
  leave(room: string): void;
  sync(room: string, message: Uint8Array, ack?: (result: WriteResult) => void): void;
  awareness(room: string, update: Uint8Array): void;
}

/** The same events as the server receives them: nothing a client sends is trusted. */
export interface ClientToServerEventsUntrusted {
  join(input: unknown, ack: unknown): void;
  leave(room: unknown): void;
  sync(room: unknown, message: unknown, ack?: unknown): void;
  awareness(room: unknown, update: unknown): void;
}

export interface ServerToClientEvents {
  sync(room: string, message: Uint8Array | string): void;
  awareness(room: string, update: Uint8Array | string): void;
  "collab-error"(notice: CollabNotice): void;
}
