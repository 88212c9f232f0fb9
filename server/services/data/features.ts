import { sql } from "drizzle-orm";
import type { Tx } from "../../../db/client";
import { txClient } from "../../../db/client";
import { compareCustomerIds, rfmSegment, scoreRfm } from "../../analytics/rfm";

/** The usual preparation of transactions before RFM; each rule is a workspace setting. */
export interface PreparationRules {
  dropCancellations: boolean;
  dropNonPositive: boolean;
}

export const DEFAULT_PREPARATION: PreparationRules = { dropCancellations: true, dropNonPositive: true };

type AggregateRow = {
  customer_id: string;
  external_id: string;
  recency: number;
  frequency: number;
  monetary_cents: string;
  tenure: number;
  span: number;
};

/**
 * Names of the customer_features columns in analysis views (model runs, monitoring). The rule
 * builder words them as conditions instead (segments/describe.ts).
 */
export const FEATURE_COLUMN_LABELS = {
  recency_days: "Recency (days)",
  frequency: "Frequency (orders)",
  monetary: "Monetary value",
  average_order_value: "Average order value",
  tenure_days: "Tenure (days)",
  purchase_span_days: "Purchase span (days)",
  r: "R score",
  f: "F score",
  m: "M score",
  rfm_segment: "RFM segment",
} as const;

/** One customer's features (the columns of customer_features). */
export interface CustomerFeatureValues {
  customerId: string;
  recencyDays: number;
  frequency: number;
  monetary: number;
  averageOrderValue: number;
  tenureDays: number;
  purchaseSpanDays: number;
  r: number;
  f: number;
  m: number;
  rfmSegment: string;
}

/**
 * Every customer's features from the tenant's transactions: aggregates in PostgreSQL (recency
 * to the day after the last used invoice, distinct invoices, spend summed exactly and rounded
 * to cents once, average order value, tenure, purchase span), then R/F/M quintile scores and
 * the named RFM segment by the same pure code as `npm run cli -- rfm`. Transactions of merged
 * customers count for their survivor. Rows without a customer are always left out.
 *
 * `before` (an ISO date) computes them as they were on that day: only transactions before it,
 * recency and tenure counted to it, and scores among the customers who had bought by then
 * (time-window stability of model runs). Returns the customers in customer-id order with the
 * reference date, or none.
 */
export async function featureValues(
  tx: Tx,
  tenantId: string,
  rules: PreparationRules = DEFAULT_PREPARATION,
  before: string | null = null,
): Promise<{ referenceDate: string | null; customers: CustomerFeatureValues[] }> {
  const rows = await tx.execute<AggregateRow & { reference_date: string }>(sql`
    with invoices as materialized (
      -- One row per customer id and invoice first (a few thousand to a few hundred thousand rows),
      -- so that the join to customers stays small whatever the planner believes about fresh rows.
      select t.customer_external_id, t.invoice_no, min(t.occurred_at) as first_at, max(t.occurred_at) as last_at,
             sum(t.quantity * t.unit_price) as amount
      from transactions t
      where t.tenant_id = ${tenantId} and t.customer_external_id is not null
        and (not ${rules.dropCancellations} or t.invoice_no not like 'C%')
        and (not ${rules.dropNonPositive} or (t.quantity > 0 and t.unit_price > 0))
        and (${before}::date is null or t.occurred_at < (${before}::date)::timestamp at time zone 'UTC')
      group by t.customer_external_id, t.invoice_no
    ),
    used as materialized (
      select coalesce(c.merged_into, c.id) as customer_id, i.invoice_no, i.first_at, i.last_at, i.amount
      from invoices i
      join customers c on c.tenant_id = ${tenantId} and c.external_id = i.customer_external_id
    ),
    ref as materialized (select coalesce(${before}::date, (max(last_at) at time zone 'UTC')::date + 1) as d from used),
    agg as (
      select customer_id,
             (max(last_at) at time zone 'UTC')::date as last_day,
             (min(first_at) at time zone 'UTC')::date as first_day,
             count(distinct invoice_no)::int as frequency,
             round(sum(amount) * 100) as monetary_cents
      from used group by customer_id
    )
    select a.customer_id, s.external_id, (ref.d - a.last_day)::int as recency, a.frequency, a.monetary_cents::text,
           (ref.d - a.first_day)::int as tenure, (a.last_day - a.first_day)::int as span, ref.d::text as reference_date
    from agg a cross join ref
    join customers s on s.tenant_id = ${tenantId} and s.id = a.customer_id`);
  const list = rows.rows.sort((x, y) => compareCustomerIds(x.external_id, y.external_id));
  if (list.length === 0) return { referenceDate: null, customers: [] };
  const recency = Int32Array.from(list, (r) => r.recency);
  const frequency = Int32Array.from(list, (r) => r.frequency);
  const monetaryCents = Float64Array.from(list, (r) => Number(r.monetary_cents));
  const scores = scoreRfm({ recency, frequency, monetaryCents });
  return {
    referenceDate: list[0].reference_date,
    customers: list.map((r, i) => ({
      customerId: r.customer_id,
      recencyDays: r.recency,
      frequency: r.frequency,
      monetary: monetaryCents[i] / 100,
      averageOrderValue: monetaryCents[i] / 100 / r.frequency,
      tenureDays: r.tenure,
      purchaseSpanDays: r.span,
      r: scores.r[i],
      f: scores.f[i],
      m: scores.m[i],
      rfmSegment: rfmSegment(scores.r[i], scores.f[i], scores.m[i]),
    })),
  };
}

/**
 * Recomputes every customer's features from the tenant's transactions (featureValues), inside
 * the caller's transaction. Returns the number of customers with features.
 */
export async function recomputeFeatures(tx: Tx, tenantId: string, rules: PreparationRules = DEFAULT_PREPARATION) {
  const { referenceDate, customers: list } = await featureValues(tx, tenantId, rules);
  await tx.execute(sql`delete from customer_features where tenant_id = ${tenantId}`);
  const n = list.length;
  if (n === 0) return 0;
  await txClient(tx).query(
    `insert into customer_features (tenant_id, customer_id, reference_date, recency_days, frequency, monetary,
       average_order_value, tenure_days, purchase_span_days, r, f, m, rfm_segment)
     select $1, u.customer_id, $2::date, u.recency, u.frequency, u.monetary, u.monetary / u.frequency, u.tenure, u.span,
            u.r, u.f, u.m, u.segment
     from unnest($3::uuid[], $4::int[], $5::int[], $6::float8[], $7::int[], $8::int[], $9::int2[], $10::int2[], $11::int2[], $12::text[])
       as u(customer_id, recency, frequency, monetary, tenure, span, r, f, m, segment)`,
    [
      tenantId,
      referenceDate,
      list.map((r) => r.customerId),
      list.map((r) => r.recencyDays),
      list.map((r) => r.frequency),
      list.map((r) => r.monetary),
      list.map((r) => r.tenureDays),
      list.map((r) => r.purchaseSpanDays),
      list.map((r) => r.r),
      list.map((r) => r.f),
      list.map((r) => r.m),
      list.map((r) => r.rfmSegment),
    ],
  );
  return n;
}
