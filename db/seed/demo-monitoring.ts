import { sql } from "drizzle-orm";
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
    const { rows } = await tx.execute<{
      n: number;
      recency_days: Buffer;
      frequency: Buffer;
      monetary: Buffer;
      average_order_value: Buffer;
      tenure_days: Buffer;
      purchase_span_days: Buffer;
    }>(sql`
      with invoices as (
        select coalesce(c.merged_into, c.id) as customer_id, t.invoice_no, min(t.occurred_at) as at, sum(t.quantity * t.unit_price) as amount
        from transactions t join customers c on c.tenant_id = t.tenant_id and c.external_id = t.customer_external_id
        where t.tenant_id = ${tenantId} and t.occurred_at < ${MID_YEAR}::timestamptz and t.invoice_no not like 'C%' and t.quantity > 0 and t.unit_price > 0
        group by 1, 2
      ),
      agg as (
        select customer_id, count(*)::int as frequency, round(sum(amount) * 100) / 100 as monetary,
               (${MID_YEAR}::date - (max(at) at time zone 'UTC')::date) as recency, (${MID_YEAR}::date - (min(at) at time zone 'UTC')::date) as tenure,
               ((max(at) at time zone 'UTC')::date - (min(at) at time zone 'UTC')::date) as span
        from invoices group by customer_id
      )
      select count(*)::int as n,
             string_agg(float8send(recency::float8), ''::bytea) as recency_days, string_agg(float8send(frequency::float8), ''::bytea) as frequency,
             string_agg(float8send(monetary::float8), ''::bytea) as monetary, string_agg(float8send((monetary / frequency)::float8), ''::bytea) as average_order_value,
             string_agg(float8send(tenure::float8), ''::bytea) as tenure_days, string_agg(float8send(span::float8), ''::bytea) as purchase_span_days
      from agg`);
    if (!rows[0].n) return;
    const decode = (b: Buffer) => Float64Array.from({ length: b.length / 8 }, (_, i) => b.readDoubleBE(i * 8));
    const snapshot: FeatureSnapshot = {
      n: rows[0].n,
      computedAt: null,
      numeric: new Map(
        (
          ["recency_days", "frequency", "monetary", "average_order_value", "tenure_days", "purchase_span_days"] as const
        ).map((f) => [f, decode(rows[0][f])])
      ),
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
