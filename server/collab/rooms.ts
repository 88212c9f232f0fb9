import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import type { Server, Socket } from "socket.io";
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import type { Database } from "../../db/client";
import type { Logger } from "../logger";
import type { SessionUser } from "../services/accounts";
import { allowedAwarenessEntries, decodeAwarenessUpdate, encodeAwarenessEntries } from "./awareness-filter";
import type { Cluster } from "./cluster";
import type { DocRef } from "./kinds";
import { decodePeerMessage, encodePeerMessage, type PeerMessage } from "./peers";
import { DocWriter, type Ack, type PersistenceOptions, type QueuedChange } from "./persistence";
import {
  asText,
  EVENTS,
  MESSAGES,
  roomName,
  type Access,
  type ClientToServerEventsUntrusted,
  type JoinResult,
  type ServerToClientEvents,
} from "./protocol";
import { applyStored, countUpdates, loadUpdates } from "./store";

export interface SocketData {
  user: SessionUser;
}
export type CollabServer = Server<ClientToServerEventsUntrusted, ServerToClientEvents, Record<string, never>, SocketData>;
export type CollabSocket = Socket<ClientToServerEventsUntrusted, ServerToClientEvents, Record<string, never>, SocketData>;

/** A socket in a room: who it is, what it may do, the awareness client ids it speaks for. */
export interface Member {
  socket: CollabSocket;
  user: SessionUser;
  access: Access;
  clients: Set<number>;
}

export class InvalidMessage extends Error {}

/** A change or presence that another web instance relayed (decision 014). */
class FromPeer {
  constructor(
    readonly server: string,
    readonly seq: number,
    readonly userId: string | null,
  ) {}
}

/** A page has one awareness client per document; a few more cover reloads. More is abuse. */
const MAX_CLIENT_IDS_PER_SOCKET = 4;

/**
 * One co-edited document held in memory on this instance: its Y.Doc, its Awareness, the
 * sockets in it and its writer to PostgreSQL. Changes from writers are applied and relayed to
 * the other sockets at once; storing them is the DocWriter's business.
 *
 * Other web instances may hold the same document (decision 014): a change from a socket here
 * is also published to them (they apply it to their copy and relay it to their sockets, and
 * this instance stores it), and theirs arrive through `receivePeer`.
 */
export class Room {
  readonly doc = new Y.Doc({ gc: true });
  readonly awareness: Awareness;
  readonly members = new Map<string, Member>();
  readonly writer: DocWriter;
  /** Sockets holding the room (members, and joins still in progress). */
  holders = 0;
  /** The change the update being applied produced (set by the doc's update handler). */
  private applied: QueuedChange | null = null;
  /** Which user speaks for each awareness client id (socketId "peer:<instance>" for another instance's). */
  private readonly owners = new Map<number, { socketId: string; userId: string }>();
  /** This instance's changes to the document so far (peers hear "stored through seq"). */
  private seq = 0;
  private readonly cluster: Cluster;

  constructor(
    private readonly io: CollabServer,
    readonly name: string,
    readonly tenantId: string,
    readonly ref: DocRef,
    deps: { db: Database; logger: Logger; persistence: PersistenceOptions; logLength: number; cluster: Cluster },
  ) {
    this.cluster = deps.cluster;
    this.awareness = new Awareness(this.doc);
    this.awareness.setLocalState(null);
    this.writer = new DocWriter({
      db: deps.db,
      logger: deps.logger,
      tenantId,
      ref,
      options: deps.persistence,
      logLength: deps.logLength,
      onRevoked: (userIds) => this.revokeWrite(userIds),
      onStored: (seq) => this.tellPeers({ type: "stored", room: this.name, seq }),
    });
    this.doc.on("update", (update: Uint8Array, origin: unknown) => this.relayUpdate(update, origin));
    this.awareness.on("update", ({ added, updated, removed }: AwarenessChanges, origin: unknown) =>
      this.relayAwareness([...added, ...updated, ...removed], origin),
    );
  }

  add(socket: CollabSocket, user: SessionUser, access: Access): Member {
    const member: Member = { socket, user, access, clients: new Set() };
    this.members.set(socket.id, member);
    void socket.join(this.name);
    return member;
  }

  /** What a joining socket is sent: the server's state vector and document, and who is here. */
  welcome(member: Member): Extract<JoinResult, { ok: true }> {
    const step1 = encoding.createEncoder();
    syncProtocol.writeSyncStep1(step1, this.doc);
    const step2 = encoding.createEncoder();
    syncProtocol.writeSyncStep2(step2, this.doc);
    const present = Array.from(this.awareness.getStates().keys());
    return {
      ok: true,
      room: this.name,
      access: member.access,
      sync: [encoding.toUint8Array(step1), encoding.toUint8Array(step2)],
      awareness: present.length ? encodeAwarenessUpdate(this.awareness, present) : null,
    };
  }

  /** Takes a socket out: its presence disappears for the others. */
  remove(member: Member): void {
    if (this.members.get(member.socket.id) !== member) return;
    this.members.delete(member.socket.id);
    void member.socket.leave(this.name);
    const owned = [...member.clients].filter((id) => this.owners.get(id)?.socketId === member.socket.id);
    for (const id of owned) this.owners.delete(id);
    removeAwarenessStates(this.awareness, owned, member);
  }

  /**
   * A y-protocols sync message from a member. SyncStep1 is answered with SyncStep2; SyncStep2
   * and Update carry changes: a writer's are applied (and so relayed and queued for storage)
   * and acknowledged once durable, a reader's are dropped.
   */
  receiveSync(member: Member, message: Uint8Array, ack: Ack | undefined): void {
    const { type, payload } = readSyncMessage(message);
    if (type === syncProtocol.messageYjsSyncStep1) {
      const reply = encoding.createEncoder();
      try {
        syncProtocol.writeSyncStep2(reply, this.doc, payload);
      } catch (err) {
        throw new InvalidMessage(`unreadable state vector: ${String(err)}`);
      }
      member.socket.emit(EVENTS.sync, this.name, encoding.toUint8Array(reply));
      ack?.({ ok: true });
      return;
    }
    const update = payload;
    if (member.access !== "write") {
      if (changesNothing(this.doc, update)) {
        ack?.({ ok: true });
        return;
      }
      member.socket.emit(EVENTS.error, { room: this.name, code: "read-only", message: MESSAGES.readOnly });
      ack?.({ ok: false, code: "read-only", error: MESSAGES.readOnly });
      return;
    }
    this.applied = null;
    try {
      Y.applyUpdate(this.doc, update, member);
    } catch (err) {
      throw new InvalidMessage(err instanceof Error ? err.message : String(err));
    }
    const change = this.applied as QueuedChange | null;
    this.applied = null;
    if (!ack) return;
    if (change) change.ack = ack;
    else this.writer.afterDurable(member.user.id, ack);
  }

  /** An awareness update from a member: only presence of its own user is applied and relayed. */
  receiveAwareness(member: Member, update: Uint8Array): void {
    let entries;
    try {
      entries = allowedAwarenessEntries(update, { userId: member.user.id, name: member.user.name }, (id) => this.owners.get(id)?.userId);
    } catch (err) {
      throw new InvalidMessage(err instanceof Error ? err.message : String(err));
    }
    const claimed = [];
    for (const entry of entries) {
      if (!member.clients.has(entry.clientId) && member.clients.size >= MAX_CLIENT_IDS_PER_SOCKET) continue;
      const previous = this.owners.get(entry.clientId);
      if (previous && previous.socketId !== member.socket.id) this.members.get(previous.socketId)?.clients.delete(entry.clientId);
      this.owners.set(entry.clientId, { socketId: member.socket.id, userId: member.user.id });
      member.clients.add(entry.clientId);
      claimed.push(entry);
    }
    if (!claimed.length) return;
    applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(claimed), member);
  }

  /**
   * Asks the other instances holding the document for what this copy lacks (after a load or a
   * lost connection). After a lost connection (`reciprocate`) they also ask back: their own hello
   * may have been published while this instance could not hear it, and a change made there in
   * that moment would otherwise never reach this copy.
   */
  hello(reciprocate = false): void {
    this.tellPeers({ type: "hello", room: this.name, stateVector: Y.encodeStateVector(this.doc), reciprocate });
  }

  /** A message about this document from another web instance (trusted: it checked its sockets). */
  receivePeer(from: string, message: PeerMessage): void {
    switch (message.type) {
      case "update":
        Y.applyUpdate(this.doc, message.update, new FromPeer(from, message.seq, message.userId));
        return;
      case "stored":
        this.writer.confirmed(from, message.seq);
        return;
      case "awareness":
        this.receivePeerAwareness(from, message.update);
        return;
      case "hello": {
        const update = Y.encodeStateAsUpdate(this.doc, message.stateVector);
        const present = Array.from(this.awareness.getStates().keys());
        this.tellPeers({
          type: "state",
          room: this.name,
          to: from,
          seq: this.seq,
          stored: this.writer.storedThrough(this.seq),
          update,
          awareness: present.length ? encodeAwarenessUpdate(this.awareness, present) : null,
        });
        if (message.reciprocate) this.hello(false);
        return;
      }
      case "state":
        if (message.to !== this.cluster.id) return;
        Y.applyUpdate(this.doc, message.update, new FromPeer(from, message.stored ? 0 : message.seq, null));
        if (message.awareness) this.receivePeerAwareness(from, message.awareness);
        return;
    }
  }

  async close(): Promise<void> {
    await this.writer.close();
    this.awareness.destroy();
    this.doc.destroy();
  }

  /**
   * Relays a change to this instance's sockets (other instances relay to theirs). A member's
   * change is also published to the other instances and queued for storage here; a peer's is
   * held as unconfirmed until its instance says it is stored (a state answer already stored,
   * seq 0, is not held).
   */
  private relayUpdate(update: Uint8Array, origin: unknown) {
    const fromPeer = origin instanceof FromPeer;
    if (!isMember(origin) && !fromPeer) return;
    const encoder = encoding.createEncoder();
    syncProtocol.writeUpdate(encoder, update);
    const local = this.io.local.to(this.name);
    (isMember(origin) ? local.except(origin.socket.id) : local).emit(EVENTS.sync, this.name, asText(encoding.toUint8Array(encoder)));
    if (isMember(origin)) {
      const seq = ++this.seq;
      this.tellPeers({ type: "update", room: this.name, seq, userId: origin.user.id, update });
      this.applied = this.writer.write(update, origin.user.id, seq);
    } else if (origin instanceof FromPeer && origin.seq > 0) {
      this.writer.remote(origin.server, origin.seq, update, origin.userId);
    }
  }

  private relayAwareness(clients: number[], origin: unknown) {
    if (!clients.length) return;
    const update = encodeAwarenessUpdate(this.awareness, clients);
    const target = this.io.local.to(this.name);
    (isMember(origin) ? target.except(origin.socket.id) : target).emit(EVENTS.awareness, this.name, asText(update));
    if (!(origin instanceof FromPeer)) this.tellPeers({ type: "awareness", room: this.name, update });
  }

  /** Presence of people on another instance: their client ids are theirs here too. */
  private receivePeerAwareness(from: string, update: Uint8Array) {
    const kept = [];
    for (const entry of decodeAwarenessUpdate(update)) {
      // A client id a socket here speaks for is this instance's to announce and withdraw.
      const owner = this.owners.get(entry.clientId);
      if (owner && !owner.socketId.startsWith("peer:")) continue;
      const userId = (entry.state as { user?: { id?: unknown } } | null)?.user?.id;
      if (entry.state === null) this.owners.delete(entry.clientId);
      else if (typeof userId === "string") this.owners.set(entry.clientId, { socketId: `peer:${from}`, userId });
      kept.push(entry);
    }
    if (kept.length) applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(kept), new FromPeer(from, 0, null));
  }

  private tellPeers(message: PeerMessage) {
    if (this.cluster.shared) this.cluster.publish(encodePeerMessage(message));
  }

  /** A batch found these users may no longer write: their sockets become read-only. */
  private revokeWrite(userIds: Set<string>) {
    for (const member of this.members.values()) {
      if (member.access !== "write" || !userIds.has(member.user.id)) continue;
      member.access = "read";
      member.socket.emit(EVENTS.error, { room: this.name, code: "read-only", message: MESSAGES.lostWrite });
    }
  }
}

interface AwarenessChanges {
  added: number[];
  updated: number[];
  removed: number[];
}

function isMember(origin: unknown): origin is Member {
  return typeof origin === "object" && origin !== null && "socket" in origin && "clients" in origin;
}

/** A y-protocols sync message: its type and its one field (a state vector or an update). */
function readSyncMessage(message: Uint8Array): { type: number; payload: Uint8Array } {
  try {
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (type === syncProtocol.messageYjsSyncStep1 || type === syncProtocol.messageYjsSyncStep2 || type === syncProtocol.messageYjsUpdate) {
      return { type, payload };
    }
  } catch (err) {
    throw new InvalidMessage(`unreadable sync message: ${String(err)}`);
  }
  throw new InvalidMessage("unknown sync message type");
}

/** Whether the document already holds everything the update brings (a reader's resync). */
function changesNothing(doc: Y.Doc, update: Uint8Array): boolean {
  try {
    return Y.snapshotContainsUpdate(Y.snapshot(doc), update);
  } catch (err) {
    throw new InvalidMessage(`unreadable update: ${String(err)}`);
  }
}

/**
 * The rooms of this instance: one per document in use, loaded from the store by the first
 * socket that joins and closed (after its changes are stored) when the last one leaves.
 */
export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly closing = new Map<string, Promise<void>>();

  constructor(
    private readonly io: CollabServer,
    private readonly deps: { db: Database; logger: Logger; persistence: PersistenceOptions; cluster: Cluster },
  ) {
    deps.cluster.onMessage((from, bytes) => this.receivePeer(from, bytes));
    deps.cluster.onReconnect(() => {
      for (const room of this.rooms.values()) room.hello(true);
    });
  }

  /** A message from another web instance: for a room open here, or else of no interest. */
  private receivePeer(from: string, bytes: Uint8Array) {
    let message: PeerMessage;
    try {
      message = decodePeerMessage(bytes);
    } catch (err) {
      this.deps.logger.warn({ err, from }, "unreadable co-editing message from another instance");
      return;
    }
    const room = this.rooms.get(message.room);
    if (!room) return;
    try {
      room.receivePeer(from, message);
    } catch (err) {
      this.deps.logger.error({ err, from, room: message.room }, `applying a '${message.type}' from another instance failed`);
    }
  }

  /** The document's room, loaded if need be, held for the caller until `release`. */
  async acquire(tenantId: string, ref: DocRef): Promise<Room> {
    const name = roomName(tenantId, ref.name);
    for (;;) {
      const closing = this.closing.get(name);
      if (closing) {
        await closing;
        continue;
      }
      const room = this.rooms.get(name);
      if (room) {
        room.holders++;
        return room;
      }
      let loading = this.loading.get(name);
      if (!loading) {
        loading = this.load(name, tenantId, ref);
        this.loading.set(name, loading);
      }
      await loading;
    }
  }

  release(room: Room): void {
    room.holders--;
    if (room.holders > 0 || this.rooms.get(room.name) !== room) return;
    this.rooms.delete(room.name);
    const closing = room
      .close()
      .catch((err) => this.deps.logger.error({ err, room: room.name }, "closing a co-edited document failed"))
      .finally(() => this.closing.delete(room.name));
    this.closing.set(room.name, closing);
  }

  /** Stores every room's pending changes and closes them all. */
  async close(): Promise<void> {
    const rooms = [...this.rooms.values()];
    this.rooms.clear();
    const closed = rooms.map((room) =>
      room.close().catch((err) => this.deps.logger.error({ err, room: room.name }, "closing a co-edited document failed")),
    );
    await Promise.all([...closed, ...this.closing.values()]);
  }

  private async load(name: string, tenantId: string, ref: DocRef): Promise<void> {
    try {
      const { updates, logLength } = await this.deps.db.withTenant(tenantId, async (tx) => ({
        updates: (await loadUpdates(tx, tenantId, ref.name)).updates,
        logLength: await countUpdates(tx, tenantId, ref.name),
      }));
      const room = new Room(this.io, name, tenantId, ref, { ...this.deps, logLength });
      applyStored(room.doc, updates);
      this.rooms.set(name, room);
      room.hello();
    } finally {
      this.loading.delete(name);
    }
  }
}
