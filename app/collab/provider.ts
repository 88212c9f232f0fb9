import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import {
  asBytes,
  EVENTS,
  roomName,
  ZPresence,
  type ClientToServerEvents,
  type CollabNotice,
  type JoinResult,
  type Presence,
  type ServerToClientEvents,
  type WriteResult,
} from "../../server/collab/protocol";
import { colorFor } from "./colors";

/**
 * Keeps a Y.Doc in sync with the server over socket.io (y-protocols sync + awareness), for the
 * browser and for Node (tests, benchmarks: pass `url` and the session cookie in
 * `socket.extraHeaders`). No DOM APIs.
 *
 * Local changes are sent as they happen, each with an acknowledgement the server gives once the
 * change is stored; `pending` counts those not yet acknowledged (and changes made offline).
 * After a reconnect the provider joins again and sends whatever the server's document lacks,
 * so offline edits merge; `whenAcked()` resolves when nothing is pending (the submit button
 * waits on it). Presence is {user, focus}; `setFocus` says what the person is working on.
 */

export type CollabStatus = "connecting" | "synced" | "offline";

export interface Peer extends Presence {
  clientId: number;
}

export interface CollabState {
  status: CollabStatus;
  /** Local changes the server has not yet confirmed as stored. */
  pending: number;
  /**
   * Offline, and connecting again by itself: the server went away (restarted, shut down, or an
   * instance behind the load balancer died) and the next attempt may reach another instance.
   */
  reconnecting: boolean;
  /** The server lets this person watch but not change the document. */
  readOnly: boolean;
  /** The last thing that went wrong, worded for the person; null when all is well. */
  error: string | null;
  /** The others present: who they are and what they are working on. */
  peers: Peer[];
}

export interface CollabProviderOptions {
  tenantId: string;
  /** The document's name in the workspace, `<kind>/<id>`. */
  doc: string;
  user: { id: string; name: string };
  /** The document to sync (a new one by default). */
  ydoc?: Y.Doc;
  /** The server's origin; the page's own when omitted (browser only). */
  url?: string;
  /** socket.io-client options, e.g. `extraHeaders: { cookie }` and `transports` in Node. */
  socket?: Partial<ManagerOptions & SocketOptions>;
  /** Connect at once (default true). */
  connect?: boolean;
}

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long destroy() waits for the acknowledgements of changes already sent. */
const DESTROY_GRACE_MS = 5_000;
/** Retry delay after the server turned the connection away for a passing reason. */
const RETRY_REFUSED_MS = 1_500;

export class CollabProvider {
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  readonly socket: ClientSocket;
  readonly room: string;
  private readonly tenantId: string;
  private readonly docName: string;
  private state: CollabState = { status: "connecting", pending: 0, reconnecting: false, readOnly: false, error: null, peers: [] };
  private joined = false;
  /** Bumped at every (dis)connect: acknowledgements of an earlier connection are ignored. */
  private generation = 0;
  /** Changes sent on this connection and not yet acknowledged. */
  private inflight = 0;
  /** Changes made offline, or sent on an earlier connection and never acknowledged. */
  private carried = 0;
  private readonly listeners = new Set<() => void>();
  private waiters: { synced: Waiter[]; acked: Waiter[] } = { synced: [], acked: [] };
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private destroyed = false;
  /** After destroy(): closes the connection once the last acknowledgement is in. */
  private whenIdle: (() => void) | null = null;

  constructor(options: CollabProviderOptions) {
    this.tenantId = options.tenantId;
    this.docName = options.doc;
    this.room = roomName(options.tenantId, options.doc);
    this.doc = options.ydoc ?? new Y.Doc();
    this.awareness = new Awareness(this.doc);
    const presence: Presence = { user: { id: options.user.id, name: options.user.name, color: colorFor(options.user.id) }, focus: null };
    this.awareness.setLocalState(presence);
    const socketOptions: Partial<ManagerOptions & SocketOptions> = { withCredentials: true, autoConnect: false, ...options.socket };
    this.socket = options.url ? io(options.url, socketOptions) : io(socketOptions);

    this.socket.on("connect", this.onConnect);
    this.socket.on("disconnect", this.onDisconnect);
    this.socket.on("connect_error", this.onConnectError);
    this.socket.on(EVENTS.sync, this.onSync);
    this.socket.on(EVENTS.awareness, this.onAwareness);
    this.socket.on(EVENTS.error, this.onNotice);
    this.doc.on("update", this.onDocUpdate);
    this.awareness.on("update", this.onAwarenessUpdate);
    this.awareness.on("change", this.onAwarenessChange);
    if (options.connect !== false) this.socket.connect();
  }

  get status(): CollabStatus {
    return this.state.status;
  }
  get pending(): number {
    return this.state.pending;
  }
  get reconnecting(): boolean {
    return this.state.reconnecting;
  }
  get readOnly(): boolean {
    return this.state.readOnly;
  }
  get error(): string | null {
    return this.state.error;
  }
  get peers(): Peer[] {
    return this.state.peers;
  }

  /** The current state; a new object after every change (for useSyncExternalStore). */
  snapshot(): CollabState {
    return this.state;
  }

  /** Calls `listener` after every change of the state; returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Resolves once the document has the server's state; rejects when the server refuses it. */
  whenSynced(): Promise<void> {
    if (this.state.status === "synced") return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.synced.push({ resolve, reject }));
  }

  /** Resolves once every local change is stored on the server (pending reaches 0). */
  whenAcked(): Promise<void> {
    if (this.state.pending === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.acked.push({ resolve, reject }));
  }

  /** What this person is working on (a rule's id, a field), shown to the others. */
  setFocus(focus: string | null): void {
    this.awareness.setLocalStateField("focus", focus);
  }

  /**
   * Connects (again). A no-op while a connection is already on its way: socket.io-client would
   * otherwise send a second CONNECT once the transport is open, and the two "connect" events
   * would join the document twice on one server socket (found by the SWOT convergence fuzz).
   */
  connect(): void {
    if (!this.destroyed && !this.socket.active) this.socket.connect();
  }

  /** Goes offline (local edits keep accumulating and are sent on `connect`). */
  disconnect(): void {
    this.socket.disconnect();
  }

  /**
   * Leaves the document for good. Presence is withdrawn at once; the connection closes once the
   * server has acknowledged the changes already sent (at most a few seconds later), because
   * socket.io drops messages that arrive together with a disconnect.
   */
  destroy(): void {
    if (this.destroyed) return;
    if (this.joined) this.awareness.setLocalState(null);
    this.destroyed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.doc.off("update", this.onDocUpdate);
    this.awareness.off("update", this.onAwarenessUpdate);
    this.awareness.off("change", this.onAwarenessChange);
    this.awareness.destroy();
    const gone = new Error("The document was closed.");
    for (const w of [...this.waiters.synced, ...this.waiters.acked]) w.reject(gone);
    this.waiters = { synced: [], acked: [] };
    this.listeners.clear();

    const close = () => {
      if (this.socket.connected) this.socket.emit(EVENTS.leave, this.room);
      this.socket.disconnect();
      this.socket.off();
    };
    if (!this.joined || this.inflight === 0) return close();
    const timer = setTimeout(close, DESTROY_GRACE_MS);
    this.whenIdle = () => {
      clearTimeout(timer);
      close();
    };
    this.socket.once("disconnect", this.whenIdle);
  }

  private onConnect = () => {
    if (this.destroyed) return;
    const generation = ++this.generation;
    this.update({ status: "connecting" });
    this.socket.emit(EVENTS.join, { tenantId: this.tenantId, doc: this.docName }, (result: JoinResult) => {
      if (generation !== this.generation || this.destroyed) return;
      if (!result.ok) return this.fail(result.error);
      this.joined = true;
      const [step1, step2] = result.sync.map((m) => asBytes(m)!);
      this.applySyncMessage(step2);
      this.resync(readPayload(step1));
      if (result.awareness) applyAwarenessUpdate(this.awareness, asBytes(result.awareness)!, this);
      // Announce presence again with a newer clock: the server may remember this client's last one.
      const local = this.awareness.getLocalState();
      if (local) this.awareness.setLocalState({ ...local });
      this.update({ status: "synced", reconnecting: false, readOnly: result.access === "read", error: null });
      this.settle("synced");
    });
  };

  private onDisconnect = () => {
    this.generation++;
    this.joined = false;
    this.carried += this.inflight;
    this.inflight = 0;
    const others = Array.from(this.awareness.getStates().keys()).filter((id) => id !== this.doc.clientID);
    removeAwarenessStates(this.awareness, others, this);
    // socket.io reconnects by itself unless the server sent this socket away on purpose.
    this.update({ status: "offline", reconnecting: this.socket.active });
  };

  private onConnectError = (err: Error & { data?: { retry?: boolean } }) => {
    if (this.socket.active) {
      this.update({ status: "offline", reconnecting: true });
      return;
    }
    // The server turned the connection away: for good (no session, another site), or for now.
    if (err.data?.retry && !this.destroyed) {
      this.update({ status: "offline", reconnecting: true, error: err.message });
      this.retryTimer = setTimeout(() => this.connect(), RETRY_REFUSED_MS);
      return;
    }
    this.fail(err.message);
  };

  private onSync = (room: string, message: Uint8Array | string) => {
    if (room !== this.room || this.destroyed) return;
    const bytes = asBytes(message);
    if (bytes) this.applySyncMessage(bytes);
  };

  private onAwareness = (room: string, update: Uint8Array | string) => {
    if (room !== this.room || this.destroyed) return;
    const bytes = asBytes(update);
    if (bytes) applyAwarenessUpdate(this.awareness, bytes, this);
  };

  private onNotice = (notice: CollabNotice) => {
    if (notice.room !== this.room) return;
    this.update({ error: notice.message, readOnly: notice.code === "read-only" ? true : this.state.readOnly });
  };

  private onDocUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this) return;
    if (!this.joined) {
      this.carried++;
      this.refreshPending();
      return;
    }
    const encoder = encoding.createEncoder();
    syncProtocol.writeUpdate(encoder, update);
    this.send(encoding.toUint8Array(encoder), () => {});
  };

  private onAwarenessUpdate = ({ added, updated, removed }: AwarenessChanges, origin: unknown) => {
    if (origin !== "local" || !this.joined) return;
    const changed = [...added, ...updated, ...removed];
    this.socket.emit(EVENTS.awareness, this.room, encodeAwarenessUpdate(this.awareness, changed));
  };

  private onAwarenessChange = () => {
    const peers: Peer[] = [];
    for (const [clientId, state] of this.awareness.getStates()) {
      if (clientId === this.doc.clientID) continue;
      const presence = ZPresence.safeParse(state);
      if (presence.success) peers.push({ clientId, ...presence.data });
    }
    this.update({ peers });
  };

  /** Applies a sync message from the server; a SyncStep1 is answered with what it lacks. */
  private applySyncMessage(message: Uint8Array) {
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (type === syncProtocol.messageYjsSyncStep1) this.resync(payload);
    else Y.applyUpdate(this.doc, payload, this);
  }

  /**
   * Sends what the server (with this state vector) lacks: edits made offline or never
   * confirmed. Its acknowledgement confirms every change carried over from before.
   */
  private resync(serverStateVector: Uint8Array) {
    const diff = Y.encodeStateAsUpdate(this.doc, serverStateVector);
    const carried = this.carried;
    if (!carried && isEmptyUpdate(diff)) return;
    const encoder = encoding.createEncoder();
    syncProtocol.writeSyncStep2(encoder, this.doc, serverStateVector);
    // Stored or refused (a reader's), they are no longer pending either way.
    this.send(encoding.toUint8Array(encoder), () => {
      this.carried = Math.max(0, this.carried - carried);
    });
  }

  private send(message: Uint8Array, then: () => void) {
    const generation = this.generation;
    this.inflight++;
    this.refreshPending();
    this.socket.emit(EVENTS.sync, this.room, message, (result: WriteResult) => {
      if (generation !== this.generation) return;
      this.inflight--;
      if (this.destroyed) {
        if (!this.inflight) this.whenIdle?.();
        return;
      }
      then();
      if (!result.ok) this.update({ error: result.error, readOnly: result.code === "read-only" ? true : this.state.readOnly });
      this.refreshPending();
    });
  }

  private refreshPending() {
    const pending = this.inflight + this.carried;
    if (pending !== this.state.pending) this.update({ pending });
    if (pending === 0) this.settle("acked");
  }

  private fail(message: string) {
    this.update({ status: "offline", reconnecting: false, error: message });
    const error = new Error(message);
    for (const w of this.waiters.synced) w.reject(error);
    this.waiters.synced = [];
  }

  private settle(which: "synced" | "acked") {
    const waiting = this.waiters[which];
    this.waiters[which] = [];
    for (const w of waiting) w.resolve();
  }

  private update(patch: Partial<CollabState>) {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

interface AwarenessChanges {
  added: number[];
  updated: number[];
  removed: number[];
}

function readPayload(message: Uint8Array): Uint8Array {
  const decoder = decoding.createDecoder(message);
  decoding.readVarUint(decoder);
  return decoding.readVarUint8Array(decoder);
}

/** No new items; deletions alone are not counted (every diff repeats the document's delete set). */
function isEmptyUpdate(update: Uint8Array): boolean {
  return Y.decodeUpdate(update).structs.length === 0;
}
