/**
 * A second, deliberately naive computation of the KPI roll-ups in TypeScript over the raw rows
 * (read as the owner), to check the set-based SQL of server/services/kpis/rollup.ts against:
 * loops over customers, invoices and events, no SQL aggregation. Periods come from date_trunc
 * in PostgreSQL (checked against periods.ts separately).
 */
import { ALL_CUSTOMERS, ALL_REGIONS, KPI_GRAINS, type KpiGrain } from "../../db/schema";
import type { TestDatabase } from "./db";

export type RollupKey = string;
export interface RollupValue {
  value: number | null;
  customers: number;
}

/** `${grain}|${region}|${period}|${segment}|${kpi key}` → value, for the built-in KPIs. */
export async function referenceRollups(t: TestDatabase, tenantId: string, grains: readonly KpiGrain[] = KPI_GRAINS): Promise<Map<RollupKey, RollupValue>> {
  const q = async <R extends Record<string, unknown>>(text: string) => (await t.ownerQuery<R>(text, [tenantId])).rows;
  const customers = await q<{ id: string; external_id: string; merged_into: string | null; region: string | null }>(
    `select id, external_id, merged_into, region from customers where tenant_id = $1`,
  );
  const regionIds = new Map((await q<{ id: string; name: string }>(`select id, name from regions where tenant_id = $1`)).map((r) => [r.name, r.id]));
  const memberships = await q<{ segment_id: string; customer_id: string }>(
    `select m.segment_id, m.customer_id from segment_memberships m join segments s on s.tenant_id = m.tenant_id and s.id = m.segment_id
     where m.tenant_id = $1 and m.to_version is null and s.status = 'active'`,
  );
  const activeSegments = (await q<{ id: string }>(`select id from segments where tenant_id = $1 and status = 'active'`)).map((s) => s.id);
  // Every instant's period per grain, computed by PostgreSQL once per distinct day.
  const lines = await q<{ customer_external_id: string; invoice_no: string; quantity: string; unit_price: string; at: string; day: string }>(
    `select customer_external_id, invoice_no, quantity::text, unit_price::text, occurred_at::text as at, (occurred_at at time zone 'UTC')::date::text as day
     from transactions where tenant_id = $1 and customer_external_id is not null`,
  );
  const events = await q<{ customer_external_id: string | null; type: string; value: number | null; day: string }>(
    `select customer_external_id, type, value, (occurred_at at time zone 'UTC')::date::text as day from events where tenant_id = $1`,
  );
  const days = [...new Set([...lines.map((l) => l.day), ...events.map((e) => e.day)])];
  const trunc = new Map<string, string>();
  for (const grain of grains) {
    const rows = (
      await t.ownerQuery<{ d: string; p: string }>(`select d::text, date_trunc($1, d::timestamp)::date::text as p from unnest($2::date[]) d`, [grain, days])
    ).rows;
    for (const r of rows) trunc.set(`${grain}|${r.d}`, r.p);
  }
  const prevOf = async (grain: KpiGrain, periods: string[]) =>
    new Map(
      (
        await t.ownerQuery<{ p: string; prev: string }>(
          `select p::text, (p - $1::interval)::date::text as prev from unnest($2::date[]) p`,
          [{ day: "1 day", week: "7 days", month: "1 month", quarter: "3 months" }[grain], periods],
        )
      ).rows.map((r) => [r.p, r.prev]),
    );

  const byExternal = new Map(customers.map((c) => [c.external_id, c]));
  const survivor = (ext: string | null) => {
    const c = ext === null ? undefined : byExternal.get(ext);
    return c ? (c.merged_into ?? c.id) : null;
  };
  const regionOf = new Map(customers.map((c) => [c.id, c.region !== null ? (regionIds.get(c.region) ?? null) : null]));

  // Invoices (default preparation: no cancellations, positive quantity and price), per survivor.
  const invoices = new Map<string, { customer: string; first: string; firstDay: string; amount: number }>();
  for (const l of lines) {
    if (l.invoice_no.startsWith("C") || !(Number(l.quantity) > 0 && Number(l.unit_price) > 0)) continue;
    const customer = survivor(l.customer_external_id);
    if (!customer) continue;
    const key = `${customer}|${l.invoice_no}`;
    const inv = invoices.get(key) ?? { customer, first: l.at, firstDay: l.day, amount: 0 };
    if (Date.parse(l.at) < Date.parse(inv.first)) Object.assign(inv, { first: l.at, firstDay: l.day });
    inv.amount += Number(l.quantity) * Number(l.unit_price);
    invoices.set(key, inv);
  }

  const groups = new Map<string, string[]>();
  groups.set(ALL_CUSTOMERS, customers.filter((c) => c.merged_into === null).map((c) => c.id));
  for (const s of activeSegments) groups.set(s, []);
  for (const m of memberships) groups.get(m.segment_id)?.push(m.customer_id);

  const out = new Map<RollupKey, RollupValue>();
  for (const grain of grains) {
    type Facts = { revenue: number; orders: number; conversions: number; tickets: number; npsN: number; promoters: number; detractors: number };
    const facts = new Map<string, Map<string, Facts>>();
    const fact = (customer: string, day: string) => {
      const p = trunc.get(`${grain}|${day}`)!;
      let perCustomer = facts.get(customer);
      if (!perCustomer) facts.set(customer, (perCustomer = new Map()));
      let f = perCustomer.get(p);
      if (!f) perCustomer.set(p, (f = { revenue: 0, orders: 0, conversions: 0, tickets: 0, npsN: 0, promoters: 0, detractors: 0 }));
      return f;
    };
    for (const inv of invoices.values()) {
      const f = fact(inv.customer, inv.firstDay);
      f.revenue += inv.amount;
      f.orders += 1;
    }
    for (const e of events) {
      const customer = survivor(e.customer_external_id);
      if (!customer) continue;
      const f = fact(customer, e.day);
      if (e.type === "conversion") f.conversions++;
      if (e.type === "support_ticket") f.tickets++;
      if (e.type === "nps_response" && e.value !== null && e.value >= 0 && e.value <= 10) {
        f.npsN++;
        if (e.value >= 9) f.promoters++;
        if (e.value <= 6) f.detractors++;
      }
    }
    const periods = [...new Set([...facts.values()].flatMap((m) => [...m.keys()]))].sort();
    const prev = await prevOf(grain, periods);
    for (const [segment, members] of groups) {
      const regionsHere = [ALL_REGIONS, ...new Set(members.map((c) => regionOf.get(c)).filter((r): r is string => !!r))];
      for (const region of regionsHere) {
        const inRegion = region === ALL_REGIONS ? members : members.filter((c) => regionOf.get(c) === region);
        if (segment !== ALL_CUSTOMERS && region !== ALL_REGIONS && inRegion.length === 0) continue;
        for (const p of periods) {
          let revenue = 0, orders = 0, buyers = 0, retained = 0, prevBuyers = 0, converters = 0, tickets = 0, npsN = 0, net = 0, active = 0;
          for (const c of inRegion) {
            const f = facts.get(c)?.get(p);
            const before = facts.get(c)?.get(prev.get(p)!);
            if (before && before.orders > 0) prevBuyers++;
            if (!f) continue;
            active++;
            revenue += f.revenue;
            orders += f.orders;
            if (f.orders > 0) buyers++;
            if (f.orders > 0 && before && before.orders > 0) retained++;
            if (f.conversions > 0) converters++;
            tickets += f.tickets;
            npsN += f.npsN;
            net += f.promoters - f.detractors;
          }
          const div = (a: number, b: number) => (b === 0 ? null : a / b);
          const churn = div(prevBuyers - retained, prevBuyers);
          const perBuyer = div(revenue, buyers);
          const values: Record<string, number | null> = {
            segment_size: inRegion.length,
            revenue,
            orders,
            average_order_value: div(revenue, orders),
            purchase_frequency: div(orders, buyers),
            retention_rate: div(retained, prevBuyers),
            churn_rate: churn,
            conversion_rate: div(converters, inRegion.length),
            clv: perBuyer === null || churn === null || churn === 0 ? null : perBuyer / churn,
            nps: npsN === 0 ? null : (100 * net) / npsN,
            tickets_per_customer: div(tickets, inRegion.length),
          };
          for (const [key, value] of Object.entries(values)) out.set(`${grain}|${region}|${p}|${segment}|${key}`, { value, customers: active });
        }
      }
    }
    // Share of revenue: the segment's revenue over the whole business's, same region and period.
    for (const [key, v] of out) {
      const [g, region, p, segment, kpi] = key.split("|");
      if (g !== grain || kpi !== "revenue") continue;
      const whole = out.get(`${g}|${region}|${p}|${ALL_CUSTOMERS}|revenue`)?.value ?? null;
      out.set(`${g}|${region}|${p}|${segment}|share_of_revenue`, { value: whole ? v.value! / whole : null, customers: v.customers });
    }
  }
  return out;
}

/** The stored roll-ups of built-in KPIs, keyed like referenceRollups. */
export async function storedRollups(t: TestDatabase, tenantId: string): Promise<Map<RollupKey, RollupValue & { numerator: number | null; denominator: number | null }>> {
  const rows = (
    await t.ownerQuery<{ grain: string; region_id: string; p: string; segment_id: string; key: string; value: number | null; numerator: number | null; denominator: number | null; customers: number }>(
      `select r.grain, r.region_id, r.period_start::text as p, r.segment_id, d.key, r.value, r.numerator, r.denominator, r.customers
       from kpi_rollups r join kpi_definitions d on d.tenant_id = r.tenant_id and d.id = r.kpi_id
       where r.tenant_id = $1 and d.builtin is not null`,
      [tenantId],
    )
  ).rows;
  return new Map(rows.map((r) => [`${r.grain}|${r.region_id}|${r.p}|${r.segment_id}|${r.key}`, { value: r.value, customers: r.customers, numerator: r.numerator, denominator: r.denominator }]));
}

/** Relative closeness for sums of money (float sums in a different order). */
export function close(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}
