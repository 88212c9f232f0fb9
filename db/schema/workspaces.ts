import { sql } from "drizzle-orm";
import {
  check,
  foreignKey,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./accounts";

export const ROLES = ["owner", "admin", "committee", "analyst", "contributor", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** A workspace is the tenant. Its row is visible only while app.tenant_id is set to its id. */
export const workspaces = pgTable("workspaces", {
  id: uuid("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const memberships = pgTable(
  "memberships",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId] }),
    check("memberships_role_check", sql`${t.role} in ('owner','admin','committee','analyst','contributor','viewer')`),
  ],
);

export const regions = pgTable(
  "regions",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    name: text("name").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), unique("regions_name_unique").on(t.tenantId, t.name)],
);

/** Regions a contributor is scoped to; an empty set means the member is not region-scoped. */
export const membershipRegions = pgTable(
  "membership_regions",
  {
    tenantId: uuid("tenant_id").notNull(),
    userId: uuid("user_id").notNull(),
    regionId: uuid("region_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId, t.regionId] }),
    foreignKey({ columns: [t.tenantId, t.userId], foreignColumns: [memberships.tenantId, memberships.userId] }).onDelete(
      "cascade",
    ),
    foreignKey({ columns: [t.tenantId, t.regionId], foreignColumns: [regions.tenantId, regions.id] }).onDelete("cascade"),
  ],
);

export const invites = pgTable(
  "invites",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    email: text("email").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    regionIds: uuid("region_ids").array().notNull().default(sql`'{}'::uuid[]`),
    /** sha256 of the link's secret; the link (tenant id + secret) is shown once, to the inviter. */
    tokenHash: text("token_hash").notNull(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), unique("invites_token_unique").on(t.tenantId, t.tokenHash)],
);
