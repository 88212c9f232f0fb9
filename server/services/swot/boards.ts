import { and, desc, eq, inArray, sql } from "drizzle-orm";
import * as Y from "yjs";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { memberships, regions, segments, swotBoards, swotReviews, users, type SwotReviewParticipant } from "../../../db/schema";
import { can } from "../../auth/permissions";
import { loadDoc } from "../../collab/store";
import { invalid, notFound } from "../../errors";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { assertContains } from "../segments/lookup";
import { workspaceSetting } from "../workspace-settings";
import { swotAccess } from "./access";
import { readBoard, swotDocName, ZBoard } from "./board-doc";
import { segmentFacts } from "./facts";

/** Days within which a board must be reviewed once what its segment reads drifts into the act band. */
export const REVIEW_AFTER_DRIFT_DAYS = 14;

/**
 * A drift alert on what a segment reads makes its SWOT board's review due within
 * REVIEW_AFTER_DRIFT_DAYS (an earlier due date stays); the segment page, the board and the
 * sessions' agenda then show it as due. Runs in the monitoring run's transaction.
 */
export async function reviewDueAfterDrift(tx: Tx, tenantId: string, segmentId: string): Promise<void> {
  await tx.execute(sql`
    insert into swot_boards (tenant_id, segment_id, review_due_on)
    values (${tenantId}, ${segmentId}, (now() at time zone 'UTC')::date + ${REVIEW_AFTER_DRIFT_DAYS}::int)
    on conflict (tenant_id, segment_id) do update
      set review_due_on = least(swot_boards.review_due_on, excluded.review_due_on), updated_at = now()`);
}

export const ZBoardInput = z.object({ segmentId: z.uuid({ message: "is not a segment id" }) });
export const ZReviewIdInput = z.object({ reviewId: z.uuid({ message: "is not a review id" }) });

const ZIsoDate = z.iso.date({ message: "must be a date such as 2027-01-31" });

export const ZScheduleInput = ZBoardInput.extend({
  /** Months between reviews (12 = yearly); null for no regular review. */
  reviewEveryMonths: z.number().int("must be a whole number of months").min(1, "must be at least 1 month").max(60, "must be at most 60 months").nullable(),
  /** When the next review is due; null for none. */
  reviewDueOn: ZIsoDate.nullable(),
});

export const ZSaveReviewInput = ZBoardInput.extend({
  /** Who took part (the people present); the person saving is always added. */
  participantIds: z.array(z.uuid({ message: "is not a member id" })).max(200, "at most 200 participants").default([]),
  note: z.string().trim().max(2_000, "must be at most 2,000 characters").default(""),
  /** The saver's document state vector (base64): refused until the server has stored those edits. */
  stateVector: z.base64().max(100_000).optional(),
});

export const DEFAULT_TEAMS = ["marketing", "sales", "product", "service"];
export const ZTeams = z.object({
  teams: z
    .array(z.string().trim().min(1, "a team needs a name").max(40, "a team name has at most 40 characters"))
    .min(1, "name at least one team")
    .max(30, "at most 30 teams")
    .refine((teams) => new Set(teams.map((t) => t.toLowerCase())).size === teams.length, "each team may appear only once"),
});
const teamsSetting = workspaceSetting("swot.teams", ZTeams.shape.teams, DEFAULT_TEAMS);

/** Months a new board's first review schedules the next one after. */
const DEFAULT_REVIEW_MONTHS = 12;
/** A board whose review is due within this many days is "due soon". */
const DUE_SOON_DAYS = 30;

export type DueState = "overdue" | "due-soon" | "scheduled" | "none";

export function dueState(dueOn: string | null, today: string): DueState {
  if (!dueOn) return "none";
  if (dueOn < today) return "overdue";
  return dueOn <= addDays(today, DUE_SOON_DAYS) ? "due-soon" : "scheduled";
}

/** An ISO date plus whole months; the day is clamped to the month's length (Jan 31 + 1 → Feb 28). */
export function addMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split("-").map(Number);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, last));
  return target.toISOString().slice(0, 10);
}

function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

async function segmentHeader(tx: Tx, tenantId: string, segmentId: string) {
  const [row] = await tx
    .select({ id: segments.id, name: segments.name, status: segments.status, regionId: segments.regionId, parentId: segments.parentId, region: regions.name })
    .from(segments)
    .leftJoin(regions, and(eq(regions.tenantId, segments.tenantId), eq(regions.id, segments.regionId)))
    .where(and(eq(segments.tenantId, tenantId), eq(segments.id, segmentId)));
  if (!row) throw notFound("The segment");
  let parentName: string | null = null;
  if (row.parentId) {
    const [parent] = await tx
      .select({ name: segments.name })
      .from(segments)
      .where(and(eq(segments.tenantId, tenantId), eq(segments.id, row.parentId)));
    parentName = parent?.name ?? null;
  }
  return { ...row, parentName };
}

async function boardRow(tx: Tx, tenantId: string, segmentId: string) {
  const [row] = await tx
    .select()
    .from(swotBoards)
    .where(and(eq(swotBoards.tenantId, tenantId), eq(swotBoards.segmentId, segmentId)));
  return row ?? null;
}

/** The board's row, created (no review planned) when the segment has none yet. */
async function ensureBoard(tx: Tx, scope: TenantScope, segmentId: string) {
  await tx
    .insert(swotBoards)
    .values({ tenantId: scope.tenantId, segmentId, createdBy: scope.actor.userId })
    .onConflictDoNothing();
  const [row] = await tx
    .select()
    .from(swotBoards)
    .where(and(eq(swotBoards.tenantId, scope.tenantId), eq(swotBoards.segmentId, segmentId)))
    .for("update");
  return row;
}

function scheduleOf(row: typeof swotBoards.$inferSelect | null) {
  return {
    reviewEveryMonths: row?.reviewEveryMonths ?? null,
    reviewDueOn: row?.reviewDueOn ?? null,
    lastReviewedAt: row?.lastReviewedAt?.toISOString() ?? null,
  };
}

export function readTeams(tx: Tx, tenantId: string): Promise<string[]> {
  return teamsSetting.read(tx, tenantId);
}

/**
 * Every segment's board: its review cadence, due date and state, card count and reviews, in
 * the order reviews fall due (overdue first), boards without a plan last.
 */
export async function listBoards(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const rows = await tx.execute<{
      segment_id: string;
      name: string;
      status: string;
      region: string | null;
      parent_name: string | null;
      review_every: number | null;
      review_due_on: string | null;
      last_reviewed_at: string | null;
      reviews: number;
    }>(sql`
      select s.id as segment_id, s.name, s.status, r.name as region, p.name as parent_name,
             b.review_every, b.review_due_on::text as review_due_on, b.last_reviewed_at,
             (select count(*)::int from swot_reviews v where v.tenant_id = s.tenant_id and v.segment_id = s.id) as reviews
      from segments s
      left join regions r on r.tenant_id = s.tenant_id and r.id = s.region_id
      left join segments p on p.tenant_id = s.tenant_id and p.id = s.parent_id
      left join swot_boards b on b.tenant_id = s.tenant_id and b.segment_id = s.id
      where s.tenant_id = ${scope.tenantId} and s.status <> 'retired'
      order by b.review_due_on nulls last, coalesce(p.name, s.name), s.parent_id nulls first, s.name`);
    const today = todayUtc();
    const boards = [];
    for (const r of rows.rows) {
      const doc = await loadDoc(tx, scope.tenantId, swotDocName(r.segment_id));
      const cards = doc.getMap("cards").size;
      doc.destroy();
      boards.push({
        segmentId: r.segment_id,
        name: r.name,
        status: r.status,
        region: r.region,
        parentName: r.parent_name,
        cards,
        reviews: r.reviews,
        reviewEveryMonths: r.review_every,
        reviewDueOn: r.review_due_on,
        lastReviewedAt: r.last_reviewed_at ? new Date(r.last_reviewed_at).toISOString() : null,
        due: dueState(r.review_due_on, today),
      });
    }
    return { today, boards };
  });
}

/** A board's page: the segment, what the asker may do, the schedule, reviews, teams and facts. */
export async function getBoard(scope: TenantScope, input: z.input<typeof ZBoardInput>) {
  const { segmentId } = ZBoardInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const segment = await segmentHeader(tx, scope.tenantId, segmentId);
    const access = await swotAccess(tx, { tenantId: scope.tenantId, userId: scope.actor.userId, role: scope.role }, segmentId);
    const row = await boardRow(tx, scope.tenantId, segmentId);
    const reviews = await listReviewsTx(tx, scope.tenantId, segmentId);
    const schedule = scheduleOf(row);
    return {
      segment: { id: segment.id, name: segment.name, status: segment.status, region: segment.region, parentName: segment.parentName },
      doc: swotDocName(segmentId),
      access: access ?? "read",
      mayReview: can(scope.role, "swot:review"),
      schedule: { ...schedule, due: dueState(schedule.reviewDueOn, todayUtc()) },
      reviews,
      teams: await readTeams(tx, scope.tenantId),
      facts: await segmentFacts(tx, scope.tenantId, segmentId),
    };
  });
}

async function listReviewsTx(tx: Tx, tenantId: string, segmentId: string) {
  const rows = await tx
    .select({
      id: swotReviews.id,
      reviewedOn: swotReviews.reviewedOn,
      createdAt: swotReviews.createdAt,
      participants: swotReviews.participants,
      note: swotReviews.note,
      reviewedBy: users.name,
      cards: sql<number>`jsonb_array_length(${swotReviews.board} -> 'cards')::int`,
    })
    .from(swotReviews)
    .leftJoin(users, eq(users.id, swotReviews.reviewedBy))
    .where(and(eq(swotReviews.tenantId, tenantId), eq(swotReviews.segmentId, segmentId)))
    .orderBy(desc(swotReviews.createdAt));
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), reviewedBy: r.reviewedBy ?? "a former member" }));
}

/** An earlier review: the frozen board (as JSON) with its date and participants. */
export async function getReview(scope: TenantScope, input: z.input<typeof ZReviewIdInput>) {
  const { reviewId } = ZReviewIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const [row] = await tx
      .select({
        id: swotReviews.id,
        segmentId: swotReviews.segmentId,
        reviewedOn: swotReviews.reviewedOn,
        createdAt: swotReviews.createdAt,
        participants: swotReviews.participants,
        note: swotReviews.note,
        board: swotReviews.board,
        reviewedBy: users.name,
      })
      .from(swotReviews)
      .leftJoin(users, eq(users.id, swotReviews.reviewedBy))
      .where(and(eq(swotReviews.tenantId, scope.tenantId), eq(swotReviews.id, reviewId)));
    if (!row) throw notFound("The review");
    return { ...row, createdAt: row.createdAt.toISOString(), reviewedBy: row.reviewedBy ?? "a former member", board: ZBoard.parse(row.board) };
  });
}

/** Sets how often a board is reviewed and when the next review is due; audited. */
export async function setReviewSchedule(scope: TenantScope, input: z.input<typeof ZScheduleInput>) {
  const { segmentId, reviewEveryMonths, reviewDueOn } = ZScheduleInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    await segmentHeader(tx, scope.tenantId, segmentId);
    const before = await ensureBoard(tx, scope, segmentId);
    const [after] = await tx
      .update(swotBoards)
      .set({ reviewEveryMonths, reviewDueOn, updatedAt: new Date() })
      .where(and(eq(swotBoards.tenantId, scope.tenantId), eq(swotBoards.segmentId, segmentId)))
      .returning();
    await appendAudit(tx, scope, {
      action: "swot.schedule.update",
      objectType: "swot_board",
      objectId: segmentId,
      before: { reviewEveryMonths: before.reviewEveryMonths, reviewDueOn: before.reviewDueOn },
      after: { reviewEveryMonths, reviewDueOn },
    });
    return { ...scheduleOf(after), due: dueState(after.reviewDueOn, todayUtc()) };
  });
}

/**
 * "Save as reviewed": freezes the board as PostgreSQL holds it (Yjs state and a validated JSON
 * rendering) with today's date and the participants, and moves the due date on by the board's
 * cadence (yearly for a board that had none). Refused while the saver's own edits are not yet
 * stored (`stateVector`). Audited.
 */
export async function saveReview(scope: TenantScope, input: z.input<typeof ZSaveReviewInput>) {
  const { segmentId, participantIds, note, stateVector } = ZSaveReviewInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const segment = await segmentHeader(tx, scope.tenantId, segmentId);
    const board = await ensureBoard(tx, scope, segmentId);
    const doc = await loadDoc(tx, scope.tenantId, swotDocName(segmentId));
    if (stateVector) assertContains(doc, Buffer.from(stateVector, "base64"));
    const parsed = ZBoard.safeParse(readBoard(doc));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(`The board cannot be saved as reviewed: card ${String(issue.path[1] ?? "?")} has an invalid ${String(issue.path[2] ?? "value")} (${issue.message}).`);
    }
    const participants = await participantsOf(tx, scope, [...new Set([scope.actor.userId, ...participantIds])]);
    const reviewedOn = todayUtc();
    const every = board.reviewEveryMonths ?? DEFAULT_REVIEW_MONTHS;
    const nextDueOn = addMonths(reviewedOn, every);
    const state = Buffer.from(Y.encodeStateAsUpdate(doc));
    doc.destroy();
    const [review] = await tx
      .insert(swotReviews)
      .values({ tenantId: scope.tenantId, segmentId, reviewedOn, state, board: parsed.data, participants, note, reviewedBy: scope.actor.userId })
      .returning({ id: swotReviews.id, createdAt: swotReviews.createdAt });
    await tx
      .update(swotBoards)
      .set({ lastReviewedAt: review.createdAt, reviewDueOn: nextDueOn, reviewEveryMonths: every, updatedAt: new Date() })
      .where(and(eq(swotBoards.tenantId, scope.tenantId), eq(swotBoards.segmentId, segmentId)));
    await appendAudit(tx, scope, {
      action: "swot.review.save",
      objectType: "swot_board",
      objectId: segmentId,
      before: { reviewDueOn: board.reviewDueOn },
      after: {
        segment: segment.name,
        reviewId: review.id,
        reviewedOn,
        cards: parsed.data.cards.length,
        participants: participants.map((p) => p.name),
        reviewDueOn: nextDueOn,
      },
    });
    return { reviewId: review.id, reviewedOn, participants, cards: parsed.data.cards.length, reviewDueOn: nextDueOn };
  });
}

async function participantsOf(tx: Tx, scope: TenantScope, ids: string[]): Promise<SwotReviewParticipant[]> {
  const rows = await tx
    .select({ userId: users.id, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, scope.tenantId), inArray(memberships.userId, ids)));
  const known = new Map(rows.map((r) => [r.userId, r]));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw invalid(`participantIds: ${unknown.join(", ")} ${unknown.length === 1 ? "is not a member" : "are not members"} of this workspace.`);
  return ids.map((id) => known.get(id)!);
}

export async function getTeams(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => ({ teams: await readTeams(tx, scope.tenantId) }));
}

/** The workspace's teams (cards name one); audited. */
export async function updateTeams(scope: TenantScope, input: z.input<typeof ZTeams>) {
  const { teams } = ZTeams.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const before = await readTeams(tx, scope.tenantId);
    await teamsSetting.write(tx, scope.tenantId, teams);
    await appendAudit(tx, scope, { action: "swot.teams.update", objectType: "settings", objectId: teamsSetting.key, before, after: teams });
    return { teams };
  });
}
