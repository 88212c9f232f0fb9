import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { customers } from "./customers";
import { segments } from "./segments";
import { workspaces } from "./workspaces";

export const CAMPAIGN_CHANNELS = ["email", "paid_media", "sales", "web"] as const;
export type CampaignChannel = (typeof CAMPAIGN_CHANNELS)[number];
export const CAMPAIGN_STATUSES = ["draft", "running", "finished"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const CAMPAIGN_OUTCOMES = ["conversion", "revenue"] as const;
export type CampaignOutcome = (typeof CAMPAIGN_OUTCOMES)[number];
export const COST_SCOPES = ["customer", "segment"] as const;
export type CostScope = (typeof COST_SCOPES)[number];
export const COST_SOURCES = ["import", "manual"] as const;

/**
 * A marketing campaign aimed at one segment, run as a holdout experiment (decision 015):
 * launching freezes its members and their groups in campaign_members.
 */
export const campaigns = pgTable(
  "campaigns",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    name: text("name").notNull(),
    segmentId: uuid("segment_id").notNull(),
    channels: text("channels").array().$type<CampaignChannel[]>().notNull(),
    budget: doublePrecision("budget").notNull(),
    actualCost: doublePrecision("actual_cost"),
    periodStart: date("period_start").notNull(),
    periodEnd: date("period_end").notNull(),
    /** Most contacts per customer per week; null: no cap. */
    frequencyCap: integer("frequency_cap"),
    holdoutPercent: doublePrecision("holdout_percent").notNull(),
    stratifyByRegion: boolean("stratify_by_region").notNull().default(false),
    outcome: text("outcome", { enum: CAMPAIGN_OUTCOMES }).notNull(),
    status: text("status", { enum: CAMPAIGN_STATUSES }).notNull().default("draft"),
    /** The segment version whose membership was frozen at launch. */
    segmentVersion: integer("segment_version"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    launchedAt: timestamp("launched_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.segmentId], foreignColumns: [segments.tenantId, segments.id] }),
    index("campaigns_segment_idx").on(t.tenantId, t.segmentId),
    check("campaigns_status_check", sql`${t.status} in ('draft','running','finished')`),
    check("campaigns_outcome_check", sql`${t.outcome} in ('conversion','revenue')`),
    check("campaigns_channels_check", sql`cardinality(${t.channels}) > 0 and ${t.channels} <@ array['email','paid_media','sales','web']`),
    check("campaigns_period_check", sql`${t.periodEnd} >= ${t.periodStart}`),
    check("campaigns_holdout_check", sql`${t.holdoutPercent} >= 1 and ${t.holdoutPercent} <= 50`),
    check("campaigns_money_check", sql`${t.budget} >= 0 and (${t.actualCost} is null or ${t.actualCost} >= 0)`),
    check("campaigns_frequency_cap_check", sql`${t.frequencyCap} is null or ${t.frequencyCap} > 0`),
  ],
);

/** A campaign's members as frozen at launch, with their group; never changed by a later publish. */
export const campaignMembers = pgTable(
  "campaign_members",
  {
    tenantId: uuid("tenant_id").notNull(),
    campaignId: uuid("campaign_id").notNull(),
    customerId: uuid("customer_id").notNull(),
    /** The customer's region at launch (the stratum when stratified). */
    region: text("region"),
    holdout: boolean("holdout").notNull(),
    /** The customer's uniform draw (server/analytics/holdout.ts). */
    draw: doublePrecision("draw").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.campaignId, t.customerId] }),
    foreignKey({ columns: [t.tenantId, t.campaignId], foreignColumns: [campaigns.tenantId, campaigns.id] }).onDelete("cascade"),
    foreignKey({ columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }).onDelete("cascade"),
  ],
);

/**
 * Cost to serve one customer or one segment over a period (imported from CSV or entered).
 * One amount per customer (or segment) and period: a later import or entry replaces it.
 */
export const costToServe = pgTable(
  "cost_to_serve",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    scope: text("scope", { enum: COST_SCOPES }).notNull(),
    customerId: uuid("customer_id"),
    segmentId: uuid("segment_id"),
    periodStart: date("period_start").notNull(),
    periodEnd: date("period_end").notNull(),
    amount: doublePrecision("amount").notNull(),
    source: text("source", { enum: COST_SOURCES }).notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }).onDelete("cascade"),
    foreignKey({ columns: [t.tenantId, t.segmentId], foreignColumns: [segments.tenantId, segments.id] }).onDelete("cascade"),
    uniqueIndex("cost_to_serve_customer_period_idx")
      .on(t.tenantId, t.customerId, t.periodStart, t.periodEnd)
      .where(sql`${t.customerId} is not null`),
    uniqueIndex("cost_to_serve_segment_period_idx")
      .on(t.tenantId, t.segmentId, t.periodStart, t.periodEnd)
      .where(sql`${t.segmentId} is not null`),
    check(
      "cost_to_serve_scope_check",
      sql`(${t.scope} = 'customer' and ${t.customerId} is not null and ${t.segmentId} is null) or (${t.scope} = 'segment' and ${t.segmentId} is not null and ${t.customerId} is null)`,
    ),
    check("cost_to_serve_period_check", sql`${t.periodEnd} >= ${t.periodStart}`),
    check("cost_to_serve_amount_check", sql`${t.amount} >= 0`),
  ],
);
