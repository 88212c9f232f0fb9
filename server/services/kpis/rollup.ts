import { and, eq, isNotNull, sql, type SQL } from "drizzle-orm";
import type { Tx } from "../../../db/client";
import { ALL_CUSTOMERS, ALL_REGIONS, KPI_GRAINS, kpiDefinitions, type KpiGrain } from "../../../db/schema";
import { readDataSettings } from "../data/settings";
import { ensureBuiltinKpis } from "./definitions";
import { periodStart, shiftPeriod } from "./periods";
import { ZCustomKpiSpec, type KpiMeasure } from "./spec";

/**
 * What a roll-up recomputes: some segments (a publish) or every segment and the whole business
 * (null), for the periods touching [from, to] (an import's rows) or for all periods (null).
 */
export interface RollupScope {
  segmentIds: string[] | null;
  from: Date | null;
  to: Date | null;
}

export type StepReporter = (step: string, progress: number) => Promise<void>;

/** A uuid[] parameter (drizzle's sql template would spread a JS array into a list). */
const uuidArray = (ids: readonly string[]) => sql`${`{${ids.join(",")}}`}::uuid[]`;

/** The interval between consecutive period starts of a grain, as SQL. */
const STEP: Record<KpiGrain, string> = { day: "1 day", week: "7 days", month: "1 month", quarter: "3 months" };

/** Half-open day range [lo, hi) of ISO dates; null bounds are open. */
interface DayRange {
  lo: string | null;
  hi: string | null;
}

/**
 * For one grain: the periods to write — from the period holding `from` to the one after the
 * period holding `to` (the next period's retention and churn depend on this one's buyers) — and
 * the days whose activity they need (one more period before, for retention).
 */
function windows(grain: KpiGrain, scope: RollupScope): { write: DayRange; read: DayRange } {
  if (!scope.from || !scope.to) return { write: { lo: null, hi: null }, read: { lo: null, hi: null } };
  const lo = periodStart(grain, scope.from);
  const hi = shiftPeriod(grain, periodStart(grain, scope.to), 2);
  return { write: { lo, hi }, read: { lo: shiftPeriod(grain, lo, -1), hi } };
}

const dayAfter = (range: DayRange, column: SQL) => (range.lo ? sql`${column} >= ${range.lo}::date` : sql`true`);
const dayBefore = (range: DayRange, column: SQL) => (range.hi ? sql`${column} < ${range.hi}::date` : sql`true`);
const inDays = (range: DayRange, column: SQL) => sql`(${dayAfter(range, column)} and ${dayBefore(range, column)})`;
/** An instant column within a day range, written so that an index on the column serves it. */
const atInDays = (range: DayRange, column: SQL, slackDays = 0) =>
  sql`(${range.lo ? sql`${column} >= (${range.lo}::date - ${slackDays}::int)::timestamp at time zone 'UTC'` : sql`true`}
       and ${range.hi ? sql`${column} < (${range.hi}::date + ${slackDays}::int)::timestamp at time zone 'UTC'` : sql`true`})`;
const truncTo = (grain: KpiGrain, day: SQL) => sql`date_trunc(${grain}, ${day}::timestamp)::date`;
/** The region of a grouping-sets row: a region id, or ALL_REGIONS on the rows grouped over regions. */
const regionOf = sql`case when grouping(m.region_id) = 1 then ${ALL_REGIONS}::uuid else m.region_id end`;
const regionGroups = sql`grouping sets ((m.segment_id, s.p), (m.segment_id, m.region_id, s.p)) having grouping(m.region_id) = 1 or m.region_id is not null`;

/**
 * Recomputes the roll-ups of `scope` inside `tx`: the rows it covers are deleted and written
 * again, so that a run that fails leaves the previous roll-ups and running it twice gives the
 * same rows. Everything is set-based SQL (docs/decisions/012-kpi-rollups.md):
 *   1. cells: customers with the same segments (current published members of the active
 *      segments in scope), region and whole-business flag share a cell; kpi_cells maps each
 *      cell to the segments (and ALL_CUSTOMERS) it counts for, with its size. Segment figures
 *      are sums over cells, so the heavy per-customer work is done once per customer, not once
 *      per customer and segment;
 *   2. kpi_facts: per customer and UTC day, revenue and orders (from transactions, by invoice,
 *      with the workspace's preparation rules; merged customers count for their survivor), the
 *      event counts the built-ins need, and the customer's previous active, ordering and
 *      converting days (window functions, one sort);
 *   3. per grain: per cell and period straight from kpi_facts (a day is a customer's first in
 *      the period when the previous one falls in an earlier period; retained when the previous
 *      ordering day falls in the period before), then per segment × region (and all regions) ×
 *      period every built-in KPI, then each custom KPI.
 * A publish (some segments) reads only their members' activity and writes the periods the
 * whole business has roll-ups for, so that the segment's rows line up with everyone else's.
 * Returns the number of rows written.
 */
export async function computeRollups(tx: Tx, tenantId: string, scope: RollupScope, report: StepReporter = async () => {}): Promise<number> {
  await ensureBuiltinKpis(tx, tenantId);
  const { preparation } = await readDataSettings(tx, tenantId);
  const full = scope.segmentIds === null;
  const segmentFilter = full ? sql`true` : sql`m.segment_id = any(${uuidArray(scope.segmentIds!)})`;
  await tx.execute(sql`set local work_mem = '256MB'`);

  await report("members", 0.05);
  await tx.execute(sql`drop table if exists kpi_customer_cells, kpi_cells, kpi_members`);
  await tx.execute(sql`
    create temp table kpi_customer_cells on commit drop as
    with segs as (
      select m.customer_id, array_agg(m.segment_id order by m.segment_id) as segs
      from segment_memberships m
      join segments s on s.tenant_id = m.tenant_id and s.id = m.segment_id and s.status = 'active'
      where m.tenant_id = ${tenantId} and m.to_version is null and ${segmentFilter}
      group by m.customer_id
    ), people as (
      select c.id as customer_id, r.id as region_id, coalesce(segs.segs, '{}'::uuid[]) as segs,
             ${full ? sql`c.merged_into is null` : sql`false`} as in_all
      from customers c
      left join segs on segs.customer_id = c.id
      left join regions r on r.tenant_id = c.tenant_id and r.name = c.region
      where c.tenant_id = ${tenantId} and ${full ? sql`(c.merged_into is null or segs.segs is not null)` : sql`segs.segs is not null`}
    )
    select customer_id, dense_rank() over (order by segs, region_id, in_all)::int as cell, segs, region_id, in_all from people`);
  await tx.execute(sql`
    create temp table kpi_cells on commit drop as
    with c as (select cell, segs, region_id, in_all, count(*)::int as members from kpi_customer_cells group by 1, 2, 3, 4)
    select cell, unnest(segs) as segment_id, region_id, members from c
    union all
    select cell, ${ALL_CUSTOMERS}::uuid, region_id, members from c where in_all`);
  await tx.execute(sql`analyze kpi_customer_cells`);
  await tx.execute(sql`analyze kpi_cells`);

  // The widest day ranges any grain reads (quarters' when the scope is a time range): orders
  // from one period before the first one written (who bought in the previous period), events
  // only from the periods written (nothing of the previous period's events is used).
  const span = (ranges: DayRange[]): DayRange => ({
    lo: ranges.some((r) => r.lo === null) ? null : ranges.map((r) => r.lo!).sort()[0],
    hi: ranges.some((r) => r.hi === null) ? null : ranges.map((r) => r.hi!).sort().at(-1)!,
  });
  const read = span(KPI_GRAINS.map((g) => windows(g, scope).read));
  const readEvents = span(KPI_GRAINS.map((g) => windows(g, scope).write));

  await report("facts", 0.15);
  await tx.execute(sql`drop table if exists kpi_facts`);
  // One row per customer and active day. Every order (invoice) and every event is one row of
  // `x`, aggregated once; the window columns give, for each day, the customer's previous active
  // day, previous ordering day and previous converting day, from which each grain's per-period
  // flags ("first activity in the period", "bought in the previous period") follow without a
  // per-period table or a self-join (see rollGrain).
  await tx.execute(sql`
    create temp table kpi_facts on commit drop as
    with lines as (
      select t.customer_external_id, t.invoice_no, min(t.occurred_at) as first_at, sum(t.quantity * t.unit_price) as amount
      from transactions t
      where t.tenant_id = ${tenantId} and t.customer_external_id is not null
        and (not ${preparation.dropCancellations} or t.invoice_no not like 'C%')
        and (not ${preparation.dropNonPositive} or (t.quantity > 0 and t.unit_price > 0))
        and ${atInDays(read, sql`t.occurred_at`, 1)}
      group by t.customer_external_id, t.invoice_no
    ), invoices as (
      select coalesce(c.merged_into, c.id) as customer_id, l.invoice_no, min(l.first_at) as first_at, sum(l.amount) as amount
      from lines l join customers c on c.tenant_id = ${tenantId} and c.external_id = l.customer_external_id
      group by 1, 2
    ), x as (
      select customer_id, (first_at at time zone 'UTC')::date as day, amount as revenue, 1 as orders,
             0 as conversions, 0 as tickets, 0 as nps_n, 0 as promoters, 0 as detractors
      from invoices where ${atInDays(read, sql`first_at`)}
      union all
      select coalesce(c.merged_into, c.id), (e.occurred_at at time zone 'UTC')::date, 0::numeric, 0,
             case when e.type = 'conversion' then 1 else 0 end,
             case when e.type = 'support_ticket' then 1 else 0 end,
             case when e.type = 'nps_response' and e.value between 0 and 10 then 1 else 0 end,
             case when e.type = 'nps_response' and e.value between 9 and 10 then 1 else 0 end,
             case when e.type = 'nps_response' and e.value between 0 and 6 then 1 else 0 end
      from events e join customers c on c.tenant_id = ${tenantId} and c.external_id = e.customer_external_id
      where e.tenant_id = ${tenantId} and ${atInDays(readEvents, sql`e.occurred_at`)}
    )
    select x.customer_id, cc.cell, x.day, sum(x.revenue) as revenue, sum(x.orders)::int as orders, sum(x.conversions)::int as conversions,
           sum(x.tickets)::int as tickets, sum(x.nps_n)::int as nps_n, sum(x.promoters)::int as promoters, sum(x.detractors)::int as detractors,
           lag(x.day) over w as prev_day,
           max(case when sum(x.orders) > 0 then x.day end) over (w rows between unbounded preceding and 1 preceding) as prev_order_day,
           max(case when sum(x.conversions) > 0 then x.day end) over (w rows between unbounded preceding and 1 preceding) as prev_conversion_day
    from x join kpi_customer_cells cc on cc.customer_id = x.customer_id
    group by x.customer_id, x.day, cc.cell
    window w as (partition by x.customer_id order by x.day)`);
  await tx.execute(sql`analyze kpi_facts`);

  const builtins = await tx
    .select({ id: kpiDefinitions.id, builtin: kpiDefinitions.builtin })
    .from(kpiDefinitions)
    .where(and(eq(kpiDefinitions.tenantId, tenantId), isNotNull(kpiDefinitions.builtin)));
  const customs = await tx
    .select({ id: kpiDefinitions.id, spec: kpiDefinitions.spec })
    .from(kpiDefinitions)
    .where(and(eq(kpiDefinitions.tenantId, tenantId), isNotNull(kpiDefinitions.spec)));
  const kpiIds = sql`${JSON.stringify(Object.fromEntries(builtins.map((b) => [b.builtin, b.id])))}::jsonb`;

  if (customs.length) {
    // Custom measures select customers by attribute or event: they need (customer, segment, region).
    await tx.execute(sql`
      create temp table kpi_members on commit drop as
      select cc.customer_id, k.segment_id, k.region_id from kpi_customer_cells cc join kpi_cells k on k.cell = cc.cell`);
    await tx.execute(sql`analyze kpi_members`);
  }
  const sizeKpi = builtins.find((b) => b.builtin === "segment_size")!.id;

  let written = 0;
  for (const [i, grain] of KPI_GRAINS.entries()) {
    await report(`${grain}s`, 0.25 + (0.7 * i) / KPI_GRAINS.length);
    written += await rollGrain(tx, tenantId, grain, windows(grain, scope), full, scope.segmentIds, kpiIds, sizeKpi, customs);
  }
  await report("done", 1);
  return written;
}

async function rollGrain(
  tx: Tx,
  tenantId: string,
  grain: KpiGrain,
  { read, write }: { read: DayRange; write: DayRange },
  full: boolean,
  segmentIds: string[] | null,
  kpiIds: SQL,
  sizeKpi: string,
  customs: { id: string; spec: Record<string, unknown> | null }[],
): Promise<number> {
  const step = sql.raw(`interval '${STEP[grain]}'`);
  await tx.execute(sql`drop table if exists kpi_cell_stats, kpi_stats, kpi_grid`);
  // Per cell and period, from the customer-day facts: a day counts a customer as active (buying,
  // converting) when it is their first such day in the period — their previous one falls in an
  // earlier period or does not exist; `retained`: a day whose previous ordering day falls in the
  // period before (then it is also the first ordering day of this one).
  const p = grain === "day" ? sql`day` : truncTo(grain, sql`day`);
  const periodOf = (column: SQL) => (grain === "day" ? column : truncTo(grain, column));
  const firstIn = (previous: SQL) => sql`(${previous} is null or ${periodOf(previous)} <> ${p})`;
  await tx.execute(sql`
    create temp table kpi_cell_stats on commit drop as
    select cell, ${p} as p,
           count(*) filter (where ${firstIn(sql`prev_day`)})::int as active, sum(revenue) as revenue, sum(orders)::int as orders,
           count(*) filter (where orders > 0 and ${firstIn(sql`prev_order_day`)})::int as buyers,
           count(*) filter (where orders > 0 and ${periodOf(sql`prev_order_day`)} = (${p} - ${step})::date)::int as retained,
           count(*) filter (where conversions > 0 and ${firstIn(sql`prev_conversion_day`)})::int as converters,
           sum(tickets)::int as tickets, sum(nps_n)::int as nps_n, sum(promoters)::int as promoters, sum(detractors)::int as detractors
    from kpi_facts where ${inDays(read, sql`day`)}
    group by 1, 2`);
  await tx.execute(sql`
    create temp table kpi_stats on commit drop as
    select m.segment_id, ${regionOf} as region_id, s.p,
           sum(s.active)::int as active, sum(s.revenue) as revenue, sum(s.orders)::int as orders, sum(s.buyers)::int as buyers,
           sum(s.retained)::int as retained, sum(s.converters)::int as converters, sum(s.tickets)::int as tickets,
           sum(s.nps_n)::int as nps_n, sum(s.promoters)::int as promoters, sum(s.detractors)::int as detractors
    from kpi_cell_stats s join kpi_cells m on m.cell = s.cell
    group by ${regionGroups}`);
  await tx.execute(sql`create index on kpi_stats (segment_id, region_id, p)`);
  await tx.execute(sql`analyze kpi_stats`);
  // Every segment × region with members, for every period with any activity in the window
  // (a publish: every period the whole business has roll-ups for).
  const periods = full
    ? sql`select distinct p from kpi_cell_stats where ${inDays(write, sql`p`)}`
    : sql`select period_start as p from kpi_rollups
          where tenant_id = ${tenantId} and grain = ${grain} and region_id = ${ALL_REGIONS}::uuid
            and segment_id = ${ALL_CUSTOMERS}::uuid and kpi_id = ${sizeKpi}::uuid and ${inDays(write, sql`period_start`)}`;
  await tx.execute(sql`
    create temp table kpi_grid on commit drop as
    with sizes as (
      select m.segment_id, ${regionOf} as region_id, sum(m.members)::int as members
      from kpi_cells m group by grouping sets ((m.segment_id), (m.segment_id, m.region_id))
      having grouping(m.region_id) = 1 or m.region_id is not null
      union all
      select s.id, ${ALL_REGIONS}::uuid, 0 from segments s
      where s.tenant_id = ${tenantId} and s.status = 'active'
        and ${full ? sql`true` : sql`s.id = any(${uuidArray(segmentIds!)})`}
        and not exists (select 1 from kpi_cells m where m.segment_id = s.id)
    ), periods as (${periods})
    select s.segment_id, s.region_id, s.members, periods.p from sizes s cross join periods`);
  await tx.execute(sql`analyze kpi_grid`);

  const segmentOnly = full ? sql`true` : sql`segment_id = any(${uuidArray(segmentIds!)})`;
  const gridOnly = full ? sql`true` : sql`g.segment_id = any(${uuidArray(segmentIds!)})`;
  await tx.execute(sql`
    delete from kpi_rollups
    where tenant_id = ${tenantId} and grain = ${grain} and ${inDays(write, sql`period_start`)} and ${segmentOnly}`);

  // The whole business's revenue per region and period (share of revenue): computed here in a
  // full scope, read from its stored roll-ups otherwise (a publish does not change it).
  const allRevenue = full
    ? sql`select region_id, p, revenue from kpi_stats where segment_id = ${ALL_CUSTOMERS}::uuid`
    : sql`select region_id, period_start as p, value as revenue from kpi_rollups
          where tenant_id = ${tenantId} and grain = ${grain} and segment_id = ${ALL_CUSTOMERS}::uuid
            and kpi_id = (${kpiIds} ->> 'revenue')::uuid`;
  const inserted = await tx.execute(sql`
    insert into kpi_rollups (tenant_id, grain, region_id, period_start, segment_id, kpi_id, value, numerator, denominator, customers)
    select ${tenantId}, ${grain}, g.region_id, g.p, g.segment_id, (${kpiIds} ->> v.key)::uuid, v.value, v.num, v.den, coalesce(st.active, 0)
    from kpi_grid g
    left join kpi_stats st on st.segment_id = g.segment_id and st.region_id = g.region_id and st.p = g.p
    left join kpi_stats pv on pv.segment_id = g.segment_id and pv.region_id = g.region_id and pv.p = (g.p - ${step})::date
    left join (${allRevenue}) al on al.region_id = g.region_id and al.p = g.p
    cross join lateral (
      select coalesce(st.revenue, 0)::float8 as revenue, coalesce(st.orders, 0)::float8 as orders, coalesce(st.buyers, 0)::float8 as buyers,
             coalesce(st.retained, 0)::float8 as retained, coalesce(pv.buyers, 0)::float8 as prev_buyers,
             coalesce(st.converters, 0)::float8 as converters, coalesce(st.tickets, 0)::float8 as tickets,
             coalesce(st.nps_n, 0)::float8 as nps_n, coalesce(st.promoters, 0)::float8 - coalesce(st.detractors, 0) as nps_net,
             g.members::float8 as members
    ) x
    cross join lateral (
      select (x.prev_buyers - x.retained) / nullif(x.prev_buyers, 0) as churn, x.revenue / nullif(x.buyers, 0) as per_buyer
    ) y
    cross join lateral (values
      ('segment_size', x.members, x.members, null::float8),
      ('revenue', x.revenue, x.revenue, null),
      ('orders', x.orders, x.orders, null),
      ('average_order_value', x.revenue / nullif(x.orders, 0), x.revenue, x.orders),
      ('purchase_frequency', x.orders / nullif(x.buyers, 0), x.orders, x.buyers),
      ('retention_rate', x.retained / nullif(x.prev_buyers, 0), x.retained, x.prev_buyers),
      ('churn_rate', y.churn, x.prev_buyers - x.retained, x.prev_buyers),
      ('conversion_rate', x.converters / nullif(x.members, 0), x.converters, x.members),
      ('clv', y.per_buyer / nullif(y.churn, 0), y.per_buyer, y.churn),
      ('share_of_revenue', x.revenue / nullif(al.revenue, 0), x.revenue, al.revenue),
      ('nps', 100 * x.nps_net / nullif(x.nps_n, 0), x.nps_net, x.nps_n),
      ('tickets_per_customer', x.tickets / nullif(x.members, 0), x.tickets, x.members)
    ) v(key, value, num, den)
    where ${gridOnly}`);
  let written = inserted.rowCount ?? 0;

  for (const custom of customs) {
    const parsed = ZCustomKpiSpec.safeParse(custom.spec);
    // A stored spec was validated when it was saved; one that no longer parses is skipped, not guessed at.
    if (!parsed.success) continue;
    const spec = parsed.data;
    const a = measureSql(tenantId, grain, read, spec.kind === "aggregate" ? spec.measure : spec.numerator);
    const b = spec.kind === "ratio" ? measureSql(tenantId, grain, read, spec.denominator) : null;
    const join = (m: Measure, alias: SQL) =>
      sql`left join (${m.query}) ${alias} on ${alias}.segment_id = g.segment_id and ${alias}.region_id = g.region_id
          ${m.perPeriod ? sql`and ${alias}.p = g.p` : sql``}`;
    const aValue = a.zero ? sql`coalesce(a.value, 0)` : sql`a.value`;
    const bValue = b ? (b.zero ? sql`coalesce(b.value, 0)` : sql`b.value`) : sql`null::float8`;
    const result = await tx.execute(sql`
      insert into kpi_rollups (tenant_id, grain, region_id, period_start, segment_id, kpi_id, value, numerator, denominator, customers)
      select ${tenantId}, ${grain}, g.region_id, g.p, g.segment_id, ${custom.id}::uuid,
             ${b ? sql`${aValue} / nullif(${bValue}, 0)` : aValue}, ${aValue}, ${bValue}, coalesce(st.active, 0)
      from kpi_grid g
      left join kpi_stats st on st.segment_id = g.segment_id and st.region_id = g.region_id and st.p = g.p
      ${join(a, sql.raw("a"))}
      ${b ? join(b, sql.raw("b")) : sql``}
      where ${gridOnly}`);
    written += result.rowCount ?? 0;
  }
  return written;
}

interface Measure {
  /** Rows of (segment_id, region_id[, p], value), regions grouped like kpi_stats. */
  query: SQL;
  perPeriod: boolean;
  /** Whether no rows means 0 (counts and sums) rather than no value (averages). */
  zero: boolean;
}

/** One measure of a custom KPI per segment × region (× period for events), set-based. */
function measureSql(tenantId: string, grain: KpiGrain, read: DayRange, measure: KpiMeasure): Measure {
  if (measure.source === "customers") {
    const attr = measure.attribute ? sql`(c.attributes ->> ${measure.attribute})::numeric` : sql`null::numeric`;
    const numericAttr = measure.attribute ? sql`jsonb_typeof(c.attributes -> ${measure.attribute}) = 'number'` : sql`true`;
    const agg =
      measure.aggregate === "count"
        ? sql`count(*)::float8`
        : measure.aggregate === "sum"
          ? sql`coalesce(sum(${attr}) filter (where ${numericAttr}), 0)::float8`
          : sql`(avg(${attr}) filter (where ${numericAttr}))::float8`;
    return {
      query: sql`select m.segment_id, ${regionOf} as region_id, ${agg} as value
        from kpi_members m join customers c on c.tenant_id = ${tenantId} and c.id = m.customer_id
        where ${customerFilter(measure.filter)}
        group by grouping sets ((m.segment_id), (m.segment_id, m.region_id)) having grouping(m.region_id) = 1 or m.region_id is not null`,
      perPeriod: false,
      zero: measure.aggregate !== "average",
    };
  }
  const f = measure.filter;
  const agg =
    measure.aggregate === "count"
      ? sql`count(*)::float8`
      : measure.aggregate === "sum"
        ? sql`coalesce(sum(m.value), 0)::float8`
        : measure.aggregate === "average"
          ? sql`avg(m.value)::float8`
          : sql`count(distinct m.customer_id)::float8`;
  const conditions = [
    f.type !== undefined ? sql`e.type = ${f.type}` : null,
    f.channel !== undefined ? sql`e.channel = ${f.channel}` : null,
    f.campaign !== undefined ? sql`e.campaign = ${f.campaign}` : null,
    f.minValue !== undefined ? sql`e.value >= ${f.minValue}` : null,
    f.maxValue !== undefined ? sql`e.value <= ${f.maxValue}` : null,
  ].filter((c): c is SQL => c !== null);
  return {
    query: sql`select m.segment_id, ${regionOf} as region_id, m.p, ${agg} as value
      from (
        select k.segment_id, k.region_id, k.customer_id, e.value, ${truncTo(grain, sql`(e.occurred_at at time zone 'UTC')::date`)} as p
        from events e join customers c on c.tenant_id = ${tenantId} and c.external_id = e.customer_external_id
        join kpi_members k on k.customer_id = coalesce(c.merged_into, c.id)
        where e.tenant_id = ${tenantId} and ${atInDays(read, sql`e.occurred_at`)}
          ${conditions.length ? sql`and ${sql.join(conditions, sql` and `)}` : sql``}
      ) m
      group by grouping sets ((m.segment_id, m.p), (m.segment_id, m.region_id, m.p)) having grouping(m.region_id) = 1 or m.region_id is not null`,
    perPeriod: true,
    zero: measure.aggregate !== "average",
  };
}

function customerFilter(filter: Extract<KpiMeasure, { source: "customers" }>["filter"]): SQL {
  if (!filter) return sql`true`;
  const value = sql`c.attributes -> ${filter.attribute}`;
  if (filter.op === "eq") return sql`${value} = ${JSON.stringify(filter.value)}::jsonb`;
  if (filter.op === "neq") return sql`${value} is distinct from ${JSON.stringify(filter.value)}::jsonb`;
  const op = sql.raw({ gt: ">", gte: ">=", lt: "<", lte: "<=" }[filter.op]);
  return sql`(jsonb_typeof(${value}) = 'number' and (${value})::text::numeric ${op} ${filter.value})`;
}
