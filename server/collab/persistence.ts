import * as Y from "yjs";
import type { Database } from "../../db/client";
import type { Logger } from "../logger";
import { currentRole } from "./auth";
import type { DocRef } from "./kinds";
import { MESSAGES, type WriteResult } from "./protocol";
import { appendUpdates, compact } from "./store";

/**
 * Asynchronous, batched storage of one document's changes, off the path that relays them.
 *
 * Changes are queued as they are applied; a batch is written ~20 ms after its first change (at
 * once when it is large) in one transaction that locks the document's object, re-checks every
 * writer's access and appends the changes it allows as one merged update. Only after the
 * commit is each writer told (ack) that its change is durable. An acknowledgement is a
 * barrier: it also covers every change queued before it. A failed batch is logged and retried
 * with back-off, its acknowledgements held back; writers whose changes stay unacknowledged
 * resend them on their next sync. The log is compacted into the snapshot when it grows long,
 * alongside (never inside) the batches.
 *
 * With several web instances (decision 014) each instance stores the changes its own sockets
 * sent; changes another instance relayed here are held as "unconfirmed" until that instance
 * says they are stored. An acknowledgement here also waits for the unconfirmed changes received
 * before it (a writer's change may build on them), and unconfirmed changes whose instance stays
 * silent (it died) are stored here after `confirmTimeoutMs`, so nothing acknowledged anywhere
 * depends on a change that is only in memory.
 */

export interface PersistenceOptions {
  /** How long a batch collects changes after its first one. */
  flushDelayMs: number;
  /** A batch is written at once when it holds this many changes… */
  maxBatchUpdates: number;
  /** …or this many bytes. */
  maxBatchBytes: number;
  /** Compact when the stored log has more rows than this. */
  compactAfter: number;
  /** How long a change relayed by another instance waits for its "stored" before this one stores it. */
  confirmTimeoutMs: number;
}

export const DEFAULT_PERSISTENCE: PersistenceOptions = {
  flushDelayMs: 20,
  maxBatchUpdates: 200,
  maxBatchBytes: 512 * 1024,
  compactAfter: 200,
  confirmTimeoutMs: 3_000,
};

export type Ack = (result: WriteResult) => void;

/** A queued change (or, with no update, a barrier that only carries an acknowledgement). */
export interface QueuedChange {
  update: Uint8Array | null;
  userId: string;
  ack?: Ack;
  /** This instance's number for the change (peers hear "stored through seq"). */
  seq?: number;
  /** Unconfirmed changes received before this one (their count then): its ack waits for them. */
  after: number;
}

/** A change another instance applied, relayed here, and is to store. */
interface Unconfirmed {
  server: string;
  seq: number;
  update: Uint8Array;
  /** Who made it; null when unknown (a peer's state answer), which is then not stored here. */
  userId: string | null;
  receivedAt: number;
  /** Its place among the unconfirmed changes this writer ever received. */
  index: number;
}

const MAX_RETRY_DELAY_MS = 5_000;
const CLOSE_ATTEMPTS = 3;

export class DocWriter {
  private queue: QueuedChange[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private failures = 0;
  private closing = false;
  private compacting: Promise<void> | null = null;
  /** Rows in the stored log (approximately: other appenders are rare). */
  private logLength: number;
  private unconfirmed: Unconfirmed[] = [];
  private received = 0;
  /** Acknowledgements whose changes are stored, waiting for unconfirmed changes received before them. */
  private held: { ack: Ack; result: WriteResult; after: number }[] = [];
  private confirmTimer: NodeJS.Timeout | null = null;
  /** The highest seq of this instance's changes that a batch has handled. */
  private storedSeq = 0;

  constructor(
    private readonly deps: {
      db: Database;
      logger: Logger;
      tenantId: string;
      ref: DocRef;
      options: PersistenceOptions;
      /** Rows in the stored log when the document was loaded. */
      logLength: number;
      /** Users a batch found no longer allowed to write (their changes were not stored). */
      onRevoked(userIds: Set<string>): void;
      /** Every change of this instance up to `seq` is stored (or was refused). */
      onStored?(seq: number): void;
    },
  ) {
    this.logLength = deps.logLength;
  }

  /** Queues an applied change for storage; set `ack` on the result to hear when it is durable. */
  write(update: Uint8Array, userId: string, seq?: number): QueuedChange {
    const change: QueuedChange = { update, userId, seq, after: this.received };
    this.queue.push(change);
    this.queuedBytes += update.byteLength;
    const full = this.queue.length >= this.deps.options.maxBatchUpdates || this.queuedBytes >= this.deps.options.maxBatchBytes;
    this.schedule(full ? 0 : this.deps.options.flushDelayMs);
    return change;
  }

  /** Acknowledges once everything queued so far is durable (at once when nothing is pending). */
  afterDurable(userId: string, ack: Ack): void {
    if (!this.queue.length && !this.running) {
      this.deliver(ack, { ok: true }, this.received);
      return;
    }
    this.queue.push({ update: null, userId, ack, after: this.received });
    this.schedule(this.deps.options.flushDelayMs);
  }

  /** Whether every change of this instance up to `seq` is stored and nothing else is unconfirmed. */
  storedThrough(seq: number): boolean {
    return this.storedSeq >= seq && !this.unconfirmed.length;
  }

  /** A change another instance applied and relayed here: held until it says it is stored. */
  remote(server: string, seq: number, update: Uint8Array, userId: string | null): void {
    this.unconfirmed.push({ server, seq, update, userId, receivedAt: Date.now(), index: ++this.received });
    this.armConfirmTimer();
  }

  /** Another instance stored its changes up to `seq`. */
  confirmed(server: string, seq: number): void {
    const before = this.unconfirmed.length;
    this.unconfirmed = this.unconfirmed.filter((u) => u.server !== server || u.seq > seq);
    if (this.unconfirmed.length !== before) this.releaseHeld();
  }

  /**
   * Stores everything queued (a few attempts), then waits for a running compaction. Changes
   * relayed by other instances get their confirmation time first; what stays unconfirmed is
   * stored here.
   */
  async close(): Promise<void> {
    if (this.unconfirmed.length) {
      const last = this.unconfirmed.at(-1)!.receivedAt;
      const deadline = last + this.deps.options.confirmTimeoutMs;
      while (this.unconfirmed.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      this.expire(Infinity);
    }
    if (this.confirmTimer) clearTimeout(this.confirmTimer);
    this.closing = true;
    for (let attempt = 0; attempt < CLOSE_ATTEMPTS && (this.queue.length || this.running); attempt++) {
      this.clearTimer();
      if (!this.running) this.start();
      await this.running;
    }
    if (this.queue.length) {
      const changes = this.queue.filter((c) => c.update).length;
      this.deps.logger.error({ room: this.roomName, changes }, "co-edited changes could not be stored before the document was closed; clients resend them on their next sync");
      this.queue = [];
    }
    this.held = [];
    await this.compacting;
  }

  private get roomName() {
    return `${this.deps.tenantId}/${this.deps.ref.name}`;
  }

  private clearTimer() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number) {
    if (this.running || this.closing) return;
    if (delayMs === 0) {
      this.clearTimer();
      this.start();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.start();
      }, delayMs);
    }
  }

  private start() {
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = null;
    });
  }

  /** Writes batches back to back until the queue is empty or a batch fails. */
  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue;
      this.queue = [];
      this.queuedBytes = 0;
      const stored = await this.store(batch);
      if (!stored) {
        this.queue = [...batch, ...this.queue];
        this.queuedBytes = this.queue.reduce((n, c) => n + (c.update?.byteLength ?? 0), 0);
        this.failures++;
        if (!this.closing) {
          const delay = Math.min(MAX_RETRY_DELAY_MS, 50 * 2 ** (this.failures - 1));
          this.timer = setTimeout(() => {
            this.timer = null;
            this.start();
          }, delay);
        }
        return;
      }
      this.failures = 0;
    }
  }

  /** One batch in one transaction; acknowledgements after the commit. False when it failed. */
  private async store(batch: QueuedChange[]): Promise<boolean> {
    const { db, tenantId, ref } = this.deps;
    const writers = new Set(batch.filter((c) => c.update).map((c) => c.userId));
    let allowed = new Set<string>();
    let appended = false;
    if (writers.size) {
      try {
        ({ allowed, appended } = await db.withTenant(tenantId, async (tx) => {
          await ref.kind.lock(tx, tenantId, ref.id);
          const mayWrite = new Set<string>();
          for (const userId of writers) {
            const role = await currentRole(tx, tenantId, userId);
            if (role && (await ref.kind.authorize(tx, { tenantId, userId, role }, ref.id)) === "write") mayWrite.add(userId);
          }
          const updates = batch.filter((c) => c.update && mayWrite.has(c.userId)).map((c) => c.update!);
          if (updates.length) await appendUpdates(tx, tenantId, ref.name, [updates.length === 1 ? updates[0] : Y.mergeUpdates(updates)]);
          return { allowed: mayWrite, appended: updates.length > 0 };
        }));
      } catch (err) {
        this.deps.logger.error({ err, room: this.roomName, changes: batch.length, attempt: this.failures + 1 }, "storing co-edited changes failed; will retry");
        return false;
      }
    }
    const revoked = new Set([...writers].filter((u) => !allowed.has(u)));
    for (const change of batch) {
      if (!change.ack) continue;
      if (change.update && revoked.has(change.userId)) this.deliver(change.ack, { ok: false, code: "read-only", error: MESSAGES.lostWrite }, change.after);
      else this.deliver(change.ack, { ok: true }, change.after);
    }
    if (revoked.size) this.deps.onRevoked(revoked);
    const seq = Math.max(0, ...batch.map((c) => c.seq ?? 0));
    if (seq > this.storedSeq) {
      this.storedSeq = seq;
      this.deps.onStored?.(seq);
    }
    if (appended) {
      this.logLength++;
      if (this.logLength > this.deps.options.compactAfter) this.compactSoon();
    }
    return true;
  }

  /** Acknowledges now, or once the unconfirmed changes received before (`after`) are stored. */
  private deliver(ack: Ack, result: WriteResult, after: number) {
    if (this.unconfirmed.length && this.unconfirmed[0].index <= after) this.held.push({ ack, result, after });
    else ack(result);
  }

  private releaseHeld() {
    const first = this.unconfirmed[0]?.index ?? Infinity;
    const ready = this.held.filter((h) => h.after < first);
    if (!ready.length) return;
    this.held = this.held.filter((h) => h.after >= first);
    for (const h of ready) h.ack(h.result);
  }

  private armConfirmTimer() {
    if (this.confirmTimer || this.closing || !this.unconfirmed.length) return;
    const wait = Math.max(0, this.unconfirmed[0].receivedAt + this.deps.options.confirmTimeoutMs - Date.now());
    this.confirmTimer = setTimeout(() => {
      this.confirmTimer = null;
      this.expire(Date.now() - this.deps.options.confirmTimeoutMs);
      this.armConfirmTimer();
    }, wait);
  }

  /**
   * Unconfirmed changes received at or before `receivedBy` are stored by this instance: their
   * own instance did not say it stored them (it died, or cannot reach PostgreSQL). A duplicate
   * row is harmless (applying a Yjs update twice changes nothing; compaction folds it away).
   * Acknowledgements that waited for them follow them into the queue.
   */
  private expire(receivedBy: number) {
    const expired = this.unconfirmed.filter((u) => u.receivedAt <= receivedBy);
    if (!expired.length) return;
    this.unconfirmed = this.unconfirmed.filter((u) => u.receivedAt > receivedBy);
    const storable = expired.filter((u) => u.userId !== null);
    if (storable.length) {
      this.deps.logger.warn({ room: this.roomName, changes: storable.length }, "another instance did not confirm storing changes it relayed: storing them here");
    }
    for (const u of storable) this.queue.push({ update: u.update, userId: u.userId!, after: 0 });
    const first = this.unconfirmed[0]?.index ?? Infinity;
    const freed = this.held.filter((h) => h.after < first);
    this.held = this.held.filter((h) => h.after >= first);
    for (const h of freed) this.queue.push({ update: null, userId: "", ack: () => h.ack(h.result), after: 0 });
    if (this.queue.length) this.schedule(0);
  }

  /**
   * Folds the log into the snapshot in a transaction of its own, beside the batches: the
   * store's compaction only removes rows it has read, and this writer is the document's only
   * appender on this instance, so a batch committing meanwhile is kept.
   */
  private compactSoon() {
    if (this.compacting) return;
    const { db, tenantId, ref } = this.deps;
    this.compacting = db
      .withTenant(tenantId, (tx) => compact(tx, tenantId, ref.name))
      .then((removed) => {
        this.logLength = Math.max(0, this.logLength - removed);
      })
      .catch((err) => this.deps.logger.error({ err, room: this.roomName }, "compacting a co-edited document failed"))
      .finally(() => {
        this.compacting = null;
      });
  }
}
