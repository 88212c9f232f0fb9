import { bigint, customType, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

/**
 * Co-edited documents (Yjs) are stored as an append-only log of updates, compacted now and
 * then into one snapshot: the document is the snapshot plus every update after through_seq.
 * `doc` is the document's name within the tenant, e.g. `proposal/<id>`.
 */
export const collabUpdates = pgTable(
  "collab_updates",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    doc: text("doc").notNull(),
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity(),
    update: bytea("update").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.doc, t.seq] })],
);

export const collabSnapshots = pgTable(
  "collab_snapshots",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    doc: text("doc").notNull(),
    state: bytea("state").notNull(),
    throughSeq: bigint("through_seq", { mode: "number" }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.doc] })],
);
