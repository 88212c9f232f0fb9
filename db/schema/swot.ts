import { sql } from "drizzle-orm";
import { check, customType, date, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { segments } from "./segments";

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

/**
 * A segment's SWOT board (one per segment; a regional variant is a segment too). The cards
 * themselves live in the co-edited Yjs document `swot/<segmentId>` (collab_updates /
 * collab_snapshots); this row holds what is not co-edited: the review cadence and the date the
 * next review is due (read by the sessions' agenda to suggest boards to review).
 */
export const swotBoards = pgTable(
  "swot_boards",
  {
    tenantId: uuid("tenant_id").notNull(),
    segmentId: uuid("segment_id").notNull(),
    /** Months between reviews (12 = yearly); null when the board has no regular review. */
    reviewEveryMonths: integer("review_every"),
    /** When the next review is due; null when none is planned. */
    reviewDueOn: date("review_due_on", { mode: "string" }),
    lastReviewedAt: timestamp("last_reviewed_at", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.segmentId] }),
    foreignKey({ columns: [t.tenantId, t.segmentId], foreignColumns: [segments.tenantId, segments.id] }).onDelete("cascade"),
    check("swot_boards_review_every_check", sql`${t.reviewEveryMonths} is null or ${t.reviewEveryMonths} between 1 and 60`),
    index("swot_boards_due_idx").on(t.tenantId, t.reviewDueOn),
  ],
);

/** Who took part in a review (as they were named then). */
export interface SwotReviewParticipant {
  userId: string;
  name: string;
}

/**
 * A frozen board: "save as reviewed" stores the Yjs state and a JSON rendering of the cards
 * (validated, for display and export without Yjs) with the date and the participants.
 */
export const swotReviews = pgTable(
  "swot_reviews",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    segmentId: uuid("segment_id").notNull(),
    reviewedOn: date("reviewed_on", { mode: "string" }).notNull(),
    state: bytea("state").notNull(),
    board: jsonb("board").notNull(),
    participants: jsonb("participants").$type<SwotReviewParticipant[]>().notNull(),
    note: text("note").notNull().default(""),
    reviewedBy: uuid("reviewed_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.segmentId], foreignColumns: [swotBoards.tenantId, swotBoards.segmentId] }).onDelete("cascade"),
    index("swot_reviews_board_idx").on(t.tenantId, t.segmentId, t.createdAt),
  ],
);
