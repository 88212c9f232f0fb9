import fc from "fast-check";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { cookieOf } from "../helpers/collab";
import { answerProblems, hostileValue, plantWorkspaceB } from "../helpers/fuzz";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * The socket handlers (co-editing: join, sync, awareness, leave; live events: subscribe,
 * unsubscribe) with hostile messages from a signed-in member of workspace A: workspace B's ids and
 * document names, wrong types, deep nesting, prototype keys, random bytes as Yjs messages. No
 * answer or pushed event may carry a stack or workspace B's marker, no B document or topic may be
 * joined, and the server keeps serving A's own document afterwards.
 */

const RUNS = 150;

let server: TestServer;
let a: FactoryWorkspace;
let bIds: string[] = [];
let bTenantId = "";
let socket: Socket;
const received: string[] = [];

function emitWithAck(event: string, ...args: unknown[]): Promise<unknown> {
  return socket.timeout(3_000).emitWithAck(event, ...args).catch((error: Error) => ({ timeout: error.message }));
}

beforeAll(async () => {
  server = await startTestServer();
  a = await makeWorkspace(server.database.db, "Alpha Socket Fuzz");
  const planted = await plantWorkspaceB(server);
  bIds = planted.bIds;
  bTenantId = planted.b.tenantId;
  socket = io(server.url, { transports: ["websocket"], extraHeaders: { cookie: cookieOf(a.owner) }, reconnection: false });
  socket.onAny((event: string, ...args: unknown[]) => received.push(`${event} ${JSON.stringify(args)}`));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
}, 120_000);
afterAll(async () => {
  socket?.close();
  await server?.stop();
});

describe("fuzzing the socket handlers", () => {
  it("refuses B's documents and topics and never answers with internals or B's data", async () => {
    const kinds = fc.constantFrom("proposal", "swot", "session", "monitoring", "dashboards", "nope", "__proto__", "");
    const name = fc.oneof(
      fc.tuple(kinds, fc.constantFrom(...bIds)).map(([k, id]) => `${k}/${id}`),
      hostileValue(bIds, 500),
    );
    const input = fc.record({ tenantId: fc.oneof(fc.constant(bTenantId), fc.constant(a.tenantId), hostileValue(bIds, 200)), doc: name, topic: name }, { requiredKeys: [] });
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)), hostileValue(bIds, 2_000));
    const problems: string[] = [];
    let refusals = 0;
    const result = await fc.check(
      fc.asyncProperty(fc.constantFrom("join", "sync", "awareness", "leave", "live:subscribe", "live:unsubscribe"), input, bytes, async (event, value, payload) => {
        const answer =
          event === "join" || event === "live:subscribe"
            ? await emitWithAck(event, value)
            : event === "sync"
              ? await emitWithAck(event, (value as { doc?: unknown }).doc, payload)
              : (socket.emit(event, (value as { doc?: unknown }).doc ?? value, payload), null);
        const text = JSON.stringify(answer) ?? "";
        if (answer && typeof answer === "object" && "ok" in answer && answer.ok === false) refusals++;
        const found = answerProblems(200, text);
        if (answer && typeof answer === "object" && "ok" in answer && answer.ok === true && JSON.stringify(value).includes(bTenantId)) {
          found.push(`joined workspace B's ${event === "join" ? "document" : "topic"}: ${text.slice(0, 200)}`);
        }
        if (found.length) throw new Error(found.join("; "));
      }),
      { numRuns: RUNS, seed: 20261123, endOnFailure: true },
    );
    if (result.failed) problems.push(`${JSON.stringify(result.counterexample)?.slice(0, 400)}: ${String(result.errorInstance).slice(0, 500)}`);
    expect(problems).toEqual([]);
    expect(socket.connected).toBe(true);
    // The handlers answered (a refusal with its reason), rather than the fuzz timing out on a dead socket.
    expect(refusals).toBeGreaterThan(RUNS / 4);
    for (const message of received) expect(answerProblems(200, message), message.slice(0, 200)).toEqual([]);

    // A's own monitoring topic still works on the same connection.
    expect(await emitWithAck("live:subscribe", { tenantId: a.tenantId, topic: `monitoring/${a.tenantId}` })).toEqual({ ok: true });
    // …and B's is refused with the plain message.
    expect(await emitWithAck("live:subscribe", { tenantId: bTenantId, topic: `monitoring/${bTenantId}` })).toEqual({
      ok: false,
      error: "You are not a member of that workspace: switch to it or ask an admin for an invitation.",
    });
  }, 120_000);
});
