import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { workspaces } from "./workspaces";

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

export const IMPORT_KINDS = ["customers", "transactions", "events"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const IMPORT_STATUSES = ["uploaded", "queued", "running", "completed", "failed", "cancelled"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export const SENSITIVITIES = ["plain", "pii", "protected"] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];
export const ATTRIBUTE_TYPES = ["text", "number", "date", "category", "boolean"] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** Custom attributes known to a workspace, with their type and sensitivity tag. */
export const attributeDefinitions = pgTable(
  "attribute_definitions",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    label: text("label").notNull(),
    type: text("type", { enum: ATTRIBUTE_TYPES }).notNull(),
    sensitivity: text("sensitivity", { enum: SENSITIVITIES }).notNull().default("plain"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.key] })],
);

/** One uploaded file and the job that imports it. */
export const imports = pgTable(
  "imports",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    kind: text("kind", { enum: IMPORT_KINDS }).notNull(),
    fileName: text("file_name").notNull(),
    byteSize: bigint("byte_size", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    mapping: jsonb("mapping").$type<Record<string, unknown>>().notNull(),
    status: text("status", { enum: IMPORT_STATUSES }).notNull().default("uploaded"),
    cancelRequested: boolean("cancel_requested").notNull().default(false),
    bytesRead: bigint("bytes_read", { mode: "number" }).notNull().default(0),
    rowsRead: integer("rows_read").notNull().default(0),
    rowsImported: integer("rows_imported").notNull().default(0),
    rowsUnchanged: integer("rows_unchanged").notNull().default(0),
    rowsFailed: integer("rows_failed").notNull().default(0),
    rowsDuplicate: integer("rows_duplicate").notNull().default(0),
    error: text("error"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index("imports_created_idx").on(t.tenantId, t.createdAt)],
);

/** The raw uploaded bytes, exactly as received, in chunks. */
export const importFiles = pgTable(
  "import_files",
  {
    tenantId: uuid("tenant_id").notNull(),
    importId: uuid("import_id").notNull(),
    chunkNo: integer("chunk_no").notNull(),
    data: bytea("data").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.importId, t.chunkNo] }),
    foreignKey({ columns: [t.tenantId, t.importId], foreignColumns: [imports.tenantId, imports.id] }).onDelete("cascade"),
  ],
);

/** Rows that were not imported: line number, column and reason. */
export const importErrors = pgTable(
  "import_errors",
  {
    tenantId: uuid("tenant_id").notNull(),
    importId: uuid("import_id").notNull(),
    line: integer("line").notNull(),
    column: text("column_name").notNull(),
    reason: text("reason").notNull(),
    value: text("value"),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.importId, t.line, t.column] }),
    foreignKey({ columns: [t.tenantId, t.importId], foreignColumns: [imports.tenantId, imports.id] }).onDelete("cascade"),
  ],
);

export const customers = pgTable(
  "customers",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    externalId: text("external_id").notNull(),
    name: text("name"),
    email: text("email"),
    emailNorm: text("email_norm"),
    phone: text("phone"),
    phoneNorm: text("phone_norm"),
    region: text("region"),
    attributes: jsonb("attributes").$type<Record<string, string | number | boolean | null>>().notNull().default({}),
    optedOut: boolean("opted_out").notNull().default(false),
    /** Set when identity resolution merged this record into another (the survivor). */
    mergedInto: uuid("merged_into"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique("customers_external_id_unique").on(t.tenantId, t.externalId),
    index("customers_email_idx").on(t.tenantId, t.emailNorm),
    index("customers_phone_idx").on(t.tenantId, t.phoneNorm),
  ],
);

/** Which import rows a customer record came from (kept through merges). */
export const customerSources = pgTable(
  "customer_sources",
  {
    tenantId: uuid("tenant_id").notNull(),
    importId: uuid("import_id").notNull(),
    line: integer("line").notNull(),
    customerId: uuid("customer_id").notNull(),
    externalId: text("external_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.importId, t.line] }),
    foreignKey({ columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }).onDelete("cascade"),
    index("customer_sources_customer_idx").on(t.tenantId, t.customerId),
  ],
);

/** A merge of duplicate customers found by identity resolution; undoable. */
export const customerMerges = pgTable(
  "customer_merges",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    survivorId: uuid("survivor_id").notNull(),
    mergedId: uuid("merged_id").notNull(),
    matchedOn: text("matched_on", { enum: ["email", "phone"] }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    undoneAt: timestamp("undone_at", { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.survivorId], foreignColumns: [customers.tenantId, customers.id] }).onDelete("cascade"),
    foreignKey({ columns: [t.tenantId, t.mergedId], foreignColumns: [customers.tenantId, customers.id] }).onDelete("cascade"),
  ],
);

export const transactions = pgTable(
  "transactions",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** The file's transaction id, or a content hash of the row when the file has none. */
    id: text("id").notNull(),
    customerExternalId: text("customer_external_id"),
    invoiceNo: text("invoice_no").notNull(),
    stockCode: text("stock_code"),
    description: text("description"),
    quantity: numeric("quantity", { precision: 14, scale: 3, mode: "number" }).notNull(),
    unitPrice: numeric("unit_price", { precision: 14, scale: 4, mode: "number" }).notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    country: text("country"),
    importId: uuid("import_id").notNull(),
  },
  // No secondary index: every reader (features, quality, roll-ups) scans a tenant's rows, and
  // each index would slow the bulk import down.
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);

/** Per-customer features computed from transactions; recomputed after every import. */
export const customerFeatures = pgTable(
  "customer_features",
  {
    tenantId: uuid("tenant_id").notNull(),
    customerId: uuid("customer_id").notNull(),
    referenceDate: date("reference_date").notNull(),
    recencyDays: integer("recency_days").notNull(),
    frequency: integer("frequency").notNull(),
    monetary: doublePrecision("monetary").notNull(),
    averageOrderValue: doublePrecision("average_order_value").notNull(),
    tenureDays: integer("tenure_days").notNull(),
    purchaseSpanDays: integer("purchase_span_days").notNull(),
    r: smallint("r").notNull(),
    f: smallint("f").notNull(),
    m: smallint("m").notNull(),
    rfmSegment: text("rfm_segment").notNull(),
    computedAt: timestamp("computed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.customerId] }),
    foreignKey({ columns: [t.tenantId, t.customerId], foreignColumns: [customers.tenantId, customers.id] }).onDelete("cascade"),
  ],
);

export const dataQualityReports = pgTable(
  "data_quality_reports",
  {
    tenantId: uuid("tenant_id").notNull(),
    importId: uuid("import_id").notNull(),
    report: jsonb("report").$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.importId] }),
    foreignKey({ columns: [t.tenantId, t.importId], foreignColumns: [imports.tenantId, imports.id] }).onDelete("cascade"),
  ],
);

/** Workspace-level settings (thresholds and preparation rules), one JSON value per key. */
export const workspaceSettings = pgTable(
  "workspace_settings",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    value: jsonb("value").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.key] })],
);
