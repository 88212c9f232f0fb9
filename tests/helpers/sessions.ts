import { createServer, type Server } from "node:http";
import { LiveClient } from "../../app/live/client";
import type { FactoryUser, FactoryWorkspace } from "../../db/seed/factories";
import { attachCollab, type Collab } from "../../server/collab/server";
import { createLogger } from "../../server/logger";
import { scheduleSession, type AgendaItemInput } from "../../server/services/sessions";
import { jobsFor, testConfig } from "./callers";
import { cookieOf } from "./collab";
import type { TestDatabase } from "./db";
import { scopeOf, submittedNewSegment } from "./governance";

/** Socket.io (co-editing and live events) alone on a loopback port: no Remix build needed. */
export async function startSocketServer(database: TestDatabase): Promise<{ url: string; collab: Collab; stop(): Promise<void> }> {
  const server: Server = createServer();
  const collab = attachCollab(server, { db: database.db, config: testConfig, logger: createLogger("silent"), jobs: jobsFor(database.db) });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  await collab.live.ready();
  const address = server.address();
  if (!address || typeof address !== "object") throw new Error("socket server has no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    collab,
    async stop() {
      await collab.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A live-events client in Node, signed in as `user`. */
export function liveClientFor(url: string, user: FactoryUser): LiveClient {
  return new LiveClient({ url, socket: { transports: ["websocket"], extraHeaders: { cookie: cookieOf(user) }, reconnectionDelay: 50, reconnectionDelayMax: 200 } });
}

/**
 * A session scheduled by the workspace's committee member (its chair) with one submitted
 * proposal (by the analyst), the SWOT board of that proposal's segment and a topic.
 */
export async function scheduledSession(w: FactoryWorkspace, title = "Quarterly steering committee", extra: AgendaItemInput[] = []) {
  const proposal = await submittedNewSegment(scopeOf(w, "analyst"), `Loyal ${Math.random().toString(36).slice(2, 8)}`, { combinator: "and", children: [] });
  const { sessionId } = await scheduleSession(scopeOf(w, "committee"), {
    title,
    scheduledAt: new Date("2026-12-01T09:30:00Z"),
    items: [
      { kind: "proposal", proposalId: proposal.proposalId, timeBoxMinutes: 10 },
      { kind: "swot", segmentId: proposal.segmentId, timeBoxMinutes: 15 },
      { kind: "topic", title: "Churn alert in the North", timeBoxMinutes: 5 },
      ...extra,
    ],
  });
  return { sessionId, proposalId: proposal.proposalId, segmentId: proposal.segmentId };
}
