import type * as Y from "yjs";
import type { Database } from "../../db/client";
import type { Role } from "../../db/schema";
import type { FactoryWorkspace } from "../../db/seed/factories";
import { editStoredDoc } from "../../server/collab/store";
import type { TenantScope } from "../../server/services/scope";
import { proposalDocName } from "../../server/services/segments/access";
import { createProposal, decideProposal, submitProposal } from "../../server/services/segments";
import type { RuleGroup } from "../../server/services/segments/rules";

/** A service scope acting as the workspace's member of that role. */
export function scopeOf(w: FactoryWorkspace, role: Role): TenantScope {
  const user = role === "owner" ? w.owner : w.members[role];
  return { db: w.ownerScope.db, tenantId: w.tenantId, actor: { userId: user.id, label: user.email }, role };
}

/** Edits a stored draft as a co-editor would: the change is appended to the document's log. */
export async function editDraft(db: Database, tenantId: string, proposalId: string, edit: (doc: Y.Doc) => void): Promise<void> {
  await db.withTenant(tenantId, (tx) => editStoredDoc(tx, tenantId, proposalDocName(proposalId), edit));
}

/** A new segment proposed by `scope`, submitted for review. */
export async function submittedNewSegment(scope: TenantScope, name: string, rules: RuleGroup, regionId: string | null = null) {
  const created = await createProposal(scope, { kind: "create", name, rules, regionId });
  await submitProposal(scope, { proposalId: created.proposalId });
  return created;
}

/** A published segment: proposed by the analyst, approved by an admin override. */
export async function publishedSegment(w: FactoryWorkspace, name: string, rules: RuleGroup, regionId: string | null = null) {
  const created = await submittedNewSegment(scopeOf(w, "analyst"), name, rules, regionId);
  const decided = await decideProposal(scopeOf(w, "admin"), { proposalId: created.proposalId, decision: "approve", reason: "Set up for the test" });
  return { ...created, version: decided.published!.version };
}

/** A draft change proposal (by the admin) whose segment has been republished since it was written. */
export async function staleProposal(w: FactoryWorkspace, name: string, regionId: string | null = null) {
  const seg = await publishedSegment(w, name, { combinator: "and", children: [{ id: "f", op: "gte", field: "frequency", value: 1 }] }, regionId);
  const stale = await createProposal(scopeOf(w, "admin"), { kind: "change", segmentId: seg.segmentId });
  const retire = await createProposal(scopeOf(w, "analyst"), { kind: "retire", segmentId: seg.segmentId });
  await submitProposal(scopeOf(w, "analyst"), { proposalId: retire.proposalId });
  await decideProposal(scopeOf(w, "admin"), { proposalId: retire.proposalId, decision: "approve", reason: "Make it stale" });
  return { segmentId: seg.segmentId, proposalId: stale.proposalId };
}
