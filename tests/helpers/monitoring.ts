import type { TestDatabase } from "./db";

/**
 * N customers M1..MN with features, written as the owner, for monitoring tests: gender F when
 * i % 3 = 0 and M otherwise (stored as ' F ' to check trimming), marked protected; frequency 2
 * for F with i % 6 = 0 and M with i % 5 = 0, else 1 (for N = 3,000: F 500 of 1,000, M 400 of
 * 2,000); monetary spread over 1..1000 by i·37 mod 1000 + 1.
 */
export async function seedMonitoringCustomers(t: TestDatabase, tenantId: string, N: number) {
  await t.ownerQuery(
    `insert into customers (tenant_id, external_id, attributes)
     select $1, 'M' || i, jsonb_build_object('gender', case when i % 3 = 0 then ' F ' else 'M' end)
     from generate_series(1, ${N}) i`,
    [tenantId]
  );
  await t.ownerQuery(
    `insert into customer_features (tenant_id, customer_id, reference_date, recency_days, frequency, monetary, average_order_value,
                                    tenure_days, purchase_span_days, r, f, m, rfm_segment)
     select c.tenant_id, c.id, '2011-12-10', i % 365, case when (i % 3 = 0 and i % 6 = 0) or (i % 3 <> 0 and i % 5 = 0) then 2 else 1 end,
            (i * 37 % 1000) + 1, (i * 37 % 1000) + 1, 400 + i % 50, i % 100, 1 + i % 5, 1 + i % 5, 1 + i % 5,
            case when i % 4 = 0 then 'Champions' else 'Loyal' end
     from customers c cross join lateral (select substr(c.external_id, 2)::int as i) x
     where c.tenant_id = $1 and c.external_id like 'M%'`,
    [tenantId]
  );
  await t.ownerQuery(
    `insert into attribute_definitions (tenant_id, key, label, type, sensitivity) values ($1, 'gender', 'Gender', 'category', 'protected')`,
    [tenantId]
  );
}
