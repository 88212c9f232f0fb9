import { sql } from "drizzle-orm";
import { z } from "zod";
import { can } from "../../auth/permissions";
import type { TenantScope } from "../scope";
import { readDataSettings } from "./settings";

export const ZListCustomersInput = z.object({
  search: z.string().trim().max(200).optional(),
  segment: z.string().trim().max(60).optional(),
  optedOut: z.boolean().optional(),
  afterExternalId: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});

const MASK = "•••";

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Customers (survivors of identity resolution) with their features, paged by external id.
 * Roles without `pii:read` get names, emails, phones and PII/protected attributes masked,
 * and may search by customer id only.
 */
export async function listCustomers(scope: TenantScope, input: z.input<typeof ZListCustomersInput>) {
  const f = ZListCustomersInput.parse(input);
  const pii = can(scope.role, "pii:read");
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const defs = await tx.execute<{ key: string; label: string; sensitivity: string; type: string }>(
      sql`select key, label, sensitivity, type from attribute_definitions where tenant_id = ${scope.tenantId} order by key`,
    );
    const search = f.search ? `%${escapeLike(f.search)}%` : null;
    const rows = await tx.execute<{
      id: string;
      external_id: string;
      name: string | null;
      email: string | null;
      phone: string | null;
      region: string | null;
      opted_out: boolean;
      attributes: Record<string, unknown>;
      merged_count: number;
      recency_days: number | null;
      frequency: number | null;
      monetary: number | null;
      r: number | null;
      f: number | null;
      m: number | null;
      rfm_segment: string | null;
    }>(sql`
      select c.id, c.external_id, c.name, c.email, c.phone, c.region, c.opted_out, c.attributes,
             (select count(*)::int from customers d where d.tenant_id = c.tenant_id and d.merged_into = c.id) as merged_count,
             cf.recency_days, cf.frequency, cf.monetary, cf.r, cf.f, cf.m, cf.rfm_segment
      from customers c
      left join customer_features cf on cf.tenant_id = c.tenant_id and cf.customer_id = c.id
      where c.tenant_id = ${scope.tenantId} and c.merged_into is null
        and (${search}::text is null or c.external_id ilike ${search} ${pii ? sql`or c.email_norm ilike ${search} or c.name ilike ${search}` : sql``})
        and (${f.segment ?? null}::text is null or cf.rfm_segment = ${f.segment ?? null})
        and (${f.optedOut ?? null}::boolean is null or c.opted_out = ${f.optedOut ?? null})
        and (${f.afterExternalId ?? null}::text is null or c.external_id > ${f.afterExternalId ?? null})
      order by c.external_id
      limit ${f.limit + 1}`);
    const hidden = new Set(defs.rows.filter((d) => d.sensitivity !== "plain").map((d) => d.key));
    const customers = rows.rows.slice(0, f.limit).map((r) => ({
      id: r.id,
      externalId: r.external_id,
      name: pii ? r.name : r.name && MASK,
      email: pii ? r.email : r.email && MASK,
      phone: pii ? r.phone : r.phone && MASK,
      region: r.region,
      optedOut: r.opted_out,
      mergedCount: r.merged_count,
      attributes: pii ? r.attributes : Object.fromEntries(Object.entries(r.attributes).map(([k, v]) => [k, hidden.has(k) ? MASK : v])),
      features:
        r.r === null
          ? null
          : { recencyDays: r.recency_days, frequency: r.frequency, monetary: r.monetary, r: r.r, f: r.f, m: r.m, segment: r.rfm_segment },
    }));
    return {
      customers,
      attributes: defs.rows,
      piiVisible: pii,
      nextAfter: rows.rows.length > f.limit ? customers[customers.length - 1].externalId : null,
    };
  });
}

/** The workspace's data at a glance and its RFM baseline segmentation. */
export async function dataOverview(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const counts = await tx.execute<{ customers: number; merged: number; opted_out: number; transactions: number; with_features: number }>(sql`
      select (select count(*)::int from customers where tenant_id = ${scope.tenantId} and merged_into is null) as customers,
             (select count(*)::int from customers where tenant_id = ${scope.tenantId} and merged_into is not null) as merged,
             (select count(*)::int from customers where tenant_id = ${scope.tenantId} and merged_into is null and opted_out) as opted_out,
             (select count(*)::int from transactions where tenant_id = ${scope.tenantId}) as transactions,
             (select count(*)::int from customer_features where tenant_id = ${scope.tenantId}) as with_features`);
    const segments = await tx.execute<{ segment: string; customers: number; recency: number; frequency: number; monetary: number; revenue: number }>(sql`
      select rfm_segment as segment, count(*)::int as customers, avg(recency_days)::float8 as recency,
             avg(frequency)::float8 as frequency, avg(monetary)::float8 as monetary, sum(monetary)::float8 as revenue
      from customer_features where tenant_id = ${scope.tenantId}
      group by rfm_segment order by sum(monetary) desc`);
    const settings = await readDataSettings(tx, scope.tenantId);
    const p = settings.preparation;
    // The usual preparation, step by step, in the order the rules apply.
    const prep = await tx.execute<{ rows: number; with_customer: number; not_cancelled: number; used: number }>(sql`
      select count(*)::int as rows,
             count(*) filter (where customer_external_id is not null)::int as with_customer,
             count(*) filter (where customer_external_id is not null and (not ${p.dropCancellations} or invoice_no not like 'C%'))::int as not_cancelled,
             count(*) filter (where customer_external_id is not null and (not ${p.dropCancellations} or invoice_no not like 'C%')
                                and (not ${p.dropNonPositive} or (quantity > 0 and unit_price > 0)))::int as used
      from transactions where tenant_id = ${scope.tenantId}`);
    const ref = await tx.execute<{ d: string | null }>(
      sql`select max(reference_date)::text as d from customer_features where tenant_id = ${scope.tenantId}`,
    );
    const steps = prep.rows[0];
    return {
      ...counts.rows[0],
      referenceDate: ref.rows[0].d,
      rfmSegments: segments.rows,
      preparation: {
        rules: p,
        rows: steps.rows,
        dropped: {
          noCustomer: steps.rows - steps.with_customer,
          cancelled: steps.with_customer - steps.not_cancelled,
          nonPositive: steps.not_cancelled - steps.used,
        },
        used: steps.used,
      },
    };
  });
}
