/**
 * Reports linked from proposals and the drift "act" alerts' webhook, on real PostgreSQL.
 * "Big spenders" (monetary ≥ 500) is published and audited; a shift in monetary value drifts into
 * the act band and opens a re-segmentation proposal: its alert (raised through raiseAlert) sends
 * alert.raised naming the proposal, once, however many runs see the drift; the proposal's page
 * links back to that run and alert, lists the segment's open alerts and its latest bias report;
 * a role without monitor:read gets none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { requestRun, runBiasAudit, runDriftMonitor } from "../../server/services/monitoring";
import { getProposal } from "../../server/services/segments";
import { createWebhookEndpoint } from "../../server/services/webhooks";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { publishedSegment, scopeOf } from "../helpers/governance";
import { seedMonitoringCustomers } from "../helpers/monitoring";

let t: TestDatabase;
let w: FactoryWorkspace;
let bigSpenders: { segmentId: string; proposalId: string };
let endpointId = "";
let biasRunId = "";

async function driftRun(): Promise<string> {
  const { runId } = await requestRun(scopeOf(w, "analyst"), { kind: "drift" });
  expect(await runDriftMonitor(t.db, w.tenantId, runId)).toBe("completed");
  return runId;
}

async function alertWebhooks() {
  const { rows } = await t.ownerQuery<{ payload: { type: string; data: Record<string, unknown> } }>(
    "select payload from webhook_deliveries where tenant_id = $1 and endpoint_id = $2 order by created_at, payload->'data'->>'segmentId' nulls first",
    [w.tenantId, endpointId],
  );
  return rows.map((r) => r.payload);
}

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Links Co");
  await seedMonitoringCustomers(t, w.tenantId, 3000);
  bigSpenders = await publishedSegment(w, "Big spenders", { combinator: "and", children: [{ op: "gte", field: "monetary", value: 500 }] });
  const { rows } = await t.ownerQuery<{ id: string }>("select id from monitor_runs where tenant_id = $1 and kind = 'bias'", [w.tenantId]);
  expect(rows).toHaveLength(1);
  biasRunId = rows[0].id;
  expect(await runBiasAudit(t.db, w.tenantId, biasRunId)).toBe("completed");
  endpointId = (await createWebhookEndpoint(w.ownerScope, { url: "https://hooks.example.test/alerts", events: ["alert.raised"] })).id;
});
afterAll(() => t.drop());

describe("drift act alerts and proposal links", () => {
  it("an act band opens a proposal whose alert sends alert.raised once, and the proposal links back to its run", async () => {
    await driftRun(); // the reference
    await t.ownerQuery("update customer_features set monetary = monetary * 1.6 + 150 where tenant_id = $1", [w.tenantId]);
    const runId = await driftRun();
    const { rows: opened } = await t.ownerQuery<{ id: string; alert_id: string }>(
      `select p.id, a.id as alert_id from segment_proposals p join monitor_alerts a on a.tenant_id = p.tenant_id and a.proposal_id = p.id
       where p.tenant_id = $1 and p.segment_id = $2 and p.title like 'Re-segment%'`,
      [w.tenantId, bigSpenders.segmentId],
    );
    expect(opened).toHaveLength(1);
    const proposalId = opened[0].id;
    const segmentMessage = "“Big spenders” reads Monetary value, which drifted into the act band: a re-segmentation proposal was opened for the committee.";
    const sent = await alertWebhooks();
    expect(sent).toEqual([
      expect.objectContaining({ type: "alert.raised", data: { kind: "drift", segmentId: null, subject: "monetary", band: "act", message: expect.stringMatching(/^Monetary value moved: PSI/) } }),
      expect.objectContaining({
        type: "alert.raised",
        data: { kind: "drift", segmentId: bigSpenders.segmentId, subject: "monetary", band: "act", message: segmentMessage, proposalId },
      }),
    ]);
    // The drift persists: no new proposal, no new alert, no new webhook.
    await driftRun();
    expect(await alertWebhooks()).toHaveLength(2);

    const page = await getProposal(scopeOf(w, "committee"), { proposalId });
    expect(page.monitoring?.openedBy).toMatchObject({ runId, runKind: "drift", alertId: opened[0].alert_id, message: segmentMessage });
    expect(page.monitoring?.openedBy?.runSummary).toMatch(/1 re-segmentation proposal opened/);
    expect(page.monitoring?.openAlerts.map((a) => [a.kind, a.band, a.subject, a.runId])).toEqual([["drift", "act", "monetary", runId]]);
    // The publish audit: monetary ≥ 500 selects F 501 of 1,000 and M 1,002 of 2,000.
    expect(page.monitoring?.latestBias).toMatchObject({
      runId: biasRunId,
      version: 1,
      attributes: [{ attribute: "gender", n: 3000, selected: 1503, failsFourFifths: false }],
    });
    expect(page.monitoring?.latestBias?.attributes[0].minDiVsMax).toBeCloseTo(1002 / 2000 / (501 / 1000), 14);

    // The segment's own publish proposal is linked to its reports too, but was not opened by monitoring.
    const original = await getProposal(scopeOf(w, "viewer"), { proposalId: bigSpenders.proposalId });
    expect(original.monitoring?.openedBy).toBeNull();
    expect(original.monitoring?.latestBias?.runId).toBe(biasRunId);
    // Contributors may read proposals but not monitoring.
    expect((await getProposal(scopeOf(w, "contributor"), { proposalId })).monitoring).toBeNull();
  });

  it("after the first proposal is withdrawn, a new one is announced (and linked) although the old alert is still open", async () => {
    await t.ownerQuery("update segment_proposals set status = 'withdrawn' where tenant_id = $1 and title like 'Re-segment%'", [w.tenantId]);
    const runId = await driftRun();
    const { rows } = await t.ownerQuery<{ id: string }>(
      "select id from segment_proposals where tenant_id = $1 and title like 'Re-segment%' and status = 'draft'",
      [w.tenantId],
    );
    expect(rows).toHaveLength(1);
    const sent = await alertWebhooks();
    expect(sent).toHaveLength(3);
    expect(sent[2]).toMatchObject({ type: "alert.raised", data: { segmentId: bigSpenders.segmentId, proposalId: rows[0].id } });
    const page = await getProposal(scopeOf(w, "analyst"), { proposalId: rows[0].id });
    expect(page.monitoring?.openedBy?.runId).toBe(runId);
  });
});
