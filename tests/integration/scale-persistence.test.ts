import pino from "pino";
import * as Y from "yjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { parseDocName } from "../../server/collab/kinds";
import { DEFAULT_PERSISTENCE, DocWriter } from "../../server/collab/persistence";
import type { WriteResult } from "../../server/collab/protocol";
import { metaOf } from "../../server/services/segments/draft-doc";
import { eventually, storedDoc } from "../helpers/collab";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { makeDraftProposal } from "../helpers/segments";

/**
 * The storage rules of a document held by several web instances (decision 014), on one
 * instance's DocWriter over a real database: a change relayed by a peer is the peer's to store
 * and holds back acknowledgements here until the peer says it is stored; if the peer stays
 * silent, this instance stores it; "stored through seq" is announced after each commit.
 */

let database: TestDatabase;
let w: FactoryWorkspace;
const logged: { level: number; msg: string }[] = [];
const logger = pino({ level: "warn" }, { write: (line: string) => void logged.push(JSON.parse(line) as (typeof logged)[number]) });

beforeAll(async () => {
  database = await createTestDatabase();
  w = await makeWorkspace(database.db, "Scale Persistence");
});
afterAll(() => database?.drop());

/**
 * An update that sets a field of the draft's metadata no one else sets (so no concurrent write
 * competes for it), made on a replica of its own.
 */
function setField(field: string, value: string): Uint8Array {
  const doc = new Y.Doc();
  let update: Uint8Array | null = null;
  doc.on("update", (u: Uint8Array) => (update = u));
  metaOf(doc).set(field, value);
  return update!;
}

async function writerFor(confirmTimeoutMs: number) {
  const draft = await makeDraftProposal(database.db, w);
  const stored: number[] = [];
  const writer = new DocWriter({
    db: database.db,
    logger,
    tenantId: w.tenantId,
    ref: parseDocName(draft.doc)!,
    options: { ...DEFAULT_PERSISTENCE, flushDelayMs: 5, confirmTimeoutMs },
    logLength: 0,
    onRevoked: () => {},
    onStored: (seq) => stored.push(seq),
  });
  return { draft, writer, stored };
}

function ackRecorder() {
  const results: WriteResult[] = [];
  return { results, ack: (r: WriteResult) => results.push(r) };
}

describe("a document's writer on one of several instances", () => {
  it("holds an acknowledgement until the peer whose change came first says it is stored, and never stores the peer's change itself", async () => {
    const { draft, writer, stored } = await writerFor(60_000);
    writer.remote("peer-a", 1, setField("test-peer", "from the peer"), w.members.committee.id);
    const mine = writer.write(setField("test-here", "from here"), w.owner.id, 1);
    const acks = ackRecorder();
    mine.ack = acks.ack;

    await eventually(() => stored.includes(1), "this instance stores its own change and announces seq 1");
    await new Promise((r) => setTimeout(r, 100));
    expect(acks.results).toEqual([]);
    const before = await storedDoc(database, w.tenantId, draft.doc);
    expect(metaOf(before).get("test-here")).toBe("from here");
    expect(metaOf(before).get("test-peer")).toBeUndefined();

    // Another peer's confirmation changes nothing; the right one releases the acknowledgement.
    writer.confirmed("peer-b", 5);
    expect(acks.results).toEqual([]);
    writer.confirmed("peer-a", 1);
    expect(acks.results).toEqual([{ ok: true }]);
    expect(writer.storedThrough(1)).toBe(true);
    await writer.close();
    const after = await storedDoc(database, w.tenantId, draft.doc);
    expect(metaOf(after).get("test-peer")).toBeUndefined();
  });

  it("acknowledges at once what came before any unconfirmed change", async () => {
    const { writer } = await writerFor(60_000);
    const early = writer.write(setField("test-here", "early"), w.owner.id, 1);
    const acks = ackRecorder();
    early.ack = acks.ack;
    writer.remote("peer-a", 1, setField("test-peer", "later, from the peer"), w.members.committee.id);
    await eventually(() => acks.results.length === 1, "the earlier change is acknowledged without waiting for the peer");
    expect(acks.results).toEqual([{ ok: true }]);
    const barrier = ackRecorder();
    writer.afterDurable(w.owner.id, barrier.ack);
    await new Promise((r) => setTimeout(r, 50));
    expect(barrier.results).toEqual([]);
    writer.confirmed("peer-a", 1);
    expect(barrier.results).toEqual([{ ok: true }]);
    await writer.close();
  });

  it("stores a peer's change itself when the peer stays silent, then releases the acknowledgements waiting for it", async () => {
    logged.length = 0;
    const { draft, writer } = await writerFor(150);
    writer.remote("dead-peer", 7, setField("test-peer", "the dead peer's edit"), w.members.committee.id);
    // A state answer from a peer names no writer: it is never stored here.
    writer.remote("dead-peer", 8, setField("test-unknown", "writer unknown"), null);
    const mine = writer.write(setField("test-here", "after the peer's"), w.owner.id, 1);
    const acks = ackRecorder();
    mine.ack = acks.ack;

    await eventually(() => acks.results.length === 1, "the acknowledgement follows the takeover", 5_000);
    expect(acks.results).toEqual([{ ok: true }]);
    const stored = await storedDoc(database, w.tenantId, draft.doc);
    expect(metaOf(stored).get("test-peer")).toBe("the dead peer's edit");
    expect(metaOf(stored).get("test-here")).toBe("after the peer's");
    expect(metaOf(stored).get("test-unknown")).toBeUndefined();
    expect(logged.some((l) => l.level === 40 && l.msg.includes("did not confirm storing changes it relayed"))).toBe(true);
    await writer.close();
  });

  it("refuses to store a silent peer's change for a writer who may no longer write", async () => {
    const { draft, writer } = await writerFor(100);
    // A viewer's change could only have come from a peer that failed to check; it is dropped.
    writer.remote("dead-peer", 1, setField("test-peer", "a viewer's edit"), w.members.viewer.id);
    const barrier = ackRecorder();
    writer.afterDurable(w.owner.id, barrier.ack);
    await eventually(() => barrier.results.length === 1, "the barrier is released after the takeover batch", 5_000);
    const stored = await storedDoc(database, w.tenantId, draft.doc);
    expect(metaOf(stored).get("test-peer")).toBeUndefined();
    await writer.close();
  });
});
