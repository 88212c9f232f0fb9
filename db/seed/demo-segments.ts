import type { Role } from "../schema";
import type { Database } from "../client";
import type { TenantScope } from "../../server/services/scope";
import { createProposal, submitProposal, voteOnProposal } from "../../server/services/segments";
import { editStoredDoc } from "../../server/collab/store";
import { proposalDocName } from "../../server/services/segments/access";
import { findNode, metaOf } from "../../server/services/segments/draft-doc";
import type { RuleGroup } from "../../server/services/segments/rules";
import type * as Y from "yjs";

type Accounts = { role: Role; user: { id: string; email: string } }[];

const rfm = (id: string, values: string[]) => ({ id, op: "in" as const, field: "rfm_segment" as const, values });

/**
 * Segments for the demo workspace, through the same proposals and votes a committee would use:
 * three published segments (one with a second version), one proposal waiting for the committee
 * and one draft — so every page of the segments area has something to show.
 */
export async function seedDemoSegments(db: Database, tenantId: string, accounts: Accounts): Promise<void> {
  const scopeOf = (role: Role): TenantScope => {
    const { user } = accounts.find((a) => a.role === role)!;
    return { db, tenantId, actor: { userId: user.id, label: user.email }, role };
  };
  const editDraft = (proposalId: string, edit: (doc: Y.Doc) => void) =>
    db.withTenant(tenantId, (tx) => editStoredDoc(tx, tenantId, proposalDocName(proposalId), edit));
  const analyst = scopeOf("analyst");
  const committee = scopeOf("committee");
  const publish = async (name: string, rules: RuleGroup, description: string, valueProposition: string) => {
    const created = await createProposal(analyst, { kind: "create", name, rules, description, valueProposition });
    await submitProposal(analyst, { proposalId: created.proposalId });
    await voteOnProposal(committee, { proposalId: created.proposalId, vote: "approve", reason: "Agreed in the steering committee" });
    return created.segmentId;
  };
  const champions = await publish(
    "Champions",
    { combinator: "and", children: [rfm("champions", ["Champions"])] },
    "Bought recently, buy often and spend the most.",
    "Early access to new ranges and a named account contact.",
  );
  const atRisk = await publish(
    "High-value at risk",
    { combinator: "and", children: [rfm("risk", ["At risk", "Can't lose them"]), { id: "spend", op: "gte", field: "monetary", value: 1000 }] },
    "Spent a lot in the past but have not bought for a while.",
    "A personal win-back offer before they lapse.",
  );
  await publish(
    "Lapsed",
    { combinator: "and", children: [rfm("lost", ["Lost", "Hibernating"])] },
    "No purchase for a long time.",
    "Low-cost reactivation e-mails only.",
  );
  // A second version of "High-value at risk": the threshold lowered after review.
  const change = await createProposal(analyst, { kind: "change", segmentId: atRisk, title: "Lower the spend threshold to 500" });
  await editDraft(change.proposalId, (doc) => findNode(doc, "spend")!.node.set("value", 500));
  await submitProposal(analyst, { proposalId: change.proposalId });
  await voteOnProposal(committee, { proposalId: change.proposalId, vote: "approve", reason: "Catches more customers worth saving" });
  // Waiting for the committee.
  const newcomers = await createProposal(analyst, {
    kind: "create",
    name: "Promising newcomers",
    rules: { combinator: "and", children: [rfm("new", ["New", "Promising"]), { id: "orders", op: "gte", field: "frequency", value: 2 }] },
    description: "Recent first-time buyers who already came back once.",
    valueProposition: "A welcome series that turns a second order into a habit.",
  });
  await submitProposal(analyst, { proposalId: newcomers.proposalId });
  // A draft someone is still working on.
  const draft = await createProposal(analyst, { kind: "change", segmentId: champions, title: "Add loyal big spenders to Champions" });
  await editDraft(draft.proposalId, (doc) => metaOf(doc).set("description", "Bought recently, buy often and spend the most — draft: include Loyal over 2,000."));
}
