import { randomBytes } from "node:crypto";
import * as Y from "yjs";
import type { Database } from "../../db/client";
import { segments } from "../../db/schema";
import type { FactoryWorkspace } from "../../db/seed/factories";
import { cardsMap, cardText, readBoard, swotDocName } from "../../server/services/swot/board-doc";

/**
 * A segment (status "active", no version) written straight into the table, and the name of its
 * board's document: a starting point for tests of the co-edited board.
 */
export async function makeBoardSegment(
  db: Database,
  w: FactoryWorkspace,
  options: { name?: string; regionId?: string | null } = {},
): Promise<{ segmentId: string; doc: string }> {
  const name = options.name ?? `Board segment ${randomBytes(3).toString("hex")}`;
  const [row] = await db.withTenant(w.tenantId, (tx) =>
    tx
      .insert(segments)
      .values({ tenantId: w.tenantId, name, priority: 1, status: "active", regionId: options.regionId ?? null, createdBy: w.owner.id })
      .returning({ id: segments.id }),
  );
  return { segmentId: row.id, doc: swotDocName(row.id) };
}

/** Whether every replica holds the same board (same items and deletions, same rendering). */
export function boardsConverged(docs: Y.Doc[]): boolean {
  const vectors = docs.map((d) => Buffer.from(Y.encodeStateVector(d)).toString("base64"));
  const json = docs.map((d) => JSON.stringify(readBoard(d)));
  return vectors.every((v) => v === vectors[0]) && json.every((j) => j === json[0]);
}

/** Types `text` at `index` of the card's first paragraph (creating it when the card is empty). */
export function typeInCard(doc: Y.Doc, cardId: string, index: number, text: string, bold = false): void {
  const card = cardsMap(doc).get(cardId);
  if (!card) return;
  doc.transact(() => {
    const fragment = cardText(card);
    let paragraph = fragment.get(0) as Y.XmlElement | undefined;
    if (!(paragraph instanceof Y.XmlElement)) {
      paragraph = new Y.XmlElement("paragraph");
      fragment.insert(0, [paragraph]);
    }
    let xmlText = paragraph.get(0) as Y.XmlText | undefined;
    if (!(xmlText instanceof Y.XmlText)) {
      xmlText = new Y.XmlText();
      paragraph.insert(0, [xmlText]);
    }
    xmlText.insert(Math.min(index, xmlText.length), text, bold ? { bold: {} } : {});
  });
}

/** Deletes up to `length` characters of the card's first paragraph from `index`. */
export function eraseInCard(doc: Y.Doc, cardId: string, index: number, length: number): void {
  const card = cardsMap(doc).get(cardId);
  const paragraph = card ? (cardText(card).get(0) as Y.XmlElement | undefined) : undefined;
  const xmlText = paragraph instanceof Y.XmlElement ? (paragraph.get(0) as Y.XmlText | undefined) : undefined;
  if (!(xmlText instanceof Y.XmlText) || xmlText.length === 0) return;
  const at = Math.min(index, xmlText.length - 1);
  xmlText.delete(at, Math.min(length, xmlText.length - at));
}

/** A small seeded PRNG (mulberry32): the fuzz tests replay exactly from their seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    shuffle<T>(items: T[]): T[] {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
  };
}
