import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  customType,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { segmentProposals, segments } from "./segments";
import { workspaces } from "./workspaces";

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

export const MONITOR_KINDS = ["drift", "bias"] as const;
export type MonitorKind = (typeof MONITOR_KINDS)[number];
export const MONITOR_TRIGGERS = ["demand", "schedule", "publish"] as const;
export type MonitorTrigger = (typeof MONITOR_TRIGGERS)[number];
export const MONITOR_STATUSES = ["queued", "running", "completed", "failed"] as const;
export type MonitorStatus = (typeof MONITOR_STATUSES)[number];
export const DRIFT_BANDS = ["none", "watch", "act"] as const;

/**
 * A reference snapshot of the customer features (decision 011): what drift runs compare the
 * current customer_features with. Taken after a publish when the features changed since the
 * last snapshot, on demand, or by the first drift run of a workspace.
 */
export const featureBaselines = pgTable(
  "feature_baselines",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    reason: text("reason").notNull(),
    customerCount: integer("customer_count").notNull(),
    /** Latest customer_features.computed_at when the snapshot was taken. */
    featuresComputedAt: timestamp("features_computed_at", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index("feature_baselines_created_idx").on(t.tenantId, t.createdAt)],
);

/** One feature of a baseline: numeric values sorted ascending (float8, little-endian), or category counts. */
export const featureBaselineValues = pgTable(
  "feature_baseline_values",
  {
    tenantId: uuid("tenant_id").notNull(),
    baselineId: uuid("baseline_id").notNull(),
    feature: text("feature").notNull(),
    n: integer("n").notNull(),
    sortedValues: bytea("sorted_values"),
    counts: jsonb("counts").$type<Record<string, number>>(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.baselineId, t.feature] }),
    foreignKey({ columns: [t.tenantId, t.baselineId], foreignColumns: [featureBaselines.tenantId, featureBaselines.id] }).onDelete("cascade"),
  ],
);

/** One drift or bias run: its trigger, thresholds used and outcome. */
export const monitorRuns = pgTable(
  "monitor_runs",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    kind: text("kind", { enum: MONITOR_KINDS }).notNull(),
    trigger: text("trigger", { enum: MONITOR_TRIGGERS }).notNull(),
    status: text("status", { enum: MONITOR_STATUSES }).notNull().default("queued"),
    baselineId: uuid("baseline_id"),
    /** The publish that triggered a bias audit. */
    segmentId: uuid("segment_id"),
    version: integer("version"),
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    /** Drift: the worst band of any feature; bias: "watch" when a group fails four-fifths. */
    worstBand: text("worst_band", { enum: DRIFT_BANDS }),
    summary: text("summary"),
    error: text("error"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.baselineId], foreignColumns: [featureBaselines.tenantId, featureBaselines.id] }),
    index("monitor_runs_created_idx").on(t.tenantId, t.kind, t.createdAt),
    check("monitor_runs_kind_check", sql`${t.kind} in ('drift','bias')`),
    check("monitor_runs_status_check", sql`${t.status} in ('queued','running','completed','failed')`),
  ],
);

/** Per-feature drift of one run (definitions in server/analytics/drift.ts). */
export const driftResults = pgTable(
  "drift_results",
  {
    tenantId: uuid("tenant_id").notNull(),
    runId: uuid("run_id").notNull(),
    feature: text("feature").notNull(),
    type: text("type", { enum: ["numeric", "categorical"] }).notNull(),
    nReference: integer("n_reference").notNull(),
    nCurrent: integer("n_current").notNull(),
    psi: doublePrecision("psi").notNull(),
    ks: doublePrecision("ks"),
    ksP: doublePrecision("ks_p"),
    ksMethod: text("ks_method"),
    chi2: doublePrecision("chi2"),
    chi2P: doublePrecision("chi2_p"),
    jensenShannon: doublePrecision("jensen_shannon").notNull(),
    wassersteinNorm: doublePrecision("wasserstein_norm"),
    band: text("band", { enum: DRIFT_BANDS }).notNull(),
    /** Bin edges / categories and both samples' shares, for the chart. */
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.runId, t.feature] }),
    foreignKey({ columns: [t.tenantId, t.runId], foreignColumns: [monitorRuns.tenantId, monitorRuns.id] }).onDelete("cascade"),
  ],
);

/** Per segment and protected attribute: the bias audit of one run (server/analytics/bias.ts). */
export const biasResults = pgTable(
  "bias_results",
  {
    tenantId: uuid("tenant_id").notNull(),
    runId: uuid("run_id").notNull(),
    segmentId: uuid("segment_id").notNull(),
    version: integer("version").notNull(),
    attribute: text("attribute").notNull(),
    n: integer("n").notNull(),
    selected: integer("selected").notNull(),
    minDiVsMax: doublePrecision("min_di_vs_max"),
    demographicParityDifference: doublePrecision("demographic_parity_difference").notNull(),
    statisticalParityDifference: doublePrecision("statistical_parity_difference").notNull(),
    chi2: doublePrecision("chi2"),
    chi2P: doublePrecision("chi2_p"),
    failsFourFifths: boolean("fails_four_fifths").notNull(),
    /** Per group: n, selected, rate, shares, DI, flags (the protected values themselves). */
    groups: jsonb("groups").$type<Record<string, unknown>[]>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.runId, t.segmentId, t.attribute] }),
    foreignKey({ columns: [t.tenantId, t.runId], foreignColumns: [monitorRuns.tenantId, monitorRuns.id] }).onDelete("cascade"),
    foreignKey({ columns: [t.tenantId, t.segmentId], foreignColumns: [segments.tenantId, segments.id] }).onDelete("cascade"),
  ],
);

/** A band crossed by a run; acknowledged with a comment (audited). */
export const monitorAlerts = pgTable(
  "monitor_alerts",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    runId: uuid("run_id").notNull(),
    kind: text("kind", { enum: MONITOR_KINDS }).notNull(),
    segmentId: uuid("segment_id"),
    /** The feature (drift) or protected attribute (bias). */
    subject: text("subject").notNull(),
    band: text("band", { enum: DRIFT_BANDS }).notNull(),
    message: text("message").notNull(),
    proposalId: uuid("proposal_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
    acknowledgedBy: uuid("acknowledged_by").references(() => users.id, { onDelete: "set null" }),
    acknowledgement: text("acknowledgement"),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.runId], foreignColumns: [monitorRuns.tenantId, monitorRuns.id] }).onDelete("cascade"),
    foreignKey({ columns: [t.tenantId, t.segmentId], foreignColumns: [segments.tenantId, segments.id] }).onDelete("cascade"),
    index("monitor_alerts_open_idx").on(t.tenantId, t.createdAt).where(sql`${t.acknowledgedAt} is null`),
  ],
);

/**
 * The re-segmentation proposal monitoring opened for a segment: at most one row per segment
 * (the primary key), so an "act" band opens one proposal however many runs see it; a new one is
 * opened only after that proposal is decided or withdrawn.
 */
export const monitorResegmentations = pgTable(
  "monitor_resegmentations",
  {
    tenantId: uuid("tenant_id").notNull(),
    segmentId: uuid("segment_id").notNull(),
    proposalId: uuid("proposal_id").notNull(),
    runId: uuid("run_id").notNull(),
    openedAt: timestamp("opened_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.segmentId] }),
    foreignKey({ columns: [t.tenantId, t.segmentId], foreignColumns: [segments.tenantId, segments.id] }).onDelete("cascade"),
    foreignKey({ columns: [t.tenantId, t.proposalId], foreignColumns: [segmentProposals.tenantId, segmentProposals.id] }).onDelete("cascade"),
    foreignKey({ columns: [t.tenantId, t.runId], foreignColumns: [monitorRuns.tenantId, monitorRuns.id] }).onDelete("cascade"),
  ],
);
