import { createDatabase } from "../../db/client";
import { makeWorkspace } from "../../db/seed/factories";
import { createProposal, decideProposal, previewDefinition, submitProposal } from "../../server/services/segments";
import type { TenantScope } from "../../server/services/scope";
import { childrenOf, findNode, rootGroup } from "../../server/services/segments/draft-doc";
import type { RuleGroup } from "../../server/services/segments/rules";
import { editDraft, scopeOf } from "../helpers/governance";
import type { BenchDatabase } from "./bench-db";
import { collabBench } from "./collab";

export const BENCH_CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);

/** Six conditions over features, a category and a custom attribute, nested one level. */
const SIX_CONDITIONS: RuleGroup = {
  combinator: "and",
  children: [
    { op: "gte", field: "frequency", value: 3 },
    { op: "between", field: "monetary", value: [200, 4000] },
    { op: "lte", field: "recency_days", value: 200 },
    {
      combinator: "or",
      children: [
        { op: "in", field: "rfm_segment", values: ["Champions", "Loyal", "Potential loyalist"] },
        { op: "gte", field: "m", value: 4 },
      ],
    },
    { op: "in", field: "attr:plan", values: ["gold", "silver"] },
  ],
};

const seconds = (start: bigint) => Math.round(Number(process.hrtime.bigint() - start) / 1e6) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function publish(scope: TenantScope, admin: TenantScope, name: string, rules: RuleGroup) {
  const created = await createProposal(scope, { kind: "create", name, rules });
  await submitProposal(scope, { proposalId: created.proposalId });
  const started = process.hrtime.bigint();
  const decided = await decideProposal(admin, { proposalId: created.proposalId, decision: "approve", reason: "Benchmark" });
  return { segmentId: created.segmentId, seconds: seconds(started), members: decided.published!.memberCount };
}

/**
 * `count` (BENCH_CUSTOMERS) synthetic customers (B0000001…, every 97th opted out) with features
 * and a `plan` category attribute, written as the owner; shared with the api and load
 * benchmarks and the worker fault tests.
 */
export async function seedBenchCustomers(database: Pick<BenchDatabase, "ownerQuery">, tenantId: string, count = BENCH_CUSTOMERS): Promise<void> {
  await database.ownerQuery(
    `insert into customers (tenant_id, external_id, region, attributes, opted_out)
     select $1, 'B' || lpad(i::text, 7, '0'), (array['North', 'South', 'East', 'West'])[i % 4 + 1],
            jsonb_build_object('plan', (array['gold', 'silver', 'bronze', 'free'])[(i * 7) % 4 + 1]), i % 97 = 0
     from generate_series(1, $2::int) i`,
    [tenantId, count],
  );
  await database.ownerQuery(
    `insert into customer_features (tenant_id, customer_id, reference_date, recency_days, frequency, monetary,
       average_order_value, tenure_days, purchase_span_days, r, f, m, rfm_segment)
     select c.tenant_id, c.id, '2011-12-10', h % 365, 1 + (h / 365) % 30, ((h / 7) % 9000)::float8 + 0.5,
            (((h / 7) % 9000)::float8 + 0.5) / (1 + (h / 365) % 30), h % 365 + (h / 11) % 700, (h / 11) % 700,
            1 + h % 5, 1 + (h / 5) % 5, 1 + (h / 25) % 5,
            (array['Champions', 'Loyal', 'Potential loyalist', 'New', 'At risk', 'Hibernating', 'Lost'])[1 + (h / 3) % 7]
     from (select tenant_id, id, abs(hashtext(external_id)) as h from customers where tenant_id = $1) c`,
    [tenantId],
  );
  await database.ownerQuery(
    "insert into attribute_definitions (tenant_id, key, label, type, sensitivity) values ($1, 'plan', 'Plan', 'category', 'plain')",
    [tenantId],
  );
  await database.ownerQuery("analyze customers; analyze customer_features");
}

/**
 * `npm run bench -- segments`: 1M synthetic customers with features; the live preview of a
 * six-condition definition (count, share, sample, change vs published, overlap with the other
 * segments) and publishing (materialising) a segment, first version and a change; then the
 * co-editing benchmark (20 clients on one draft, `collab`).
 * Targets (issue #4): preview < 1 s, publish < 5 s, edit propagation median < 5 ms, p99 < 15 ms.
 */
export async function segmentsBench(database: BenchDatabase) {
  const db = createDatabase(database.appUrl);
  try {
    const w = await makeWorkspace(db, "Bench Segments");
    const seedStarted = process.hrtime.bigint();
    await seedBenchCustomers(database, w.tenantId);
    const seedSeconds = seconds(seedStarted);

    const analyst = scopeOf(w, "analyst");
    const admin = scopeOf(w, "admin");
    // Three published segments for the overlap matrix and exclusive assignment.
    const others = [];
    const published: [string, RuleGroup][] = [
      ["Frequent", { combinator: "and", children: [{ op: "gte", field: "frequency", value: 20 }] }],
      ["Big spenders", { combinator: "and", children: [{ op: "gte", field: "monetary", value: 6000 }] }],
      ["Recent", { combinator: "and", children: [{ op: "lte", field: "recency_days", value: 30 }] }],
    ];
    for (const [name, rules] of published) others.push(await publish(analyst, admin, name, rules));

    const firstPublish = await publish(analyst, admin, "Six conditions", SIX_CONDITIONS);
    const previews: number[] = [];
    let preview = await previewDefinition(analyst, { segmentId: firstPublish.segmentId, rules: SIX_CONDITIONS });
    for (let i = 0; i < 5; i++) {
      const rules: RuleGroup = { ...SIX_CONDITIONS, children: [...SIX_CONDITIONS.children.slice(0, 4), { op: "in", field: "attr:plan", values: i % 2 ? ["gold"] : ["gold", "silver", "bronze"] }] };
      const started = process.hrtime.bigint();
      preview = await previewDefinition(analyst, { segmentId: firstPublish.segmentId, rules });
      previews.push(seconds(started));
    }
    // A change: the same segment with one threshold moved (members join and leave).
    const change = await createProposal(analyst, { kind: "change", segmentId: firstPublish.segmentId });
    await editDraft(db, w.tenantId, change.proposalId, (doc) => {
      const first = childrenOf(rootGroup(doc)).get(0);
      findNode(doc, String(first.get("id")))!.node.set("value", 5);
    });
    await submitProposal(analyst, { proposalId: change.proposalId });
    const changeStarted = process.hrtime.bigint();
    const changed = await decideProposal(admin, { proposalId: change.proposalId, decision: "approve", reason: "Benchmark change" });
    const changeSeconds = seconds(changeStarted);
    const collab = await collabBench(database);
    return {
      customers: BENCH_CUSTOMERS,
      seedSeconds,
      previewSeconds: { median: median(previews), max: Math.max(...previews), runs: previews.length },
      previewMatching: preview.matching,
      previewOverlapSegments: preview.overlap.length,
      publishFirstVersion: { seconds: firstPublish.seconds, members: firstPublish.members },
      publishChange: { seconds: changeSeconds, members: changed.published!.memberCount, added: changed.published!.added, removed: changed.published!.removed },
      otherSegments: others.map((o) => ({ members: o.members, publishSeconds: o.seconds })),
      collab,
      targets: { previewSeconds: 1, publishSeconds: 5 },
    };
  } finally {
    await db.close();
  }
}
