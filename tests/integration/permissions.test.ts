import { randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUser, makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { ROLES, type Role } from "../../db/schema";
import { can, PERMISSIONS, type Action } from "../../server/auth/permissions";
import { acceptInvite, createInvite, createRegion } from "../../server/services/workspaces";
import { appRouter } from "../../server/trpc/router";
import { callerFor, jobsFor } from "../helpers/callers";
import { importFile } from "../../db/seed/data-factory";
import { uploadFile } from "../../server/services/data";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { createProposal, submitProposal } from "../../server/services/segments";
import { publishedSegment, scopeOf, staleProposal } from "../helpers/governance";
import { startModelRun } from "../../server/services/models";
import { scheduleSession } from "../../server/services/sessions";
import { saveReview } from "../../server/services/swot";
import { createApiKey } from "../../server/services/api-keys";
import { createWebhookEndpoint } from "../../server/services/webhooks";
import { createCampaign, launchCampaign, listCosts, setCost } from "../../server/services/campaigns";
import { ALL_CUSTOMERS } from "../../db/schema";
import { createKpi } from "../../server/services/kpis";

let t: TestDatabase;
let w: FactoryWorkspace;

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Matrix Co", jobsFor(t.db));
});
afterAll(() => t.drop());

const tag = () => randomBytes(3).toString("hex");

async function freshMember(role: Role = "viewer") {
  const user = await makeUser(t.db);
  const invite = await createInvite(w.ownerScope, { email: user.email, role, regionIds: [] }, 1);
  await acceptInvite(t.db, user, invite.token);
  return user;
}

type Caller = Awaited<ReturnType<typeof callerFor>>["caller"];

/** Every workspace-scoped procedure, the action that guards it, and a valid call. */
const GUARDED: Record<string, { action: Action; call: (c: Caller) => Promise<unknown> }> = {
  "api.keys": { action: "apikey:manage", call: (c) => c.api.keys() },
  "api.createKey": { action: "apikey:manage", call: (c) => c.api.createKey({ name: `Key ${tag()}`, scopes: ["memberships:read"] }) },
  "api.revokeKey": {
    action: "apikey:manage",
    call: async (c) => c.api.revokeKey({ keyId: (await createApiKey(w.ownerScope, { name: `Revoke ${tag()}`, scopes: ["exports:read"] })).id }),
  },
  "api.webhooks": { action: "webhook:manage", call: (c) => c.api.webhooks() },
  "api.createWebhook": {
    action: "webhook:manage",
    call: (c) => c.api.createWebhook({ url: `https://hooks.example.test/${tag()}`, events: ["segment.published"] }),
  },
  "api.setWebhookEnabled": {
    action: "webhook:manage",
    call: async (c) => c.api.setWebhookEnabled({ endpointId: (await freshWebhook()).id, enabled: false }),
  },
  "api.deleteWebhook": { action: "webhook:manage", call: async (c) => c.api.deleteWebhook({ endpointId: (await freshWebhook()).id }) },
  "api.deliveries": { action: "webhook:manage", call: async (c) => c.api.deliveries({ endpointId: (await freshWebhook()).id }) },
  "api.logMembersExport": {
    action: "segment:read",
    call: async (c) => c.api.logMembersExport({ segmentId: (await exportableSegment()).segmentId, version: 1 }),
  },
  "workspace.get": { action: "workspace:read", call: (c) => c.workspace.get() },
  "workspace.rename": { action: "workspace:update", call: (c) => c.workspace.rename({ name: `Matrix Co ${tag()}` }) },
  "members.list": { action: "member:read", call: (c) => c.members.list() },
  "members.update": {
    action: "member:manage",
    call: async (c) => c.members.update({ userId: (await freshMember()).id, role: "analyst", regionIds: [] }),
  },
  "members.remove": { action: "member:manage", call: async (c) => c.members.remove({ userId: (await freshMember()).id }) },
  "invites.list": { action: "member:manage", call: (c) => c.invites.list() },
  "invites.create": {
    action: "member:manage",
    call: (c) => c.invites.create({ email: `inv-${tag()}@example.test`, role: "viewer", regionIds: [] }),
  },
  "invites.revoke": {
    action: "member:manage",
    call: async (c) => {
      const inv = await createInvite(w.ownerScope, { email: `rev-${tag()}@example.test`, role: "viewer", regionIds: [] }, 1);
      return c.invites.revoke({ inviteId: inv.inviteId });
    },
  },
  "regions.list": { action: "region:read", call: (c) => c.regions.list() },
  "regions.create": { action: "region:manage", call: (c) => c.regions.create({ name: `Region ${tag()}` }) },
  "regions.rename": {
    action: "region:manage",
    call: async (c) => c.regions.rename({ regionId: (await createRegion(w.ownerScope, { name: `R ${tag()}` })).id, name: `R ${tag()}` }),
  },
  "regions.delete": {
    action: "region:manage",
    call: async (c) => c.regions.delete({ regionId: (await createRegion(w.ownerScope, { name: `D ${tag()}` })).id }),
  },
  "audit.list": { action: "audit:read", call: (c) => c.audit.list({}) },
  "audit.actions": { action: "audit:read", call: (c) => c.audit.actions() },
  "audit.verify": { action: "audit:read", call: (c) => c.audit.verify() },
  "data.overview": { action: "data:read", call: (c) => c.data.overview() },
  "data.imports": { action: "data:read", call: (c) => c.data.imports() },
  "data.import": { action: "data:read", call: async (c) => c.data.import({ importId: (await freshUpload()).importId }) },
  "data.preview": { action: "data:import", call: async (c) => c.data.preview({ importId: (await freshUpload()).importId }) },
  "data.startImport": {
    action: "data:import",
    call: async (c) => {
      const up = await freshUpload();
      return c.data.startImport({ importId: up.importId, mapping: up.mapping });
    },
  },
  "data.cancelImport": { action: "data:import", call: async (c) => c.data.cancelImport({ importId: (await freshUpload()).importId }) },
  "data.customers": { action: "data:read", call: (c) => c.data.customers({}) },
  "data.merges": { action: "data:read", call: (c) => c.data.merges() },
  "data.undoMerge": { action: "data:configure", call: async (c) => c.data.undoMerge({ mergeId: await freshMerge() }) },
  "data.settings": { action: "data:read", call: (c) => c.data.settings() },
  "data.updateSettings": {
    action: "data:configure",
    call: (c) => c.data.updateSettings({ maxMissingShare: 0.2, preparation: { dropCancellations: true, dropNonPositive: true } }),
  },
  "data.fields": { action: "data:read", call: (c) => c.data.fields({ kind: "transactions" }) },
  "segments.list": { action: "segment:read", call: (c) => c.segments.list() },
  "segments.get": { action: "segment:read", call: async (c) => c.segments.get({ segmentId: (await published()).segmentId }) },
  "segments.versionMembers": {
    action: "segment:read",
    call: async (c) => c.segments.versionMembers({ segmentId: (await published()).segmentId, version: 1, change: "added" }),
  },
  "segments.preview": { action: "segment:read", call: (c) => c.segments.preview({ rules: { combinator: "and", children: [] } }) },
  "segments.builderOptions": { action: "segment:read", call: (c) => c.segments.builderOptions() },
  "segments.settings": { action: "segment:read", call: (c) => c.segments.settings() },
  "segments.updateSettings": {
    action: "segment:configure",
    call: (c) => c.segments.updateSettings({ assignment: "overlapping", approval: { minApprovals: 1, rejectionVetoes: true, quorum: 0 } }),
  },
  "segments.reorder": {
    action: "segment:configure",
    call: async (c) => c.segments.reorder({ order: (await c.segments.list()).segments.map((s) => s.id) }),
  },
  "segments.proposals": { action: "segment:read", call: (c) => c.segments.proposals({}) },
  "segments.proposal": { action: "segment:read", call: async (c) => c.segments.proposal({ proposalId: await draftInNorth() }) },
  "segments.createProposal": {
    action: "segment:propose",
    call: (c) => c.segments.createProposal({ kind: "create", name: `Mine ${tag()}`, regionId: w.regionIds[0] }),
  },
  "segments.submit": {
    action: "segment:propose",
    call: async (c) => c.segments.submit({ proposalId: await draftInNorth() }),
  },
  "segments.reopen": {
    action: "segment:propose",
    call: async (c) => {
      const own = await c.segments.createProposal({ kind: "create", name: `Reopened ${tag()}`, regionId: w.regionIds[0] });
      await c.segments.submit({ proposalId: own.proposalId });
      return c.segments.reopen({ proposalId: own.proposalId });
    },
  },
  "segments.withdraw": {
    action: "segment:propose",
    call: async (c) => {
      const own = await c.segments.createProposal({ kind: "create", name: `Withdrawn ${tag()}`, regionId: w.regionIds[0] });
      return c.segments.withdraw({ proposalId: own.proposalId });
    },
  },
  "segments.rebase": {
    action: "segment:propose",
    call: async (c) => c.segments.rebase({ proposalId: (await staleProposal(w, `Stale ${tag()}`, w.regionIds[0])).proposalId }),
  },
  "segments.vote": {
    action: "segment:vote",
    call: async (c) => c.segments.vote({ proposalId: await draftInNorth(true), vote: "approve", reason: "Agreed" }),
  },
  "segments.decide": {
    action: "segment:override",
    call: async (c) => c.segments.decide({ proposalId: await draftInNorth(true), decision: "approve", reason: "Agreed" }),
  },
  "segments.justifyBias": {
    action: "segment:justify",
    call: async (c) =>
      c.segments.justifyBias({ proposalId: await draftInNorth(true, "pricing"), justification: "The price difference follows the cost to serve, reviewed by the committee." }),
  },
  "segments.comment": {
    action: "segment:comment",
    call: async (c) => c.segments.comment({ proposalId: await draftInNorth(), body: "A question" }),
  },
  "swot.list": { action: "swot:read", call: (c) => c.swot.list() },
  "swot.get": { action: "swot:read", call: async (c) => c.swot.get({ segmentId: (await published()).segmentId }) },
  "swot.review": { action: "swot:read", call: async (c) => c.swot.review({ reviewId: await reviewOnce() }) },
  "swot.saveReview": { action: "swot:review", call: async (c) => c.swot.saveReview({ segmentId: (await published()).segmentId, note: "Matrix" }) },
  "swot.setSchedule": {
    action: "swot:review",
    call: async (c) => c.swot.setSchedule({ segmentId: (await published()).segmentId, reviewEveryMonths: 12, reviewDueOn: "2027-06-30" }),
  },
  "swot.teams": { action: "swot:read", call: (c) => c.swot.teams() },
  "swot.updateTeams": { action: "swot:configure", call: (c) => c.swot.updateTeams({ teams: ["marketing", "sales", "finance"] }) },
  "sessions.list": { action: "session:read", call: (c) => c.sessions.list() },
  "sessions.get": { action: "session:read", call: async (c) => c.sessions.get({ sessionId: await anySession() }) },
  "sessions.agendaOptions": { action: "session:chair", call: (c) => c.sessions.agendaOptions() },
  "sessions.forProposal": { action: "session:read", call: async (c) => c.sessions.forProposal({ proposalId: await draftInNorth() }) },
  "sessions.schedule": { action: "session:chair", call: (c) => ownSession(c) },
  "sessions.update": {
    action: "session:chair",
    call: async (c) =>
      c.sessions.update({ sessionId: await ownSession(c), title: "Renamed", scheduledAt: new Date("2026-12-02T09:00:00Z"), items: [{ kind: "topic", title: "Only this", timeBoxMinutes: 5 }] }),
  },
  "sessions.cancel": { action: "session:chair", call: async (c) => c.sessions.cancel({ sessionId: await ownSession(c) }) },
  "sessions.start": { action: "session:chair", call: async (c) => c.sessions.start({ sessionId: await ownSession(c) }) },
  "sessions.move": {
    action: "session:chair",
    call: async (c) => {
      const sessionId = await ownSession(c);
      await c.sessions.start({ sessionId });
      const { items } = await c.sessions.get({ sessionId });
      return c.sessions.move({ sessionId, itemId: items[1].id });
    },
  },
  "sessions.close": {
    action: "session:chair",
    call: async (c) => {
      const sessionId = await ownSession(c);
      await c.sessions.start({ sessionId });
      return c.sessions.close({ sessionId });
    },
  },
  "monitoring.overview": { action: "monitor:read", call: (c) => c.monitoring.overview() },
  "monitoring.run": { action: "monitor:read", call: async (c) => c.monitoring.run({ runId: (await monitorFixture()).runId }) },
  "monitoring.migration": { action: "monitor:read", call: (c) => c.monitoring.migration({ from: new Date("2020-01-01"), to: new Date() }) },
  "monitoring.start": { action: "monitor:run", call: (c) => c.monitoring.start({ kind: "drift" }) },
  "monitoring.captureBaseline": { action: "monitor:run", call: (c) => c.monitoring.captureBaseline() },
  "monitoring.acknowledge": {
    action: "monitor:acknowledge",
    call: async (c) => c.monitoring.acknowledge({ alertId: await freshMonitorAlert(), comment: "Seen in the matrix" }),
  },
  "monitoring.settings": { action: "monitor:read", call: (c) => c.monitoring.settings() },
  "monitoring.updateSettings": {
    action: "monitor:configure",
    call: (c) => c.monitoring.updateSettings({ psiWatch: 0.1, psiAct: 0.25, schedule: "weekly", proposeOnAct: true }),
  },
  "kpis.list": { action: "dashboard:read", call: (c) => c.kpis.list() },
  "kpis.dashboard": { action: "dashboard:read", call: (c) => c.kpis.dashboard({ grain: "month" }) },
  "kpis.segmentSeries": { action: "dashboard:read", call: (c) => c.kpis.segmentSeries({ segmentId: ALL_CUSTOMERS, grain: "week" }) },
  "kpis.status": { action: "dashboard:read", call: (c) => c.kpis.status() },
  "kpis.create": { action: "kpi:configure", call: (c) => c.kpis.create({ key: `k_${tag()}`, name: "Matrix count", unit: "count", direction: "higher", spec: EVENT_COUNT }) },
  "kpis.update": { action: "kpi:configure", call: async (c) => c.kpis.update({ kpiId: await freshKpi(), name: "Matrix renamed" }) },
  "kpis.delete": { action: "kpi:configure", call: async (c) => c.kpis.delete({ kpiId: await freshKpi() }) },
  "kpis.setOwner": { action: "kpi:configure", call: async (c) => c.kpis.setOwner({ kpiId: await freshKpi(), ownerUserId: w.owner.id }) },
  "kpis.setTarget": { action: "kpi:configure", call: async (c) => c.kpis.setTarget({ kpiId: await freshKpi(), segmentId: ALL_CUSTOMERS, target: 5 }) },
  "kpis.rebuild": { action: "kpi:configure", call: (c) => c.kpis.rebuild() },
  "campaigns.list": { action: "dashboard:read", call: (c) => c.campaigns.list() },
  "campaigns.get": { action: "dashboard:read", call: async (c) => c.campaigns.get({ campaignId: await freshCampaign() }) },
  "campaigns.create": { action: "campaign:manage", call: async (c) => c.campaigns.create({ ...CAMPAIGN, name: `Matrix ${tag()}`, segmentId: await campaignSegment() }) },
  "campaigns.update": { action: "campaign:manage", call: async (c) => c.campaigns.update({ campaignId: await freshCampaign(), budget: 99 }) },
  "campaigns.launch": { action: "campaign:manage", call: async (c) => c.campaigns.launch({ campaignId: await freshCampaign() }) },
  "campaigns.finish": { action: "campaign:manage", call: async (c) => c.campaigns.finish({ campaignId: await freshCampaign(true) }) },
  "campaigns.delete": { action: "campaign:manage", call: async (c) => c.campaigns.delete({ campaignId: await freshCampaign() }) },
  "campaigns.roi": { action: "dashboard:read", call: (c) => c.campaigns.roi() },
  "campaigns.contribution": { action: "dashboard:read", call: (c) => c.campaigns.contribution({}) },
  "campaigns.attribution": { action: "dashboard:read", call: (c) => c.campaigns.attribution({ lookbackDays: 14 }) },
  "campaigns.costs": { action: "dashboard:read", call: (c) => c.campaigns.costs({}) },
  "campaigns.setCost": {
    action: "campaign:manage",
    call: async (c) => c.campaigns.setCost({ scope: "segment", segmentId: await campaignSegment(), periodStart: "2026-01-01", periodEnd: "2026-01-31", amount: 5 }),
  },
  "campaigns.deleteCost": { action: "campaign:manage", call: async (c) => c.campaigns.deleteCost({ costId: await freshCost() }) },
  "campaigns.importCosts": { action: "campaign:manage", call: (c) => c.campaigns.importCosts({ csv: "customer_id,period_start,period_end,amount\nC001,2026-01-01,2026-01-31,3\n" }) },
  "campaigns.margin": { action: "dashboard:read", call: (c) => c.campaigns.margin() },
  "campaigns.setMargin": { action: "campaign:manage", call: (c) => c.campaigns.setMargin({ margin: 0.5 }) },
  "models.features": { action: "model:read", call: (c) => c.models.features() },
  "models.featureCheck": {
    action: "model:read",
    call: (c) => c.models.featureCheck({ features: [{ field: "frequency", transform: "standard" }, { field: "monetary", transform: "log1p" }] }),
  },
  "models.kDistances": {
    action: "model:read",
    call: (c) => c.models.kDistances({ features: [{ field: "frequency", transform: "standard" }, { field: "monetary", transform: "log1p" }], minPts: 2 }),
  },
  "models.list": { action: "model:read", call: (c) => c.models.list() },
  "models.get": { action: "model:read", call: async (c) => c.models.get({ runId: await freshModelRun() }) },
  "models.start": { action: "model:run", call: (c) => c.models.start(MODEL_INPUT) },
  "models.chooseK": { action: "model:run", call: async (c) => c.models.chooseK({ runId: await completedModelRun(w.tenantId), k: 3 }) },
  "models.clusterOptions": { action: "model:read", call: (c) => c.models.clusterOptions() },
  "models.cancel": { action: "model:run", call: async (c) => c.models.cancel({ runId: await freshModelRun() }) },
  "models.delete": { action: "model:run", call: async (c) => c.models.delete({ runId: await completedModelRun(w.tenantId) }) },
};

/** A new North segment proposed by the analyst (a region every role here may propose for), optionally submitted. */
async function draftInNorth(submit = false, decisionUse: "none" | "pricing" = "none"): Promise<string> {
  const created = await createProposal(scopeOf(w, "analyst"), { kind: "create", name: `North ${tag()}`, regionId: w.regionIds[0], decisionUse });
  if (submit) await submitProposal(scopeOf(w, "analyst"), { proposalId: created.proposalId });
  return created.proposalId;
}

/** A session the caller schedules (and so chairs): two topics. */
async function ownSession(c: Caller): Promise<string> {
  const items = [
    { kind: "topic" as const, title: "Opening", timeBoxMinutes: 5 },
    { kind: "topic" as const, title: "Alerts", timeBoxMinutes: 10 },
  ];
  return (await c.sessions.schedule({ title: `Session ${tag()}`, scheduledAt: new Date("2026-12-01T09:00:00Z"), items })).sessionId;
}

/** A session of the workspace, scheduled by its committee member. */
async function anySession(): Promise<string> {
  const items = [{ kind: "topic" as const, title: "Anything", timeBoxMinutes: 5 }];
  return (await scheduleSession(scopeOf(w, "committee"), { title: `Any ${tag()}`, scheduledAt: new Date(), items })).sessionId;
}

let publishedOnce: Promise<{ segmentId: string }> | null = null;
function published() {
  publishedOnce ??= publishedSegment(w, "Published for the matrix", { combinator: "and", children: [] });
  return publishedOnce;
}

let reviewedOnce: Promise<string> | null = null;
function reviewOnce() {
  reviewedOnce ??= published().then(async ({ segmentId }) => (await saveReview(scopeOf(w, "committee"), { segmentId })).reviewId);
  return reviewedOnce;
}

const MODEL_INPUT = { features: [{ field: "frequency" as const, transform: "standard" as const }], kMin: 2, kMax: 3, seed: 1, restarts: 1 };

/** A completed model run (k = 2 of 2..3) written directly, for procedures that need one. */
async function completedModelRun(tenantId: string): Promise<string> {
  const { rows } = await t.ownerQuery<{ id: string }>(
    `insert into model_runs (tenant_id, status, params, code_version, recommended_k, chosen_k, n)
     values ($1, 'completed', '{"features":[{"field":"frequency","transform":"standard"}],"kMin":2,"kMax":3,"seed":1,"restarts":1}', 'test', 2, 2, 0) returning id`,
    [tenantId],
  );
  return rows[0].id;
}

/** A queued model run of the workspace (started by the owner). */
async function freshModelRun(): Promise<string> {
  return (await startModelRun(w.ownerScope, MODEL_INPUT, jobsFor(t.db))).runId;
}

function freshUpload() {
  return uploadFile(w.ownerScope, { kind: "customers", fileName: "c.csv" }, [`customer_id,plan\nP-${tag()},gold\n`], 1 << 20);
}

/** Two new customers sharing an email: importing them makes one merge. */
async function freshMerge(): Promise<string> {
  const email = `twin-${tag()}@example.test`;
  await importFile(t.db, w.ownerScope, jobsFor(t.db), {
    kind: "customers",
    fileName: "twins.csv",
    body: `customer_id,email\nT-${tag()},${email}\nT-${tag()},${email}\n`,
  });
  const { rows } = await t.ownerQuery<{ id: string }>(
    "select m.id from customer_merges m join customers c on c.id = m.merged_id where c.email_norm = $1",
    [email],
  );
  return rows[0].id;
}

let monitorOnce: Promise<{ runId: string }> | null = null;
/** A completed drift run of the workspace, written directly. */
function monitorFixture() {
  monitorOnce ??= t
    .ownerQuery<{ id: string }>(`insert into monitor_runs (tenant_id, kind, trigger, status) values ($1, 'drift', 'demand', 'completed') returning id`, [w.tenantId])
    .then((r) => ({ runId: r.rows[0].id }));
  return monitorOnce;
}

/** A new open alert of that run. */
async function freshMonitorAlert(): Promise<string> {
  const { runId } = await monitorFixture();
  const { rows } = await t.ownerQuery<{ id: string }>(
    `insert into monitor_alerts (tenant_id, run_id, kind, subject, band, message) values ($1, $2, 'drift', 'monetary', 'watch', 'Matrix') returning id`,
    [w.tenantId, runId],
  );
  return rows[0].id;
}

let exportable: ReturnType<typeof publishedSegment> | null = null;
/** A published segment of the workspace (made once), for export logging. */
function exportableSegment() {
  exportable ??= publishedSegment(w, `Exportable ${tag()}`, { combinator: "and", children: [] });
  return exportable;
}

const EVENT_COUNT = { kind: "aggregate", measure: { source: "events", aggregate: "count", filter: { type: "conversion" } } } as const;

/** A custom KPI of the workspace, created by the owner. */
async function freshKpi() {
  return (await createKpi(w.ownerScope, { key: `k_${tag()}`, name: "Matrix KPI", unit: "count", direction: "higher", spec: EVENT_COUNT })).id;
}

// A 50% holdout: with the segment's 16 customers a 25% draw left the holdout empty about once in a hundred launches (refused, rightly).
const CAMPAIGN = { channels: ["email" as const], budget: 100, periodStart: "2026-01-01", periodEnd: "2026-01-31", holdoutPercent: 50, outcome: "conversion" as const };

let campaignSegmentOnce: Promise<string> | null = null;
/** A published segment of twelve reachable customers (added directly), for launching campaigns. */
function campaignSegment() {
  campaignSegmentOnce ??= t
    .ownerQuery(`insert into customers (tenant_id, external_id) select $1, 'PM-' || i from generate_series(1, 12) i`, [w.tenantId])
    .then(async () => (await publishedSegment(w, "Campaign matrix", { combinator: "and", children: [] })).segmentId);
  return campaignSegmentOnce;
}

/** A new draft campaign of the workspace (launched when asked), created by the owner. */
async function freshCampaign(launched = false): Promise<string> {
  const { id } = await createCampaign(w.ownerScope, { ...CAMPAIGN, name: `Campaign ${tag()}`, segmentId: await campaignSegment() });
  if (launched) await launchCampaign(w.ownerScope, { campaignId: id });
  return id;
}

/** A cost-to-serve entry of a fresh period, entered by the owner. */
async function freshCost(): Promise<string> {
  const day = String(1 + Math.floor(Math.random() * 27)).padStart(2, "0");
  const month = String(1 + Math.floor(Math.random() * 12)).padStart(2, "0");
  const period = { periodStart: `2025-${month}-${day}`, periodEnd: `2025-${month}-${day}` };
  await setCost(w.ownerScope, { scope: "segment", segmentId: await campaignSegment(), ...period, amount: 1 });
  const { rows } = await listCosts(w.ownerScope, { scope: "segment" });
  return rows.find((r) => r.periodStart === period.periodStart && r.periodEnd === period.periodEnd)!.id;
}

/** A webhook endpoint of the workspace, registered by the owner. */
function freshWebhook() {
  return createWebhookEndpoint(w.ownerScope, { url: `https://hooks.example.test/${tag()}`, events: ["membership.changed"] });
}

/** Procedures open to any signed-in user (they act on the user's own account or invitations). */
const UNGUARDED = [
  "auth.me",
  "auth.signUp",
  "auth.logIn",
  "auth.logOut",
  "auth.switchWorkspace",
  "auth.describeInvite",
  "auth.acceptInvite",
  "workspace.create",
];

/** The product's rules, written out independently of server/auth/permissions.ts. */
const EXPECTED: Record<Action, Role[]> = {
  "workspace:read": [...ROLES],
  "workspace:update": ["owner", "admin"],
  "member:read": [...ROLES],
  "member:manage": ["owner", "admin"],
  "region:read": [...ROLES],
  "region:manage": ["owner", "admin"],
  "audit:read": ["owner", "admin", "committee"],
  "segment:read": [...ROLES],
  "segment:propose": ["owner", "admin", "committee", "analyst", "contributor"],
  "segment:comment": ["owner", "admin", "committee", "analyst", "contributor"],
  "segment:vote": ["committee"],
  "segment:override": ["owner", "admin"],
  "segment:justify": ["owner", "admin", "committee"],
  "segment:configure": ["owner", "admin"],
  "session:read": [...ROLES],
  "session:chair": ["owner", "admin", "committee"],
  "session:minutes": ["owner", "admin", "committee", "analyst", "contributor"],
  "swot:read": [...ROLES],
  "swot:edit": ["owner", "admin", "committee", "analyst", "contributor"],
  "swot:review": ["owner", "admin", "committee"],
  "swot:configure": ["owner", "admin"],
  "dashboard:read": [...ROLES],
  "kpi:configure": ["owner", "admin", "analyst"],
  "monitor:read": ["owner", "admin", "committee", "analyst", "viewer"],
  "monitor:run": ["owner", "admin", "analyst"],
  "monitor:acknowledge": ["owner", "admin", "committee", "analyst"],
  "monitor:configure": ["owner", "admin"],
  "protected:read": ["owner", "admin", "committee", "analyst"],
  "model:read": ["owner", "admin", "committee", "analyst"],
  "model:run": ["owner", "admin", "analyst"],
  "data:read": ["owner", "admin", "committee", "analyst", "viewer"],
  "data:import": ["owner", "admin", "analyst"],
  "data:configure": ["owner", "admin", "analyst"],
  "pii:read": ["owner", "admin", "analyst"],
  "apikey:manage": ["owner", "admin"],
  "webhook:manage": ["owner", "admin"],
  "campaign:manage": ["owner", "admin", "analyst"],
};

describe("the permission matrix", () => {
  it("says what the product's rules say, for every role and action", () => {
    expect(Object.keys(PERMISSIONS).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const action of Object.keys(EXPECTED) as Action[]) {
      for (const role of ROLES) expect(`${role} ${action}: ${can(role, action)}`).toBe(`${role} ${action}: ${EXPECTED[action].includes(role)}`);
    }
  });

  it("covers every procedure as guarded or deliberately open", () => {
    expect([...Object.keys(GUARDED), ...UNGUARDED].sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
  });
});

describe.each(ROLES)("as %s, through the procedures", (role) => {
  for (const [path, spec] of Object.entries(GUARDED)) {
    const allowed = EXPECTED[spec.action].includes(role);
    it(`${path} is ${allowed ? "allowed" : "refused"}`, async () => {
      const { caller } = await callerFor(t.db, w.members[role].token, { tenantId: w.tenantId });
      const outcome = await spec.call(caller).then(
        () => null,
        (e: unknown) => e,
      );
      if (allowed) {
        expect(outcome).toBeNull();
      } else {
        expect(outcome).toBeInstanceOf(TRPCError);
        expect((outcome as TRPCError).code).toBe("FORBIDDEN");
        expect((outcome as TRPCError).message).toContain(spec.action);
      }
    });
  }
});

describe("rules beyond the matrix", () => {
  it("lets only an owner grant or take away the owner role", async () => {
    const { caller: admin } = await callerFor(t.db, w.members.admin.token, { tenantId: w.tenantId });
    const target = await freshMember("viewer");
    await expect(admin.members.update({ userId: target.id, role: "owner", regionIds: [] })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(admin.invites.create({ email: `own-${tag()}@example.test`, role: "owner", regionIds: [] })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(admin.members.remove({ userId: w.owner.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const { caller: owner } = await callerFor(t.db, w.owner.token, { tenantId: w.tenantId });
    await expect(owner.members.update({ userId: target.id, role: "owner", regionIds: [] })).resolves.toMatchObject({ role: "owner" });
  });

  it("never leaves a workspace without an owner", async () => {
    const solo = await makeWorkspace(t.db, "Solo Co");
    const { caller } = await callerFor(t.db, solo.owner.token, { tenantId: solo.tenantId });
    await expect(caller.members.update({ userId: solo.owner.id, role: "admin", regionIds: [] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("at least one owner"),
    });
    await expect(caller.members.remove({ userId: solo.owner.id })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("scopes only contributors to regions, and only to this workspace's regions", async () => {
    const { caller } = await callerFor(t.db, w.owner.token, { tenantId: w.tenantId });
    const target = await freshMember("viewer");
    await expect(caller.members.update({ userId: target.id, role: "analyst", regionIds: [w.regionIds[0]] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("Only contributors"),
    });
    await expect(
      caller.members.update({ userId: target.id, role: "contributor", regionIds: [w.regionIds[0], w.regionIds[1]] }),
    ).resolves.toMatchObject({ regionIds: [...w.regionIds].sort() });
    const listed = (await caller.members.list()).find((m) => m.userId === target.id);
    expect(listed?.regionIds.sort()).toEqual([...w.regionIds].sort());
  });

  it("applies a role change at the member's next request and ends their sessions in the workspace", async () => {
    const target = await freshMember("admin");
    const before = await callerFor(t.db, target.token, { tenantId: w.tenantId });
    await expect(before.caller.invites.list()).resolves.toBeInstanceOf(Array);
    const { caller: owner } = await callerFor(t.db, w.owner.token, { tenantId: w.tenantId });
    await owner.members.update({ userId: target.id, role: "viewer", regionIds: [] });
    const after = await callerFor(t.db, target.token);
    expect(after.ctx.session).toBeNull();
    await expect(after.caller.invites.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
