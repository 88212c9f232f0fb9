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

/**
 * A completed k-means run written by hand over the customers of seedMonitoringCustomers: k = 2 on
 * monetary and frequency, even-numbered customers (M2, M4, …) in cluster 1 and odd ones in
 * cluster 2, with stored profiles cluster 1: monetary 400 (standardised difference −0.5),
 * frequency 1.2 (−0.25); cluster 2: monetary 600 (+0.5), frequency 1.4 (+0.25) — overall means
 * 500 and 1.3, standard deviations 200 and 0.4. Sizes are N / 2 each (N even). Returns its id.
 */
export async function insertTwoClusterRun(t: TestDatabase, tenantId: string, N = 3000): Promise<string> {
  const params = {
    features: [
      { field: "monetary", transform: "standard" },
      { field: "frequency", transform: "standard" },
    ],
    kMin: 2,
    kMax: 2,
    seed: 1,
    restarts: 1,
  };
  const run = await t.ownerQuery<{ id: string }>(
    `insert into model_runs (tenant_id, status, algorithm, params, progress, chosen_k, recommended_k, n, code_version, finished_at)
     values ($1, 'completed', 'kmeans', $2, 1, 2, 2, ${N}, 'test', now()) returning id`,
    [tenantId, JSON.stringify(params)]
  );
  const runId = run.rows[0].id;
  const profile = (m: number, dm: number, f: number, df: number) =>
    JSON.stringify([
      { feature: "monetary", mean: m, median: m, standardisedDifference: dm, kruskalWallisH: 0, kruskalWallisP: 1 },
      { feature: "frequency", mean: f, median: f, standardisedDifference: df, kruskalWallisH: 0, kruskalWallisP: 1 },
    ]);
  await t.ownerQuery(
    `insert into model_run_clusters (tenant_id, run_id, k, cluster, size, profile, suggested_name, pca_x, pca_y) values
     ($1, $2, 2, 1, ${N / 2}, $3, 'Low spend', -1, 0), ($1, $2, 2, 2, ${N / 2}, $4, 'High spend', 1, 0)`,
    [tenantId, runId, profile(400, -0.5, 1.2, -0.25), profile(600, 0.5, 1.4, 0.25)]
  );
  await t.ownerQuery(
    `insert into model_run_assignments (tenant_id, run_id, customer_id, cluster)
     select c.tenant_id, $2, c.id, case when substr(c.external_id, 2)::int % 2 = 0 then 1 else 2 end
     from customers c where c.tenant_id = $1 and c.external_id like 'M%'`,
    [tenantId, runId]
  );
  return runId;
}
