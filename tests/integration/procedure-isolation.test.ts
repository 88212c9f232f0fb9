import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUser, makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { acceptInvite, createInvite } from "../../server/services/workspaces";
import { appRouter } from "../../server/trpc/router";
import { callerFor, jobsFor } from "../helpers/callers";
import { importFile, SAMPLE_TRANSACTIONS_CSV } from "../../db/seed/data-factory";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { commentOnProposal, createProposal } from "../../server/services/segments";
import { publishedSegment, scopeOf, submittedNewSegment } from "../helpers/governance";
import { startModelRun } from "../../server/services/models";
import { runModelRun } from "../../workers/jobs/model-run";
import { createApiKey } from "../../server/services/api-keys";
import { createWebhookEndpoint } from "../../server/services/webhooks";
import { getSession, scheduleSession, startSession } from "../../server/services/sessions";
import { saveReview } from "../../server/services/swot";
import { createKpi, setKpiTarget } from "../../server/services/kpis";

let t: TestDatabase;
let a: FactoryWorkspace;
let b: FactoryWorkspace;
let bInviteId: string;
let bInviteToken: string;
let bDataIds: string[];
let bImportId: string;
let bMergeId: string;
let bSegmentId: string;
let bProposalId: string;
let bSubmittedId: string;
let bCommentId: string;
let bModelRunId: string;
let bApiKeyId: string;
let bWebhookId: string;
let bSessionId: string;
let bSessionItemId: string;
let bReviewId: string;
let bMonitorRunId: string;
let bAlertId: string;
let bCampaignId: string;
let bCostId: string;
let bKpiId: string;
const MAPPING = { delimiter: "," as const, columns: [{ column: "customer_id", field: "external_id" }] };

beforeAll(async () => {
  t = await createTestDatabase();
  a = await makeWorkspace(t.db, "Alpha Co");
  b = await makeWorkspace(t.db, "Beta Co", jobsFor(t.db));
  const ids = await t.ownerQuery<{ kind: string; id: string }>(
    `select 'import' kind, id::text from imports where tenant_id = $1
     union all select 'customer', id::text from customers where tenant_id = $1
     union all select 'merge', id::text from customer_merges where tenant_id = $1`,
    [b.tenantId],
  );
  bDataIds = ids.rows.map((r) => r.id);
  bImportId = ids.rows.find((r) => r.kind === "import")!.id;
  bMergeId = ids.rows.find((r) => r.kind === "merge")!.id;
  // A holds data too, so that listings have something to show.
  await importFile(t.db, a.ownerScope, jobsFor(t.db), { kind: "transactions", fileName: "a.csv", body: SAMPLE_TRANSACTIONS_CSV });
  const invite = await createInvite(b.ownerScope, { email: "pending-at-beta@example.test", role: "analyst", regionIds: [] }, 24);
  bInviteId = invite.inviteId;
  bInviteToken = invite.token;
  bSegmentId = (await publishedSegment(b, "Beta champions", { combinator: "and", children: [{ op: "gte", field: "frequency", value: 1 }] })).segmentId;
  bProposalId = (await createProposal(scopeOf(b, "analyst"), { kind: "change", segmentId: bSegmentId })).proposalId;
  bSubmittedId = (await submittedNewSegment(scopeOf(b, "analyst"), "Beta newcomers", { combinator: "and", children: [] })).proposalId;
  bCommentId = (await commentOnProposal(scopeOf(b, "committee"), { proposalId: bProposalId, body: "Beta-only remark" })).id;
  bDataIds.push(bSegmentId, bProposalId, bSubmittedId, bCommentId);
  bModelRunId = (await startModelRun(b.ownerScope, { features: [{ field: "frequency", transform: "none" }], kMin: 2, kMax: 2, seed: 1, restarts: 1 }, jobsFor(t.db))).runId;
  await runModelRun(t.db, b.tenantId, bModelRunId);
  bDataIds.push(bModelRunId);
  // B's board of its segment, with a saved review and a yearly schedule.
  bReviewId = (await saveReview(scopeOf(b, "committee"), { segmentId: bSegmentId, participantIds: [b.members.analyst.id] })).reviewId;
  bDataIds.push(bReviewId);
  // A live committee session of B, deciding B's submitted proposal.
  bSessionId = (
    await scheduleSession(scopeOf(b, "committee"), {
      title: "Beta board meeting",
      scheduledAt: new Date("2026-12-01T09:00:00Z"),
      items: [{ kind: "proposal", proposalId: bSubmittedId, timeBoxMinutes: 10 }, { kind: "topic", title: "Beta-only topic", timeBoxMinutes: 5 }],
    })
  ).sessionId;
  await startSession(scopeOf(b, "committee"), { sessionId: bSessionId });
  bSessionItemId = (await getSession(scopeOf(b, "committee"), { sessionId: bSessionId })).items[1].id;
  bDataIds.push(bSessionId, bSessionItemId);
  // A drift run of B with an open alert (written directly).
  bMonitorRunId = (
    await t.ownerQuery<{ id: string }>(`insert into monitor_runs (tenant_id, kind, trigger, status, summary) values ($1, 'drift', 'demand', 'completed', 'Beta-only drift') returning id`, [b.tenantId])
  ).rows[0].id;
  bAlertId = (
    await t.ownerQuery<{ id: string }>(
      `insert into monitor_alerts (tenant_id, run_id, kind, subject, band, message) values ($1, $2, 'drift', 'monetary', 'act', 'Beta-only alert') returning id`,
      [b.tenantId, bMonitorRunId],
    )
  ).rows[0].id;
  bDataIds.push(bMonitorRunId, bAlertId);
  // B's API key and webhook endpoint (with a delivery from the publish above).
  bApiKeyId = (await createApiKey(b.ownerScope, { name: "Beta CRM key", scopes: ["memberships:read"] })).id;
  bWebhookId = (await createWebhookEndpoint(b.ownerScope, { url: "https://beta.example.test/hook", events: ["segment.published"] })).id;
  await publishedSegment(b, "Beta hooked", { combinator: "and", children: [] });
  bDataIds.push(bApiKeyId, bWebhookId);
  // B's custom KPI with an owner and a target on B's segment.
  bKpiId = (
    await createKpi(b.ownerScope, {
      key: "beta_only_kpi",
      name: "Beta-only KPI",
      unit: "count",
      direction: "higher",
      spec: { kind: "aggregate", measure: { source: "events", aggregate: "count", filter: { type: "beta-only-event" } } },
      ownerUserId: b.owner.id,
    })
  ).id;
  await setKpiTarget(b.ownerScope, { kpiId: bKpiId, segmentId: bSegmentId, target: 42 });
  bDataIds.push(bKpiId);
  // B's running campaign on its segment (members frozen from B's customers) and a segment cost.
  bCampaignId = (
    await t.ownerQuery<{ id: string }>(
      `insert into campaigns (tenant_id, name, segment_id, channels, budget, period_start, period_end, holdout_percent, outcome, status)
       values ($1, 'Beta-only campaign', $2, '{email}', 1000, '2011-01-01', '2011-12-31', 10, 'revenue', 'running') returning id`,
      [b.tenantId, bSegmentId],
    )
  ).rows[0].id;
  await t.ownerQuery(
    `insert into campaign_members (tenant_id, campaign_id, customer_id, region, holdout, draw)
     select tenant_id, $2, id, region, row_number() over () % 2 = 0, 0.5 from customers where tenant_id = $1`,
    [b.tenantId, bCampaignId],
  );
  bCostId = (
    await t.ownerQuery<{ id: string }>(
      `insert into cost_to_serve (tenant_id, scope, segment_id, period_start, period_end, amount, source) values ($1, 'segment', $2, '2011-01-01', '2011-12-31', 777, 'manual') returning id`,
      [b.tenantId, bSegmentId],
    )
  ).rows[0].id;
  bDataIds.push(bCampaignId, bCostId);
  // A has segments of its own, so that listings and overlaps have something to show.
  await publishedSegment(a, "Alpha all", { combinator: "and", children: [] });
});
afterAll(() => t.drop());

/** A fingerprint of everything workspace B holds, read as the owner (RLS does not apply). */
async function fingerprintB(): Promise<string> {
  const parts: string[] = [];
  for (const table of [
    "workspaces",
    "memberships",
    "membership_regions",
    "regions",
    "invites",
    "audit_log",
    "imports",
    "import_files",
    "import_errors",
    "customers",
    "customer_sources",
    "customer_merges",
    "transactions",
    "customer_features",
    "data_quality_reports",
    "workspace_settings",
    "attribute_definitions",
    "segments",
    "segment_versions",
    "segment_memberships",
    "segment_proposals",
    "proposal_votes",
    "proposal_comments",
    "collab_updates",
    "collab_snapshots",
    "model_runs",
    "model_run_results",
    "model_run_clusters",
    "model_run_assignments",
    "api_keys",
    "webhook_endpoints",
    "webhook_deliveries",
    "swot_boards",
    "swot_reviews",
    "committee_sessions",
    "session_agenda_items",
    "session_attendees",
    "feature_baselines",
    "feature_baseline_values",
    "monitor_runs",
    "drift_results",
    "bias_results",
    "monitor_alerts",
    "monitor_resegmentations",
    "campaigns",
    "campaign_members",
    "cost_to_serve",
    "events",
    "kpi_definitions",
    "kpi_targets",
    "kpi_rollups",
    "kpi_rollup_runs",
  ]) {
    const col = table === "workspaces" ? "id" : "tenant_id";
    const { rows } = await t.ownerQuery<{ h: string }>(
      `select coalesce(md5(string_agg(x::text, '|' order by x::text)), '') as h from ${table} x where ${col} = $1`,
      [b.tenantId],
    );
    parts.push(`${table}:${rows[0].h}`);
  }
  return parts.join(",");
}

/** Anything identifying B: none of it may appear in what A's member gets back. */
function bMarkers(): string[] {
  return [
    b.tenantId,
    b.name,
    b.slug,
    ...b.regionIds,
    ...Object.values(b.members).flatMap((m) => [m.id, m.email]),
    bInviteId,
    "pending-at-beta@example.test",
    ...bDataIds,
    "Beta champions",
    "Beta newcomers",
    "Beta-only remark",
    "Beta CRM key",
    "Beta hooked",
    "beta.example.test",
    "Beta board meeting",
    "Beta-only topic",
    "Beta-only drift",
    "Beta-only alert",
    "Beta-only campaign",
    "Beta-only KPI",
    "beta-only-event",
  ];
}

type Caller = Awaited<ReturnType<typeof callerFor>>["caller"];

/**
 * One case per procedure: A's owner (the most powerful role) calls it aiming at B. `refused`
 * names the error expected; otherwise the call succeeds and its result must hold nothing of B.
 */
const CASES: Record<string, { call: (c: Caller) => Promise<unknown>; refused?: TRPCError["code"] }> = {
  "api.keys": { call: (c) => c.api.keys() },
  "api.createKey": { call: (c) => c.api.createKey({ name: "A's key", scopes: ["memberships:read"] }) },
  "api.revokeKey": { call: (c) => c.api.revokeKey({ keyId: bApiKeyId }), refused: "NOT_FOUND" },
  "api.webhooks": { call: (c) => c.api.webhooks() },
  "api.createWebhook": { call: (c) => c.api.createWebhook({ url: "https://a.example.test/hook", events: ["segment.published"] }) },
  "api.setWebhookEnabled": { call: (c) => c.api.setWebhookEnabled({ endpointId: bWebhookId, enabled: false }), refused: "NOT_FOUND" },
  "api.deleteWebhook": { call: (c) => c.api.deleteWebhook({ endpointId: bWebhookId }), refused: "NOT_FOUND" },
  "api.deliveries": { call: (c) => c.api.deliveries({ endpointId: bWebhookId }), refused: "NOT_FOUND" },
  "api.logMembersExport": { call: (c) => c.api.logMembersExport({ segmentId: bSegmentId, version: 1 }), refused: "NOT_FOUND" },
  "auth.me": { call: (c) => c.auth.me() },
  "auth.signUp": { call: (c) => c.auth.signUp({ email: "newcomer-iso@example.test", name: "New", password: "long-enough-pw" }) },
  "auth.logIn": { call: (c) => c.auth.logIn({ email: b.owner.email, password: "wrong-password-x" }), refused: "UNAUTHORIZED" },
  "auth.logOut": { call: (c) => c.auth.logOut() },
  "auth.switchWorkspace": { call: (c) => c.auth.switchWorkspace({ tenantId: b.tenantId }), refused: "FORBIDDEN" },
  "auth.describeInvite": { call: (c) => c.auth.describeInvite({ token: `${b.tenantId}.forged-secret-0123456789abcdef` }) },
  "auth.acceptInvite": { call: (c) => c.auth.acceptInvite({ token: bInviteToken }), refused: "FORBIDDEN" },
  "workspace.create": { call: (c) => c.workspace.create({ name: "Gamma Co" }) },
  "workspace.get": { call: (c) => c.workspace.get() },
  "workspace.rename": { call: (c) => c.workspace.rename({ name: "Alpha Renamed" }) },
  "members.list": { call: (c) => c.members.list() },
  "members.update": {
    call: (c) => c.members.update({ userId: b.members.viewer.id, role: "admin", regionIds: [] }),
    refused: "NOT_FOUND",
  },
  "members.remove": { call: (c) => c.members.remove({ userId: b.members.analyst.id }), refused: "NOT_FOUND" },
  "invites.list": { call: (c) => c.invites.list() },
  "invites.create": {
    call: (c) => c.invites.create({ email: "x-iso@example.test", role: "contributor", regionIds: [b.regionIds[0]] }),
    refused: "BAD_REQUEST",
  },
  "invites.revoke": { call: (c) => c.invites.revoke({ inviteId: bInviteId }), refused: "NOT_FOUND" },
  "regions.list": { call: (c) => c.regions.list() },
  "regions.create": { call: (c) => c.regions.create({ name: "East" }) },
  "regions.rename": { call: (c) => c.regions.rename({ regionId: b.regionIds[0], name: "Taken over" }), refused: "NOT_FOUND" },
  "regions.delete": { call: (c) => c.regions.delete({ regionId: b.regionIds[1] }), refused: "NOT_FOUND" },
  "audit.list": { call: (c) => c.audit.list({ limit: 200 }) },
  "audit.actions": { call: (c) => c.audit.actions() },
  "audit.verify": { call: (c) => c.audit.verify() },
  "data.overview": { call: (c) => c.data.overview() },
  "data.imports": { call: (c) => c.data.imports() },
  "data.import": { call: (c) => c.data.import({ importId: bImportId }), refused: "NOT_FOUND" },
  "data.preview": { call: (c) => c.data.preview({ importId: bImportId }), refused: "NOT_FOUND" },
  "data.startImport": { call: (c) => c.data.startImport({ importId: bImportId, mapping: MAPPING }), refused: "NOT_FOUND" },
  "data.cancelImport": { call: (c) => c.data.cancelImport({ importId: bImportId }), refused: "NOT_FOUND" },
  "data.customers": { call: (c) => c.data.customers({ limit: 500 }) },
  "data.merges": { call: (c) => c.data.merges() },
  "data.undoMerge": { call: (c) => c.data.undoMerge({ mergeId: bMergeId }), refused: "NOT_FOUND" },
  "data.settings": { call: (c) => c.data.settings() },
  "data.updateSettings": {
    call: (c) => c.data.updateSettings({ maxMissingShare: 0.3, preparation: { dropCancellations: true, dropNonPositive: false } }),
  },
  "data.fields": { call: (c) => c.data.fields({ kind: "customers" }) },
  "segments.list": { call: (c) => c.segments.list() },
  "segments.get": { call: (c) => c.segments.get({ segmentId: bSegmentId }), refused: "NOT_FOUND" },
  "segments.versionMembers": { call: (c) => c.segments.versionMembers({ segmentId: bSegmentId, version: 1 }), refused: "NOT_FOUND" },
  "segments.preview": { call: (c) => c.segments.preview({ segmentId: bSegmentId, rules: { combinator: "and", children: [] } }), refused: "NOT_FOUND" },
  "segments.builderOptions": { call: (c) => c.segments.builderOptions() },
  "segments.settings": { call: (c) => c.segments.settings() },
  "segments.updateSettings": {
    call: (c) => c.segments.updateSettings({ assignment: "exclusive", approval: { minApprovals: 2, rejectionVetoes: false, quorum: 0.5 } }),
  },
  "segments.reorder": { call: (c) => c.segments.reorder({ order: [bSegmentId] }), refused: "BAD_REQUEST" },
  "segments.proposals": { call: (c) => c.segments.proposals({}) },
  "segments.proposal": { call: (c) => c.segments.proposal({ proposalId: bProposalId }), refused: "NOT_FOUND" },
  "segments.createProposal": { call: (c) => c.segments.createProposal({ kind: "change", segmentId: bSegmentId }), refused: "NOT_FOUND" },
  "segments.submit": { call: (c) => c.segments.submit({ proposalId: bProposalId }), refused: "NOT_FOUND" },
  "segments.reopen": { call: (c) => c.segments.reopen({ proposalId: bSubmittedId }), refused: "NOT_FOUND" },
  "segments.withdraw": { call: (c) => c.segments.withdraw({ proposalId: bProposalId }), refused: "NOT_FOUND" },
  "segments.rebase": { call: (c) => c.segments.rebase({ proposalId: bProposalId }), refused: "NOT_FOUND" },
  "swot.list": { call: (c) => c.swot.list() },
  "swot.get": { call: (c) => c.swot.get({ segmentId: bSegmentId }), refused: "NOT_FOUND" },
  "swot.review": { call: (c) => c.swot.review({ reviewId: bReviewId }), refused: "NOT_FOUND" },
  "swot.saveReview": { call: (c) => c.swot.saveReview({ segmentId: bSegmentId }), refused: "NOT_FOUND" },
  "swot.setSchedule": { call: (c) => c.swot.setSchedule({ segmentId: bSegmentId, reviewEveryMonths: 6, reviewDueOn: "2027-01-31" }), refused: "NOT_FOUND" },
  "swot.teams": { call: (c) => c.swot.teams() },
  "swot.updateTeams": { call: (c) => c.swot.updateTeams({ teams: ["marketing", "finance"] }) },
  // Owners do not vote (the committee does); a committee member of A aiming at B is tested below.
  "segments.vote": { call: (c) => c.segments.vote({ proposalId: bSubmittedId, vote: "approve", reason: "Take over" }), refused: "FORBIDDEN" },
  "segments.decide": { call: (c) => c.segments.decide({ proposalId: bSubmittedId, decision: "approve", reason: "Take over" }), refused: "NOT_FOUND" },
  "segments.comment": { call: (c) => c.segments.comment({ proposalId: bProposalId, body: "Hello from A" }), refused: "NOT_FOUND" },
  "segments.justifyBias": {
    call: (c) => c.segments.justifyBias({ proposalId: bSubmittedId, justification: "Accepted by the committee of another workspace." }),
    refused: "NOT_FOUND",
  },
  "sessions.list": { call: (c) => c.sessions.list() },
  "sessions.get": { call: (c) => c.sessions.get({ sessionId: bSessionId }), refused: "NOT_FOUND" },
  "sessions.agendaOptions": { call: (c) => c.sessions.agendaOptions() },
  "sessions.forProposal": { call: (c) => c.sessions.forProposal({ proposalId: bSubmittedId }), refused: "NOT_FOUND" },
  "sessions.schedule": {
    call: (c) =>
      c.sessions.schedule({ title: "Take over", scheduledAt: new Date(), items: [{ kind: "proposal", proposalId: bSubmittedId, timeBoxMinutes: 5 }] }),
    refused: "BAD_REQUEST",
  },
  "sessions.update": {
    call: (c) => c.sessions.update({ sessionId: bSessionId, title: "Taken over", scheduledAt: new Date(), items: [{ kind: "topic", title: "Mine now", timeBoxMinutes: 5 }] }),
    refused: "NOT_FOUND",
  },
  "sessions.cancel": { call: (c) => c.sessions.cancel({ sessionId: bSessionId }), refused: "NOT_FOUND" },
  "sessions.start": { call: (c) => c.sessions.start({ sessionId: bSessionId }), refused: "NOT_FOUND" },
  "sessions.move": { call: (c) => c.sessions.move({ sessionId: bSessionId, itemId: bSessionItemId }), refused: "NOT_FOUND" },
  "sessions.close": { call: (c) => c.sessions.close({ sessionId: bSessionId }), refused: "NOT_FOUND" },
  "monitoring.overview": { call: (c) => c.monitoring.overview() },
  "monitoring.run": { call: (c) => c.monitoring.run({ runId: bMonitorRunId }), refused: "NOT_FOUND" },
  "monitoring.migration": { call: (c) => c.monitoring.migration({ from: new Date("2020-01-01"), to: new Date() }) },
  "monitoring.start": { call: (c) => c.monitoring.start({ kind: "bias" }) },
  "monitoring.captureBaseline": { call: (c) => c.monitoring.captureBaseline() },
  "monitoring.acknowledge": { call: (c) => c.monitoring.acknowledge({ alertId: bAlertId, comment: "Taken over" }), refused: "NOT_FOUND" },
  "monitoring.settings": { call: (c) => c.monitoring.settings() },
  "monitoring.updateSettings": { call: (c) => c.monitoring.updateSettings({ psiWatch: 0.2, psiAct: 0.4, schedule: "daily", proposeOnAct: false }) },
  "kpis.list": { call: (c) => c.kpis.list() },
  "kpis.dashboard": { call: (c) => c.kpis.dashboard({ grain: "month" }) },
  "kpis.segmentSeries": { call: (c) => c.kpis.segmentSeries({ segmentId: bSegmentId, grain: "month" }), refused: "NOT_FOUND" },
  "kpis.status": { call: (c) => c.kpis.status() },
  "kpis.create": {
    call: (c) => c.kpis.create({ key: "beta_only_kpi", name: "Alpha's own", unit: "count", direction: "higher", spec: { kind: "aggregate", measure: { source: "events", aggregate: "count", filter: {} } } }),
  },
  "kpis.update": { call: (c) => c.kpis.update({ kpiId: bKpiId, name: "Taken over" }), refused: "NOT_FOUND" },
  "kpis.delete": { call: (c) => c.kpis.delete({ kpiId: bKpiId }), refused: "NOT_FOUND" },
  "kpis.setOwner": { call: (c) => c.kpis.setOwner({ kpiId: bKpiId, ownerUserId: null }), refused: "NOT_FOUND" },
  "kpis.setTarget": { call: (c) => c.kpis.setTarget({ kpiId: bKpiId, segmentId: bSegmentId, target: 1 }), refused: "NOT_FOUND" },
  "kpis.rebuild": { call: (c) => c.kpis.rebuild() },
  "campaigns.list": { call: (c) => c.campaigns.list() },
  "campaigns.get": { call: (c) => c.campaigns.get({ campaignId: bCampaignId }), refused: "NOT_FOUND" },
  "campaigns.create": {
    call: (c) =>
      c.campaigns.create({ name: "Take over", segmentId: bSegmentId, channels: ["email"], budget: 1, periodStart: "2026-01-01", periodEnd: "2026-01-31", holdoutPercent: 10, outcome: "revenue" }),
    refused: "NOT_FOUND",
  },
  "campaigns.update": { call: (c) => c.campaigns.update({ campaignId: bCampaignId, name: "Taken over" }), refused: "NOT_FOUND" },
  "campaigns.launch": { call: (c) => c.campaigns.launch({ campaignId: bCampaignId }), refused: "NOT_FOUND" },
  "campaigns.finish": { call: (c) => c.campaigns.finish({ campaignId: bCampaignId }), refused: "NOT_FOUND" },
  "campaigns.delete": { call: (c) => c.campaigns.delete({ campaignId: bCampaignId }), refused: "NOT_FOUND" },
  "campaigns.roi": { call: (c) => c.campaigns.roi() },
  "campaigns.contribution": { call: (c) => c.campaigns.contribution({ from: "2011-01-01", to: "2011-12-31" }) },
  "campaigns.attribution": { call: (c) => c.campaigns.attribution({ from: "2011-01-01", to: "2011-12-31" }) },
  "campaigns.costs": { call: (c) => c.campaigns.costs({}) },
  "campaigns.setCost": {
    call: (c) => c.campaigns.setCost({ scope: "segment", segmentId: bSegmentId, periodStart: "2011-01-01", periodEnd: "2011-12-31", amount: 1 }),
    refused: "NOT_FOUND",
  },
  "campaigns.deleteCost": { call: (c) => c.campaigns.deleteCost({ costId: bCostId }), refused: "NOT_FOUND" },
  // B's customer C005 is not A's: the row is refused and B's costs are untouched.
  "campaigns.importCosts": { call: (c) => c.campaigns.importCosts({ csv: "customer_id,period_start,period_end,amount\nC005,2011-01-01,2011-12-31,9\n" }) },
  "campaigns.margin": { call: (c) => c.campaigns.margin() },
  "campaigns.setMargin": { call: (c) => c.campaigns.setMargin({ margin: 0.3 }) },
  "models.features": { call: (c) => c.models.features() },
  "models.featureCheck": { call: (c) => c.models.featureCheck({ features: [{ field: "frequency", transform: "none" }, { field: "monetary", transform: "none" }] }) },
  "models.kDistances": { call: (c) => c.models.kDistances({ features: [{ field: "frequency", transform: "none" }, { field: "monetary", transform: "none" }], minPts: 2 }) },
  "models.list": { call: (c) => c.models.list() },
  "models.get": { call: (c) => c.models.get({ runId: bModelRunId }), refused: "NOT_FOUND" },
  "models.start": { call: (c) => c.models.start({ features: [{ field: "frequency", transform: "none" }], kMin: 2, kMax: 2, seed: 1, restarts: 1 }) },
  "models.chooseK": { call: (c) => c.models.chooseK({ runId: bModelRunId, k: 3 }), refused: "NOT_FOUND" },
  "models.clusterOptions": { call: (c) => c.models.clusterOptions() },
  "models.cancel": { call: (c) => c.models.cancel({ runId: bModelRunId }), refused: "NOT_FOUND" },
  "models.delete": { call: (c) => c.models.delete({ runId: bModelRunId }), refused: "NOT_FOUND" },
};

describe("tenant isolation through every tRPC procedure", () => {
  it("has a case for every procedure of the router", () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
  });

  for (const [path, spec] of Object.entries(CASES)) {
    it(`${path}: A's member aiming at B ${spec.refused ? `is refused (${spec.refused})` : "gets nothing of B"}`, async () => {
      const before = await fingerprintB();
      // A fresh session per case, so that logOut or a sign-up does not affect the others.
      const owner = await makeUser(t.db);
      const invite = await createInvite(a.ownerScope, { email: owner.email, role: "owner", regionIds: [] }, 1);
      await acceptInvite(t.db, owner, invite.token);
      const { caller } = await callerFor(t.db, owner.token, { tenantId: a.tenantId });
      const outcome = await spec.call(caller).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      if (spec.refused) {
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) {
          expect(outcome.error).toBeInstanceOf(TRPCError);
          expect((outcome.error as TRPCError).code).toBe(spec.refused);
          for (const marker of [b.name, b.owner.email]) expect((outcome.error as Error).message).not.toContain(marker);
        }
      } else {
        expect(outcome.ok, outcome.ok ? "" : String((outcome as { error: unknown }).error)).toBe(true);
        const text = JSON.stringify(outcome.ok ? outcome.value : null) ?? "";
        for (const marker of bMarkers()) expect(text).not.toContain(marker);
      }
      expect(await fingerprintB()).toBe(before);
    });
  }
});

describe("segments across workspaces", () => {
  it("keeps A's committee from voting on B's proposal and A's rules from naming B's segments or model runs", async () => {
    const before = await fingerprintB();
    const { caller } = await callerFor(t.db, a.members.committee.token, { tenantId: a.tenantId });
    await expect(caller.segments.vote({ proposalId: bSubmittedId, vote: "approve", reason: "Take over" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const owner = await callerFor(t.db, a.owner.token, { tenantId: a.tenantId });
    const rules = { combinator: "and" as const, children: [{ op: "in_segment" as const, segmentId: bSegmentId }] };
    await expect(owner.caller.segments.preview({ rules })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("does not exist") });
    const byCluster = { combinator: "and" as const, children: [{ op: "in_cluster" as const, modelRunId: bModelRunId, cluster: 1 }] };
    await expect(owner.caller.segments.preview({ rules: byCluster })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("does not exist") });
    await expect(owner.caller.segments.createProposal({ kind: "create", name: "Variant of B", parentId: bSegmentId, regionId: a.regionIds[0] })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await fingerprintB()).toBe(before);
  });
});
