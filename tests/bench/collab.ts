import { createServer, type Server as HttpServer } from "node:http";
import { performance } from "node:perf_hooks";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { Server } from "socket.io";
import { io, type Socket } from "socket.io-client";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { CollabProvider } from "../../app/collab/provider";
import { createDatabase } from "../../db/client";
import { makeWorkspace, type FactoryUser } from "../../db/seed/factories";
import { attachCollab } from "../../server/collab/server";
import { loadDoc } from "../../server/collab/store";
import { parseConfig } from "../../server/config";
import { createLogger } from "../../server/logger";
import type { Definition } from "../../server/services/segments/definition";
import { findNode, writeDefinition } from "../../server/services/segments/draft-doc";
import { createBoss, jobQueueFor } from "../../workers/queues";
import { cookieOf, contentOf } from "../helpers/collab";
import { makeDraftProposal } from "../helpers/segments";
import type { BenchDatabase } from "./bench-db";

const CLIENTS = 20;
const WARM_UP = 60;
const EDITS = 600;

/**
 * `npm run bench -- collab`: 20 clients co-edit one proposal draft through the real co-editing
 * server (session cookies, per-document authorisation, batched storage in PostgreSQL, acks).
 * Each client in turn changes its own rule's value; the time from the edit to the moment every
 * other client has applied it is one sample. The same edits on the same document through a
 * bare y-protocols relay over socket.io (no authentication, no storage, no acknowledgements)
 * give the floor to compare with. Servers and clients share this process, so a sample
 * includes the work of all twenty clients.
 */
export async function collabBench(database: BenchDatabase) {
  const db = createDatabase(database.appUrl);
  const http = createServer();
  const config = parseConfig({ NODE_ENV: "production", LOG_LEVEL: "warn" });
  const collab = attachCollab(http, { db, config, logger: createLogger(config.LOG_LEVEL), jobs: jobQueueFor(createBoss(database.appUrl)) });
  try {
    const w = await makeWorkspace(db, "Bench Collab");
    const draft = await makeDraftProposal(db, w, benchDefinition());
    const url = await listen(http);
    const writers: FactoryUser[] = [w.owner, w.members.admin, w.members.committee, w.members.analyst];
    const clients = Array.from(
      { length: CLIENTS },
      (_, i) =>
        new CollabProvider({
          url,
          tenantId: w.tenantId,
          doc: draft.doc,
          user: { id: writers[i % writers.length].id, name: writers[i % writers.length].name },
          socket: { transports: ["websocket"], extraHeaders: { cookie: cookieOf(writers[i % writers.length]) } },
        }),
    );
    await Promise.all(clients.map((c) => c.whenSynced()));
    // Time from an edit to its acknowledgement (stored): acknowledgements come in order.
    const ackMs: number[] = [];
    const sentAt = clients.map(() => [] as number[]);
    clients.forEach((c, i) => {
      let last = c.pending;
      c.subscribe(() => {
        for (; last > c.pending; last--) ackMs.push(performance.now() - sentAt[i].shift()!);
        last = c.pending;
      });
    });
    const quorum = await measure(
      clients.map((c) => c.doc),
      (i, round) => {
        sentAt[i].push(performance.now());
        findNode(clients[i].doc, `c${i}`)!.node.set("value", round);
      },
      (doc, i) => findNode(doc, `c${i}`)?.node.get("value"),
    );
    await Promise.all(clients.map((c) => c.whenAcked()));
    const stored = await db.withTenant(w.tenantId, (tx) => loadDoc(tx, w.tenantId, draft.doc));
    const storedMatches = JSON.stringify(contentOf(stored)) === JSON.stringify(contentOf(clients[0].doc));
    for (const c of clients) c.destroy();

    const baseline = await bareRelayBench();
    return {
      clients: CLIENTS,
      edits: EDITS,
      quorum: { ...quorum, ackMedianMs: round2(percentile(ackMs.slice(WARM_UP), 0.5)), ackP99Ms: round2(percentile(ackMs.slice(WARM_UP), 0.99)), storedMatches },
      bareRelay: baseline,
      target: "median < 5 ms, p99 < 15 ms (edit until all 19 others applied it)",
      met: quorum.medianMs < 5 && quorum.p99Ms < 15,
    };
  } finally {
    await collab.close();
    await db.close();
  }
}

/**
 * Runs WARM_UP + EDITS rounds: in round r, client r mod n edits (via `edit`), and the round
 * ends when every other replica shows the new value (read with `valueIn`).
 */
async function measure(docs: Y.Doc[], edit: (i: number, round: number) => void, valueIn: (doc: Y.Doc, i: number) => unknown) {
  const samples: number[] = [];
  let expected: { i: number; round: number; waiting: Set<number>; done(): void } | null = null;
  docs.forEach((doc, n) =>
    doc.on("update", () => {
      if (expected && expected.waiting.has(n) && valueIn(doc, expected.i) === expected.round) {
        expected.waiting.delete(n);
        if (!expected.waiting.size) expected.done();
      }
    }),
  );
  for (let round = 1; round <= WARM_UP + EDITS; round++) {
    const i = round % docs.length;
    const waiting = new Set(docs.map((_, n) => n).filter((n) => n !== i));
    const started = performance.now();
    await new Promise<void>((resolve) => {
      expected = { i, round, waiting, done: resolve };
      edit(i, round);
    });
    expected = null;
    if (round > WARM_UP) samples.push(performance.now() - started);
  }
  return { medianMs: round2(percentile(samples, 0.5)), p99Ms: round2(percentile(samples, 0.99)), maxMs: round2(Math.max(...samples)) };
}

/** The floor: a socket.io server that keeps a Y.Doc per room and relays updates, nothing else. */
async function bareRelayBench() {
  const http = createServer();
  const server = new Server(http, { serveClient: false });
  const rooms = new Map<string, Y.Doc>();
  server.on("connection", (socket) => {
    socket.on("join", (room: string, ack: (state: Uint8Array) => void) => {
      if (!rooms.has(room)) rooms.set(room, new Y.Doc());
      void socket.join(room);
      ack(Y.encodeStateAsUpdate(rooms.get(room)!));
    });
    socket.on("sync", (room: string, message: Buffer) => {
      const decoder = decoding.createDecoder(message);
      decoding.readVarUint(decoder);
      Y.applyUpdate(rooms.get(room)!, decoding.readVarUint8Array(decoder));
      socket.to(room).emit("sync", room, message);
    });
  });
  const url = await listen(http);
  const seed = new Y.Doc();
  writeDefinition(seed, benchDefinition());
  rooms.set("bench", seed);
  const peers: { socket: Socket; doc: Y.Doc }[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const socket = io(url, { transports: ["websocket"] });
    const doc = new Y.Doc();
    const state: Uint8Array = await socket.emitWithAck("join", "bench");
    Y.applyUpdate(doc, new Uint8Array(state), socket);
    socket.on("sync", (_room: string, message: Buffer) => {
      const decoder = decoding.createDecoder(new Uint8Array(message));
      decoding.readVarUint(decoder);
      Y.applyUpdate(doc, decoding.readVarUint8Array(decoder), socket);
    });
    doc.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin === socket) return;
      const encoder = encoding.createEncoder();
      syncProtocol.writeUpdate(encoder, update);
      socket.emit("sync", "bench", encoding.toUint8Array(encoder));
    });
    peers.push({ socket, doc });
  }
  try {
    return await measure(
      peers.map((p) => p.doc),
      (i, round) => findNode(peers[i].doc, `c${i}`)!.node.set("value", round),
      (doc, i) => findNode(doc, `c${i}`)?.node.get("value"),
    );
  } finally {
    for (const p of peers) p.socket.disconnect();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The draft every client edits: one rule per client, each client changing its own rule's value. */
function benchDefinition(): Definition {
  const children = Array.from({ length: CLIENTS }, (_, i) => ({ id: `c${i}`, op: "gte" as const, field: "frequency" as const, value: 0 }));
  return { ...emptyDefinition("Bench draft"), rules: { combinator: "or", children } };
}

function emptyDefinition(name: string): Definition {
  return { name, description: "", valueProposition: "", ownerId: null, regionId: null, parentId: null, rules: { combinator: "and", children: [] } };
}

function listen(http: HttpServer): Promise<string> {
  return new Promise((resolve) =>
    http.listen(0, "127.0.0.1", () => {
      const address = http.address();
      resolve(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
    }),
  );
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const round2 = (x: number) => Math.round(x * 100) / 100;
