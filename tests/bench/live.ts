import { createServer } from "node:http";
import { performance } from "node:perf_hooks";
import { LiveClient } from "../../app/live/client";
import { createDatabase } from "../../db/client";
import { makeUser, makeWorkspace, type FactoryUser } from "../../db/seed/factories";
import { attachCollab } from "../../server/collab/server";
import { parseConfig } from "../../server/config";
import { createLogger } from "../../server/logger";
import { getSession, moveToItem, scheduleSession, startSession } from "../../server/services/sessions";
import { acceptInvite, createInvite } from "../../server/services/workspaces";
import { createBoss, jobQueueFor } from "../../workers/queues";
import { cookieOf } from "../helpers/collab";
import type { BenchDatabase } from "./bench-db";

const ROOMS = 10;
const PEOPLE_PER_ROOM = 20;
const MOVES_PER_ROOM = 30;

/**
 * `npm run bench -- live`: 10 live sessions with 20 people each (200 sockets, one process with
 * the server). Each chair moves its agenda 30 times, rooms in parallel; one sample is the time
 * from calling the move service (transaction, audit entry, NOTIFY at commit) to the moment a
 * room member's socket receives the event — every member of the room gives a sample.
 */
export async function liveBench(database: BenchDatabase) {
  const db = createDatabase(database.appUrl, { max: 20 });
  const http = createServer();
  const config = parseConfig({ NODE_ENV: "production", LOG_LEVEL: "warn" });
  const collab = attachCollab(http, { db, config, logger: createLogger(config.LOG_LEVEL), jobs: jobQueueFor(createBoss(database.appUrl)) });
  const clients: LiveClient[] = [];
  try {
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    await collab.live.ready();
    const address = http.address();
    if (!address || typeof address !== "object") throw new Error("no port");
    const url = `http://127.0.0.1:${address.port}`;
    const w = await makeWorkspace(db, "Bench Live");
    const chair = { db, tenantId: w.tenantId, actor: { userId: w.members.committee.id, label: w.members.committee.email }, role: "committee" as const };
    const people: FactoryUser[] = [];
    for (let i = 0; i < PEOPLE_PER_ROOM; i++) {
      const user = await makeUser(db);
      await acceptInvite(db, user, (await createInvite(w.ownerScope, { email: user.email, role: "viewer", regionIds: [] }, 1)).token);
      people.push(user);
    }
    const rooms = [];
    for (let r = 0; r < ROOMS; r++) {
      const { sessionId } = await scheduleSession(chair, {
        title: `Room ${r}`,
        scheduledAt: new Date(),
        items: Array.from({ length: 5 }, (_, i) => ({ kind: "topic" as const, title: `Item ${i}`, timeBoxMinutes: 5 })),
      });
      await startSession(chair, { sessionId });
      const items = (await getSession(chair, { sessionId })).items.map((i) => i.id);
      rooms.push({ sessionId, items });
    }
    const samples: number[] = [];
    const sentAt = new Map<string, number>();
    for (const room of rooms) {
      for (const person of people) {
        const client = new LiveClient({ url, socket: { transports: ["websocket"], extraHeaders: { cookie: cookieOf(person) } } });
        clients.push(client);
        const sub = client.subscribe(w.tenantId, `session/${room.sessionId}`, (m) => {
          if (m.kind !== "event") return;
          const payload = m.payload as { type: string; itemId?: string };
          const started = payload.type === "current" ? sentAt.get(`${room.sessionId}/${payload.itemId}`) : undefined;
          if (started !== undefined) samples.push(performance.now() - started);
        });
        const result = await sub.result;
        if (!result.ok) throw new Error(result.error);
      }
    }
    const expected = ROOMS * MOVES_PER_ROOM * PEOPLE_PER_ROOM;
    const began = performance.now();
    await Promise.all(
      rooms.map(async (room) => {
        for (let m = 1; m <= MOVES_PER_ROOM; m++) {
          const itemId = room.items[m % room.items.length];
          sentAt.set(`${room.sessionId}/${itemId}`, performance.now());
          await moveToItem(chair, { sessionId: room.sessionId, itemId });
          // A chair moves on after a short pause (20 ms), far faster than any meeting.
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }),
    );
    const deadline = performance.now() + 10_000;
    while (samples.length < expected && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const sorted = [...samples].sort((a, b) => a - b);
    const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
    return {
      rooms: ROOMS,
      socketsPerRoom: PEOPLE_PER_ROOM,
      moves: ROOMS * MOVES_PER_ROOM,
      delivered: samples.length,
      expected,
      moveToEveryoneMs: { median: at(0.5), p90: at(0.9), p99: at(0.99), max: Math.round(sorted.at(-1)! * 10) / 10 },
      seconds: Math.round((performance.now() - began) / 100) / 10,
    };
  } finally {
    for (const c of clients) c.close();
    await collab.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await db.close();
  }
}
