/**
 * The decision-use gate (decision 011) on real PostgreSQL: a segment flagged for pricing whose
 * membership fails the four-fifths rule is refused at approval (by an admin's override and by a
 * committee vote) with the attribute, group and ratio named, until a committee member records a
 * justification; then it publishes, and the log holds the justification and the gate's result.
 * Constructed case (tests/helpers/monitoring): frequency ≥ 2 selects F 500 of 1,000 (rate 0.5)
 * and M 400 of 2,000 (rate 0.2): M's ratio to F is 0.2 / 0.5 = 0.40. Monetary ≥ 500 selects
 * F 501 of 1,000 and M 1,002 of 2,000 (equal rates, ratio 1): it passes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { getProposal, justifyBias } from "../../server/services/segments";
import { createProposal, reopenProposal, submitProposal } from "../../server/services/segments/proposals";
import { decideProposal, voteOnProposal } from "../../server/services/segments/review";
import type { RuleGroup } from "../../server/services/segments/rules";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { publishedSegment, scopeOf } from "../helpers/governance";
import { seedMonitoringCustomers } from "../helpers/monitoring";

let t: TestDatabase;
let w: FactoryWorkspace;
const frequent: RuleGroup = { combinator: "and", children: [{ op: "gte", field: "frequency", value: 2 }] };
const bigSpend: RuleGroup = { combinator: "and", children: [{ op: "gte", field: "monetary", value: 500 }] };

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Gate Co");
  await seedMonitoringCustomers(t, w.tenantId, 3000);
});
afterAll(() => t.drop());

async function submitted(name: string, rules: RuleGroup, decisionUse: "none" | "pricing" | "credit" | "service_level") {
  const created = await createProposal(scopeOf(w, "analyst"), { kind: "create", name, rules, decisionUse });
  await submitProposal(scopeOf(w, "analyst"), { proposalId: created.proposalId });
  return created;
}

async function auditOf(objectId: string, action: string) {
  const { rows } = await t.ownerQuery<{ actor_id: string; changes: { before?: unknown; after: Record<string, unknown> } }>(
    "select actor_id, changes from audit_log where tenant_id = $1 and object_id = $2 and action = $3 order by seq",
    [w.tenantId, objectId, action],
  );
  return rows;
}

const REFUSAL = /“Frequent pricing” is used for pricing and fails the four-fifths rule: group 'M' of 'gender' is selected at 0\.40× the rate of 'F' \(20\.0% against 50\.0%\)\. A committee member or an admin must record a justification/;

describe("the decision-use gate", () => {
  it("refuses a failing pricing segment without a justification, publishes it with one, and logs both", async () => {
    const created = await submitted("Frequent pricing", frequent, "pricing");
    const page = await getProposal(scopeOf(w, "committee"), { proposalId: created.proposalId });
    expect(page.definition?.decisionUse).toBe("pricing");
    expect(page.biasGate?.passes).toBe(false);
    expect(page.biasGate?.failures.map((f) => [f.attribute, f.group, f.topGroup, f.n])).toEqual([["gender", "M", "F", 2000]]);
    expect(page.biasGate?.failures[0].ratio).toBeCloseTo(0.4, 14);
    expect(page.can.justifyBias).toBe(true);

    await expect(decideProposal(scopeOf(w, "admin"), { proposalId: created.proposalId, decision: "approve", reason: "Launch" })).rejects.toThrow(REFUSAL);
    await expect(voteOnProposal(scopeOf(w, "committee"), { proposalId: created.proposalId, vote: "approve", reason: "Looks right" })).rejects.toThrow(REFUSAL);
    // Nothing was written: no version, no member, no vote, the proposal still waits.
    const { rows: state } = await t.ownerQuery<{ status: string; current_version: number | null; members: number; votes: number }>(
      `select p.status, s.current_version,
              (select count(*)::int from segment_memberships m where m.tenant_id = s.tenant_id and m.segment_id = s.id) as members,
              (select count(*)::int from proposal_votes v where v.tenant_id = p.tenant_id and v.proposal_id = p.id) as votes
       from segment_proposals p join segments s on s.tenant_id = p.tenant_id and s.id = p.segment_id
       where p.tenant_id = $1 and p.id = $2`,
      [w.tenantId, created.proposalId],
    );
    expect(state).toEqual([{ status: "submitted", current_version: null, members: 0, votes: 0 }]);

    await expect(justifyBias(scopeOf(w, "committee"), { proposalId: created.proposalId, justification: "ok" })).rejects.toThrow(/at least 20 characters/);
    const why = "Frequent buyers get the volume price; the committee checked it follows order counts, not gender.";
    await justifyBias(scopeOf(w, "committee"), { proposalId: created.proposalId, justification: why });
    const justified = await auditOf(created.proposalId, "proposal.bias_justify");
    expect(justified).toHaveLength(1);
    expect(justified[0].actor_id).toBe(w.members.committee.id);
    expect(justified[0].changes.after).toEqual({ justification: why, decisionUse: "pricing" });
    const after = await getProposal(scopeOf(w, "viewer"), { proposalId: created.proposalId });
    expect(after.proposal.biasJustification).toBe(why);
    expect(after.proposal.biasJustifiedBy).toBe(w.members.committee.name);
    // A viewer (no protected:read) sees the ratio but not the groups.
    expect(after.biasGate?.failures.map((f) => [f.attribute, f.group, f.topGroup])).toEqual([["gender", "(hidden)", "(hidden)"]]);

    const result = await voteOnProposal(scopeOf(w, "committee"), { proposalId: created.proposalId, vote: "approve", reason: "Justified above" });
    expect(result.status).toBe("approved");
    expect(result.published).toMatchObject({ version: 1, memberCount: 900 });
    const [publish] = await auditOf(created.segmentId, "segment.publish");
    expect(publish.changes.after).toMatchObject({
      version: 1,
      memberCount: 900,
      decisionUse: "pricing",
      biasGate: { passes: false, failures: 1, justified: true, justification: why },
    });
  });

  it("publishes a pricing segment that passes, and any unflagged segment, without a justification", async () => {
    const fair = await submitted("Big spend pricing", bigSpend, "pricing");
    const page = await getProposal(scopeOf(w, "committee"), { proposalId: fair.proposalId });
    expect(page.biasGate?.passes).toBe(true);
    expect(page.biasGate?.attributes).toEqual([{ attribute: "gender", minDiVsMax: (1002 / 2000) / (501 / 1000), failing: 0 }]);
    const decided = await decideProposal(scopeOf(w, "admin"), { proposalId: fair.proposalId, decision: "approve", reason: "Fair" });
    expect(decided.published?.memberCount).toBe(1503);
    const [publish] = await auditOf(fair.segmentId, "segment.publish");
    expect(publish.changes.after).toMatchObject({ decisionUse: "pricing", biasGate: { passes: true, failures: 0, justified: false, justification: null } });

    // The same failing selection, not used for decisions: no gate, no justification needed.
    const plain = await publishedSegment(w, "Frequent marketing", frequent);
    expect(plain.version).toBe(1);
    const [plainPublish] = await auditOf(plain.segmentId, "segment.publish");
    expect(plainPublish.changes.after).not.toHaveProperty("biasGate");
    expect((await getProposal(scopeOf(w, "committee"), { proposalId: plain.proposalId })).biasGate).toBeNull();
  });

  it("a justification needs a flagged, submitted proposal and goes when the proposal is reopened", async () => {
    const plain = await submitted("Frequent newsletter", frequent, "none");
    await expect(
      justifyBias(scopeOf(w, "admin"), { proposalId: plain.proposalId, justification: "Nothing to justify here, but trying anyway." }),
    ).rejects.toThrow(/not flagged for pricing, credit-like or service-level decisions/);

    const credit = await submitted("Frequent credit", frequent, "credit");
    await justifyBias(scopeOf(w, "admin"), { proposalId: credit.proposalId, justification: "Accepted for the pilot by the admin on the committee's behalf." });
    await reopenProposal(scopeOf(w, "analyst"), { proposalId: credit.proposalId });
    await submitProposal(scopeOf(w, "analyst"), { proposalId: credit.proposalId });
    const page = await getProposal(scopeOf(w, "admin"), { proposalId: credit.proposalId });
    expect(page.proposal.biasJustification).toBeNull();
    await expect(decideProposal(scopeOf(w, "admin"), { proposalId: credit.proposalId, decision: "approve", reason: "Go ahead" })).rejects.toThrow(
      /is used for credit-like decisions and fails the four-fifths rule: group 'M' of 'gender' is selected at 0\.40×/,
    );
  });
});
