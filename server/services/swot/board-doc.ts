import { uuidv4 } from "lib0/random";
import * as Y from "yjs";
import { z } from "zod";

/**
 * A segment's SWOT board as a Yjs document (`swot/<segmentId>`), shared by the server (reviews,
 * seeding) and the browser's board. Layout:
 *   cards: Y.Map<cardId, Y.Map>  one map per card:
 *     id, quadrant ("strengths" | "weaknesses" | "opportunities" | "threats"), rank (number),
 *     text (Y.XmlFragment, the ProseMirror document the card's editor binds to),
 *     authorId, authorName, team, status ("open" | "validated" | "rejected"), consensus (bool),
 *     createdAt (ISO), votes (Y.Map<userId, true>), evidence (Y.Array of plain evidence objects)
 * A card's place is (quadrant, rank): a drag sets both on the card, so two people moving the
 * same card concurrently end with one of the moves (last writer wins per field) and never with
 * a duplicated or lost card, which an array of ids per quadrant would risk. Order within a
 * quadrant is by rank, then id. Votes are a map keyed by user id, so a vote is one per person
 * and a toggle is idempotent. Nothing here validates the document's content: `readBoard`
 * returns the board as JSON and callers parse it with ZBoard when it leaves the document.
 */

export const QUADRANTS = ["strengths", "weaknesses", "opportunities", "threats"] as const;
export type Quadrant = (typeof QUADRANTS)[number];
export const QUADRANT_LABELS: Record<Quadrant, string> = {
  strengths: "Strengths",
  weaknesses: "Weaknesses",
  opportunities: "Opportunities",
  threats: "Threats",
};
export const CARD_STATUSES = ["open", "validated", "rejected"] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];
export const EVIDENCE_KINDS = ["kpi", "data-quality", "model-run", "url"] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];
export const EVIDENCE_LABELS: Record<EvidenceKind, string> = {
  kpi: "KPI",
  "data-quality": "Data-quality finding",
  "model-run": "Model run",
  url: "Link",
};

/** One mark of rich text (ProseMirror mark names as the editor uses them). */
export const ZMark = z.enum(["bold", "italic", "strike", "code"]);

/** The rich text of a card as JSON: ProseMirror's node shape, limited to what cards use. */
export type RichNode = { type: string; text?: string; marks?: z.infer<typeof ZMark>[]; content?: RichNode[] };
export const ZRichNode: z.ZodType<RichNode> = z.lazy(() =>
  z.object({
    type: z.enum(["doc", "paragraph", "bulletList", "orderedList", "listItem", "text", "hardBreak"]),
    text: z.string().max(20_000).optional(),
    marks: z.array(ZMark).optional(),
    content: z.array(ZRichNode).max(2_000).optional(),
  }),
);

export const ZEvidence = z.object({
  id: z.string().min(1).max(40),
  kind: z.enum(EVIDENCE_KINDS),
  /** What it is: the KPI's name, the finding, the run's label, the page's title. */
  label: z.string().trim().min(1, "must not be empty").max(200),
  /** A URL (http/https) for links; the model run's id; free text otherwise. */
  ref: z.string().trim().max(2_000).default(""),
});
export type Evidence = z.infer<typeof ZEvidence>;

export const ZCard = z.object({
  id: z.string().min(1).max(40),
  quadrant: z.enum(QUADRANTS),
  rank: z.number().finite(),
  text: ZRichNode,
  plainText: z.string(),
  authorId: z.string().max(64),
  authorName: z.string().max(200),
  team: z.string().max(60),
  status: z.enum(CARD_STATUSES),
  consensus: z.boolean(),
  createdAt: z.string().max(40),
  votes: z.array(z.string().max(64)),
  evidence: z.array(ZEvidence),
});
export type Card = z.infer<typeof ZCard>;
export const ZBoard = z.object({ cards: z.array(ZCard) });
export type Board = z.infer<typeof ZBoard>;

export function newCardId(): string {
  return uuidv4().slice(0, 12);
}

export function cardsMap(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap("cards");
}

export function cardMap(doc: Y.Doc, id: string): Y.Map<unknown> | undefined {
  return cardsMap(doc).get(id);
}

export function cardText(card: Y.Map<unknown>): Y.XmlFragment {
  return card.get("text") as Y.XmlFragment;
}

/** The cards of a quadrant in board order (rank, then id). */
export function cardsIn(doc: Y.Doc, quadrant: Quadrant): Y.Map<unknown>[] {
  const cards: Y.Map<unknown>[] = [];
  for (const card of cardsMap(doc).values()) if (card.get("quadrant") === quadrant) cards.push(card);
  return cards.sort(byPlace);
}

function byPlace(a: Y.Map<unknown>, b: Y.Map<unknown>): number {
  const ra = Number(a.get("rank"));
  const rb = Number(b.get("rank"));
  if (ra !== rb) return ra - rb;
  return String(a.get("id")) < String(b.get("id")) ? -1 : 1;
}

/** Paragraphs (each a list of runs) written into a card's fragment, e.g. for seeding. */
export type Run = { text: string; bold?: boolean; italic?: boolean };
export type Block = { paragraph: Run[] } | { bullets: Run[][] };

export function writeRichText(fragment: Y.XmlFragment, blocks: Block[]): void {
  const runsElement = (runs: Run[]) => {
    const p = new Y.XmlElement("paragraph");
    const text = new Y.XmlText();
    p.insert(0, [text]);
    let at = 0;
    const pending: [number, Run][] = [];
    for (const run of runs) {
      pending.push([at, run]);
      at += run.text.length;
    }
    return { p, fill: () => pending.forEach(([i, run]) => text.insert(i, run.text, marksOf(run))) };
  };
  const fills: (() => void)[] = [];
  const nodes: Y.XmlElement[] = [];
  for (const block of blocks) {
    if ("paragraph" in block) {
      const { p, fill } = runsElement(block.paragraph);
      nodes.push(p);
      fills.push(fill);
    } else {
      const list = new Y.XmlElement("bulletList");
      for (const item of block.bullets) {
        const li = new Y.XmlElement("listItem");
        const { p, fill } = runsElement(item);
        li.insert(0, [p]);
        list.insert(list.length, [li]);
        fills.push(fill);
      }
      nodes.push(list);
    }
  }
  fragment.insert(fragment.length, nodes);
  // Text is inserted once its element is part of the document, so formatting attributes stick.
  for (const fill of fills) fill();
}

function marksOf(run: Run): Record<string, object> | undefined {
  const marks: Record<string, object> = {};
  if (run.bold) marks.bold = {};
  if (run.italic) marks.italic = {};
  return Object.keys(marks).length ? marks : undefined;
}

export interface NewCard {
  quadrant: Quadrant;
  author: { id: string; name: string };
  team: string;
  text?: Block[];
  id?: string;
  status?: CardStatus;
}

/** Adds a card at the end of its quadrant; returns its id. */
export function addCard(doc: Y.Doc, card: NewCard): string {
  const id = card.id ?? newCardId();
  doc.transact(() => {
    const last = cardsIn(doc, card.quadrant).at(-1);
    const map = new Y.Map<unknown>();
    map.set("id", id);
    map.set("quadrant", card.quadrant);
    map.set("rank", last ? Number(last.get("rank")) + 1 : 1);
    map.set("text", new Y.XmlFragment());
    map.set("authorId", card.author.id);
    map.set("authorName", card.author.name);
    map.set("team", card.team);
    map.set("status", card.status ?? "open");
    map.set("consensus", false);
    map.set("createdAt", new Date().toISOString());
    map.set("votes", new Y.Map<boolean>());
    map.set("evidence", new Y.Array<Evidence>());
    cardsMap(doc).set(id, map);
    if (card.text?.length) writeRichText(cardText(map), card.text);
  });
  return id;
}

export function deleteCard(doc: Y.Doc, id: string): void {
  cardsMap(doc).delete(id);
}

/**
 * Moves a card to `index` among the other cards of `quadrant` (0 = first): its rank becomes
 * the midpoint of its new neighbours'. Returns false when the card does not exist.
 */
export function moveCard(doc: Y.Doc, id: string, quadrant: Quadrant, index: number): boolean {
  const card = cardMap(doc, id);
  if (!card) return false;
  const others = cardsIn(doc, quadrant).filter((c) => c !== card);
  const at = Math.max(0, Math.min(index, others.length));
  const before = at > 0 ? Number(others[at - 1].get("rank")) : null;
  const after = at < others.length ? Number(others[at].get("rank")) : null;
  const rank = before === null && after === null ? 1 : before === null ? after! - 1 : after === null ? before + 1 : (before + after) / 2;
  doc.transact(() => {
    card.set("quadrant", quadrant);
    card.set("rank", rank);
  });
  return true;
}

/** Where a card is: its quadrant and index there. */
export function placeOf(doc: Y.Doc, id: string): { quadrant: Quadrant; index: number } | null {
  const card = cardMap(doc, id);
  if (!card) return null;
  const quadrant = card.get("quadrant") as Quadrant;
  return { quadrant, index: cardsIn(doc, quadrant).indexOf(card) };
}

/** Votes for or withdraws the vote of `userId`; returns whether they now vote for it. */
export function toggleVote(doc: Y.Doc, id: string, userId: string): boolean {
  const votes = cardMap(doc, id)?.get("votes") as Y.Map<boolean> | undefined;
  if (!votes) return false;
  if (votes.has(userId)) {
    votes.delete(userId);
    return false;
  }
  votes.set(userId, true);
  return true;
}

export function setCardField(doc: Y.Doc, id: string, field: "status" | "team" | "consensus", value: string | boolean): void {
  cardMap(doc, id)?.set(field, value);
}

export function addEvidence(doc: Y.Doc, id: string, evidence: Omit<Evidence, "id">): void {
  const list = cardMap(doc, id)?.get("evidence") as Y.Array<Evidence> | undefined;
  list?.push([{ ...evidence, id: newCardId() }]);
}

export function removeEvidence(doc: Y.Doc, id: string, evidenceId: string): void {
  const list = cardMap(doc, id)?.get("evidence") as Y.Array<Evidence> | undefined;
  if (!list) return;
  const index = list.toArray().findIndex((e) => e.id === evidenceId);
  if (index >= 0) list.delete(index, 1);
}

/** A card's rich text as ProseMirror-shaped JSON. */
export function readRichText(fragment: Y.XmlFragment): RichNode {
  return { type: "doc", content: fragment.toArray().flatMap(readXml) };
}

function readXml(node: Y.XmlElement | Y.XmlText | Y.XmlHook): RichNode[] {
  if (node instanceof Y.XmlText) {
    const delta = node.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[];
    return delta
      .filter((d) => typeof d.insert === "string" && d.insert.length > 0)
      .map((d) => {
        const marks = Object.keys(d.attributes ?? {}).filter((m): m is z.infer<typeof ZMark> => ZMark.safeParse(m).success);
        return marks.length ? { type: "text", text: d.insert as string, marks } : { type: "text", text: d.insert as string };
      });
  }
  if (node instanceof Y.XmlElement) {
    const content = node.toArray().flatMap(readXml);
    return [content.length ? { type: node.nodeName, content } : { type: node.nodeName }];
  }
  return [];
}

/** The words of a rich text, blocks separated by newlines (for filters, exports and tests). */
export function plainTextOf(node: RichNode): string {
  if (node.type === "text") return node.text ?? "";
  if (node.type === "hardBreak") return "\n";
  const inner = (node.content ?? []).map(plainTextOf);
  return node.type === "doc" || node.type === "bulletList" || node.type === "orderedList" ? inner.join("\n") : inner.join("");
}

/** What the document holds, unvalidated (parse with ZBoard), cards in board order. */
export function readBoard(doc: Y.Doc): { cards: unknown[] } {
  const cards = QUADRANTS.flatMap((q) => cardsIn(doc, q)).map((card) => {
    const fragment = card.get("text");
    const text = fragment instanceof Y.XmlFragment ? readRichText(fragment) : { type: "doc" };
    const votes = card.get("votes");
    const evidence = card.get("evidence");
    return {
      id: card.get("id"),
      quadrant: card.get("quadrant"),
      rank: card.get("rank"),
      text,
      plainText: plainTextOf(text),
      authorId: card.get("authorId"),
      authorName: card.get("authorName"),
      team: card.get("team"),
      status: card.get("status"),
      consensus: card.get("consensus"),
      createdAt: card.get("createdAt"),
      votes: votes instanceof Y.Map ? Array.from(votes.keys()).sort() : [],
      evidence: evidence instanceof Y.Array ? evidence.toArray() : [],
    };
  });
  return { cards };
}

/** The document that holds a segment's board (the name within its tenant). */
export function swotDocName(segmentId: string): string {
  return `swot/${segmentId}`;
}
