import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { regions, workspaces } from "./workspaces";

export const SEGMENT_STATUSES = ["proposed", "active", "retired"] as const;
export type SegmentStatus = (typeof SEGMENT_STATUSES)[number];
export const PROPOSAL_KINDS = ["create", "change", "retire", "restore"] as const;
export type ProposalKind = (typeof PROPOSAL_KINDS)[number];
export const PROPOSAL_STATUSES = ["draft", "submitted", "approved", "rejected", "withdrawn"] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];
export const VOTES = ["approve", "reject"] as const;
export type Vote = (typeof VOTES)[number];

/**
 * A segment: its identity and the pointer to its published version. What it selects lives in
 * its versions; a segment created by a proposal exists (status "proposed") before its first
 * version so that proposals, comments and the co-edited draft can refer to it.
 */
export const segments = pgTable(
  "segments",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    name: text("name").notNull(),
    /** A regional variant refines its parent (a global segment) for one region. */
    parentId: uuid("parent_id"),
    regionId: uuid("region_id"),
    ownerId: uuid("owner_id").references(() => users.id, { onDelete: "set null" }),
    /** Lower comes first; with exclusive assignment a customer belongs to the first match. */
    priority: integer("priority").notNull(),
    status: text("status", { enum: SEGMENT_STATUSES }).notNull().default("proposed"),
    currentVersion: integer("current_version"),
    memberCount: integer("member_count"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique("segments_name_unique").on(t.tenantId, t.name),
    foreignKey({ columns: [t.tenantId, t.parentId], foreignColumns: [t.tenantId, t.id] }).onDelete("restrict"),
    foreignKey({ columns: [t.tenantId, t.regionId], foreignColumns: [regions.tenantId, regions.id] }).onDelete("restrict"),
    check("segments_status_check", sql`${t.status} in ('proposed','active','retired')`),
  ],
);

/** An immutable published version: the definition, its descriptive fields and its size. */
export const segmentVersions = pgTable(
  "segment_versions",
  {
    tenantId: uuid("tenant_id").notNull(),
    segmentId: uuid("segment_id").notNull(),
    version: integer("version").notNull(),
    /** The whole definition document: descriptive fields and rule tree (see services/segments/definition). */
    definition: jsonb("definition").notNull(),
    kind: text("kind", { enum: PROPOSAL_KINDS }).notNull(),
    proposalId: uuid("proposal_id"),
    restoredFrom: integer("restored_from"),
    memberCount: integer("member_count").notNull(),
    added: integer("added").notNull(),
    removed: integer("removed").notNull(),
    proposedBy: uuid("proposed_by").references(() => users.id, { onDelete: "set null" }),
    publishedBy: uuid("published_by").references(() => users.id, { onDelete: "set null" }),
    publishedAt: timestamp("published_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.segmentId, t.version] }),
    foreignKey({ columns: [t.tenantId, t.segmentId], foreignColumns: [segments.tenantId, segments.id] }).onDelete("cascade"),
  ],
);

/**
 * Membership as intervals of versions: a customer is a member of version v when
 * from_version <= v and (to_version is null or to_version > v). Current members have
 * to_version null; version v added those with from_version = v and removed those with
 * to_version = v. Publishing writes only the changes.
 * No foreign keys: their per-row checks tripled the cost of materialising a large segment
 * (docs/decisions/006). Rows are written only by publishVersion from customers it has just
 * selected; whoever deletes customers or segments deletes their memberships too.
 */
export const segmentMemberships = pgTable(
  "segment_memberships",
  {
    tenantId: uuid("tenant_id").notNull(),
    segmentId: uuid("segment_id").notNull(),
    customerId: uuid("customer_id").notNull(),
    fromVersion: integer("from_version").notNull(),
    toVersion: integer("to_version"),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.segmentId, t.customerId, t.fromVersion] }),
    index("segment_memberships_customer_idx").on(t.tenantId, t.customerId).where(sql`${t.toVersion} is null`),
  ],
);

/** A proposal to create, change, retire or restore a segment; its draft is a Yjs document. */
export const segmentProposals = pgTable(
  "segment_proposals",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    segmentId: uuid("segment_id").notNull(),
    kind: text("kind", { enum: PROPOSAL_KINDS }).notNull(),
    status: text("status", { enum: PROPOSAL_STATUSES }).notNull().default("draft"),
    title: text("title").notNull(),
    /** The published version this proposal was written against (null for a new segment). */
    baseVersion: integer("base_version"),
    restoreVersion: integer("restore_version"),
    /** The definition as submitted (frozen while under review). */
    submitted: jsonb("submitted"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    submittedAt: timestamp("submitted_at", { withTimezone: true }),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    decidedBy: uuid("decided_by").references(() => users.id, { onDelete: "set null" }),
    decisionReason: text("decision_reason"),
    overridden: boolean("overridden").notNull().default(false),
    publishedVersion: integer("published_version"),
    /**
     * The committee's justification for publishing a decision-use segment (pricing, credit-like,
     * service level) whose bias audit fails the four-fifths rule (decision 011); null until given.
     */
    biasJustification: text("bias_justification"),
    biasJustifiedBy: uuid("bias_justified_by").references(() => users.id, { onDelete: "set null" }),
    biasJustifiedAt: timestamp("bias_justified_at", { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.segmentId], foreignColumns: [segments.tenantId, segments.id] }).onDelete("cascade"),
    index("segment_proposals_segment_idx").on(t.tenantId, t.segmentId),
    check("segment_proposals_status_check", sql`${t.status} in ('draft','submitted','approved','rejected','withdrawn')`),
  ],
);

export const proposalVotes = pgTable(
  "proposal_votes",
  {
    tenantId: uuid("tenant_id").notNull(),
    proposalId: uuid("proposal_id").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    vote: text("vote", { enum: VOTES }).notNull(),
    reason: text("reason").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.proposalId, t.userId] }),
    foreignKey({ columns: [t.tenantId, t.proposalId], foreignColumns: [segmentProposals.tenantId, segmentProposals.id] }).onDelete(
      "cascade",
    ),
  ],
);

export const proposalComments = pgTable(
  "proposal_comments",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    proposalId: uuid("proposal_id").notNull(),
    /** The thread's first comment; null for a comment that starts a thread. */
    threadId: uuid("thread_id"),
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    body: text("body").notNull(),
    mentions: uuid("mentions").array().notNull().default(sql`'{}'::uuid[]`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.proposalId], foreignColumns: [segmentProposals.tenantId, segmentProposals.id] }).onDelete(
      "cascade",
    ),
    index("proposal_comments_proposal_idx").on(t.tenantId, t.proposalId, t.createdAt),
  ],
);
