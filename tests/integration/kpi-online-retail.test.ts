/**
 * KPI roll-ups on the real Online Retail file (imported as a person would): the import queues
 * its roll-up; every built-in KPI of the whole business and two published segments, per region,
 * grain and period, equals the naive TypeScript computation over the raw rows; summed over the
 * months, revenue and orders equal the customer features' monetary value and frequency (a
 * second, independent code path over the same preparation rules).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_CUSTOMERS, ALL_REGIONS } from "../../db/schema";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { runImport, startImport, uploadFile } from "../../server/services/data";
import { runRollup } from "../../server/services/kpis";
import { jobsFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { publishedSegment } from "../helpers/governance";
import { close, referenceRollups, storedRollups } from "../helpers/kpis";

const FILE = path.resolve("..", "shared", "data", "online_retail.csv.gz");

let t: TestDatabase;
let w: FactoryWorkspace;
let champions: string;

async function drainRuns(tenantId: string) {
  const runs = await t.ownerQuery<{ id: string }>(`select id from kpi_rollup_runs where tenant_id = $1 and status = 'queued' order by created_at`, [tenantId]);
  for (const r of runs.rows) expect(await runRollup(t.db, tenantId, r.id)).toBe("completed");
  return runs.rows.length;
}

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Online Retail KPIs");
  const up = await uploadFile(w.ownerScope, { kind: "transactions", fileName: "online_retail.csv.gz" }, [readFileSync(FILE)], 1 << 30);
  await startImport(w.ownerScope, { importId: up.importId, mapping: up.mapping }, jobsFor(t.db));
  expect(await runImport(t.db, jobsFor(t.db), w.tenantId, up.importId)).toBe("completed");
  // Customers of the United Kingdom are "North" here, so that region rows exist too.
  await t.ownerQuery(
    `update customers c set region = 'North' where c.tenant_id = $1
     and exists (select 1 from transactions t where t.tenant_id = c.tenant_id and t.customer_external_id = c.external_id and t.country = 'United Kingdom')`,
    [w.tenantId],
  );
  champions = (await publishedSegment(w, "Champions", { combinator: "and", children: [{ id: "c", op: "in", field: "rfm_segment", values: ["Champions"] }] })).segmentId;
  await publishedSegment(w, "Frequent", { combinator: "and", children: [{ id: "f", op: "gte", field: "frequency", value: 10 }] });
  expect(await drainRuns(w.tenantId)).toBe(3);
}, 300_000);
afterAll(() => t.drop());

describe("KPI roll-ups of Online Retail", () => {
  it("equal the naive computation over the raw rows, for every grain", async () => {
    const stored = await storedRollups(t, w.tenantId);
    const expected = await referenceRollups(t, w.tenantId);
    expect(expected.size).toBeGreaterThan(20_000);
    expect([...expected.keys()].filter((k) => !stored.has(k)).slice(0, 3)).toEqual([]);
    expect([...stored.keys()].filter((k) => !expected.has(k)).slice(0, 3)).toEqual([]);
    const wrong = [...expected].filter(([k, v]) => !close(stored.get(k)!.value, v.value) || stored.get(k)!.customers !== v.customers);
    expect(wrong.slice(0, 3).map(([k, v]) => ({ k, expected: v, actual: stored.get(k) }))).toEqual([]);
  }, 120_000);

  it("add up over the months to the customer features' spend and orders", async () => {
    const stored = await storedRollups(t, w.tenantId);
    const [features] = (
      await t.ownerQuery<{ monetary: number; frequency: number; champions: number }>(
        `select sum(f.monetary)::float8 as monetary, sum(f.frequency)::int as frequency,
                sum(f.monetary) filter (where m.customer_id is not null)::float8 as champions
         from customer_features f
         left join segment_memberships m on m.tenant_id = f.tenant_id and m.customer_id = f.customer_id and m.segment_id = $2 and m.to_version is null
         where f.tenant_id = $1`,
        [w.tenantId, champions],
      )
    ).rows;
    const sum = (segment: string, key: string) =>
      [...stored].filter(([k]) => k.startsWith(`month|${ALL_REGIONS}|`) && k.endsWith(`|${segment}|${key}`)).reduce((s, [, v]) => s + v.value!, 0);
    // Features round each customer's spend to cents; the roll-ups keep it exact.
    expect(Math.abs(sum(ALL_CUSTOMERS, "revenue") - features.monetary)).toBeLessThan(0.01 * 4400);
    expect(sum(ALL_CUSTOMERS, "orders")).toBe(features.frequency);
    expect(Math.abs(sum(champions, "revenue") - features.champions)).toBeLessThan(0.01 * 4400);
    // The file's year: December 2010 to December 2011, 13 months.
    const months = [...stored.keys()].filter((k) => k.startsWith(`month|${ALL_REGIONS}|`) && k.endsWith(`|${ALL_CUSTOMERS}|revenue`));
    expect(months.length).toBe(13);
  });
});
