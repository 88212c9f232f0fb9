/**
 * KPI roll-ups on generated data: every built-in KPI of every segment, region, grain and period
 * equals a naive TypeScript computation over the raw rows (tests/helpers/kpis.ts); custom KPIs
 * equal direct SQL; an import's incremental run gives exactly what a full rebuild gives; a
 * publish recomputes its segment; a failed run leaves the previous roll-ups; the events import
 * reports bad rows and keeps good ones; the dashboard payload is read from the roll-ups.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_CUSTOMERS, ALL_REGIONS } from "../../db/schema";
import { importFile } from "../../db/seed/data-factory";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { recomputeFeatures } from "../../server/services/data/features";
import { computeRollups, createKpi, dashboard, queueRollup, runRollup, segmentSeries, setKpiTarget, updateKpi } from "../../server/services/kpis";
import { createProposal, decideProposal, submitProposal } from "../../server/services/segments";
import { editDraft, publishedSegment, scopeOf } from "../helpers/governance";
import { jobsFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { close, referenceRollups, storedRollups } from "../helpers/kpis";
import { childrenOf, nodeMap, rootGroup } from "../../server/services/segments/draft-doc";

let t: TestDatabase;
let w: FactoryWorkspace;
let north: string;
let frequent: string;

/** Runs every queued roll-up run of the workspace, oldest first. */
async function drainRuns(tenantId: string) {
  const runs = await t.ownerQuery<{ id: string }>(`select id from kpi_rollup_runs where tenant_id = $1 and status = 'queued' order by created_at`, [tenantId]);
  for (const r of runs.rows) await runRollup(t.db, tenantId, r.id);
  return runs.rows.length;
}

async function fullRebuild(tenantId: string) {
  const runId = await t.db.withTenant(tenantId, (tx) => queueRollup(tx, tenantId, { trigger: "rebuild", createdBy: null }));
  await drainRuns(tenantId);
  return runId;
}

function expectMatches(actual: Awaited<ReturnType<typeof storedRollups>>, expected: Awaited<ReturnType<typeof referenceRollups>>) {
  expect(expected.size).toBeGreaterThan(1000);
  const missing = [...expected.keys()].filter((k) => !actual.has(k));
  const extra = [...actual.keys()].filter((k) => !expected.has(k));
  expect(missing.slice(0, 5)).toEqual([]);
  expect(extra.slice(0, 5)).toEqual([]);
  const wrong = [...expected].filter(([k, v]) => !close(actual.get(k)!.value, v.value) || actual.get(k)!.customers !== v.customers);
  expect(wrong.slice(0, 5).map(([k, v]) => ({ k, expected: v, actual: actual.get(k) }))).toEqual([]);
}

/** A deterministic pseudo-random integer in [0, n) of a seed expression (SQL). */
const h = (expr: string, n: number) => `(abs(hashtext(${expr})) % ${n})`;

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Kpi Co");
  const tid = w.tenantId;
  // 240 customers in North, South, an undefined region and none; one merged into another.
  await t.ownerQuery(
    `insert into customers (tenant_id, external_id, region, attributes)
     select $1, 'K' || lpad(i::text, 4, '0'), (array['North', 'South', 'Atlantis', null])[1 + i % 4],
            jsonb_build_object('score', i % 7, 'tier', case when i % 3 = 0 then 'gold' else 'silver' end)
     from generate_series(1, 240) i`,
    [tid],
  );
  await t.ownerQuery(`insert into attribute_definitions (tenant_id, key, label, type) values ($1, 'score', 'Score', 'number'), ($1, 'tier', 'Tier', 'category')`, [tid]);
  await t.ownerQuery(
    `update customers set merged_into = (select id from customers where tenant_id = $1 and external_id = 'K0001')
     where tenant_id = $1 and external_id = 'K0240'`,
    [tid],
  );
  // 1,200 invoices of 1-3 lines over 2025 H1: cancellations, returns, lines without a customer,
  // an unknown customer id, invoices whose lines straddle midnight.
  await t.ownerQuery(
    `insert into transactions (tenant_id, id, customer_external_id, invoice_no, quantity, unit_price, occurred_at, import_id)
     select $1, 'T' || inv || '-' || line,
            case when ${h("inv::text || 'c'", 50)} = 0 then null when ${h("inv::text || 'u'", 97)} = 0 then 'UNKNOWN'
                 else 'K' || lpad((1 + ${h("inv::text || 'k'", 240)})::text, 4, '0') end,
            case when inv % 41 = 0 then 'C' || inv else 'I' || inv end,
            case when ${h("inv::text || line::text || 'q'", 30)} = 0 then -1 else 1 + ${h("inv::text || line::text || 'n'", 5)} end,
            round((0.5 + ${h("inv::text || line::text || 'p'", 2000)} / 100.0)::numeric, 2),
            timestamptz '2025-01-01 00:00:00+00' + make_interval(days => ${h("inv::text || 'd'", 181)}) + make_interval(secs => 86390 + line * 7),
            gen_random_uuid()
     from generate_series(1, 1200) inv cross join lateral generate_series(1, 1 + ${h("inv::text || 'l'", 3)}) line`,
    [tid],
  );
  await t.ownerQuery(
    `insert into events (tenant_id, id, customer_external_id, type, occurred_at, value, channel, campaign, import_id)
     select $1, 'E' || i,
            case when ${h("i::text || 'c'", 40)} = 0 then null when ${h("i::text || 'u'", 90)} = 0 then 'NOBODY'
                 else 'K' || lpad((1 + ${h("i::text || 'k'", 240)})::text, 4, '0') end,
            (array['conversion', 'touchpoint', 'support_ticket', 'nps_response', 'visit'])[1 + ${h("i::text || 't'", 5)}],
            timestamptz '2025-01-01 00:00:00+00' + make_interval(secs => ${h("i::text || 's'", 181 * 86400)}),
            ${h("i::text || 'v'", 11)}, (array['email', 'web', 'sales'])[1 + i % 3], 'SPRING', gen_random_uuid()
     from generate_series(1, 2500) i`,
    [tid],
  );
  await t.db.withTenant(tid, (tx) => recomputeFeatures(tx, tid));
  north = (await publishedSegment(w, "North customers", { combinator: "and", children: [{ id: "r", op: "in", field: "region", values: ["North"] }] })).segmentId;
  frequent = (await publishedSegment(w, "Frequent", { combinator: "and", children: [{ id: "f", op: "gte", field: "frequency", value: 6 }] })).segmentId;
  await publishedSegment(w, "Nobody", { combinator: "and", children: [{ id: "n", op: "gte", field: "frequency", value: 100000 }] });
  await drainRuns(tid);
  await fullRebuild(tid);
}, 120_000);
afterAll(() => t.drop());

describe("built-in KPI roll-ups", () => {
  it("equal a naive computation over the raw rows for every segment, region, grain and period", async () => {
    expectMatches(await storedRollups(t, w.tenantId), await referenceRollups(t, w.tenantId));
  });

  it("hold hand-checkable facts: sizes, the whole business, numerators and denominators", async () => {
    const stored = await storedRollups(t, w.tenantId);
    const [{ n }] = (await t.ownerQuery<{ n: number }>(`select count(*)::int as n from customers where tenant_id = $1 and merged_into is null`, [w.tenantId])).rows;
    const [{ m }] = (await t.ownerQuery<{ m: number }>(`select member_count as m from segments where tenant_id = $1 and id = $2`, [w.tenantId, north])).rows;
    const month = [...stored.keys()].find((k) => k.startsWith(`month|${ALL_REGIONS}|2025-03-01|${ALL_CUSTOMERS}|segment_size`))!;
    expect(stored.get(month)!.value).toBe(n);
    expect(n).toBe(239);
    expect(stored.get(`month|${ALL_REGIONS}|2025-03-01|${north}|segment_size`)!.value).toBe(m);
    const aov = stored.get(`month|${ALL_REGIONS}|2025-03-01|${ALL_CUSTOMERS}|average_order_value`)!;
    expect(aov.value).toBeCloseTo(aov.numerator! / aov.denominator!, 9);
    const retention = stored.get(`quarter|${ALL_REGIONS}|2025-04-01|${frequent}|retention_rate`)!.value!;
    const churn = stored.get(`quarter|${ALL_REGIONS}|2025-04-01|${frequent}|churn_rate`)!.value!;
    expect(retention + churn).toBeCloseTo(1, 12);
    // No region row for a region the segment has no members in (North customers are all North).
    const [south] = (await t.ownerQuery<{ id: string }>(`select id from regions where tenant_id = $1 and name = 'South'`, [w.tenantId])).rows;
    expect([...stored.keys()].some((k) => k.includes(`|${south.id}|`) && k.includes(`|${north}|`))).toBe(false);
  });
});

describe("custom KPIs", () => {
  it("are validated with messages that say what is wrong", async () => {
    const scope = scopeOf(w, "analyst");
    await expect(
      createKpi(scope, { key: "revenue", name: "Mine", unit: "count", direction: "higher", spec: { kind: "aggregate", measure: { source: "events", aggregate: "count", filter: {} } } }),
    ).rejects.toThrow(/built-in KPI/);
    await expect(
      createKpi(scope, {
        key: "avg_age",
        name: "Average age",
        unit: "number",
        direction: "higher",
        spec: { kind: "aggregate", measure: { source: "customers", aggregate: "average", attribute: "age" } },
      }),
    ).rejects.toThrow("measure: attribute 'age' is not an attribute of this workspace's customers.");
    await expect(
      createKpi(scope, {
        key: "tier_sum",
        name: "Tier sum",
        unit: "number",
        direction: "higher",
        spec: { kind: "ratio", numerator: { source: "customers", aggregate: "sum", attribute: "tier" }, denominator: { source: "customers", aggregate: "count" } },
      }),
    ).rejects.toThrow("numerator: attribute 'tier' is a category attribute; it must be a number.");
    await expect(
      createKpi(scope, {
        key: "sum_nothing",
        name: "Sum of nothing",
        unit: "number",
        direction: "higher",
        spec: { kind: "aggregate", measure: { source: "customers", aggregate: "sum" } },
      }),
    ).rejects.toThrow(/needs the number attribute/);
    await expect(
      createKpi(scope, {
        key: "bad_range",
        name: "Bad range",
        unit: "number",
        direction: "higher",
        spec: { kind: "aggregate", measure: { source: "events", aggregate: "count", filter: { minValue: 5, maxValue: 1 } } },
      }),
    ).rejects.toThrow(/minimum value must not exceed the maximum/);
  });

  it("roll up counts, averages, distinct customers and ratios over events and customers like direct SQL", async () => {
    const scope = scopeOf(w, "analyst");
    const emailConversions = await createKpi(scope, {
      key: "email_conversions",
      name: "Email conversions",
      unit: "count",
      direction: "higher",
      spec: { kind: "aggregate", measure: { source: "events", aggregate: "count", filter: { type: "conversion", channel: "email" } } },
    });
    const highNps = await createKpi(scope, {
      key: "nps_share_high",
      name: "Responders per visitor",
      unit: "number",
      direction: "higher",
      spec: {
        kind: "ratio",
        numerator: { source: "events", aggregate: "distinct", filter: { type: "nps_response", minValue: 9 } },
        denominator: { source: "events", aggregate: "distinct", filter: { type: "visit" } },
      },
    });
    const goldScore = await createKpi(scope, {
      key: "gold_score",
      name: "Gold members' average score",
      unit: "number",
      direction: "higher",
      spec: { kind: "aggregate", measure: { source: "customers", aggregate: "average", attribute: "score", filter: { attribute: "tier", op: "eq", value: "gold" } } },
    });
    await drainRuns(w.tenantId);
    const got = async (kpiId: string) =>
      new Map(
        (
          await t.ownerQuery<{ k: string; value: number | null }>(
            `select grain || '|' || region_id || '|' || period_start || '|' || segment_id as k, value from kpi_rollups where tenant_id = $1 and kpi_id = $2`,
            [w.tenantId, kpiId],
          )
        ).rows.map((r) => [r.k, r.value]),
      );
    // Direct SQL, per segment (members) and month, all regions.
    const members = `(select customer_id, segment_id from segment_memberships where tenant_id = $1 and to_version is null
                      union all select id, '${ALL_CUSTOMERS}'::uuid from customers where tenant_id = $1 and merged_into is null)`;
    const ofEvents = (where: string, agg: string) =>
      t.ownerQuery<{ segment_id: string; p: string; v: number }>(
        `select m.segment_id, date_trunc('month', e.occurred_at at time zone 'UTC')::date::text as p, ${agg}::float8 as v
         from events e join customers c on c.tenant_id = e.tenant_id and c.external_id = e.customer_external_id
         join ${members} m on m.customer_id = coalesce(c.merged_into, c.id)
         where e.tenant_id = $1 and ${where} group by 1, 2`,
        [w.tenantId],
      );
    const email = await ofEvents(`e.type = 'conversion' and e.channel = 'email'`, "count(*)");
    const emailGot = await got(emailConversions.id);
    expect(email.rows.length).toBeGreaterThan(10);
    for (const r of email.rows) expect(emailGot.get(`month|${ALL_REGIONS}|${r.p}|${r.segment_id}`)).toBe(r.v);
    const high = await ofEvents(`e.type = 'nps_response' and e.value >= 9`, "count(distinct m.customer_id)");
    const visitors = await ofEvents(`e.type = 'visit'`, "count(distinct m.customer_id)");
    const highGot = await got(highNps.id);
    for (const v of visitors.rows) {
      const num = high.rows.find((r) => r.segment_id === v.segment_id && r.p === v.p)?.v ?? 0;
      expect(highGot.get(`month|${ALL_REGIONS}|${v.p}|${v.segment_id}`)).toBeCloseTo(num / v.v, 12);
    }
    const gold = await t.ownerQuery<{ segment_id: string; v: number }>(
      `select m.segment_id, avg((c.attributes->>'score')::numeric)::float8 as v from ${members} m join customers c on c.tenant_id = $1 and c.id = m.customer_id
       where c.attributes->>'tier' = 'gold' group by 1`,
      [w.tenantId],
    );
    const goldGot = await got(goldScore.id);
    for (const g of gold.rows) expect(goldGot.get(`quarter|${ALL_REGIONS}|2025-01-01|${g.segment_id}`)).toBeCloseTo(g.v, 12);
    // Changing a spec recomputes it.
    await updateKpi(scope, { kpiId: emailConversions.id, spec: { kind: "aggregate", measure: { source: "events", aggregate: "count", filter: { type: "conversion", channel: "web" } } } });
    await drainRuns(w.tenantId);
    const web = await ofEvents(`e.type = 'conversion' and e.channel = 'web'`, "count(*)");
    const webGot = await got(emailConversions.id);
    for (const r of web.rows) expect(webGot.get(`month|${ALL_REGIONS}|${r.p}|${r.segment_id}`)).toBe(r.v);
  });
});

describe("incremental roll-ups", () => {
  it("after an events import equal a full rebuild, and the import's bad rows are reported while good ones are kept", async () => {
    const body = [
      "event_id,customer_id,type,date,value,channel,campaign",
      "N1,K0004,conversion,2025-06-30T23:59:00Z,,email,SUMMER",
      "N2,K0008,nps_response,2025-07-02T10:00:00Z,10,web,",
      "N3,K0012,nps_response,2025-07-02T10:00:00Z,11,web,",
      "N4,K0016,support_ticket,not a date,,sales,",
      "N5,,conversion,2025-07-03T08:00:00Z,,web,SUMMER",
      "N6,K0020,support_ticket,2025-07-04T08:00:00Z,,sales,",
      "N7,K0024,,2025-07-04T08:00:00Z,,sales,",
    ].join("\n");
    const imported = await importFile(t.db, w.ownerScope, jobsFor(t.db), { kind: "events", fileName: "events.csv", body });
    expect(imported.outcome).toBe("completed");
    const errors = await t.ownerQuery<{ line: number; column_name: string; reason: string }>(
      `select line, column_name, reason from import_errors where tenant_id = $1 and import_id = $2 order by line`,
      [w.tenantId, imported.importId],
    );
    expect(errors.rows).toEqual([
      { line: 4, column_name: "value", reason: "an nps_response must be a whole number from 0 to 10" },
      { line: 5, column_name: "date", reason: expect.stringContaining("date") },
      { line: 8, column_name: "type", reason: "is empty, but every row needs a value here" },
    ]);
    const kept = await t.ownerQuery<{ id: string }>(`select id from events where tenant_id = $1 and import_id = $2 order by id`, [w.tenantId, imported.importId]);
    expect(kept.rows.map((r) => r.id)).toEqual(["N1", "N2", "N5", "N6"]);
    const [run] = (
      await t.ownerQuery<{ id: string; from_at: Date; to_at: Date; status: string }>(
        `select id, from_at, to_at, status from kpi_rollup_runs where tenant_id = $1 and import_id = $2`,
        [w.tenantId, imported.importId],
      )
    ).rows;
    expect(run.status).toBe("queued");
    expect(run.from_at.toISOString()).toBe("2025-06-30T23:59:00.000Z");
    expect(run.to_at.toISOString()).toBe("2025-07-04T08:00:00.000Z");
    const before = await storedRollups(t, w.tenantId);
    await runRollup(t.db, w.tenantId, run.id);
    const incremental = await storedRollups(t, w.tenantId);
    // Periods before the import's are untouched; the new July periods exist.
    expect(incremental.get(`month|${ALL_REGIONS}|2025-03-01|${ALL_CUSTOMERS}|revenue`)).toEqual(before.get(`month|${ALL_REGIONS}|2025-03-01|${ALL_CUSTOMERS}|revenue`));
    expect(incremental.has(`month|${ALL_REGIONS}|2025-07-01|${ALL_CUSTOMERS}|nps`)).toBe(true);
    expect(before.has(`month|${ALL_REGIONS}|2025-07-01|${ALL_CUSTOMERS}|nps`)).toBe(false);
    await fullRebuild(w.tenantId);
    const rebuilt = await storedRollups(t, w.tenantId);
    expect([...incremental.keys()].sort()).toEqual([...rebuilt.keys()].sort());
    for (const [k, v] of rebuilt) expect({ k, ...incremental.get(k) }).toEqual({ k, ...v });
    expectMatches(rebuilt, await referenceRollups(t, w.tenantId));
  });

  it("after a publish recompute that segment's history over its new members", async () => {
    const change = await createProposal(scopeOf(w, "analyst"), { kind: "change", segmentId: north });
    // North customers who bought at least twice: a smaller membership.
    await editDraft(t.db, w.tenantId, change.proposalId, (doc) => {
      childrenOf(rootGroup(doc)).push([nodeMap({ id: "f2", op: "gte", field: "frequency", value: 2 })]);
    });
    const frequentBefore = (await storedRollups(t, w.tenantId)).get(`month|${ALL_REGIONS}|2025-05-01|${frequent}|revenue`);
    const sizeBefore = (await storedRollups(t, w.tenantId)).get(`month|${ALL_REGIONS}|2025-05-01|${north}|segment_size`)!.value!;
    await submitProposal(scopeOf(w, "analyst"), { proposalId: change.proposalId });
    await decideProposal(scopeOf(w, "admin"), { proposalId: change.proposalId, decision: "approve", reason: "Recompute" });
    const queued = await t.ownerQuery<{ trigger: string; segment_ids: string[] }>(
      `select trigger, segment_ids from kpi_rollup_runs where tenant_id = $1 and status = 'queued'`,
      [w.tenantId],
    );
    expect(queued.rows).toEqual([{ trigger: "publish", segment_ids: [north] }]);
    await drainRuns(w.tenantId);
    const after = await storedRollups(t, w.tenantId);
    expectMatches(after, await referenceRollups(t, w.tenantId));
    expect(after.get(`month|${ALL_REGIONS}|2025-05-01|${frequent}|revenue`)).toEqual(frequentBefore);
    expect(after.get(`month|${ALL_REGIONS}|2025-05-01|${north}|segment_size`)!.value).toBeLessThan(sizeBefore);
  });

  it("leave the previous roll-ups when a run fails part-way", async () => {
    const before = await storedRollups(t, w.tenantId);
    await expect(
      t.db.withTenant(w.tenantId, async (tx) => {
        await computeRollups(tx, w.tenantId, { segmentIds: null, from: null, to: null });
        throw new Error("worker killed");
      }),
    ).rejects.toThrow("worker killed");
    expect(await storedRollups(t, w.tenantId)).toEqual(before);
  });
});

describe("the dashboard payload", () => {
  it("reads one period's cells, previous period, targets, trends and lift from the roll-ups", async () => {
    const scope = scopeOf(w, "viewer");
    const stored = await storedRollups(t, w.tenantId);
    const kpis = await t.ownerQuery<{ id: string; key: string }>(`select id, key from kpi_definitions where tenant_id = $1`, [w.tenantId]);
    const id = (key: string) => kpis.rows.find((k) => k.key === key)!.id;
    await setKpiTarget(scopeOf(w, "analyst"), { kpiId: id("revenue"), segmentId: north, target: 1 });
    await setKpiTarget(scopeOf(w, "analyst"), { kpiId: id("churn_rate"), segmentId: ALL_CUSTOMERS, target: 0 });
    const d = await dashboard(scope, { grain: "month", periodStart: "2025-05-17", trendPeriods: 3 });
    expect(d.period).toEqual({ grain: "month", start: "2025-05-01", end: "2025-06-01", label: "May 2025" });
    expect(d.previous?.start).toBe("2025-04-01");
    expect(d.segments.map((s) => s.name)).toEqual(["All customers", "North customers", "Frequent", "Nobody"]);
    const cell = (segmentId: string, key: string) => d.cells.find((c) => c.segmentId === segmentId && c.kpiId === id(key))!;
    const rev = cell(north, "revenue");
    expect(rev.value).toBe(stored.get(`month|${ALL_REGIONS}|2025-05-01|${north}|revenue`)!.value);
    expect(rev.previous).toBe(stored.get(`month|${ALL_REGIONS}|2025-04-01|${north}|revenue`)!.value);
    expect(rev.change).toBeCloseTo((rev.value! - rev.previous!) / rev.previous!, 12);
    expect(rev.status).toBe("met");
    expect(rev.relative).toBeCloseTo(rev.value! / cell(ALL_CUSTOMERS, "revenue").value!, 12);
    expect(cell(ALL_CUSTOMERS, "churn_rate").status).toBe("missed");
    expect(cell(frequent, "revenue").status).toBe("no-target");
    expect(d.trends[0].points.map((p) => p.periodStart)).toEqual(["2025-03-01", "2025-04-01", "2025-05-01"]);
    // Before the first month with roll-ups (January 2025) there is no data: the trend starts there, not with zeros.
    const early = await dashboard(scope, { grain: "month", periodStart: "2025-02-01", trendPeriods: 6 });
    expect(early.range?.first).toBe("2025-01-01");
    expect(early.trends[0].points.map((p) => p.periodStart)).toEqual(["2025-01-01", "2025-02-01"]);
    const lift = d.lift.rows.find((r) => r.segmentId === north)!;
    const share = cell(north, "segment_size").value! / cell(ALL_CUSTOMERS, "segment_size").value!;
    expect(lift.customerShare).toBeCloseTo(share, 12);
    expect(lift.expected).toBeCloseTo(share * cell(ALL_CUSTOMERS, "revenue").value!, 6);
    expect(lift.lift).toBeCloseTo(rev.value! / lift.expected, 9);
    const series = await segmentSeries(scope, { segmentId: north, grain: "quarter" });
    const revenueSeries = series.kpis.find((k) => k.kpi.key === "revenue")!;
    expect(revenueSeries.target).toBe(1);
    expect(revenueSeries.points.map((p) => p.periodStart)).toEqual(["2025-01-01", "2025-04-01", "2025-07-01"]);
  });
});
