import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../db/client";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { compact } from "../../server/collab/store";
import { commentOnProposal, createProposal, voteOnProposal } from "../../server/services/segments";
import { proposalDocName } from "../../server/services/segments/access";
import { metaOf } from "../../server/services/segments/draft-doc";
import { editDraft, publishedSegment, scopeOf, submittedNewSegment } from "../helpers/governance";
import { createTestDatabase, TEST_APP_ROLE, type TestDatabase } from "../helpers/db";
import { jobsFor } from "../helpers/callers";
import { importFile } from "../../db/seed/data-factory";
import { updateDataSettings } from "../../server/services/data";
import { startModelRun } from "../../server/services/models";
import { runModelRun } from "../../workers/jobs/model-run";
import { listKpis, runRollup, setKpiTarget } from "../../server/services/kpis";
import { ALL_CUSTOMERS, apiKeys, biasResults, campaignMembers, campaigns, committeeSessions, costToServe, customers, driftResults, featureBaselines, featureBaselineValues, monitorAlerts, monitorResegmentations, monitorRuns, segmentMaterialisationFailures, sessionAgendaItems, sessionAttendees, swotBoards, swotReviews, webhookDeliveries, webhookEndpoints } from "../../db/schema";

let t: TestDatabase;
let a: FactoryWorkspace;
let b: FactoryWorkspace;
let tenantTables: string[];

beforeAll(async () => {
  t = await createTestDatabase();
  a = await makeWorkspace(t.db, "Alpha", jobsFor(t.db));
  b = await makeWorkspace(t.db, "Beta", jobsFor(t.db));
  // Settings and import errors exist only once someone makes them.
  for (const w of [a, b]) {
    await updateDataSettings(w.ownerScope, { maxMissingShare: 0.25, preparation: { dropCancellations: true, dropNonPositive: true } });
    await importFile(t.db, w.ownerScope, jobsFor(t.db), { kind: "customers", fileName: "bad.csv", body: "customer_id,email\nX1,not-an-email" });
    // Segments, versions, memberships, proposals, votes, comments, and a co-edited document compacted to a snapshot.
    const everyone = await publishedSegment(w, "Everyone", { combinator: "and", children: [] });
    // A SWOT board with a review (rows written as the app role, under RLS).
    await w.ownerScope.db.withTenant(w.tenantId, async (tx) => {
      await tx.insert(swotBoards).values({ tenantId: w.tenantId, segmentId: everyone.segmentId, reviewEveryMonths: 12, reviewDueOn: "2027-01-01" });
      await tx.insert(swotReviews).values({ tenantId: w.tenantId, segmentId: everyone.segmentId, reviewedOn: "2026-01-01", state: Buffer.from([0, 0]), board: {}, participants: [] });
    });
    // A committee session with an agenda item and an attendee (rows written as the app role, under RLS).
    await w.ownerScope.db.withTenant(w.tenantId, async (tx) => {
      const [session] = await tx
        .insert(committeeSessions)
        .values({ tenantId: w.tenantId, title: "Quarterly", scheduledAt: new Date("2027-01-01T09:00:00Z") })
        .returning({ id: committeeSessions.id });
      await tx.insert(sessionAgendaItems).values({ tenantId: w.tenantId, sessionId: session.id, position: 0, kind: "topic", title: "Alerts", timeBoxMinutes: 5 });
      await tx.insert(sessionAttendees).values({ tenantId: w.tenantId, sessionId: session.id, userId: w.owner.id, name: w.owner.name, role: "owner" });
    });
    // An API key, a webhook endpoint with a delivery, and a recorded materialisation failure (as the app role, under RLS).
    await w.ownerScope.db.withTenant(w.tenantId, async (tx) => {
      await tx.insert(apiKeys).values({ tenantId: w.tenantId, name: "CRM", scopes: ["memberships:read"], keyHash: `hash-${w.tenantId}`, hint: "abcd" });
      const [endpoint] = await tx
        .insert(webhookEndpoints)
        .values({ tenantId: w.tenantId, url: "https://example.test/hook", events: ["segment.published"], secret: "s" })
        .returning({ id: webhookEndpoints.id });
      await tx.insert(webhookDeliveries).values({ tenantId: w.tenantId, endpointId: endpoint.id, event: "segment.published", payload: {} });
      await tx.insert(segmentMaterialisationFailures).values({ tenantId: w.tenantId, segmentId: everyone.segmentId, version: 2, error: "test" });
    });
    const voted = await submittedNewSegment(scopeOf(w, "analyst"), "Voted", { combinator: "and", children: [] });
    await voteOnProposal(scopeOf(w, "committee"), { proposalId: voted.proposalId, vote: "approve", reason: "Agreed" });
    await commentOnProposal(scopeOf(w, "committee"), { proposalId: voted.proposalId, body: "Noted" });
    const draft = await createProposal(scopeOf(w, "analyst"), { kind: "create", name: "Draft" });
    await editDraft(t.db, w.tenantId, draft.proposalId, (doc) => metaOf(doc).set("description", "Edited"));
    await w.ownerScope.db.withTenant(w.tenantId, (tx) => compact(tx, w.tenantId, proposalDocName(draft.proposalId)));
    // A feature baseline, a drift and a bias run with results, an alert and a re-segmentation (as the app role, under RLS).
    await w.ownerScope.db.withTenant(w.tenantId, async (tx) => {
      const [baseline] = await tx.insert(featureBaselines).values({ tenantId: w.tenantId, reason: "test", customerCount: 1 }).returning({ id: featureBaselines.id });
      await tx.insert(featureBaselineValues).values({ tenantId: w.tenantId, baselineId: baseline.id, feature: "monetary", n: 1, sortedValues: Buffer.alloc(8) });
      const [run] = await tx.insert(monitorRuns).values({ tenantId: w.tenantId, kind: "drift", trigger: "demand", baselineId: baseline.id }).returning({ id: monitorRuns.id });
      await tx.insert(driftResults).values({ tenantId: w.tenantId, runId: run.id, feature: "monetary", type: "numeric", nReference: 1, nCurrent: 1, psi: 0, jensenShannon: 0, band: "none", detail: {} });
      await tx.insert(biasResults).values({ tenantId: w.tenantId, runId: run.id, segmentId: everyone.segmentId, version: 1, attribute: "gender", n: 1, selected: 1, demographicParityDifference: 0, statisticalParityDifference: 0, failsFourFifths: false, groups: [] });
      await tx.insert(monitorAlerts).values({ tenantId: w.tenantId, runId: run.id, kind: "drift", subject: "monetary", band: "act", message: "test" });
      await tx.insert(monitorResegmentations).values({ tenantId: w.tenantId, segmentId: everyone.segmentId, proposalId: voted.proposalId, runId: run.id });
    });
    // A launched campaign with its frozen members and a segment's cost to serve (as the app role, under RLS).
    await w.ownerScope.db.withTenant(w.tenantId, async (tx) => {
      const [campaign] = await tx
        .insert(campaigns)
        .values({ tenantId: w.tenantId, name: "Spring", segmentId: everyone.segmentId, channels: ["email"], budget: 100, periodStart: "2026-01-01", periodEnd: "2026-01-31", holdoutPercent: 10, outcome: "conversion", status: "running" })
        .returning({ id: campaigns.id });
      const [customer] = await tx.select({ id: customers.id }).from(customers).where(eq(customers.tenantId, w.tenantId)).limit(1);
      await tx.insert(campaignMembers).values({ tenantId: w.tenantId, campaignId: campaign.id, customerId: customer.id, holdout: false, draw: 0.5 });
      await tx.insert(costToServe).values({ tenantId: w.tenantId, scope: "segment", segmentId: everyone.segmentId, periodStart: "2026-01-01", periodEnd: "2026-12-31", amount: 10, source: "manual" });
    });
    // A completed model run: results, cluster profiles and assignments.
    await importFile(t.db, w.ownerScope, jobsFor(t.db), { kind: "customers", fileName: "scores.csv", body: "customer_id,score\nS1,1\nS2,2\nS3,10\nS4,11" });
    const run = await startModelRun(w.ownerScope, { features: [{ field: "attr:score", transform: "none" }], kMin: 2, kMax: 2, seed: 1, restarts: 1 }, jobsFor(t.db));
    expect(await runModelRun(t.db, w.tenantId, run.runId)).toBe("completed");
    // KPIs: an events file, a target, and the roll-up runs the imports and publishes queued.
    await importFile(t.db, w.ownerScope, jobsFor(t.db), { kind: "events", fileName: "events.csv", body: "type,occurred_at,customer_id\nconversion,2011-01-05,S1" });
    await setKpiTarget(w.ownerScope, { kpiId: (await listKpis(w.ownerScope))[0].id, segmentId: ALL_CUSTOMERS, target: 1 });
    const queued = await t.ownerQuery<{ id: string }>(`select id from kpi_rollup_runs where tenant_id = $1 and status = 'queued' order by created_at`, [w.tenantId]);
    for (const r of queued.rows) expect(await runRollup(t.db, w.tenantId, r.id)).toBe("completed");
  }
  const { rows } = await t.ownerQuery<{ table_name: string }>(
    `select c.table_name from information_schema.columns c
       join information_schema.tables t using (table_schema, table_name)
      where c.table_schema = 'public' and c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE'
      order by 1`,
  );
  tenantTables = rows.map((r) => r.table_name);
});
afterAll(() => t.drop());

async function countAs(tenantId: string | null, table: string, whereTenant?: string) {
  const run = async (q: (text: string) => Promise<number>) =>
    q(`select count(*)::int as n from ${table}${whereTenant ? ` where tenant_id = '${whereTenant}'` : ""}`);
  const query = (tx: { execute: (q: ReturnType<typeof sql.raw>) => Promise<{ rows: Record<string, unknown>[] }> }) => (text: string) =>
    tx.execute(sql.raw(text)).then((r) => Number(r.rows[0].n));
  return tenantId ? t.db.withTenant(tenantId, (tx) => run(query(tx))) : t.db.withoutTenant((tx) => run(query(tx)));
}

describe("row-level security at the SQL level", () => {
  it("finds the tenant-owned tables (sanity check of the catalog query)", () => {
    expect(tenantTables).toEqual(
      expect.arrayContaining(["audit_log", "invites", "membership_regions", "memberships", "regions", "customers", "transactions", "imports"]),
    );
  });

  it("gives every tenant-owned table ENABLE + FORCE row-level security and a policy", async () => {
    const { rows } = await t.ownerQuery<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean; policies: number }>(
      `select c.relname, c.relrowsecurity, c.relforcerowsecurity,
              (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relname = any($1)`,
      [[...tenantTables, "workspaces"]],
    );
    expect(rows).toHaveLength(tenantTables.length + 1);
    for (const r of rows) {
      expect({ table: r.relname, enabled: r.relrowsecurity, forced: r.relforcerowsecurity, hasPolicy: r.policies > 0 }).toEqual({
        table: r.relname,
        enabled: true,
        forced: true,
        hasPolicy: true,
      });
    }
  });

  it("leads every tenant-owned table's primary key and foreign keys with tenant_id", async () => {
    const { rows } = await t.ownerQuery<{ table: string; kind: string; first: string }>(
      `select cl.relname as table, con.contype as kind, a.attname as first
         from pg_constraint con
         join pg_class cl on cl.oid = con.conrelid
         join pg_namespace n on n.oid = cl.relnamespace
         join pg_attribute a on a.attrelid = con.conrelid and a.attnum = con.conkey[1]
        where n.nspname = 'public' and con.contype in ('p', 'u') and cl.relname = any($1)`,
      [tenantTables],
    );
    expect(rows.filter((r) => r.kind === "p").map((r) => r.table).sort()).toEqual([...tenantTables].sort());
    for (const r of rows) expect(`${r.table}.${r.kind}:${r.first}`).toBe(`${r.table}.${r.kind}:tenant_id`);
    const fks = await t.ownerQuery<{ table: string; target: string; first: string }>(
      `select cl.relname as table, tg.relname as target, a.attname as first
         from pg_constraint con
         join pg_class cl on cl.oid = con.conrelid
         join pg_class tg on tg.oid = con.confrelid
         join pg_attribute a on a.attrelid = con.conrelid and a.attnum = con.conkey[1]
        where con.contype = 'f' and cl.relname = any($1) and tg.relname <> 'users'`,
      [tenantTables],
    );
    expect(fks.rows.length).toBeGreaterThan(0);
    for (const r of fks.rows) expect(`${r.table}->${r.target}:${r.first}`).toBe(`${r.table}->${r.target}:tenant_id`);
  });

  it("runs requests as a role that owns no table and cannot bypass RLS", async () => {
    const { rows } = await t.ownerQuery<{ rolsuper: boolean; rolbypassrls: boolean; owned: number }>(
      `select r.rolsuper, r.rolbypassrls,
              (select count(*)::int from pg_class c where c.relowner = r.oid) as owned
         from pg_roles r where r.rolname = $1`,
      [TEST_APP_ROLE.name],
    );
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, owned: 0 });
    const who = await t.db.withoutTenant((tx) => tx.execute<{ u: string }>(sql`select current_user as u`));
    expect(who.rows[0].u).toBe(TEST_APP_ROLE.name);
  });

  it("with tenant A set, reads all of A's rows and none of B's", async () => {
    for (const table of tenantTables) {
      const ownA = await t.ownerQuery<{ n: number }>(`select count(*)::int as n from ${table} where tenant_id = $1`, [a.tenantId]);
      const ownB = await t.ownerQuery<{ n: number }>(`select count(*)::int as n from ${table} where tenant_id = $1`, [b.tenantId]);
      expect(ownB.rows[0].n, `${table} has rows of B to hide`).toBeGreaterThan(0);
      expect(await countAs(a.tenantId, table, b.tenantId), `${table}: B's rows seen by A`).toBe(0);
      expect(await countAs(a.tenantId, table), `${table}: A's rows`).toBe(ownA.rows[0].n);
    }
    expect(await countAs(a.tenantId, "workspaces")).toBe(1);
  });

  it("lets parallel workers scan under the policy, and they see the tenant the transaction set", async () => {
    const forceParallel = async (tx: Parameters<Parameters<typeof t.db.withTenant>[1]>[0]) => {
      const settings = ["parallel_setup_cost = 0", "parallel_tuple_cost = 0", "min_parallel_table_scan_size = 0", "max_parallel_workers_per_gather = 2"];
      for (const setting of [...settings, "enable_indexscan = off", "enable_indexonlyscan = off", "enable_bitmapscan = off"]) {
        await tx.execute(sql.raw(`set local ${setting}`));
      }
    };
    const { plan, parallel } = await t.db.withTenant(a.tenantId, async (tx) => {
      await forceParallel(tx);
      const explained = await tx.execute(sql.raw("explain (format json) select count(*) from transactions"));
      const counted = await tx.execute(sql.raw("select count(*)::int as n from transactions"));
      return { plan: JSON.stringify(explained.rows), parallel: Number(counted.rows[0].n) };
    });
    expect(plan).toContain("Gather");
    const { rows } = await t.ownerQuery<{ n: number }>("select count(*)::int as n from transactions where tenant_id = $1", [a.tenantId]);
    expect(rows[0].n).toBeGreaterThan(0);
    expect(parallel).toBe(rows[0].n);
  });

  it("with no tenant set, reads no rows at all, without an error", async () => {
    for (const table of [...tenantTables, "workspaces"]) expect(await countAs(null, table), table).toBe(0);
  });

  it("with tenant A set, cannot insert a row for B", async () => {
    await expect(
      t.db.withTenant(a.tenantId, (tx) => tx.execute(sql`insert into regions (tenant_id, name) values (${b.tenantId}, 'Smuggled')`)),
    ).rejects.toMatchObject({ cause: { code: "42501" } });
    await expect(
      t.db.withTenant(a.tenantId, (tx) =>
        tx.execute(sql`update regions set tenant_id = ${b.tenantId} where tenant_id = ${a.tenantId}`),
      ),
    ).rejects.toMatchObject({ cause: { code: "42501" } });
    const smuggled = await t.ownerQuery(`select 1 from regions where name = 'Smuggled'`);
    expect(smuggled.rowCount).toBe(0);
  });

  it("does not carry one request's tenant into the next use of a pooled connection", async () => {
    const single = createDatabase(t.appUrl, { max: 1 });
    try {
      const seen = await single.withTenant(a.tenantId, (tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from regions`));
      expect(seen.rows[0].n).toBe(2);
      const client = await single.pool.connect();
      try {
        const setting = await client.query("select current_setting('app.tenant_id', true) as v");
        expect(setting.rows[0].v ?? "").toBe("");
        const after = await client.query("select count(*)::int as n from regions");
        expect(after.rows[0].n).toBe(0);
      } finally {
        client.release();
      }
      // A transaction that fails leaves nothing behind either.
      await expect(
        single.withTenant(a.tenantId, async (tx) => {
          await tx.execute(sql`select 1`);
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      const again = await single.withoutTenant((tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from memberships`));
      expect(again.rows[0].n).toBe(0);
    } finally {
      await single.close();
    }
  });
});
