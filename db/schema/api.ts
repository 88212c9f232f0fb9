import { sql } from "drizzle-orm";
import { boolean, check, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { segments } from "./segments";
import { workspaces } from "./workspaces";

/** What an API key may do (decision 008). */
export const API_SCOPES = ["memberships:read", "consent:write", "exports:read"] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** Events a webhook endpoint can subscribe to. */
export const WEBHOOK_EVENTS = ["segment.published", "membership.changed", "alert.raised"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const WEBHOOK_DELIVERY_STATUSES = ["pending", "succeeded", "retrying", "failed"] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/**
 * A workspace's API key for downstream systems. The key itself (`qk_<workspace>_<secret>`) is
 * shown once; only its SHA-256 is kept, with the secret's first characters as a hint.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    name: text("name").notNull(),
    scopes: text("scopes").array().$type<ApiScope[]>().notNull(),
    keyHash: text("key_hash").notNull(),
    hint: text("hint").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** Updated at most about once a minute per key (not on every request). */
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedBy: uuid("revoked_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), unique("api_keys_hash_unique").on(t.tenantId, t.keyHash)],
);

/** Where a workspace wants signed event notifications sent. */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    events: text("events").array().$type<WebhookEvent[]>().notNull(),
    /** The HMAC signing secret: needed in clear to sign, shown to the admin once. */
    secret: text("secret").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    /** Why the endpoint was switched off (by someone, or automatically after failing for a day). */
    disabledReason: text("disabled_reason"),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    /** The first failed attempt since the last success; null while deliveries succeed. */
    failingSince: timestamp("failing_since", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);

/** One event sent to one endpoint: its payload and the outcome of its latest attempt. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    endpointId: uuid("endpoint_id").notNull(),
    event: text("event", { enum: WEBHOOK_EVENTS }).notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: text("status", { enum: WEBHOOK_DELIVERY_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    responseStatus: integer("response_status"),
    /** The first 2,000 characters of the receiver's answer, or what went wrong reaching it. */
    responseBody: text("response_body"),
    error: text("error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.endpointId], foreignColumns: [webhookEndpoints.tenantId, webhookEndpoints.id] }).onDelete("cascade"),
    index("webhook_deliveries_endpoint_idx").on(t.tenantId, t.endpointId, t.createdAt),
    check("webhook_deliveries_status_check", sql`${t.status} in ('pending','succeeded','retrying','failed')`),
  ],
);

/**
 * A materialisation of a segment version that failed. Publishing and materialising are one
 * transaction, so a failure publishes nothing; the decision that tried to publish records it here
 * afterwards (services/segments/review.ts), and the API serves the last good version and says so
 * while the latest attempt failed.
 */
export const segmentMaterialisationFailures = pgTable(
  "segment_materialisation_failures",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    segmentId: uuid("segment_id").notNull(),
    /** The version that was being materialised. */
    version: integer("version").notNull(),
    error: text("error").notNull(),
    failedAt: timestamp("failed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.segmentId], foreignColumns: [segments.tenantId, segments.id] }).onDelete("cascade"),
    index("segment_materialisation_failures_segment_idx").on(t.tenantId, t.segmentId, t.failedAt),
  ],
);
