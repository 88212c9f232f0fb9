import { sql } from "drizzle-orm";
import {
  check,
  date,
  doublePrecision,
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
import { workspaces } from "./workspaces";

export const KPI_DIRECTIONS = ["higher", "lower"] as const;
export type KpiDirection = (typeof KPI_DIRECTIONS)[number];
export const KPI_GRAINS = ["day", "week", "month", "quarter"] as const;
export type KpiGrain = (typeof KPI_GRAINS)[number];
export const KPI_UNITS = ["count", "currency", "percent", "number", "score"] as const;
export type KpiUnit = (typeof KPI_UNITS)[number];
export const ROLLUP_TRIGGERS = ["import", "publish", "rebuild", "definition"] as const;
export type RollupTrigger = (typeof ROLLUP_TRIGGERS)[number];
export const ROLLUP_STATUSES = ["queued", "running", "completed", "failed"] as const;
export type RollupStatus = (typeof ROLLUP_STATUSES)[number];

/**
 * The reserved segment id of the whole business (every customer of the workspace) in
 * kpi_rollups and kpi_targets (docs/decisions/012). No segment has it: gen_random_uuid never
 * returns the nil uuid.
 */
export const ALL_CUSTOMERS = "00000000-0000-0000-0000-000000000000";
/** The reserved region id of "all regions" in kpi_rollups. */
export const ALL_REGIONS = "00000000-0000-0000-0000-000000000000";

/**
 * Imported events: conversions, touchpoints, support tickets, NPS answers or any other type.
 * The customer is resolved by external id when roll-ups are computed, like transactions.
 */
export const events = pgTable(
  "events",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** The file's event id, or a content hash of the row when the file has none. */
    id: text("id").notNull(),
    customerExternalId: text("customer_external_id"),
    type: text("type").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    value: doublePrecision("value"),
    channel: text("channel"),
    campaign: text("campaign"),
    importId: uuid("import_id").notNull(),
  },
  // One secondary index: roll-ups (incremental ones read a time range) and attribution (a
  // campaign's period) both select by time.
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index("events_occurred_idx").on(t.tenantId, t.occurredAt)],
);

/**
 * A KPI of a workspace: a built-in one (`builtin` names its computation in
 * server/services/kpis/builtins.ts) or a custom aggregate (`spec`, validated by ZCustomKpiSpec).
 */
export const kpiDefinitions = pgTable(
  "kpi_definitions",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    key: text("key").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    builtin: text("builtin"),
    spec: jsonb("spec").$type<Record<string, unknown>>(),
    unit: text("unit", { enum: KPI_UNITS }).notNull(),
    direction: text("direction", { enum: KPI_DIRECTIONS }).notNull(),
    position: integer("position").notNull().default(0),
    ownerUserId: uuid("owner_user_id").references(() => users.id, { onDelete: "set null" }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique("kpi_definitions_key_unique").on(t.tenantId, t.key),
    check("kpi_definitions_kind_check", sql`(${t.builtin} is null) <> (${t.spec} is null)`),
    check("kpi_definitions_direction_check", sql`${t.direction} in ('higher','lower')`),
  ],
);

/** A KPI's target for one segment, or for the whole business (segment_id = ALL_CUSTOMERS). */
export const kpiTargets = pgTable(
  "kpi_targets",
  {
    tenantId: uuid("tenant_id").notNull(),
    kpiId: uuid("kpi_id").notNull(),
    /** A segment's id or ALL_CUSTOMERS; no foreign key because of the sentinel (segments are retired, never deleted). */
    segmentId: uuid("segment_id").notNull(),
    target: doublePrecision("target").notNull(),
    updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.kpiId, t.segmentId] }),
    foreignKey({ columns: [t.tenantId, t.kpiId], foreignColumns: [kpiDefinitions.tenantId, kpiDefinitions.id] }).onDelete("cascade"),
  ],
);

/**
 * One KPI's value for one segment (or ALL_CUSTOMERS), region (or ALL_REGIONS), grain and
 * period, written only by the roll-up job (server/services/kpis/rollup.ts). The key is ordered
 * for the dashboard's read (one grain, region and period: every KPI of every segment).
 * No foreign keys: like segment memberships, per-row checks would slow the bulk writes; deleting
 * a KPI deletes its roll-ups.
 */
export const kpiRollups = pgTable(
  "kpi_rollups",
  {
    tenantId: uuid("tenant_id").notNull(),
    grain: text("grain", { enum: KPI_GRAINS }).notNull(),
    regionId: uuid("region_id").notNull(),
    periodStart: date("period_start").notNull(),
    segmentId: uuid("segment_id").notNull(),
    kpiId: uuid("kpi_id").notNull(),
    value: doublePrecision("value"),
    numerator: doublePrecision("numerator"),
    denominator: doublePrecision("denominator"),
    /** Members active in the period (with a transaction or an event in it). */
    customers: integer("customers").notNull(),
    computedAt: timestamp("computed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.grain, t.regionId, t.periodStart, t.segmentId, t.kpiId] })],
);

/** One computation of roll-ups: why, what it covers, its progress and outcome. */
export const kpiRollupRuns = pgTable(
  "kpi_rollup_runs",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    trigger: text("trigger", { enum: ROLLUP_TRIGGERS }).notNull(),
    status: text("status", { enum: ROLLUP_STATUSES }).notNull().default("queued"),
    importId: uuid("import_id"),
    /** Only these segments (a publish); null: every segment and the whole business. */
    segmentIds: uuid("segment_ids").array(),
    /** Only periods touching [from, to] (an import's rows); null: all periods. */
    fromAt: timestamp("from_at", { withTimezone: true }),
    toAt: timestamp("to_at", { withTimezone: true }),
    progress: doublePrecision("progress").notNull().default(0),
    step: text("step"),
    rowsWritten: integer("rows_written"),
    error: text("error"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("kpi_rollup_runs_created_idx").on(t.tenantId, t.createdAt),
    check("kpi_rollup_runs_status_check", sql`${t.status} in ('queued','running','completed','failed')`),
  ],
);
