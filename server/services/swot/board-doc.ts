import { uuidv4 } from "lib0/random";
import * as Y from "yjs";
import { z } from "zod";

/**
 * A segment's SWOT board as a Yjs document (`swot/<segmentId>`), shared by the server (reviews,
 * seeding) and the browser's board. Layout:
 *   cards: Y.Map<cardId, Y.Map>  one map per card:
 *     id, place ({quadrant, rank}), text (Y.XmlFragment, the ProseMirror document the card's
 *     editor binds to), author ({id, name, at}), team, status ("open" | "validated" |
 *     "rejected"), consensus (bool), `vote:<userId>` (true) per vote, `evidence:<id>` (an
 *     evidence object) per piece of evidence
 * A card's place is one value: a drag sets quadrant and rank together, so two people moving the
 * same card concurrently end with one of the moves (last writer wins) and never with a
 * duplicated or lost card, which an array of ids per quadrant would risk. Order within a
 * quadrant is by rank, then id. Votes and evidence are keys of the card's own map rather than
 * nested types: a vote is one key per person (a toggle is idempotent, two people's votes never
 * collide) and a card costs few Yjs items, which keeps a 2,000-card board quick to load.
 * Nothing here validates the document's content: `readBoard` returns the board as JSON and
 * callers parse it with ZBoard when it leaves the document.
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

interface Place {
  quadrant: Quadrant;
  rank: number;
}

function placeValue(card: Y.Map<unknown>): Place | null {
  const place = card.get("place");
  return typeof place === "object" && place !== null && "quadrant" in place && "rank" in place ? (place as Place) : null;
}

export function quadrantOf(card: Y.Map<unknown>): Quadrant | null {
  return placeValue(card)?.quadrant ?? null;
}

/** Who wrote the card and when. */
export function authorOf(card: Y.Map<unknown>): { id: string; name: string; at: string } {
  const author = card.get("author") as { id?: unknown; name?: unknown; at?: unknown } | undefined;
  return { id: String(author?.id ?? ""), name: String(author?.name ?? ""), at: String(author?.at ?? "") };
}

/** The user ids that voted for the card, sorted. */
export function votesOf(card: Y.Map<unknown>): string[] {
  const votes: string[] = [];
  for (const [key, value] of card.entries()) if (key.startsWith("vote:") && value === true) votes.push(key.slice(5));
  return votes.sort();
}

/** The card's evidence, in the order it was added. */
export function evidenceOf(card: Y.Map<unknown>): Evidence[] {
  const list: (Evidence & { at?: number })[] = [];
  for (const [key, value] of card.entries()) if (key.startsWith("evidence:") && typeof value === "object" && value !== null) list.push(value as Evidence & { at?: number });
  return list
    .sort((a, b) => (a.at ?? 0) - (b.at ?? 0) || (a.id < b.id ? -1 : 1))
    .map((e) => ({ id: e.id, kind: e.kind, label: e.label, ref: e.ref }));
}

/** The cards of a quadrant in board order (rank, then id). */
export function cardsIn(doc: Y.Doc, quadrant: Quadrant): Y.Map<unknown>[] {
  const cards: Y.Map<unknown>[] = [];
  for (const card of cardsMap(doc).values()) if (quadrantOf(card) === quadrant) cards.push(card);
  return cards.sort(byPlace);
}

function byPlace(a: Y.Map<unknown>, b: Y.Map<unknown>): number {
  const ra = placeValue(a)?.rank ?? 0;
  const rb = placeValue(b)?.rank ?? 0;
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
      // Items are inserted all at once: a detached element's length cannot be read.
      const list = new Y.XmlElement("bulletList");
      const items = block.bullets.map((item) => {
        const li = new Y.XmlElement("listItem");
        const { p, fill } = runsElement(item);
        li.insert(0, [p]);
        fills.push(fill);
        return li;
      });
      list.insert(0, items);
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
    map.set("place", { quadrant: card.quadrant, rank: last ? (placeValue(last)?.rank ?? 0) + 1 : 1 });
    map.set("text", new Y.XmlFragment());
    map.set("author", { id: card.author.id, name: card.author.name, at: new Date().toISOString() });
    map.set("team", card.team);
    map.set("status", card.status ?? "open");
    map.set("consensus", false);
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
  const before = at > 0 ? (placeValue(others[at - 1])?.rank ?? 0) : null;
  const after = at < others.length ? (placeValue(others[at])?.rank ?? 0) : null;
  const rank = before === null && after === null ? 1 : before === null ? after! - 1 : after === null ? before + 1 : (before + after) / 2;
  card.set("place", { quadrant, rank });
  return true;
}

/** Where a card is: its quadrant and index there. */
export function placeOf(doc: Y.Doc, id: string): { quadrant: Quadrant; index: number } | null {
  const card = cardMap(doc, id);
  const quadrant = card ? quadrantOf(card) : null;
  if (!card || !quadrant) return null;
  return { quadrant, index: cardsIn(doc, quadrant).indexOf(card) };
}

/** Votes for or withdraws the vote of `userId`; returns whether they now vote for it. */
export function toggleVote(doc: Y.Doc, id: string, userId: string): boolean {
  const card = cardMap(doc, id);
  if (!card) return false;
  const key = `vote:${userId}`;
  if (card.has(key)) {
    card.delete(key);
    return false;
  }
  card.set(key, true);
  return true;
}

export function setCardField(doc: Y.Doc, id: string, field: "status" | "team" | "consensus", value: string | boolean): void {
  cardMap(doc, id)?.set(field, value);
}

export function addEvidence(doc: Y.Doc, id: string, evidence: Omit<Evidence, "id">): void {
  const evidenceId = newCardId();
  cardMap(doc, id)?.set(`evidence:${evidenceId}`, { ...evidence, id: evidenceId, at: Date.now() });
}

export function removeEvidence(doc: Y.Doc, id: string, evidenceId: string): void {
  cardMap(doc, id)?.delete(`evidence:${evidenceId}`);
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
    const place = placeValue(card);
    const author = authorOf(card);
    return {
      id: card.get("id"),
      quadrant: place?.quadrant,
      rank: place?.rank,
      text,
      plainText: plainTextOf(text),
      authorId: author.id,
      authorName: author.name,
      team: card.get("team"),
      status: card.get("status"),
      consensus: card.get("consensus"),
      createdAt: author.at,
      votes: votesOf(card),
      evidence: evidenceOf(card),
    };
  });
  return { cards };
}

/** The document that holds a segment's board (the name within its tenant). */
export function swotDocName(segmentId: string): string {
  return `swot/${segmentId}`;
}
