import { TRPCError } from "@trpc/server";
import * as Y from "yjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUser, makeWorkspace, type FactoryUser, type FactoryWorkspace } from "../../db/seed/factories";
import { ROLES } from "../../db/schema";
import { DomainError } from "../../server/errors";
import {
  builderOptions,
  commentOnProposal,
  createProposal,
  decideProposal,
  getProposal,
  getSegment,
  listProposals,
  listSegments,
  previewDefinition,
  rebaseProposal,
  reopenProposal,
  submitProposal,
  updateSegmentSettings,
  versionMembers,
  voteOnProposal,
  withdrawProposal,
} from "../../server/services/segments";
import { DEFAULT_APPROVAL_RULE } from "../../server/services/segments/approval";
import { childrenOf, findNode, metaOf, nodeMap, rootGroup } from "../../server/services/segments/draft-doc";
import { evaluateRules, type CustomerFacts } from "../../server/services/segments/evaluate";
import type { RuleGroup } from "../../server/services/segments/rules";
import { acceptInvite, createInvite } from "../../server/services/workspaces";
import { callerFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { editDraft, publishedSegment, scopeOf, submittedNewSegment } from "../helpers/governance";

let t: TestDatabase;
let w: FactoryWorkspace;
let committee: FactoryUser[];
const facts = new Map<string, CustomerFacts & { externalId: string }>();

const SEGMENT_NAMES = ["Champions", "Loyal", "At risk", "Lost"];

/** 300 customers with features, 1 in 17 opted out, regions North/South/none: deterministic. */
async function seedCustomers(tenantId: string) {
  await t.ownerQuery(
    `insert into customers (tenant_id, external_id, region, attributes, opted_out)
     select $1, 'S' || lpad(i::text, 4, '0'), (array['North', 'South', null])[i % 3 + 1],
            jsonb_build_object('plan', (array['gold', 'silver', 'bronze'])[i % 3 + 1]), i % 17 = 0
     from generate_series(1, 300) i`,
    [tenantId],
  );
  await t.ownerQuery(
    `insert into customer_features (tenant_id, customer_id, reference_date, recency_days, frequency, monetary,
       average_order_value, tenure_days, purchase_span_days, r, f, m, rfm_segment)
     select c.tenant_id, c.id, '2011-12-10', (i * 37) % 365, 1 + (i * 7) % 20, ((i * 131) % 5000)::float8,
            ((i * 131) % 5000)::float8 / (1 + (i * 7) % 20), (i * 37) % 365 + (i * 13) % 400, (i * 13) % 400,
            1 + i % 5, 1 + (i / 5) % 5, 1 + (i / 25) % 5, ($2::text[])[1 + i % 4]
     from customers c, lateral (select substr(c.external_id, 2)::int as i) n
     where c.tenant_id = $1 and c.external_id like 'S%'`,
    [tenantId, SEGMENT_NAMES],
  );
  await t.ownerQuery(
    "insert into attribute_definitions (tenant_id, key, label, type, sensitivity) values ($1, 'plan', 'Plan', 'category', 'plain') on conflict do nothing",
    [tenantId],
  );
}

async function loadFacts(tenantId: string) {
  facts.clear();
  const { rows } = await t.ownerQuery<{
    id: string;
    external_id: string;
    region: string | null;
    attributes: Record<string, unknown>;
    opted_out: boolean;
    merged_into: string | null;
    frequency: number | null;
    monetary: number | null;
    recency_days: number | null;
    r: number | null;
    rfm_segment: string | null;
  }>(
    `select c.id, c.external_id, c.region, c.attributes, c.opted_out, c.merged_into, f.frequency, f.monetary, f.recency_days, f.r, f.rfm_segment
     from customers c left join customer_features f on f.tenant_id = c.tenant_id and f.customer_id = c.id where c.tenant_id = $1`,
    [tenantId],
  );
  for (const r of rows) {
    if (r.opted_out || r.merged_into) continue;
    facts.set(r.id, {
      externalId: r.external_id,
      region: r.region,
      attributes: r.attributes,
      features: { frequency: r.frequency, monetary: r.monetary, recency_days: r.recency_days, r: r.r, rfm_segment: r.rfm_segment },
    });
  }
}

function expectedMembers(rules: RuleGroup): Set<string> {
  return new Set([...facts].filter(([, f]) => evaluateRules(rules, f)).map(([id]) => id));
}

async function currentMembers(segmentId: string): Promise<Set<string>> {
  const { rows } = await t.ownerQuery<{ customer_id: string }>(
    "select customer_id from segment_memberships where tenant_id = $1 and segment_id = $2 and to_version is null",
    [w.tenantId, segmentId],
  );
  return new Set(rows.map((r) => r.customer_id));
}

async function addMember(role: "committee" | "contributor" | "analyst", regionIds: string[] = []) {
  const user = await makeUser(t.db);
  const invite = await createInvite(w.ownerScope, { email: user.email, role, regionIds }, 1);
  await acceptInvite(t.db, user, invite.token);
  return user;
}

const committeeScope = (i: number) => ({ ...scopeOf(w, "committee"), actor: { userId: committee[i].id, label: committee[i].email } });

async function setRule(rule: Partial<typeof DEFAULT_APPROVAL_RULE>, assignment: "exclusive" | "overlapping" = "overlapping") {
  await updateSegmentSettings(w.ownerScope, { assignment, approval: { ...DEFAULT_APPROVAL_RULE, ...rule } });
}

async function rejection(promise: Promise<unknown>): Promise<DomainError | TRPCError> {
  const outcome = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(outcome).not.toBeNull();
  return outcome as DomainError | TRPCError;
}

const bigSpenders: RuleGroup = { combinator: "and", children: [{ id: "spend", op: "gte", field: "monetary", value: 2500 }] };

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Governance Co");
  await seedCustomers(w.tenantId);
  await loadFacts(w.tenantId);
  committee = [w.members.committee, await addMember("committee"), await addMember("committee")];
});
afterAll(() => t.drop());

describe("publishing", () => {
  it("publishes an approved new segment as version 1 with exactly the members the rules select", async () => {
    await setRule({ minApprovals: 1 });
    const created = await submittedNewSegment(scopeOf(w, "analyst"), "Big spenders", bigSpenders);
    const result = await voteOnProposal(committeeScope(0), { proposalId: created.proposalId, vote: "approve", reason: "Clear value" });
    expect(result.status).toBe("approved");
    const expected = expectedMembers(bigSpenders);
    expect(expected.size).toBeGreaterThan(50);
    expect(result.published).toEqual({ version: 1, memberCount: expected.size, added: expected.size, removed: 0 });
    expect(await currentMembers(created.segmentId)).toEqual(expected);
    const { segment, history } = await getSegment(w.ownerScope, { segmentId: created.segmentId });
    expect(segment).toMatchObject({ status: "active", currentVersion: 1, memberCount: expected.size });
    expect(history[0]).toMatchObject({ version: 1, kind: "create", proposedBy: w.members.analyst.name, publishedBy: committee[0].name });
    expect(history[0].approvals).toEqual([{ name: committee[0].name, reason: "Clear value" }]);
    const { rows } = await t.ownerQuery<{ action: string }>(
      "select action from audit_log where tenant_id = $1 and (object_id = $2 or object_id = $3) order by seq",
      [w.tenantId, created.proposalId, created.segmentId],
    );
    expect(rows.map((r) => r.action)).toEqual(["proposal.create", "proposal.submit", "proposal.vote", "segment.publish", "proposal.approve"]);
  });

  it("publishes a change as a new version that writes only who joined and who left, each version still queryable", async () => {
    const seg = await publishedSegment(w, "Frequent", { combinator: "and", children: [{ id: "freq", op: "gte", field: "frequency", value: 10 }] });
    const v1 = await currentMembers(seg.segmentId);
    const change = await createProposal(scopeOf(w, "analyst"), { kind: "change", segmentId: seg.segmentId });
    await editDraft(t.db, w.tenantId, change.proposalId, (doc) => {
      childrenOf(rootGroup(doc)).push([nodeMap({ id: "gold", op: "in", field: "attr:plan", values: ["gold", "silver"] })]);
      findNode(doc, "freq")!.node.set("value", 8);
      metaOf(doc).set("description", "Frequent buyers on paid plans");
    });
    const view = await getProposal(scopeOf(w, "analyst"), { proposalId: change.proposalId });
    expect(view.diff?.rules.added.map((r) => r.text)).toEqual(["Plan is one of gold, silver"]);
    expect(view.diff?.rules.changed).toEqual([{ id: "freq", where: "#1", before: "Orders ≥ 10", after: "Orders ≥ 8" }]);
    expect(view.diff?.meta.map((m) => m.field)).toEqual(["description"]);
    await submitProposal(scopeOf(w, "analyst"), { proposalId: change.proposalId });
    const decided = await decideProposal(scopeOf(w, "admin"), { proposalId: change.proposalId, decision: "approve", reason: "Agreed in session" });
    const rules: RuleGroup = {
      combinator: "and",
      children: [
        { op: "gte", field: "frequency", value: 8 },
        { op: "in", field: "attr:plan", values: ["gold", "silver"] },
      ],
    };
    const v2 = expectedMembers(rules);
    expect(await currentMembers(seg.segmentId)).toEqual(v2);
    const added = [...v2].filter((id) => !v1.has(id));
    const removed = [...v1].filter((id) => !v2.has(id));
    expect(added.length + removed.length).toBeGreaterThan(0);
    expect(decided.published).toEqual({ version: 2, memberCount: v2.size, added: added.length, removed: removed.length });
    const ext = (ids: Iterable<string>) => [...ids].map((id) => facts.get(id)!.externalId).sort();
    const query = async (version: number, change: "members" | "added" | "removed") =>
      (await versionMembers(w.ownerScope, { segmentId: seg.segmentId, version, change, limit: 1000 })).customers.map((c) => c.externalId);
    expect(await query(1, "members")).toEqual(ext(v1));
    expect(await query(2, "members")).toEqual(ext(v2));
    expect(await query(2, "added")).toEqual(ext(added));
    expect(await query(2, "removed")).toEqual(ext(removed));
    const { history } = await getSegment(w.ownerScope, { segmentId: seg.segmentId });
    expect(history.map((h) => h.version)).toEqual([2, 1]);
    expect(history[0]).toMatchObject({ overridden: true, decisionReason: "Agreed in session", publishedBy: w.members.admin.name });
  });

  it("restores an earlier version as a new version equal to it, under the same approval rule", async () => {
    await setRule({ minApprovals: 1 });
    const v1Rules: RuleGroup = { combinator: "or", children: [{ id: "r5", op: "eq", field: "r", value: 5 }] };
    const seg = await publishedSegment(w, "Recent", v1Rules);
    const v1 = await currentMembers(seg.segmentId);
    const change = await createProposal(scopeOf(w, "analyst"), { kind: "change", segmentId: seg.segmentId });
    await editDraft(t.db, w.tenantId, change.proposalId, (doc) => findNode(doc, "r5")!.node.set("value", 4));
    await submitProposal(scopeOf(w, "analyst"), { proposalId: change.proposalId });
    await voteOnProposal(committeeScope(0), { proposalId: change.proposalId, vote: "approve", reason: "Try score 4" });
    expect(await currentMembers(seg.segmentId)).not.toEqual(v1);

    const restore = await createProposal(scopeOf(w, "analyst"), { kind: "restore", segmentId: seg.segmentId, version: 1 });
    await submitProposal(scopeOf(w, "analyst"), { proposalId: restore.proposalId });
    const result = await voteOnProposal(committeeScope(1), { proposalId: restore.proposalId, vote: "approve", reason: "Back to 5" });
    expect(result.published?.version).toBe(3);
    expect(await currentMembers(seg.segmentId)).toEqual(v1);
    const { history } = await getSegment(w.ownerScope, { segmentId: seg.segmentId });
    expect(history[0]).toMatchObject({ version: 3, kind: "restore", restoredFrom: 1 });
    expect(history[0].definition).toEqual(history[2].definition);
  });

  it("retires a segment: its members leave, the segment stays with its history", async () => {
    const seg = await publishedSegment(w, "Short lived", bigSpenders);
    const retire = await createProposal(scopeOf(w, "analyst"), { kind: "retire", segmentId: seg.segmentId });
    await submitProposal(scopeOf(w, "analyst"), { proposalId: retire.proposalId });
    await voteOnProposal(committeeScope(0), { proposalId: retire.proposalId, vote: "approve", reason: "Not used" });
    expect(await currentMembers(seg.segmentId)).toEqual(new Set());
    const { segment, history } = await getSegment(w.ownerScope, { segmentId: seg.segmentId });
    expect(segment).toMatchObject({ status: "retired", memberCount: 0, currentVersion: 2 });
    expect(history[0]).toMatchObject({ kind: "retire", removed: expectedMembers(bigSpenders).size });
    await expect(createProposal(scopeOf(w, "analyst"), { kind: "change", segmentId: seg.segmentId })).rejects.toThrow("retired");
  });
});

describe("the approval rule", () => {
  it("lets only the committee vote, and never on their own proposal", async () => {
    await setRule({ minApprovals: 3, rejectionVetoes: true });
    const created = await submittedNewSegment(scopeOf(w, "analyst"), "Vote roles", bigSpenders);
    for (const role of ROLES) {
      const user = role === "owner" ? w.owner : w.members[role];
      const { caller } = await callerFor(t.db, user.token, { tenantId: w.tenantId });
      const outcome = await caller.segments.vote({ proposalId: created.proposalId, vote: "approve", reason: "Looks right" }).then(
        () => "ok",
        (e: TRPCError) => e.code,
      );
      expect(`${role}: ${outcome}`).toBe(`${role}: ${role === "committee" ? "ok" : "FORBIDDEN"}`);
    }
    const own = await submittedNewSegment(committeeScope(1), "Committee's own", bigSpenders);
    const error = await rejection(voteOnProposal(committeeScope(1), { proposalId: own.proposalId, vote: "approve", reason: "Mine" }));
    expect(error.message).toContain("You proposed this");
  });

  it("waits for the minimum approvals and the quorum, and a rejection vetoes", async () => {
    await setRule({ minApprovals: 2, rejectionVetoes: true, quorum: 1 });
    const a = await submittedNewSegment(scopeOf(w, "analyst"), "Quorum A", bigSpenders);
    let r = await voteOnProposal(committeeScope(0), { proposalId: a.proposalId, vote: "approve", reason: "Yes" });
    expect(r.verdict).toMatchObject({ outcome: "pending", approvals: 1, eligible: 3, quorumVotes: 3 });
    expect(r.verdict.summary).toBe("Waiting for 1 more approval and 2 more votes for the quorum.");
    r = await voteOnProposal(committeeScope(1), { proposalId: a.proposalId, vote: "approve", reason: "Yes" });
    expect(r.verdict.outcome).toBe("pending");
    expect(r.verdict.summary).toBe("Waiting for 1 more vote for the quorum.");
    r = await voteOnProposal(committeeScope(2), { proposalId: a.proposalId, vote: "approve", reason: "Yes" });
    expect(r.status).toBe("approved");
    expect(r.published?.version).toBe(1);

    const b = await submittedNewSegment(scopeOf(w, "analyst"), "Quorum B", bigSpenders);
    await voteOnProposal(committeeScope(0), { proposalId: b.proposalId, vote: "approve", reason: "Yes" });
    r = await voteOnProposal(committeeScope(1), { proposalId: b.proposalId, vote: "reject", reason: "Overlaps Big spenders" });
    expect(r.status).toBe("rejected");
    expect((await getProposal(w.ownerScope, { proposalId: b.proposalId })).proposal).toMatchObject({ status: "rejected", publishedVersion: null });
    expect((await listSegments(w.ownerScope)).segments.find((s) => s.name === "Quorum B")?.status).toBe("not adopted");
    await expect(voteOnProposal(committeeScope(2), { proposalId: b.proposalId, vote: "approve", reason: "Late" })).rejects.toThrow("rejected");
  });

  it("counts concurrent votes once each and publishes exactly once", async () => {
    await setRule({ minApprovals: 2, rejectionVetoes: false, quorum: 0 });
    const created = await submittedNewSegment(scopeOf(w, "analyst"), "Concurrent", bigSpenders);
    const outcomes = await Promise.allSettled(
      [0, 1, 2].map((i) => voteOnProposal(committeeScope(i), { proposalId: created.proposalId, vote: "approve", reason: "At once" })),
    );
    const fulfilled = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.filter((o) => o.status === "rejected");
    expect(fulfilled).toHaveLength(2);
    expect(refused).toHaveLength(1);
    expect(((refused[0] as PromiseRejectedResult).reason as DomainError).code).toBe("CONFLICT");
    const { rows } = await t.ownerQuery<{ n: number }>("select count(*)::int as n from segment_versions where tenant_id = $1 and segment_id = $2", [
      w.tenantId,
      created.segmentId,
    ]);
    expect(rows[0].n).toBe(1);
    const view = await getProposal(w.ownerScope, { proposalId: created.proposalId });
    expect(view.proposal).toMatchObject({ status: "approved", publishedVersion: 1 });
    expect(view.votes).toHaveLength(2);
  });

  it("lets an admin decide regardless of votes, recorded as an override", async () => {
    await setRule({ minApprovals: 3 });
    const created = await submittedNewSegment(scopeOf(w, "analyst"), "Overridden", bigSpenders);
    await voteOnProposal(committeeScope(0), { proposalId: created.proposalId, vote: "approve", reason: "Fine" });
    await expect(decideProposal(scopeOf(w, "admin"), { proposalId: created.proposalId, decision: "approve", reason: "" })).rejects.toThrow();
    const decided = await decideProposal(scopeOf(w, "admin"), { proposalId: created.proposalId, decision: "approve", reason: "Launch deadline" });
    expect(decided.published?.version).toBe(1);
    const { rows } = await t.ownerQuery<{ action: string; changes: { after: unknown } }>(
      "select action, changes from audit_log where tenant_id = $1 and object_id = $2 and action = 'proposal.override'",
      [w.tenantId, created.proposalId],
    );
    expect(rows[0].changes.after).toEqual({ decision: "approve", reason: "Launch deadline" });
  });
});

describe("stale proposals", () => {
  it("flags a proposal whose segment changed since, refuses votes on it, and publishes it once rebased", async () => {
    await setRule({ minApprovals: 1 });
    const seg = await publishedSegment(w, "Contested", { combinator: "and", children: [{ id: "m", op: "gte", field: "m", value: 3 }] });
    const first = await createProposal(scopeOf(w, "analyst"), { kind: "change", segmentId: seg.segmentId });
    const second = await createProposal(scopeOf(w, "admin"), { kind: "change", segmentId: seg.segmentId });
    await editDraft(t.db, w.tenantId, first.proposalId, (doc) => findNode(doc, "m")!.node.set("value", 4));
    await editDraft(t.db, w.tenantId, second.proposalId, (doc) => metaOf(doc).set("valueProposition", "Upsell premium"));
    await submitProposal(scopeOf(w, "analyst"), { proposalId: first.proposalId });
    await submitProposal(scopeOf(w, "admin"), { proposalId: second.proposalId });
    await voteOnProposal(committeeScope(0), { proposalId: first.proposalId, vote: "approve", reason: "Tighter" });

    const stale = await getProposal(scopeOf(w, "committee"), { proposalId: second.proposalId });
    expect(stale.proposal.stale).toBe(true);
    expect(stale.can).toMatchObject({ vote: false, override: false, rebase: true });
    expect((await listProposals(w.ownerScope, { segmentId: seg.segmentId })).find((p) => p.id === second.proposalId)?.stale).toBe(true);
    const error = await rejection(voteOnProposal(committeeScope(0), { proposalId: second.proposalId, vote: "approve", reason: "Fine" }));
    expect(error.message).toContain("Rebase the proposal");

    await rebaseProposal(scopeOf(w, "admin"), { proposalId: second.proposalId });
    const rebased = await getProposal(scopeOf(w, "admin"), { proposalId: second.proposalId });
    expect(rebased.proposal).toMatchObject({ status: "draft", baseVersion: 2, stale: false });
    // Against version 2, the draft (written on version 1) would also undo the tightening.
    expect(rebased.diff?.rules.changed).toEqual([{ id: "m", where: "#1", before: "RFM monetary score (1–5) ≥ 4", after: "RFM monetary score (1–5) ≥ 3" }]);
    await editDraft(t.db, w.tenantId, second.proposalId, (doc) => findNode(doc, "m")!.node.set("value", 4));
    await submitProposal(scopeOf(w, "admin"), { proposalId: second.proposalId });
    const r = await voteOnProposal(committeeScope(0), { proposalId: second.proposalId, vote: "approve", reason: "Now fine" });
    expect(r.published?.version).toBe(3);
    const { history } = await getSegment(w.ownerScope, { segmentId: seg.segmentId });
    expect(history[0].definition.valueProposition).toBe("Upsell premium");
    expect(history[0].definition.rules.children[0]).toMatchObject({ value: 4 });
  });
});

describe("drafts", () => {
  it("refuses to submit before the submitter's edits are stored, and names what is incomplete", async () => {
    const created = await createProposal(scopeOf(w, "analyst"), { kind: "create", name: "Unfinished" });
    const ahead = new Y.Doc();
    ahead.getMap("meta").set("name", "edited offline");
    const vector = Buffer.from(Y.encodeStateVector(ahead)).toString("base64");
    await expect(submitProposal(scopeOf(w, "analyst"), { proposalId: created.proposalId, stateVector: vector })).rejects.toThrow(
      "Your latest edits are still being saved",
    );
    await editDraft(t.db, w.tenantId, created.proposalId, (doc) => {
      childrenOf(rootGroup(doc)).push([nodeMap({ id: "x", op: "gte", field: "monetary", value: 1 })]);
      findNode(doc, "x")!.node.delete("value");
    });
    await expect(submitProposal(scopeOf(w, "analyst"), { proposalId: created.proposalId })).rejects.toThrow("The draft is not complete: Rule #1 value");
    await editDraft(t.db, w.tenantId, created.proposalId, (doc) => findNode(doc, "x")!.node.set("field", "attr:gender"));
    await t.ownerQuery(
      "insert into attribute_definitions (tenant_id, key, label, type, sensitivity) values ($1, 'gender', 'Gender', 'category', 'protected') on conflict do nothing",
      [w.tenantId],
    );
    await editDraft(t.db, w.tenantId, created.proposalId, (doc) => {
      const node = findNode(doc, "x")!.node;
      node.set("op", "in");
      node.set("values", ["F"]);
    });
    await expect(submitProposal(scopeOf(w, "analyst"), { proposalId: created.proposalId })).rejects.toThrow("protected attribute");
  });

  it("keeps contributors to their regions and scopes a regional variant to its parent and region", async () => {
    await setRule({ minApprovals: 1 });
    const parent = await publishedSegment(w, "Global value", bigSpenders);
    const contributor = scopeOf(w, "contributor");
    const error = await rejection(createProposal(contributor, { kind: "change", segmentId: parent.segmentId }));
    expect((error as DomainError).code).toBe("FORBIDDEN");
    await expect(createProposal(contributor, { kind: "create", name: "South only", regionId: w.regionIds[1] })).rejects.toThrow("your own regions");
    const variantRules: RuleGroup = { combinator: "and", children: [{ op: "gte", field: "frequency", value: 5 }] };
    const variant = await createProposal(contributor, {
      kind: "create",
      name: "Global value · North",
      parentId: parent.segmentId,
      regionId: w.regionIds[0],
      rules: variantRules,
    });
    await submitProposal(contributor, { proposalId: variant.proposalId });
    await voteOnProposal(committeeScope(0), { proposalId: variant.proposalId, vote: "approve", reason: "Regional focus" });
    const parentMembers = await currentMembers(parent.segmentId);
    const expected = new Set([...expectedMembers(variantRules)].filter((id) => parentMembers.has(id) && facts.get(id)!.region === "North"));
    expect(expected.size).toBeGreaterThan(5);
    expect(await currentMembers(variant.segmentId)).toEqual(expected);
    const listed = (await listSegments(w.ownerScope)).segments.find((s) => s.id === variant.segmentId);
    expect(listed).toMatchObject({ parentId: parent.segmentId, region: "North", status: "active" });
  });

  it("reopens a submitted proposal for changes (clearing votes) and lets its author withdraw it", async () => {
    await setRule({ minApprovals: 2, quorum: 0 });
    const created = await submittedNewSegment(scopeOf(w, "analyst"), "Reopened", bigSpenders);
    await voteOnProposal(committeeScope(0), { proposalId: created.proposalId, vote: "approve", reason: "Fine" });
    await expect(reopenProposal(scopeOf(w, "committee"), { proposalId: created.proposalId })).rejects.toThrow("Only the person who proposed it");
    await reopenProposal(scopeOf(w, "analyst"), { proposalId: created.proposalId });
    const view = await getProposal(scopeOf(w, "analyst"), { proposalId: created.proposalId });
    expect(view.proposal.status).toBe("draft");
    expect(view.votes).toEqual([]);
    await expect(withdrawProposal(scopeOf(w, "committee"), { proposalId: created.proposalId })).rejects.toThrow("Only the person who proposed it");
    await withdrawProposal(scopeOf(w, "analyst"), { proposalId: created.proposalId });
    await expect(submitProposal(scopeOf(w, "analyst"), { proposalId: created.proposalId })).rejects.toThrow("withdrawn");
  });
});

describe("comments", () => {
  it("keeps threads, resolves @mentions to members and refuses replies to replies", async () => {
    const created = await createProposal(scopeOf(w, "analyst"), { kind: "create", name: "Discussed" });
    const first = await commentOnProposal(scopeOf(w, "committee"), {
      proposalId: created.proposalId,
      body: `Why this threshold, @${w.members.analyst.email}? cc @${w.members.admin.email.split("@")[0]}.`,
    });
    expect(new Set(first.mentions)).toEqual(new Set([w.members.analyst.id, w.members.admin.id]));
    const reply = await commentOnProposal(scopeOf(w, "analyst"), { proposalId: created.proposalId, body: "Median spend.", threadId: first.id });
    await expect(
      commentOnProposal(scopeOf(w, "committee"), { proposalId: created.proposalId, body: "Nested", threadId: reply.id }),
    ).rejects.toThrow("Reply to the thread's first comment");
    const view = await getProposal(scopeOf(w, "viewer"), { proposalId: created.proposalId });
    expect(view.comments).toHaveLength(1);
    expect(view.comments[0].replies.map((r) => r.body)).toEqual(["Median spend."]);
    expect(view.can).toMatchObject({ comment: false, edit: false, vote: false });
  });
});

describe("preview", () => {
  it("reports the change against the published version, the overlap with other segments and exclusive assignment", async () => {
    await setRule({ minApprovals: 1 }, "exclusive");
    const a = await publishedSegment(w, "Preview A", { combinator: "and", children: [{ op: "gte", field: "r", value: 4 }] });
    const b = await publishedSegment(w, "Preview B", { combinator: "and", children: [{ op: "gte", field: "frequency", value: 12 }] });
    const draft: RuleGroup = { combinator: "and", children: [{ op: "gte", field: "frequency", value: 15 }] };
    const p = await previewDefinition(w.ownerScope, { segmentId: b.segmentId, rules: draft });
    const now = await currentMembers(b.segmentId);
    const next = expectedMembers(draft);
    expect(p.matching).toBe(next.size);
    expect(p.published).toEqual({
      version: 1,
      members: now.size,
      added: [...next].filter((id) => !now.has(id)).length,
      removed: [...now].filter((id) => !next.has(id)).length,
    });
    const aMembers = await currentMembers(a.segmentId);
    expect(p.overlap.find((o) => o.segmentId === a.segmentId)).toMatchObject({ members: aMembers.size, overlap: [...next].filter((id) => aMembers.has(id)).length });
    // Every active segment of higher priority (created earlier) claims its members first.
    const { rows } = await t.ownerQuery<{ customer_id: string }>(
      `select sm.customer_id from segment_memberships sm join segments s on s.tenant_id = sm.tenant_id and s.id = sm.segment_id
       where sm.tenant_id = $1 and sm.to_version is null and s.status = 'active' and s.priority < (select priority from segments where id = $2)`,
      [w.tenantId, b.segmentId],
    );
    const claimed = new Set(rows.map((r) => r.customer_id));
    expect(p.assigned).toBe([...next].filter((id) => !claimed.has(id)).length);
    const listed = (await listSegments(w.ownerScope)).segments.find((s) => s.id === b.segmentId);
    expect(listed?.assigned).toBe([...now].filter((id) => !claimed.has(id)).length);
    await setRule({ minApprovals: 1 }, "overlapping");
  });

  it("offers the rule builder the known values of category fields, and no protected attribute", async () => {
    const options = await builderOptions(scopeOf(w, "contributor"));
    expect(options.values.region).toEqual(["North", "South"]);
    expect(options.values["attr:plan"]).toEqual(["bronze", "gold", "silver"]);
    expect(options.attributes.map((a) => a.key)).toContain("plan");
    expect(options.attributes.map((a) => a.key)).not.toContain("gender");
  });

  it("says what to finish when the rules are incomplete, and refuses unknown segments", async () => {
    await expect(previewDefinition(w.ownerScope, { rules: { combinator: "and", children: [{ op: "gte", field: "monetary" }] } })).rejects.toThrow(
      "Finish the rules first: Rule #1 value: enter a number",
    );
    await expect(
      previewDefinition(w.ownerScope, {
        rules: { combinator: "and", children: [{ op: "in_segment", segmentId: "00000000-0000-4000-8000-000000000000" }] },
      }),
    ).rejects.toThrow("does not exist");
  });
});
