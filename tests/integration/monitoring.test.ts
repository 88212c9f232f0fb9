/**
 * Monitoring on real PostgreSQL: drift runs against a stored baseline (identical features → PSI 0
 * and no alert; an injected shift crosses the act band and opens exactly one re-segmentation
 * proposal however many runs see it), a bias audit of a constructed segment with a known
 * disparate-impact ratio, protected values visible only to roles allowed to see them, alert
 * acknowledgement (audited), the migration matrix against a naive count, and the schedule sweep.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { numericDrift } from "../../server/analytics/drift";
import {
  acknowledgeAlert,
  captureBaseline,
  monitoringOverview,
  queueRun,
  requestRun,
  runBiasAudit,
  runDriftMonitor,
} from "../../server/services/monitoring";
import { migrationMatrix } from "../../server/services/monitoring/history";
import { updateMonitoringSettings } from "../../server/services/monitoring/settings";
import { createLogger } from "../../server/logger";
import { sweepMonitorSchedules } from "../../workers/jobs/monitor-run";
import { callerFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { publishedSegment, scopeOf } from "../helpers/governance";
import { seedMonitoringCustomers } from "../helpers/monitoring";

let t: TestDatabase;
let w: FactoryWorkspace;
const N = 3000;

async function driftRun(): Promise<string> {
  const { runId } = await requestRun(scopeOf(w, "analyst"), { kind: "drift" });
  expect(await runDriftMonitor(t.db, w.tenantId, runId)).toBe("completed");
  return runId;
}

let bigSpenders: { segmentId: string };
let frequent: { segmentId: string };

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Monitor Co");
  await seedMonitoringCustomers(t, w.tenantId, N);
  bigSpenders = await publishedSegment(w, "Big spenders", {
    combinator: "and",
    children: [{ op: "gte", field: "monetary", value: 500 }],
  });
  frequent = await publishedSegment(w, "Frequent", {
    combinator: "and",
    children: [{ op: "gte", field: "frequency", value: 2 }],
  });
});
afterAll(() => t.drop());

describe("drift runs", () => {
  it("the first run stores the reference; identical features then give PSI 0, no band and no alert", async () => {
    const first = await driftRun();
    const overview = await monitoringOverview(scopeOf(w, "analyst"));
    expect(overview.baseline?.customerCount).toBe(N);
    expect(overview.drift?.run.id).toBe(first);
    expect(overview.drift?.results).toEqual([]);
    await driftRun();
    const again = await monitoringOverview(scopeOf(w, "analyst"));
    expect(again.drift!.results.map((r) => r.feature).sort()).toEqual(
      [
        "average_order_value",
        "frequency",
        "monetary",
        "purchase_span_days",
        "recency_days",
        "rfm_segment",
        "tenure_days",
      ].sort()
    );
    for (const r of again.drift!.results) {
      expect(r.psi, r.feature).toBe(0);
      expect(r.band, r.feature).toBe("none");
      expect(r.jensenShannon, r.feature).toBe(0);
    }
    expect(again.drift!.run.worstBand).toBe("none");
    expect(again.alerts).toEqual([]);
  });

  it("an injected shift in monetary value crosses the act band, with the same figures as the pure module", async () => {
    const before = (
      await t.ownerQuery<{ m: number }>("select monetary::float8 as m from customer_features where tenant_id = $1", [
        w.tenantId,
      ])
    ).rows.map((r) => r.m);
    await t.ownerQuery("update customer_features set monetary = monetary * 1.6 + 150 where tenant_id = $1", [
      w.tenantId,
    ]);
    const after = before.map((m) => m * 1.6 + 150);
    const runId = await driftRun();
    const overview = await monitoringOverview(scopeOf(w, "analyst"));
    expect(overview.drift?.run.id).toBe(runId);
    const monetary = overview.drift!.results.find((r) => r.feature === "monetary")!;
    const expected = numericDrift(before, after);
    expect(monetary.band).toBe("act");
    expect(monetary.psi).toBeCloseTo(expected.psi, 12);
    expect(monetary.ks).toBeCloseTo(expected.ks, 12);
    expect(monetary.wassersteinNorm).toBeCloseTo(expected.wassersteinNorm!, 12);
    expect(overview.drift!.results.find((r) => r.feature === "frequency")!.band).toBe("none");
    const runAlerts = overview.alerts.filter((a) => a.kind === "drift");
    // One alert for the feature, one for the segment that reads it (the proposal); "Frequent" reads no drifted feature.
    expect(runAlerts.map((a) => [a.subject, a.band, a.segmentName])).toEqual(
      expect.arrayContaining([
        ["monetary", "act", null],
        ["monetary", "act", "Big spenders"],
      ])
    );
    expect(runAlerts).toHaveLength(2);
    // The board of the segment that reads the drifted feature is due for review within two weeks; the other's is not.
    const due = await t.ownerQuery<{ segment_id: string; in_days: number }>(
      "select segment_id, review_due_on - (now() at time zone 'UTC')::date as in_days from swot_boards where tenant_id = $1",
      [w.tenantId],
    );
    expect(due.rows).toEqual([{ segment_id: bigSpenders.segmentId, in_days: 14 }]);
  });

  it("opens exactly one re-segmentation proposal per segment, not one per run", async () => {
    await driftRun();
    await driftRun();
    const { rows } = await t.ownerQuery<{
      segment_id: string;
      kind: string;
      status: string;
      title: string;
      created_by: string | null;
    }>(
      "select segment_id, kind, status, title, created_by from segment_proposals where tenant_id = $1 and title like 'Re-segment%'",
      [w.tenantId]
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      segment_id: bigSpenders.segmentId,
      kind: "change",
      status: "draft",
      created_by: null,
    });
    expect(rows[0].title).toBe("Re-segment “Big spenders”: drift in Monetary value");
    // The persisting drift stays one open alert too, until someone acknowledges it.
    const alerts = await t.ownerQuery(
      "select 1 from monitor_alerts where tenant_id = $1 and kind = 'drift' and subject = 'monetary' and segment_id is null and acknowledged_at is null",
      [w.tenantId],
    );
    expect(alerts.rowCount).toBe(1);
    // The proposal's creation is in the audit log, by the system.
    const audit = await t.ownerQuery<{ actor_label: string }>(
      "select actor_label from audit_log where tenant_id = $1 and action = 'proposal.create' and changes->'after'->>'openedBy' = 'monitoring'",
      [w.tenantId]
    );
    expect(audit.rows).toEqual([{ actor_label: "system" }]);
    // Once that proposal is withdrawn, a later act band may open a new one.
    await t.ownerQuery(
      "update segment_proposals set status = 'withdrawn' where tenant_id = $1 and title like 'Re-segment%'",
      [w.tenantId]
    );
    await driftRun();
    const open = await t.ownerQuery(
      "select 1 from segment_proposals where tenant_id = $1 and title like 'Re-segment%' and status = 'draft'",
      [w.tenantId]
    );
    expect(open.rowCount).toBe(1);
  });

  it("a new baseline taken by hand makes the shifted features the reference again", async () => {
    await captureBaseline(scopeOf(w, "analyst"));
    await driftRun();
    const overview = await monitoringOverview(scopeOf(w, "analyst"));
    expect(overview.drift!.results.every((r) => r.psi === 0 && r.band === "none")).toBe(true);
  });
});

describe("bias audits", () => {
  it("the audit queued by a publish finds the constructed ratio: F 0.5, M 0.2, DI 0.4, flagged", async () => {
    const { rows } = await t.ownerQuery<{ id: string }>(
      "select id from monitor_runs where tenant_id = $1 and kind = 'bias' and trigger = 'publish' and segment_id = $2",
      [w.tenantId, frequent.segmentId]
    );
    expect(rows).toHaveLength(1);
    expect(await runBiasAudit(t.db, w.tenantId, rows[0].id)).toBe("completed");
    const { rows: results } = await t.ownerQuery<{
      attribute: string;
      n: number;
      selected: number;
      min_di_vs_max: number;
      fails_four_fifths: boolean;
      chi2: number;
      groups: { group: string; n: number; selected: number; rate: number }[];
    }>(
      "select attribute, n, selected, min_di_vs_max, fails_four_fifths, chi2, groups from bias_results where tenant_id = $1 and run_id = $2",
      [w.tenantId, rows[0].id]
    );
    expect(results).toHaveLength(1);
    const r = results[0];
    // Values are trimmed (' F ' → 'F'). F: 500 of 1,000; M: 400 of 2,000.
    expect(r.groups.map((g) => [g.group, g.n, g.selected, g.rate])).toEqual([
      ["F", 1000, 500, 0.5],
      ["M", 2000, 400, 0.2],
    ]);
    expect([r.attribute, r.n, r.selected, r.fails_four_fifths]).toEqual(["gender", 3000, 900, true]);
    expect(r.min_di_vs_max).toBeCloseTo(0.4, 14);
    // χ² on [[500, 500], [400, 1600]]: expected 300/700 and 600/1400; 200²·(1/300 + 1/700 + 1/600 + 1/1400) = 285.714.
    expect(r.chi2).toBeCloseTo(40000 * (1 / 300 + 1 / 700 + 1 / 600 + 1 / 1400), 9);
  });

  it("a scheduled audit covers every active segment; alerts never name a protected value", async () => {
    const scope = scopeOf(w, "analyst");
    const runId = await t.db.withTenant(w.tenantId, (tx) =>
      queueRun(tx, w.tenantId, { kind: "bias", trigger: "demand", createdBy: scope.actor.userId })
    );
    await runBiasAudit(t.db, w.tenantId, runId);
    const overview = await monitoringOverview(scope);
    expect(overview.bias?.run.id).toBe(runId);
    expect(overview.bias!.results.map((r) => r.segmentName)).toEqual(["Big spenders", "Frequent"]);
    const alerts = overview.alerts.filter((a) => a.kind === "bias");
    expect(alerts.map((a) => a.segmentName)).toContain("Frequent");
    for (const a of alerts) {
      expect(a.message).not.toMatch(/'F'|'M'|\bF\b|\bM\b/);
      expect(a.message).toContain("'gender'");
    }
  });

  it("protected values reach only roles with protected:read", async () => {
    for (const role of ["owner", "admin", "committee", "analyst", "viewer"] as const) {
      const { caller } = await callerFor(t.db, w.members[role].token, { tenantId: w.tenantId });
      const overview = await caller.monitoring.overview();
      const text = JSON.stringify(overview.bias);
      const allowed = role !== "viewer";
      expect(overview.canSeeProtected, role).toBe(allowed);
      expect(
        overview.bias!.results.every((r) => (r.groups === null) === !allowed),
        role
      ).toBe(true);
      expect(text.includes('"group":"F"'), role).toBe(allowed);
      const run = await caller.monitoring.run({ runId: overview.bias!.run.id });
      expect(JSON.stringify(run).includes('"group":"F"'), role).toBe(allowed);
    }
  });
});

describe("alerts", () => {
  it("are acknowledged with a comment, once, and the acknowledgement is audited", async () => {
    const scope = scopeOf(w, "committee");
    const [alert] = (await monitoringOverview(scope)).alerts.filter((a) => !a.acknowledgedAt);
    await expect(acknowledgeAlert(scope, { alertId: alert.id, comment: " " })).rejects.toThrow(/at least 3 characters/);
    await acknowledgeAlert(scope, {
      alertId: alert.id,
      comment: "Expected after the price rise; reviewed in committee.",
    });
    await expect(acknowledgeAlert(scope, { alertId: alert.id, comment: "Again" })).rejects.toThrow(
      "already been acknowledged"
    );
    const after = (await monitoringOverview(scope)).alerts.find((a) => a.id === alert.id)!;
    expect(after.acknowledgement).toBe("Expected after the price rise; reviewed in committee.");
    expect(after.acknowledgedBy).toBe(w.members.committee.name);
    const audit = await t.ownerQuery<{ n: number }>(
      "select count(*)::int as n from audit_log where tenant_id = $1 and action = 'monitoring.alert.acknowledge' and object_id = $2",
      [w.tenantId, alert.id]
    );
    expect(audit.rows[0].n).toBe(1);
  });
});

describe("migration matrix", () => {
  it("counts movers between two snapshots like a naive per-customer comparison", async () => {
    const x = await makeWorkspace(t.db, "Migration Co");
    const ids = (
      await t.ownerQuery<{ id: string }>(
        `insert into customers (tenant_id, external_id) select $1, 'X' || i from generate_series(1, 10) i returning id`,
        [x.tenantId]
      )
    ).rows.map((r) => r.id);
    const seg = async (name: string, priority: number) =>
      (
        await t.ownerQuery<{ id: string }>(
          `insert into segments (tenant_id, name, priority, status, current_version) values ($1, $2, $3, 'active', 2) returning id`,
          [x.tenantId, name, priority]
        )
      ).rows[0].id;
    const a = await seg("A", 1);
    const b = await seg("B", 2);
    const version = (segment: string, v: number, at: string) =>
      t.ownerQuery(
        `insert into segment_versions (tenant_id, segment_id, version, definition, kind, member_count, added, removed, published_at) values ($1, $2, $3, '{}', 'create', 0, 0, 0, $4)`,
        [x.tenantId, segment, v, at]
      );
    await version(a, 1, "2026-01-01T00:00:00Z");
    await version(b, 1, "2026-01-01T00:00:00Z");
    await version(a, 2, "2026-02-01T00:00:00Z");
    await version(b, 2, "2026-02-01T00:00:00Z");
    // A v1: customers 0-4; A v2: 0-1 and 8. B v1: 5-7 and 4 (4 is in both: A first by priority); B v2: 2-6.
    const member = (segment: string, c: number, from: number, to: number | null) =>
      t.ownerQuery(
        `insert into segment_memberships (tenant_id, segment_id, customer_id, from_version, to_version) values ($1, $2, $3, $4, $5)`,
        [x.tenantId, segment, ids[c], from, to]
      );
    for (const c of [0, 1]) await member(a, c, 1, null);
    for (const c of [2, 3, 4]) await member(a, c, 1, 2);
    await member(a, 8, 2, null);
    for (const c of [4, 5, 6]) await member(b, c, 1, null);
    await member(b, 7, 1, 2);
    for (const c of [2, 3]) await member(b, c, 2, null);
    const m = await migrationMatrix(x.ownerScope, { from: new Date("2026-01-15"), to: new Date("2026-02-15") });
    // Naive: at Jan 15 (v1 of both) A = {0,1,2,3,4}, B = {5,6,7} (4 goes to A); at Feb 15 (v2) A = {0,1,8}, B = {2,3,4,5,6}.
    const at1 = ["A", "A", "A", "A", "A", "B", "B", "B", null, null];
    const at2 = ["A", "A", "B", "B", "B", "B", "B", null, "A", null];
    const naive = new Map<string, number>();
    at1.forEach((f, i) => naive.set(`${f}>${at2[i]}`, (naive.get(`${f}>${at2[i]}`) ?? 0) + 1));
    // Customer 9 is in neither snapshot: the matrix lists customers in at least one.
    naive.delete("null>null");
    const name = (id: string | null) => (id === a ? "A" : id === b ? "B" : null);
    expect(new Map(m.cells.map((c) => [`${name(c.from)}>${name(c.to)}`, c.customers]))).toEqual(naive);
    // Decay: A lost 3 of 5 (0.6), B lost 1 of 3.
    expect(m.decay.find((d) => d.segmentId === a)).toMatchObject({ members: 5, moved: 3, share: 0.6 });
    expect(m.decay.find((d) => d.segmentId === b)).toMatchObject({ members: 3, moved: 1 });
    expect(m.days).toBe(31);
    await expect(
      migrationMatrix(x.ownerScope, { from: new Date("2026-03-01"), to: new Date("2026-02-01") })
    ).rejects.toThrow("'from' must be before 'to'");
  });
});

describe("settings and the schedule sweep", () => {
  it("refuses bands out of order and queues scheduled runs only when due", async () => {
    await expect(
      updateMonitoringSettings(scopeOf(w, "admin"), {
        psiWatch: 0.3,
        psiAct: 0.2,
        schedule: "daily",
        proposeOnAct: true,
      })
    ).rejects.toThrow("psiAct: The act band must start at or above the watch band.");
    const s = await makeWorkspace(t.db, "Sweep Co");
    await updateMonitoringSettings(s.ownerScope, {
      psiWatch: 0.1,
      psiAct: 0.25,
      schedule: "daily",
      proposeOnAct: true,
    });
    const log = createLogger("silent");
    const first = await sweepMonitorSchedules(t.db, log);
    expect(
      first
        .filter((q) => q.tenantId === s.tenantId)
        .map((q) => q.kind)
        .sort()
    ).toEqual(["bias", "drift"]);
    expect((await sweepMonitorSchedules(t.db, log)).filter((q) => q.tenantId === s.tenantId)).toEqual([]);
    // A day later both are due again.
    const later = await sweepMonitorSchedules(t.db, log, new Date(Date.now() + 86_400_000 + 60_000));
    expect(later.filter((q) => q.tenantId === s.tenantId)).toHaveLength(2);
  });
});
