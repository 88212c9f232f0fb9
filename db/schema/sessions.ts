import { sql } from "drizzle-orm";
import { bigint, check, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { segmentProposals, segments } from "./segments";
import { workspaces } from "./workspaces";

export const SESSION_STATUSES = ["scheduled", "live", "closed"] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const AGENDA_KINDS = ["proposal", "swot", "topic"] as const;
export type AgendaKind = (typeof AGENDA_KINDS)[number];
/** What an agenda item came to when the session closed. */
export const AGENDA_OUTCOMES = ["approved", "rejected", "undecided", "withdrawn", "discussed", "not-reached"] as const;
export type AgendaOutcome = (typeof AGENDA_OUTCOMES)[number];

/** A proposal's votes as they stood when the session closed. */
export interface AgendaTally {
  status: string;
  approvals: number;
  rejections: number;
  eligible: number;
  summary: string;
  votes: { name: string; vote: "approve" | "reject"; reason: string }[];
}

/**
 * A steering-committee session: scheduled with an agenda, run live (the chair moves the current
 * item; its timer is server time: `current_since` plus the item's `spent_ms`), then closed, which
 * freezes the co-edited minutes (Yjs document `session/<id>`) into `minutes`.
 */
export const committeeSessions = pgTable(
  "committee_sessions",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    title: text("title").notNull(),
    scheduledAt: timestamp("scheduled_at", { withTimezone: true }).notNull(),
    status: text("status", { enum: SESSION_STATUSES }).notNull().default("scheduled"),
    chairId: uuid("chair_id").references(() => users.id, { onDelete: "set null" }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    /** The agenda item everyone sees (an id of session_agenda_items of this session). */
    currentItemId: uuid("current_item_id"),
    /** Since when the current item is current (server time). */
    currentSince: timestamp("current_since", { withTimezone: true }),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    closedBy: uuid("closed_by").references(() => users.id, { onDelete: "set null" }),
    /** The minutes as text, frozen at close. */
    minutes: text("minutes"),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("committee_sessions_scheduled_idx").on(t.tenantId, t.scheduledAt),
    check("committee_sessions_status_check", sql`${t.status} in ('scheduled','live','closed')`),
  ],
);

/** One agenda item: a proposal to decide, a SWOT board (by segment) to review, or a topic. */
export const sessionAgendaItems = pgTable(
  "session_agenda_items",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    sessionId: uuid("session_id").notNull(),
    position: integer("position").notNull(),
    kind: text("kind", { enum: AGENDA_KINDS }).notNull(),
    proposalId: uuid("proposal_id"),
    /** The segment whose SWOT board is reviewed (board `swot/<segmentId>`). */
    segmentId: uuid("segment_id"),
    /** The topic's text, or the proposal's / segment's name when it was put on the agenda. */
    title: text("title").notNull(),
    timeBoxMinutes: integer("time_box_minutes").notNull(),
    /** Time spent on the item before it last became current (the running part is on the session). */
    spentMs: bigint("spent_ms", { mode: "number" }).notNull().default(0),
    outcome: text("outcome", { enum: AGENDA_OUTCOMES }),
    tally: jsonb("tally").$type<AgendaTally>(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.sessionId], foreignColumns: [committeeSessions.tenantId, committeeSessions.id] }).onDelete("cascade"),
    foreignKey({ columns: [t.tenantId, t.proposalId], foreignColumns: [segmentProposals.tenantId, segmentProposals.id] }).onDelete("cascade"),
    foreignKey({ columns: [t.tenantId, t.segmentId], foreignColumns: [segments.tenantId, segments.id] }).onDelete("cascade"),
    index("session_agenda_items_session_idx").on(t.tenantId, t.sessionId, t.position),
    index("session_agenda_items_proposal_idx").on(t.tenantId, t.proposalId),
    check("session_agenda_items_kind_check", sql`${t.kind} in ('proposal','swot','topic')`),
    check(
      "session_agenda_items_ref_check",
      sql`(${t.kind} = 'proposal') = (${t.proposalId} is not null) and (${t.kind} = 'swot') = (${t.segmentId} is not null)`,
    ),
    check("session_agenda_items_time_box_check", sql`${t.timeBoxMinutes} between 1 and 240`),
  ],
);

/** Who attended (joined the session room while it was live), as they were named then. */
export const sessionAttendees = pgTable(
  "session_attendees",
  {
    tenantId: uuid("tenant_id").notNull(),
    sessionId: uuid("session_id").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    role: text("role").notNull(),
    joinedAt: timestamp("joined_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.sessionId, t.userId] }),
    foreignKey({ columns: [t.tenantId, t.sessionId], foreignColumns: [committeeSessions.tenantId, committeeSessions.id] }).onDelete("cascade"),
  ],
);
