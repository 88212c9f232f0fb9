import { sql } from "drizzle-orm";
import { DEFAULT_PREPARATION, featureValues, type CustomerFeatureValues } from "../../server/services/data/features";
import type { Database } from "../client";
import type { Role } from "../schema";
import { queueRun, runBiasAudit, runDriftMonitor } from "../../server/services/monitoring";
import { type FeatureSnapshot, storeBaseline } from "../../server/services/monitoring/baseline";

type Accounts = { role: Role; user: { id: string; email: string } }[];

/** The mid-year cut of the demo data: features as they were on this day are the drift reference. */
const MID_YEAR = "2011-07-01";

/**
 * Monitoring for the demo workspace, on its real transactions: the reference is every
 * customer's features as of 1 July 2011 (the same definitions as customer_features, from the
 * transactions before that day), the current features are the year's; a drift run compares the
 * two. For the bias audit the demo marks one attribute protected: an age band derived from each
 * customer id (synthetic — the retail data has no personal attributes — and labelled so).
 */
export async function seedDemoMonitoring(db: Database, tenantId: string, accounts: Accounts): Promise<void> {
  const analyst = accounts.find((a) => a.role === "analyst")!.user;
  await db.withTenant(tenantId, async (tx) => {
    // The same definitions as customer_features (featureValues), as they were on MID_YEAR.
    const { customers } = await featureValues(tx, tenantId, DEFAULT_PREPARATION, MID_YEAR);
    if (!customers.length) return;
    const column = (pick: (c: CustomerFeatureValues) => number) => Float64Array.from(customers, pick);
    const snapshot: FeatureSnapshot = {
      n: customers.length,
      computedAt: null,
      numeric: new Map([
        ["recency_days", column((c) => c.recencyDays)],
        ["frequency", column((c) => c.frequency)],
        ["monetary", column((c) => c.monetary)],
        ["average_order_value", column((c) => c.averageOrderValue)],
        ["tenure_days", column((c) => c.tenureDays)],
        ["purchase_span_days", column((c) => c.purchaseSpanDays)],
      ]),
      categorical: new Map(),
    };
    await storeBaseline(tx, tenantId, snapshot, "features as of 1 July 2011 (demo reference)", analyst.id);
    await tx.execute(sql`
      insert into attribute_definitions (tenant_id, key, label, type, sensitivity)
      values (${tenantId}, 'age_band', 'Age band (demo: synthetic, derived from the customer id)', 'category', 'protected')
      on conflict do nothing`);
    await tx.execute(sql`
      update customers set attributes = attributes || jsonb_build_object('age_band',
        (array['18-34', '35-49', '50-64', '65+'])[1 + abs(hashtext(external_id)) % 4])
      where tenant_id = ${tenantId}`);
  });
  const drift = await db.withTenant(tenantId, (tx) =>
    queueRun(tx, tenantId, { kind: "drift", trigger: "demand", createdBy: analyst.id })
  );
  await runDriftMonitor(db, tenantId, drift);
  const bias = await db.withTenant(tenantId, (tx) =>
    queueRun(tx, tenantId, { kind: "bias", trigger: "demand", createdBy: analyst.id })
  );
  await runBiasAudit(db, tenantId, bias);
}
