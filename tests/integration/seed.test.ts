import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_USERS, isEmpty, seedDemo } from "../../db/seed/demo";
import { callerFor, jobsFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

describe("the demo seed", () => {
  it("creates a user per role, regions and synthetic transactions with RFM features, once", async () => {
    expect(await isEmpty(t.db)).toBe(true);
    expect(await seedDemo(t.db, jobsFor(t.db), () => {}, null)).toEqual({ created: true });
    expect(await isEmpty(t.db)).toBe(false);
    const roles = await t.ownerQuery<{ role: string; email: string }>(
      "select m.role, u.email from memberships m join users u on u.id = m.user_id join workspaces w on w.id = m.tenant_id where w.name = 'Northwind Retail' order by u.email",
    );
    expect(roles.rows.map((r) => `${r.role}:${r.email}`).sort()).toEqual(DEMO_USERS.map((u) => `${u.role}:${u.email}`).sort());
    const features = await t.ownerQuery<{ n: number; segments: number }>(
      "select count(*)::int as n, count(distinct rfm_segment)::int as segments from customer_features",
    );
    expect(features.rows[0].n).toBeGreaterThan(150);
    expect(features.rows[0].segments).toBeGreaterThanOrEqual(8);
    const imports = await t.ownerQuery("select status, rows_failed from imports where kind = 'transactions'");
    expect(imports.rows).toEqual([{ status: "completed", rows_failed: 0 }]);
    // KPIs: the survey and support events imported, owners and targets set, one completed full roll-up.
    const survey = await t.ownerQuery<{ status: string; rows_failed: number; rows_imported: number }>(
      "select status, rows_failed, rows_imported from imports where file_name = 'survey-and-support-2011.csv'",
    );
    expect(survey.rows).toEqual([{ status: "completed", rows_failed: 0, rows_imported: expect.any(Number) }]);
    expect(survey.rows[0].rows_imported).toBeGreaterThan(100);
    const runs = await t.ownerQuery("select trigger, status from kpi_rollup_runs where status <> 'completed' or trigger = 'rebuild'");
    expect(runs.rows).toEqual([{ trigger: "rebuild", status: "completed" }]);
    const kpis = await t.ownerQuery<{ owned: number; targets: number; rollups: number }>(
      `select (select count(*)::int from kpi_definitions where owner_user_id is not null) as owned,
              (select count(*)::int from kpi_targets) as targets,
              (select count(*)::int from kpi_rollups where grain = 'month' and value is not null) as rollups`,
    );
    expect(kpis.rows[0].owned).toBe(9);
    expect(kpis.rows[0].targets).toBeGreaterThan(5);
    expect(kpis.rows[0].rollups).toBeGreaterThan(100);
    const segments = await t.ownerQuery<{ name: string; status: string; current_version: number | null; member_count: number | null }>(
      "select name, status, current_version, member_count from segments order by name",
    );
    expect(segments.rows.map((s) => [s.name, s.status, s.current_version])).toEqual([
      ["Champions", "active", 1],
      ["Frequent buyer price", "proposed", null],
      ["High-value at risk", "active", 2],
      ["Lapsed", "active", 1],
      ["Promising newcomers", "proposed", null],
    ]);
    for (const s of segments.rows.filter((r) => r.status === "active")) expect(s.member_count).toBeGreaterThan(0);
    const proposals = await t.ownerQuery<{ status: string; n: number }>("select status, count(*)::int as n from segment_proposals group by status order by status");
    // The second draft is the re-segmentation proposal the demo's drift run opened (mid-year vs year-end features).
    expect(proposals.rows).toEqual([
      { status: "approved", n: 4 },
      { status: "draft", n: 2 },
      { status: "submitted", n: 2 },
    ]);
    // A proposal flagged for pricing waits for the committee with its bias check (decision 011).
    const gated = await t.ownerQuery<{ decision_use: string; status: string }>(
      "select submitted->>'decisionUse' as decision_use, status from segment_proposals where title = 'New pricing tier “Frequent buyer price”'",
    );
    expect(gated.rows).toEqual([{ decision_use: "pricing", status: "submitted" }]);
    const monitoring = await t.ownerQuery<{ kind: string; status: string; results: number }>(
      `select r.kind, r.status, (select count(*)::int from drift_results d where d.run_id = r.id) + (select count(*)::int from bias_results b where b.run_id = r.id) as results
       from monitor_runs r where r.trigger = 'demand' order by r.kind`,
    );
    expect(monitoring.rows).toEqual([
      { kind: "bias", status: "completed", results: 3 },
      { kind: "drift", status: "completed", results: 6 },
    ]);
    const resegmentation = await t.ownerQuery("select 1 from monitor_resegmentations");
    expect(resegmentation.rowCount).toBe(1);
    const models = await t.ownerQuery<{ algorithm: string; status: string; groups: { name: string; size: number }[] | null }>(
      "select algorithm, status, params -> 'constraintGroups' as groups from model_runs order by created_at",
    );
    expect(models.rows.map((r) => [r.algorithm, r.status, r.groups?.map((g) => g.name) ?? null])).toEqual([
      ["kmeans", "completed", ["Lapsed"]],
      ["ward", "completed", null],
    ]);
    expect(models.rows[0].groups![0].size).toBeGreaterThan(0);
    expect(await seedDemo(t.db, jobsFor(t.db), () => {}, null)).toEqual({ created: false });
  });

  it("holds last month's closed committee session and next week's, with the proposal waiting for the committee", async () => {
    const sessions = await t.ownerQuery<{ title: string; status: string; items: number; proposals: number; attendees: number; minutes: string | null; ahead: boolean }>(
      `select s.title, s.status, s.minutes, s.scheduled_at > now() as ahead,
              (select count(*)::int from session_agenda_items i where i.session_id = s.id) as items,
              (select count(*)::int from session_agenda_items i where i.session_id = s.id and i.kind = 'proposal') as proposals,
              (select count(*)::int from session_attendees a where a.session_id = s.id) as attendees
         from committee_sessions s order by s.scheduled_at`,
    );
    expect(sessions.rows.map((s) => [s.title, s.status, s.ahead])).toEqual([
      ["Segmentation kick-off", "closed", false],
      ["Monthly steering committee", "scheduled", true],
    ]);
    expect(sessions.rows[0]).toMatchObject({ items: 2, attendees: 4, minutes: expect.stringContaining("Approval rule") });
    expect(sessions.rows[1].proposals).toBe(1);
  });

  it("lets the demo owner sign in and see both workspaces", async () => {
    const { caller, cookies } = await callerFor(t.db, null);
    await caller.auth.logIn({ email: DEMO_USERS[0].email, password: "quorum-demo-2026" });
    const me = await (await callerFor(t.db, cookies.set[0].token)).caller.auth.me();
    expect(me.workspaces.map((w) => w.name)).toEqual(["Northwind Retail", "Northwind Labs"]);
  });
});
