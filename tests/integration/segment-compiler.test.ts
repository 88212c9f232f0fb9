import { sql } from "drizzle-orm";
import fc from "fast-check";
import { PgDialect } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { compileRules, type AttributeCatalog } from "../../server/services/segments/compile";
import { evaluateRules, type CustomerFacts } from "../../server/services/segments/evaluate";
import { previewDefinition } from "../../server/services/segments/preview";
import { NUMBER_FEATURES, ZRuleGroup, type Condition, type RuleGroup } from "../../server/services/segments/rules";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let t: TestDatabase;
let w: FactoryWorkspace;
const customers = new Map<string, CustomerFacts>();
/** Two segments with random current members (and some former ones, who must not count). */
const segmentIds: string[] = [];
/** A completed model run (k = 3) that clustered most customers. */
let modelRunId: string;
const NOW = Date.now();

/** mulberry32: a small seeded generator, so that every run tests the same cases. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const SEGMENTS = ["Champions", "Loyal", "Lost", "At risk"];
const REGIONS = ["EMEA", "APAC", "O'Brien; DROP TABLE customers; --"];
const PLANS = ["gold", "silver", "bronze"];

const catalog: AttributeCatalog = {
  get: (key) =>
    ({
      score: { type: "number", sensitivity: "plain" },
      plan: { type: "category", sensitivity: "plain" },
      signup: { type: "date", sensitivity: "plain" },
      gender: { type: "category", sensitivity: "protected" },
    })[key],
};

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Rules Co");
  const r = rng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const maybe = <T>(v: T) => (r() < 0.15 ? null : v);
  for (let i = 0; i < 400; i++) {
    const features = Object.fromEntries(NUMBER_FEATURES.map((f) => [f, Math.floor(r() * 10) - (f === "monetary" ? 2 : 0)])) as CustomerFacts["features"];
    const hasFeatures = r() > 0.1;
    const attributes: Record<string, unknown> = {};
    const score = maybe(Math.round(r() * 100) / 10);
    if (score !== null) attributes.score = score;
    const plan = maybe(pick(PLANS));
    if (plan !== null) attributes.plan = plan;
    if (r() > 0.2) attributes.signup = new Date(NOW - Math.floor(r() * 800) * 86_400_000 - 3_600_000).toISOString();
    if (r() < 0.05) attributes.score = "not a number";
    const facts: CustomerFacts = {
      features: hasFeatures ? { ...features, rfm_segment: pick(SEGMENTS) } : {},
      region: maybe(pick(REGIONS)),
      attributes,
    };
    const id = `X${i}`;
    customers.set(id, facts);
    const { rows } = await t.ownerQuery<{ id: string }>(
      "insert into customers (tenant_id, external_id, region, attributes) values ($1, $2, $3, $4) returning id",
      [w.tenantId, id, facts.region, JSON.stringify(attributes)],
    );
    facts.segments = new Set();
    if (hasFeatures) {
      const f = facts.features;
      await t.ownerQuery(
        `insert into customer_features (tenant_id, customer_id, reference_date, recency_days, frequency, monetary, average_order_value,
           tenure_days, purchase_span_days, r, f, m, rfm_segment)
         values ($1, $2, '2011-12-10', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [w.tenantId, rows[0].id, f.recency_days, f.frequency, f.monetary, f.average_order_value, f.tenure_days, f.purchase_span_days, f.r, f.f, f.m, f.rfm_segment],
      );
    }
  }
  for (const name of ["Seg A", "Seg B"]) {
    const { rows } = await t.ownerQuery<{ id: string }>(
      "insert into segments (tenant_id, name, priority, status, current_version) values ($1, $2, 1, 'active', 2) returning id",
      [w.tenantId, name],
    );
    segmentIds.push(rows[0].id);
  }
  const ids = await t.ownerQuery<{ id: string; external_id: string }>("select id, external_id from customers where tenant_id = $1", [w.tenantId]);
  for (const c of ids.rows) {
    for (const segmentId of segmentIds) {
      const roll = r();
      if (roll < 0.6) continue;
      // 0.6–0.75: a former member (left at version 2); above: a current one.
      const current = roll >= 0.75;
      await t.ownerQuery("insert into segment_memberships (tenant_id, segment_id, customer_id, from_version, to_version) values ($1, $2, $3, 1, $4)", [
        w.tenantId,
        segmentId,
        c.id,
        current ? null : 2,
      ]);
      if (current) (customers.get(c.external_id)!.segments as Set<string>).add(segmentId);
    }
  }
  const run = await t.ownerQuery<{ id: string }>(
    `insert into model_runs (tenant_id, status, params, code_version, recommended_k, chosen_k, n)
     values ($1, 'completed', '{"features":[{"field":"frequency","transform":"standard"}],"kMin":3,"kMax":3,"seed":1,"restarts":1}', 'test', 3, 3, 0) returning id`,
    [w.tenantId],
  );
  modelRunId = run.rows[0].id;
  for (const c of ids.rows) {
    if (r() < 0.15) continue;
    const cluster = 1 + Math.floor(r() * 3);
    await t.ownerQuery("insert into model_run_assignments (tenant_id, run_id, customer_id, cluster) values ($1, $2, $3, $4)", [w.tenantId, modelRunId, c.id, cluster]);
    customers.get(c.external_id)!.clusters = new Map([[modelRunId, cluster]]);
  }
});
afterAll(() => t.drop());

async function sqlMatches(tree: RuleGroup): Promise<string[]> {
  const where = compileRules(tree, catalog);
  const { rows } = await t.db.withTenant(w.tenantId, (tx) =>
    tx.execute<{ external_id: string }>(sql`
      select c.external_id from customers c
      left join customer_features f on f.tenant_id = c.tenant_id and f.customer_id = c.id
      where c.tenant_id = ${w.tenantId} and ${where} order by 1`),
  );
  return rows.map((r) => r.external_id);
}

function memoryMatches(tree: RuleGroup): string[] {
  return [...customers].filter(([, facts]) => evaluateRules(tree, facts, NOW)).map(([id]) => id).sort();
}

function randomCondition(r: () => number): Condition {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const numberField = pick([...NUMBER_FEATURES, "attr:score"] as const);
  const n = () => Math.floor(r() * 12) - 2;
  switch (Math.floor(r() * 6)) {
    case 0:
      return { op: pick(["eq", "ne", "lt", "lte", "gt", "gte"] as const), field: numberField, value: n() };
    case 1:
      return { op: "between", field: numberField, value: [n(), n()] };
    case 2:
    case 3:
      return {
        op: pick(["in", "not_in"] as const),
        field: pick(["rfm_segment", "region", "attr:plan"] as const),
        values: [...SEGMENTS, ...REGIONS, ...PLANS].filter(() => r() < 0.3),
      };
    case 4:
      return { op: pick(["before", "after"] as const), field: "attr:signup", value: new Date(NOW - Math.floor(r() * 800) * 86_400_000).toISOString().slice(0, 10) };
    default:
      return { op: "within_last_days", field: "attr:signup", days: Math.floor(r() * 400) };
  }
}

function randomTree(r: () => number, depth: number): RuleGroup {
  const size = Math.floor(r() * 4);
  return {
    combinator: r() < 0.5 ? "and" : "or",
    children: Array.from({ length: size }, () => (depth > 0 && r() < 0.3 ? randomTree(r, depth - 1) : randomCondition(r))),
  };
}

describe("the rule compiler", () => {
  it("selects exactly what the in-memory evaluation selects, on 300 random trees over random data with gaps", async () => {
    const r = rng(7);
    let nonTrivial = 0;
    for (let i = 0; i < 300; i++) {
      const tree = ZRuleGroup.parse(randomTree(r, 3));
      const expected = memoryMatches(tree);
      if (expected.length > 0 && expected.length < customers.size) nonTrivial++;
      expect(await sqlMatches(tree), JSON.stringify(tree)).toEqual(expected);
    }
    expect(nonTrivial).toBeGreaterThan(100);
  });

  it("agrees with the in-memory evaluation on generated trees of every operator, segment membership included (fast-check)", async () => {
    const isoDay = (daysAgo: number) => new Date(NOW - daysAgo * 86_400_000).toISOString().slice(0, 10);
    const int = fc.integer({ min: -2, max: 10 });
    const condition: fc.Arbitrary<Condition> = fc.oneof(
      fc.record({ op: fc.constantFrom("eq", "ne", "lt", "lte", "gt", "gte"), field: fc.constantFrom(...NUMBER_FEATURES, "attr:score"), value: int }),
      fc.record({ op: fc.constant("between"), field: fc.constantFrom(...NUMBER_FEATURES, "attr:score"), value: fc.tuple(int, int) }),
      fc.record({
        op: fc.constantFrom("in", "not_in"),
        field: fc.constantFrom("rfm_segment", "region", "attr:plan"),
        values: fc.subarray([...SEGMENTS, ...REGIONS, ...PLANS]),
      }),
      fc.record({ op: fc.constantFrom("before", "after"), field: fc.constant("attr:signup"), value: fc.integer({ min: 0, max: 800 }).map(isoDay) }),
      fc.record({ op: fc.constant("within_last_days"), field: fc.constant("attr:signup"), days: fc.integer({ min: 0, max: 400 }) }),
      fc.record({ op: fc.constantFrom("in_segment", "not_in_segment"), segmentId: fc.constantFrom(...segmentIds) }),
      fc.record({ op: fc.constantFrom("in_cluster", "not_in_cluster"), modelRunId: fc.constant(modelRunId), cluster: fc.integer({ min: 1, max: 4 }) }),
    ) as fc.Arbitrary<Condition>;
    const { tree } = fc.letrec<{ tree: RuleGroup }>((tie) => ({
      tree: fc.record({
        combinator: fc.constantFrom("and", "or"),
        children: fc.array(fc.oneof({ maxDepth: 3 }, condition, tie("tree")), { maxLength: 4 }),
      }),
    }));
    let nonTrivial = 0;
    await fc.assert(
      fc.asyncProperty(tree, async (generated) => {
        const parsed = ZRuleGroup.parse(generated);
        const expected = memoryMatches(parsed);
        if (expected.length > 0 && expected.length < customers.size) nonTrivial++;
        expect(await sqlMatches(parsed)).toEqual(expected);
      }),
      { numRuns: 250, seed: 20261123 },
    );
    expect(nonTrivial).toBeGreaterThan(80);
  });

  it("counts only current members for 'is in segment'", async () => {
    const [a] = segmentIds;
    const expected = [...customers].filter(([, c]) => c.segments?.has(a)).map(([id]) => id).sort();
    expect(expected.length).toBeGreaterThan(50);
    expect(await sqlMatches({ combinator: "and", children: [{ op: "in_segment", segmentId: a }] })).toEqual(expected);
    const { rows } = await t.ownerQuery<{ n: number }>(
      "select count(*)::int as n from segment_memberships where tenant_id = $1 and segment_id = $2 and to_version is not null",
      [w.tenantId, a],
    );
    expect(rows[0].n).toBeGreaterThan(20);
  });

  it("selects the run's assignments for 'is in cluster', and everyone else for 'is not in cluster'", async () => {
    for (const cluster of [1, 2, 3]) {
      const { rows } = await t.ownerQuery<{ external_id: string }>(
        "select c.external_id from model_run_assignments a join customers c on c.id = a.customer_id where a.run_id = $1 and a.cluster = $2 order by 1",
        [modelRunId, cluster],
      );
      const inside = await sqlMatches({ combinator: "and", children: [{ op: "in_cluster", modelRunId, cluster }] });
      expect(inside.length).toBeGreaterThan(50);
      expect(inside).toEqual(rows.map((r) => r.external_id));
      const outside = await sqlMatches({ combinator: "and", children: [{ op: "not_in_cluster", modelRunId, cluster }] });
      expect(outside.length + inside.length).toBe(400);
    }
  });

  it("treats empty groups and missing values as documented", async () => {
    expect(await sqlMatches({ combinator: "and", children: [] })).toHaveLength(400);
    expect(await sqlMatches({ combinator: "or", children: [] })).toEqual([]);
    const noRegion = [...customers].filter(([, c]) => c.region === null).map(([id]) => id);
    const notIn = await sqlMatches({ combinator: "and", children: [{ op: "not_in", field: "region", values: ["EMEA"] }] });
    for (const id of noRegion) expect(notIn).not.toContain(id);
  });

  it("keeps hostile values out of the SQL text and refuses unknown, protected or mistyped fields", async () => {
    const hostile = "x'); delete from customers; --";
    const where = compileRules({ combinator: "and", children: [{ op: "in", field: "region", values: [hostile, REGIONS[2]] }] }, catalog);
    const rendered = new PgDialect().sqlToQuery(where);
    expect(rendered.sql).not.toContain("delete");
    expect(rendered.sql).not.toContain("O'Brien");
    expect(rendered.params).toContainEqual([hostile, REGIONS[2]]);
    expect(await sqlMatches({ combinator: "and", children: [{ op: "in", field: "region", values: [REGIONS[2]] }] })).toEqual(
      [...customers].filter(([, c]) => c.region === REGIONS[2]).map(([id]) => id).sort(),
    );
    expect(() => ZRuleGroup.parse({ combinator: "and", children: [{ op: "eq", field: "recency_days; drop table x", value: 1 }] })).toThrow();
    expect(() => compileRules({ combinator: "and", children: [{ op: "in", field: "attr:gender", values: ["F"] }] }, catalog)).toThrow(
      "'gender' is a protected attribute: it can be audited for bias but not used to define a segment.",
    );
    expect(() => compileRules({ combinator: "and", children: [{ op: "gt", field: "attr:plan", value: 1 }] }, catalog)).toThrow(
      "The attribute 'plan' holds category values and cannot be compared as a number.",
    );
    expect(() => compileRules({ combinator: "and", children: [{ op: "gt", field: "attr:nope", value: 1 }] }, catalog)).toThrow(
      "The attribute 'nope' does not exist in this workspace.",
    );
    const deep: RuleGroup = { combinator: "and", children: [] };
    let cursor = deep;
    for (let i = 0; i < 9; i++) {
      const next: RuleGroup = { combinator: "or", children: [] };
      cursor.children.push(next);
      cursor = next;
    }
    expect(() => compileRules(deep, catalog)).toThrow("A definition may nest groups 8 levels deep at most.");
  });
});

describe("previewDefinition", () => {
  it("counts members among active customers, leaves opted-out ones out and reports them", async () => {
    await t.ownerQuery("update customers set opted_out = true where tenant_id = $1 and external_id in ('X1', 'X2', 'X3')", [w.tenantId]);
    await t.ownerQuery("insert into attribute_definitions (tenant_id, key, label, type, sensitivity) values ($1, 'plan', 'Plan', 'category', 'plain')", [w.tenantId]);
    const tree: RuleGroup = { combinator: "and", children: [{ op: "in", field: "attr:plan", values: ["gold"] }] };
    const optedOut = new Set(["X1", "X2", "X3"]);
    const expected = memoryMatches(tree);
    const preview = await previewDefinition(w.ownerScope, { rules: tree, sampleSize: 5 });
    expect(preview.base).toBe(customers.size - 3);
    expect(preview.matching).toBe(expected.filter((id) => !optedOut.has(id)).length);
    expect(preview.optedOutExcluded).toBe(expected.filter((id) => optedOut.has(id)).length);
    expect(preview.share).toBeCloseTo(preview.matching / preview.base, 12);
    expect(preview.sample).toHaveLength(5);
    expect(preview.sample.every((s) => expected.includes(s.externalId) && !optedOut.has(s.externalId))).toBe(true);
  });
});
