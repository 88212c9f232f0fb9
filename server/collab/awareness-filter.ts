import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { colorFor, ZPresence } from "./protocol";

/**
 * Presence is relayed only for the person a socket belongs to. An awareness update is a list
 * of (clientID, clock, state as JSON); this keeps the entries a socket may send: states that
 * parse as presence and name the socket's own user (name and colour are set by the server), and
 * removals of its own client ids. A client id already spoken for by another user's socket is
 * never taken over; one of the same user's (a reconnecting tab) is.
 */

export interface Speaker {
  userId: string;
  name: string;
}

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: unknown;
}

export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    // Whatever a client sent: the caller checks it before relaying (JSON.parse's `any` stops here).
    const state: unknown = JSON.parse(decoding.readVarString(decoder));
    entries.push({ clientId, clock, state });
  }
  return entries;
}

export function encodeAwarenessEntries(entries: AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    encoding.writeVarString(encoder, JSON.stringify(entry.state));
  }
  return encoding.toUint8Array(encoder);
}

/**
 * The entries of `update` that `speaker` may send; `ownerOf` tells which user speaks for a
 * client id (undefined when nobody does yet). Throws on an update that is not an awareness
 * update at all.
 */
export function allowedAwarenessEntries(
  update: Uint8Array,
  speaker: Speaker,
  ownerOf: (clientId: number) => string | undefined,
): AwarenessEntry[] {
  const kept: AwarenessEntry[] = [];
  for (const entry of decodeAwarenessUpdate(update)) {
    const owner = ownerOf(entry.clientId);
    if (owner !== undefined && owner !== speaker.userId) continue;
    if (entry.state === null) {
      if (owner === speaker.userId) kept.push(entry);
      continue;
    }
    const presence = ZPresence.safeParse(entry.state);
    if (!presence.success || presence.data.user.id !== speaker.userId) continue;
    kept.push({ ...entry, state: { ...presence.data, user: { id: speaker.userId, name: speaker.name, color: colorFor(speaker.userId) } } });
  }
  return kept;
}
