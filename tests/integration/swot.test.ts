import * as Y from "yjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { editStoredDoc, loadDoc } from "../../server/collab/store";
import { listAudit } from "../../server/services/audit";
import { getBoard, getReview, listBoards, saveReview, setReviewSchedule, updateTeams } from "../../server/services/swot";
import { swotAccess } from "../../server/services/swot/access";
import { addMonths, dueState } from "../../server/services/swot/boards";
import {
  addCard,
  addEvidence,
  cardsIn,
  moveCard,
  placeOf,
  plainTextOf,
  readBoard,
  readRichText,
  cardText,
  cardsMap,
  swotDocName,
  toggleVote,
  ZBoard,
} from "../../server/services/swot/board-doc";
import { jobsFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { publishedSegment, scopeOf } from "../helpers/governance";
import { makeBoardSegment } from "../helpers/swot";

let t: TestDatabase;
let w: FactoryWorkspace;

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Swot Services", jobsFor(t.db));
});
afterAll(() => t.drop());

describe("the board document", () => {
  it("orders cards by rank, moves them between quadrants and keeps one vote per person", () => {
    const doc = new Y.Doc();
    const author = { id: "u1", name: "Ada" };
    const [s1, s2, s3] = ["one", "two", "three"].map((word) => addCard(doc, { quadrant: "strengths", author, team: "sales", text: [{ paragraph: [{ text: word }] }] }));
    expect(cardsIn(doc, "strengths").map((c) => c.get("id"))).toEqual([s1, s2, s3]);
    moveCard(doc, s3, "strengths", 0);
    expect(cardsIn(doc, "strengths").map((c) => c.get("id"))).toEqual([s3, s1, s2]);
    moveCard(doc, s1, "threats", 0);
    expect(placeOf(doc, s1)).toEqual({ quadrant: "threats", index: 0 });
    moveCard(doc, s2, "strengths", 1);
    expect(cardsIn(doc, "strengths").map((c) => c.get("id"))).toEqual([s3, s2]);
    expect(toggleVote(doc, s2, "u1")).toBe(true);
    expect(toggleVote(doc, s2, "u2")).toBe(true);
    expect(toggleVote(doc, s2, "u1")).toBe(false);
    const board = ZBoard.parse(readBoard(doc));
    expect(board.cards.find((c) => c.id === s2)!.votes).toEqual(["u2"]);
  });

  it("renders rich text (bold, italic, bullet lists) as ProseMirror-shaped JSON and plain text", () => {
    const doc = new Y.Doc();
    const id = addCard(doc, {
      quadrant: "opportunities",
      author: { id: "u1", name: "Ada" },
      team: "marketing",
      text: [{ paragraph: [{ text: "Grow " }, { text: "fast", bold: true }, { text: " now", italic: true }] }, { bullets: [[{ text: "EU" }], [{ text: "US" }]] }],
    });
    const text = readRichText(cardText(cardsMap(doc).get(id)!));
    expect(text).toEqual({
      type: "doc",
      content: [
        { type: "paragraph", content: [{ type: "text", text: "Grow " }, { type: "text", text: "fast", marks: ["bold"] }, { type: "text", text: " now", marks: ["italic"] }] },
        {
          type: "bulletList",
          content: [
            { type: "listItem", content: [{ type: "paragraph", content: [{ type: "text", text: "EU" }] }] },
            { type: "listItem", content: [{ type: "paragraph", content: [{ type: "text", text: "US" }] }] },
          ],
        },
      ],
    });
    expect(plainTextOf(text)).toBe("Grow fast now\nEU\nUS");
  });

  it("merges two people dragging the same card differently into one place, without duplicates", () => {
    const [x, y] = [new Y.Doc(), new Y.Doc()];
    const id = addCard(x, { quadrant: "strengths", author: { id: "u1", name: "Ada" }, team: "sales" });
    Y.applyUpdate(y, Y.encodeStateAsUpdate(x));
    moveCard(x, id, "threats", 0);
    moveCard(y, id, "weaknesses", 0);
    Y.applyUpdate(x, Y.encodeStateAsUpdate(y));
    Y.applyUpdate(y, Y.encodeStateAsUpdate(x));
    expect(readBoard(x)).toEqual(readBoard(y));
    expect(readBoard(x).cards).toHaveLength(1);
  });
});

describe("review dates", () => {
  it("adds months with the day clamped to the month's length", () => {
    expect(addMonths("2026-01-31", 1)).toBe("2026-02-28");
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-29");
    expect(addMonths("2026-11-30", 12)).toBe("2027-11-30");
    expect(addMonths("2026-12-15", 3)).toBe("2027-03-15");
  });

  it("says whether a review is overdue, due within 30 days, scheduled or not planned", () => {
    expect(dueState(null, "2026-06-01")).toBe("none");
    expect(dueState("2026-05-31", "2026-06-01")).toBe("overdue");
    expect(dueState("2026-07-01", "2026-06-01")).toBe("due-soon");
    expect(dueState("2026-07-02", "2026-06-01")).toBe("scheduled");
  });
});

describe("access to a board", () => {
  it("gives writers write, region-scoped contributors only their region, viewers read, other workspaces nothing", async () => {
    const north = await makeBoardSegment(t.db, w, { regionId: w.regionIds[0] });
    const south = await makeBoardSegment(t.db, w, { regionId: w.regionIds[1] });
    const other = await makeWorkspace(t.db, "Swot Other");
    const access = (ws: FactoryWorkspace, role: keyof FactoryWorkspace["members"] | "owner", segmentId: string) =>
      t.db.withTenant(ws.tenantId, (tx) =>
        swotAccess(tx, { tenantId: ws.tenantId, userId: role === "owner" ? ws.owner.id : ws.members[role].id, role }, segmentId),
      );
    expect(await access(w, "analyst", north.segmentId)).toBe("write");
    expect(await access(w, "committee", south.segmentId)).toBe("write");
    expect(await access(w, "contributor", north.segmentId)).toBe("write");
    expect(await access(w, "contributor", south.segmentId)).toBe("read");
    expect(await access(w, "viewer", north.segmentId)).toBe("read");
    expect(await access(other, "owner", north.segmentId)).toBeNull();
  });
});

describe("reviews, schedules and teams", () => {
  it("freezes the stored board with its participants, moves the due date on a year and audits it", async () => {
    const seg = await publishedSegment(w, "Reviewed champions", { combinator: "and", children: [] });
    const doc = swotDocName(seg.segmentId);
    let cardId = "";
    await t.db.withTenant(w.tenantId, (tx) =>
      editStoredDoc(tx, w.tenantId, doc, (ydoc) => {
        cardId = addCard(ydoc, { quadrant: "strengths", author: w.members.analyst, team: "sales", text: [{ paragraph: [{ text: "Loyal base", bold: true }] }] });
        addEvidence(ydoc, cardId, { kind: "url", label: "Churn dashboard", ref: "https://example.test/churn" });
        toggleVote(ydoc, cardId, w.members.committee.id);
      }),
    );
    const saved = await saveReview(scopeOf(w, "committee"), { segmentId: seg.segmentId, participantIds: [w.members.analyst.id], note: "Yearly review" });
    const today = new Date().toISOString().slice(0, 10);
    expect(saved).toMatchObject({ reviewedOn: today, cards: 1, reviewDueOn: addMonths(today, 12) });
    expect(saved.participants.map((p) => p.userId).sort()).toEqual([w.members.analyst.id, w.members.committee.id].sort());

    const review = await getReview(scopeOf(w, "viewer"), { reviewId: saved.reviewId });
    const stored = await t.db.withTenant(w.tenantId, (tx) => loadDoc(tx, w.tenantId, doc));
    expect(review.board).toEqual(ZBoard.parse(readBoard(stored)));
    expect(review.board.cards[0]).toMatchObject({ plainText: "Loyal base", votes: [w.members.committee.id], evidence: [{ kind: "url", label: "Churn dashboard" }] });
    // The frozen Yjs state is the stored board's.
    const [frozen] = (await t.ownerQuery<{ state: Buffer }>("select state from swot_reviews where id = $1", [saved.reviewId])).rows;
    const replay = new Y.Doc();
    Y.applyUpdate(replay, new Uint8Array(frozen.state));
    expect(readBoard(replay)).toEqual(readBoard(stored));

    // Later edits do not change the review.
    await t.db.withTenant(w.tenantId, (tx) => editStoredDoc(tx, w.tenantId, doc, (ydoc) => moveCard(ydoc, cardId, "threats", 0)));
    expect((await getReview(scopeOf(w, "viewer"), { reviewId: saved.reviewId })).board.cards[0].quadrant).toBe("strengths");

    const page = await getBoard(scopeOf(w, "viewer"), { segmentId: seg.segmentId });
    expect(page).toMatchObject({ access: "read", mayReview: false, schedule: { reviewEveryMonths: 12, reviewDueOn: addMonths(today, 12), due: "scheduled" } });
    expect(page.reviews).toHaveLength(1);
    expect(page.reviews[0]).toMatchObject({ id: saved.reviewId, cards: 1, note: "Yearly review" });

    const audit = await listAudit(w.ownerScope, { action: "swot.review.save" });
    expect(audit.entries.some((e) => e.objectId === seg.segmentId)).toBe(true);
  });

  it("refuses participants from outside the workspace and a save before the saver's edits are stored", async () => {
    const seg = await makeBoardSegment(t.db, w);
    const outsider = await makeWorkspace(t.db, "Swot Outsider");
    await expect(saveReview(scopeOf(w, "committee"), { segmentId: seg.segmentId, participantIds: [outsider.owner.id] })).rejects.toMatchObject({
      code: "INVALID",
      message: expect.stringContaining(`participantIds: ${outsider.owner.id} is not a member`),
    });
    const ahead = new Y.Doc();
    addCard(ahead, { quadrant: "threats", author: w.owner, team: "sales" });
    await expect(
      saveReview(scopeOf(w, "committee"), { segmentId: seg.segmentId, stateVector: Buffer.from(Y.encodeStateVector(ahead)).toString("base64") }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("sets the cadence and due date (audited), lists boards by due date, and validates teams", async () => {
    const overdue = await makeBoardSegment(t.db, w, { name: "Overdue board" });
    const later = await makeBoardSegment(t.db, w, { name: "Later board" });
    await setReviewSchedule(scopeOf(w, "admin"), { segmentId: overdue.segmentId, reviewEveryMonths: 6, reviewDueOn: "2020-01-31" });
    await setReviewSchedule(scopeOf(w, "admin"), { segmentId: later.segmentId, reviewEveryMonths: null, reviewDueOn: "2099-12-31" });
    await t.db.withTenant(w.tenantId, (tx) =>
      editStoredDoc(tx, w.tenantId, overdue.doc, (ydoc) => {
        for (let i = 0; i < 3; i++) addCard(ydoc, { quadrant: "weaknesses", author: w.owner, team: "product" });
      }),
    );
    const { boards } = await listBoards(scopeOf(w, "viewer"));
    const names = boards.map((b) => b.name);
    expect(names.indexOf("Overdue board")).toBeLessThan(names.indexOf("Later board"));
    expect(boards.find((b) => b.name === "Overdue board")).toMatchObject({ due: "overdue", cards: 3, reviewEveryMonths: 6, reviewDueOn: "2020-01-31" });
    expect(boards.find((b) => b.name === "Later board")).toMatchObject({ due: "scheduled", cards: 0, reviewEveryMonths: null });
    const audit = await listAudit(w.ownerScope, { action: "swot.schedule.update" });
    expect(audit.entries.find((e) => e.objectId === overdue.segmentId)?.changes).toMatchObject({ after: { reviewEveryMonths: 6, reviewDueOn: "2020-01-31" } });

    await expect(setReviewSchedule(scopeOf(w, "admin"), { segmentId: later.segmentId, reviewEveryMonths: 0, reviewDueOn: "2027-02-30" })).rejects.toThrow(
      /reviewEveryMonths[\s\S]*at least 1 month[\s\S]*reviewDueOn[\s\S]*must be a date/,
    );
    await expect(updateTeams(scopeOf(w, "admin"), { teams: ["Sales", "sales"] })).rejects.toThrow(/each team may appear only once/);
    await expect(updateTeams(scopeOf(w, "admin"), { teams: ["marketing", "finance"] })).resolves.toEqual({ teams: ["marketing", "finance"] });
    expect((await getBoard(scopeOf(w, "viewer"), { segmentId: later.segmentId })).teams).toEqual(["marketing", "finance"]);
  });
});

describe("the segment's facts beside the board", () => {
  it("match size, growth, revenue share and RFM summary derived independently from the tables", async () => {
    const first = await publishedSegment(w, "Frequent buyers", { combinator: "and", children: [{ op: "gte", field: "frequency", value: 1 }] });
    const page = await getBoard(scopeOf(w, "analyst"), { segmentId: first.segmentId });
    const members = (
      await t.ownerQuery<{ customer_id: string }>("select customer_id from segment_memberships where tenant_id = $1 and segment_id = $2 and to_version is null", [
        w.tenantId,
        first.segmentId,
      ])
    ).rows.map((r) => r.customer_id);
    const features = (
      await t.ownerQuery<{ customer_id: string; recency_days: number; frequency: number; monetary: number; rfm_segment: string }>(
        "select customer_id, recency_days, frequency, monetary, rfm_segment from customer_features where tenant_id = $1",
        [w.tenantId],
      )
    ).rows;
    expect(members.length).toBeGreaterThan(0);
    const inSegment = features.filter((f) => members.includes(f.customer_id));
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
    expect(page.facts.size).toBe(members.length);
    expect(page.facts.revenueShare).toBeCloseTo(sum(inSegment.map((f) => f.monetary)) / sum(features.map((f) => f.monetary)), 10);
    expect(page.facts.rfm!.customers).toBe(inSegment.length);
    expect(page.facts.rfm!.avgRecencyDays).toBeCloseTo(sum(inSegment.map((f) => f.recency_days)) / inSegment.length, 10);
    expect(page.facts.rfm!.avgFrequency).toBeCloseTo(sum(inSegment.map((f) => f.frequency)) / inSegment.length, 10);
    expect(page.facts.rfm!.avgMonetary).toBeCloseTo(sum(inSegment.map((f) => f.monetary)) / inSegment.length, 10);
    const counts = new Map<string, number>();
    for (const f of inSegment) counts.set(f.rfm_segment, (counts.get(f.rfm_segment) ?? 0) + 1);
    const top = [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, 3);
    expect(page.facts.rfm!.topSegments.map((s) => [s.name, s.customers])).toEqual(top);
    expect(page.facts.growth).toBeNull();
  });
});
