import { io, type Socket } from "socket.io-client";
import * as decoding from "lib0/decoding";
import * as syncProtocol from "y-protocols/sync";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { asBytes, asText, type JoinResult } from "../../server/collab/protocol";
import { readDefinition } from "../../server/services/segments/draft-doc";
import { addCondition, collabClient, cookieOf, eventually } from "../helpers/collab";
import { makeDraftProposal } from "../helpers/segments";
import { startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
let a: FactoryWorkspace;
const open: { destroy(): void }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  a = await makeWorkspace(server.database.db, "Collab Relay Alpha");
});
afterEach(() => {
  for (const c of open.splice(0)) c.destroy();
});
afterAll(() => server.stop());

describe("relayed changes and presence", () => {
  it("round-trip between bytes and the base64 text the server relays in, for every length", () => {
    for (let n = 0; n <= 300; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n * 7) % 256);
      const text = asText(bytes);
      expect(typeof text).toBe("string");
      expect(text).toBe(Buffer.from(bytes).toString("base64"));
      expect(Array.from(asBytes(text)!)).toEqual(Array.from(bytes));
    }
    expect(asBytes(42)).toBeNull();
  });

  it("reach the other sockets of the room as text (one frame, encoded once for the room) that decodes to the change and the presence", async () => {
    const draft = await makeDraftProposal(server.database.db, a);
    const socket: Socket = io(server.url, { transports: ["websocket"], extraHeaders: { cookie: cookieOf(a.members.committee) }, reconnection: false });
    open.push({ destroy: () => socket.disconnect() });
    const syncs: unknown[] = [];
    const presence: unknown[] = [];
    socket.on("sync", (_room: string, message: unknown) => syncs.push(message));
    socket.on("awareness", (_room: string, update: unknown) => presence.push(update));
    const joined: JoinResult = await socket.emitWithAck("join", { tenantId: a.tenantId, doc: draft.doc });
    if (!joined.ok) throw new Error(joined.error);
    const replica = new Y.Doc();
    for (const message of joined.sync.map((m) => asBytes(m)!)) {
      const decoder = decoding.createDecoder(message);
      if (decoding.readVarUint(decoder) === syncProtocol.messageYjsSyncStep2) Y.applyUpdate(replica, decoding.readVarUint8Array(decoder));
    }

    const writer = collabClient(server.url, a.owner, { tenantId: a.tenantId, doc: draft.doc });
    open.push(writer);
    await writer.whenSynced();
    addCondition(writer.doc, { id: "relayed", op: "gte", field: "frequency", value: 7 });
    await eventually(() => syncs.length > 0, "the change was relayed");
    await eventually(() => presence.length > 0, "the writer's presence was relayed");

    expect(syncs.every((m) => typeof m === "string")).toBe(true);
    expect(presence.every((m) => typeof m === "string")).toBe(true);
    for (const message of syncs) {
      const decoder = decoding.createDecoder(asBytes(message)!);
      expect(decoding.readVarUint(decoder)).toBe(syncProtocol.messageYjsUpdate);
      Y.applyUpdate(replica, decoding.readVarUint8Array(decoder));
    }
    expect(readDefinition(replica).rules).toEqual(readDefinition(writer.doc).rules);
    expect(JSON.stringify(readDefinition(replica).rules)).toContain("relayed");
  });
});
