import { and, eq } from "drizzle-orm";
import type { Tx } from "../../../db/client";
import { swotBoards } from "../../../db/schema";
import { loadDoc } from "../../collab/store";
import { QUADRANT_LABELS, QUADRANTS, readBoard, swotDocName, type Quadrant } from "../swot/board-doc";

/**
 * What a session room shows of the SWOT board under review: per quadrant the number of cards
 * and the most voted ones (text, votes, consensus), and the board's review date. The board
 * itself is edited on its own page, live.
 */
export async function currentBoard(tx: Tx, tenantId: string, segmentId: string) {
  const doc = await loadDoc(tx, tenantId, swotDocName(segmentId));
  const { cards } = readBoard(doc);
  doc.destroy();
  const [board] = await tx
    .select({ reviewDueOn: swotBoards.reviewDueOn, lastReviewedAt: swotBoards.lastReviewedAt })
    .from(swotBoards)
    .where(and(eq(swotBoards.tenantId, tenantId), eq(swotBoards.segmentId, segmentId)));
  const parsed = cards.map((c) => {
    const card = c as { id: unknown; quadrant: unknown; plainText: unknown; votes: unknown[]; consensus: unknown; status: unknown };
    return {
      id: String(card.id),
      quadrant: card.quadrant as Quadrant,
      text: typeof card.plainText === "string" ? card.plainText : "",
      votes: card.votes.length,
      consensus: card.consensus === true,
      status: typeof card.status === "string" ? card.status : "open",
    };
  });
  return {
    reviewDueOn: board?.reviewDueOn ?? null,
    lastReviewedAt: board?.lastReviewedAt ?? null,
    quadrants: QUADRANTS.map((q) => {
      const inQuadrant = parsed.filter((c) => c.quadrant === q && c.status !== "rejected");
      return { quadrant: q, label: QUADRANT_LABELS[q], count: inQuadrant.length, top: [...inQuadrant].sort((a, b) => b.votes - a.votes).slice(0, 3) };
    }),
  };
}
