import { radixSortFloat64 } from "../../analytics/radix-sort";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Tx } from "../../../db/client";
import { featureBaselines, featureBaselineValues } from "../../../db/schema";
import { FEATURE_COLUMN_LABELS } from "../data/features";

/**
 * The customer features drift is measured on (columns of customer_features), and reference
 * snapshots of them (decision 011). Numeric values travel from PostgreSQL as one bytea per
 * feature (float8send, big-endian, concatenated by string_agg), which is much faster than a
 * million row objects; snapshots store them sorted, little-endian.
 */
export const NUMERIC_DRIFT_FEATURES = [
  "recency_days",
  "frequency",
  "monetary",
  "average_order_value",
  "tenure_days",
  "purchase_span_days",
] as const;
export const CATEGORICAL_DRIFT_FEATURES = ["rfm_segment"] as const;
export type DriftFeature = (typeof NUMERIC_DRIFT_FEATURES)[number] | (typeof CATEGORICAL_DRIFT_FEATURES)[number];

export const FEATURE_LABELS: Record<DriftFeature, string> = FEATURE_COLUMN_LABELS;

export interface FeatureSnapshot {
  n: number;
  /** Latest computed_at of the features read. */
  computedAt: Date | null;
  numeric: Map<string, Float64Array>;
  categorical: Map<string, Map<string, number>>;
}

/** Big-endian float8s (PostgreSQL's float8send) → Float64Array. */
export function decodeFloat8Send(bytes: Buffer | null): Float64Array {
  if (!bytes) return new Float64Array(0);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readDoubleBE(i * 8);
  return out;
}

/** The workspace's current customer features (every customer that has them). */
export async function currentFeatures(tx: Tx, tenantId: string): Promise<FeatureSnapshot> {
  const columns = NUMERIC_DRIFT_FEATURES.map((f) => `string_agg(float8send(${f}::float8), ''::bytea) as ${f}`).join(
    ", "
  );
  const { rows } = await tx.execute<Record<string, Buffer | null> & { n: number; computed_at: string | null }>(
    sql`select count(*)::int as n, max(computed_at) as computed_at, ${sql.raw(
      columns
    )} from customer_features where tenant_id = ${tenantId}`
  );
  const numeric = new Map<string, Float64Array>();
  for (const f of NUMERIC_DRIFT_FEATURES) numeric.set(f, decodeFloat8Send(rows[0][f] as Buffer | null));
  const categorical = new Map<string, Map<string, number>>();
  for (const f of CATEGORICAL_DRIFT_FEATURES) {
    const counts = await tx.execute<{ value: string; n: number }>(
      sql`select ${sql.identifier(
        f
      )} as value, count(*)::int as n from customer_features where tenant_id = ${tenantId} group by 1`
    );
    categorical.set(f, new Map(counts.rows.map((r) => [r.value, r.n])));
  }
  return { n: rows[0].n, computedAt: rows[0].computed_at ? new Date(rows[0].computed_at) : null, numeric, categorical };
}

/** Stores the snapshot (numeric features sorted) as a new baseline; returns its id. */
export async function storeBaseline(
  tx: Tx,
  tenantId: string,
  snapshot: FeatureSnapshot,
  reason: string,
  createdBy: string | null
): Promise<string> {
  const [baseline] = await tx
    .insert(featureBaselines)
    .values({ tenantId, reason, customerCount: snapshot.n, featuresComputedAt: snapshot.computedAt, createdBy })
    .returning({ id: featureBaselines.id });
  for (const [feature, values] of snapshot.numeric) {
    const sorted = radixSortFloat64(values);
    await tx.insert(featureBaselineValues).values({
      tenantId,
      baselineId: baseline.id,
      feature,
      n: sorted.length,
      sortedValues: Buffer.from(sorted.buffer, sorted.byteOffset, sorted.byteLength),
    });
  }
  for (const [feature, counts] of snapshot.categorical) {
    const total = [...counts.values()].reduce((s, v) => s + v, 0);
    await tx
      .insert(featureBaselineValues)
      .values({ tenantId, baselineId: baseline.id, feature, n: total, counts: Object.fromEntries(counts) });
  }
  return baseline.id;
}

export interface StoredBaseline {
  id: string;
  reason: string;
  customerCount: number;
  featuresComputedAt: Date | null;
  createdAt: Date;
}

export async function latestBaseline(tx: Tx, tenantId: string): Promise<StoredBaseline | null> {
  const [row] = await tx
    .select({
      id: featureBaselines.id,
      reason: featureBaselines.reason,
      customerCount: featureBaselines.customerCount,
      featuresComputedAt: featureBaselines.featuresComputedAt,
      createdAt: featureBaselines.createdAt,
    })
    .from(featureBaselines)
    .where(eq(featureBaselines.tenantId, tenantId))
    .orderBy(desc(featureBaselines.createdAt))
    .limit(1);
  return row ?? null;
}

/** A baseline's values: numeric features sorted ascending, categorical counts. */
export async function baselineValues(
  tx: Tx,
  tenantId: string,
  baselineId: string
): Promise<Pick<FeatureSnapshot, "numeric" | "categorical">> {
  const rows = await tx
    .select()
    .from(featureBaselineValues)
    .where(and(eq(featureBaselineValues.tenantId, tenantId), eq(featureBaselineValues.baselineId, baselineId)));
  const numeric = new Map<string, Float64Array>();
  const categorical = new Map<string, Map<string, number>>();
  for (const r of rows) {
    if (r.sortedValues) {
      // Copy into an aligned buffer: a Buffer's offset in its pool need not be a multiple of 8.
      const bytes = new Uint8Array(r.sortedValues.byteLength);
      bytes.set(r.sortedValues);
      numeric.set(r.feature, new Float64Array(bytes.buffer));
    } else if (r.counts) {
      categorical.set(r.feature, new Map(Object.entries(r.counts)));
    }
  }
  return { numeric, categorical };
}
