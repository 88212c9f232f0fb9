import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";

/**
 * What web instances tell each other about a co-edited document they both hold (decision 014),
 * sent over the cluster channel (server/collab/cluster.ts) with the sender's instance id.
 *   update     a change a writer made here: applied, relayed and stored by this instance
 *              (`seq` counts this instance's changes to the document)
 *   stored     every change of this instance up to `seq` is in PostgreSQL (or was refused)
 *   awareness  presence of the people connected here
 *   hello      "I have just opened the document, with this state vector": the others answer;
 *              with `reciprocate` (after a lost Redis connection) they also say hello back, so
 *              that what only the asker holds reaches them even if their own hello was lost
 *   state      the answer to a hello: what the asker lacked, this instance's latest `seq`, and
 *              whether all of it is stored already
 */
export type PeerMessage =
  | { type: "update"; room: string; seq: number; userId: string; update: Uint8Array }
  | { type: "stored"; room: string; seq: number }
  | { type: "awareness"; room: string; update: Uint8Array }
  | { type: "hello"; room: string; stateVector: Uint8Array; reciprocate: boolean }
  | { type: "state"; room: string; to: string; seq: number; stored: boolean; update: Uint8Array; awareness: Uint8Array | null };

const TYPES = ["update", "stored", "awareness", "hello", "state"] as const;

export function encodePeerMessage(message: PeerMessage): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, TYPES.indexOf(message.type));
  encoding.writeVarString(e, message.room);
  switch (message.type) {
    case "update":
      encoding.writeVarUint(e, message.seq);
      encoding.writeVarString(e, message.userId);
      encoding.writeVarUint8Array(e, message.update);
      break;
    case "stored":
      encoding.writeVarUint(e, message.seq);
      break;
    case "awareness":
      encoding.writeVarUint8Array(e, message.update);
      break;
    case "hello":
      encoding.writeVarUint8Array(e, message.stateVector);
      encoding.writeUint8(e, message.reciprocate ? 1 : 0);
      break;
    case "state":
      encoding.writeVarString(e, message.to);
      encoding.writeVarUint(e, message.seq);
      encoding.writeUint8(e, message.stored ? 1 : 0);
      encoding.writeVarUint8Array(e, message.update);
      encoding.writeVarUint8Array(e, message.awareness ?? new Uint8Array());
      break;
  }
  return encoding.toUint8Array(e);
}

/** Throws on a message no instance of this version sends. */
export function decodePeerMessage(bytes: Uint8Array): PeerMessage {
  const d = decoding.createDecoder(bytes);
  const type = TYPES[decoding.readVarUint(d)];
  const room = decoding.readVarString(d);
  switch (type) {
    case "update":
      return { type, room, seq: decoding.readVarUint(d), userId: decoding.readVarString(d), update: decoding.readVarUint8Array(d) };
    case "stored":
      return { type, room, seq: decoding.readVarUint(d) };
    case "awareness":
      return { type, room, update: decoding.readVarUint8Array(d) };
    case "hello":
      return { type, room, stateVector: decoding.readVarUint8Array(d), reciprocate: decoding.readUint8(d) === 1 };
    case "state": {
      const to = decoding.readVarString(d);
      const seq = decoding.readVarUint(d);
      const stored = decoding.readUint8(d) === 1;
      const update = decoding.readVarUint8Array(d);
      const awareness = decoding.readVarUint8Array(d);
      return { type, room, to, seq, stored, update, awareness: awareness.length ? awareness : null };
    }
    default:
      throw new Error("unknown message type from another instance");
  }
}
