import * as Y from "yjs";
import { CollabProvider } from "../../app/collab/provider";
import type { FactoryUser } from "../../db/seed/factories";
import { loadDoc } from "../../server/collab/store";
import type { Condition } from "../../server/services/segments/rules";
import { childrenOf, metaOf, nodeMap, readDefinition, rootGroup } from "../../server/services/segments/draft-doc";
import type { TestDatabase } from "./db";

/** The cookie header a browser signed in as `user` would send. */
export function cookieOf(user: FactoryUser): string {
  return `quorum_session=${encodeURIComponent(user.token)}`;
}

/**
 * A co-editing client in Node, as the browser's provider runs: over WebSocket, with the
 * session cookie, reconnecting quickly (tests restart servers).
 */
export function collabClient(url: string, user: FactoryUser, target: { tenantId: string; doc: string }, headers: Record<string, string> = {}) {
  return new CollabProvider({
    url,
    tenantId: target.tenantId,
    doc: target.doc,
    user: { id: user.id, name: user.name },
    socket: {
      transports: ["websocket"],
      extraHeaders: { cookie: cookieOf(user), ...headers },
      reconnectionDelay: 50,
      reconnectionDelayMax: 200,
    },
  });
}

/** Polls until `check` holds (or throws what it last saw after `timeoutMs`). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Rule-builder edits, as the browser makes them. */
export function addCondition(doc: Y.Doc, condition: Condition): void {
  doc.transact(() => childrenOf(rootGroup(doc)).push([nodeMap(condition)]));
}

export function setName(doc: Y.Doc, name: string): void {
  metaOf(doc).set("name", name);
}

export function conditionIds(doc: Y.Doc): string[] {
  return childrenOf(rootGroup(doc))
    .toArray()
    .map((c) => String(c.get("id")));
}

/** What a document holds, comparable across replicas. */
export function contentOf(doc: Y.Doc): unknown {
  return readDefinition(doc);
}

/** Whether every replica holds the same state (same items, same deletions). */
export function converged(docs: Y.Doc[]): boolean {
  const [first, ...rest] = docs.map((d) => Buffer.from(Y.encodeStateVector(d)).toString("base64"));
  const json = docs.map((d) => JSON.stringify(contentOf(d)));
  return rest.every((sv) => sv === first) && json.every((j) => j === json[0]);
}

/** The document as PostgreSQL holds it (snapshot plus log), read as the app role. */
export async function storedDoc(database: TestDatabase, tenantId: string, doc: string): Promise<Y.Doc> {
  return database.db.withTenant(tenantId, (tx) => loadDoc(tx, tenantId, doc));
}
