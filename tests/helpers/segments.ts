import { randomBytes } from "node:crypto";
import * as Y from "yjs";
import type { Database } from "../../db/client";
import { segmentProposals, segments } from "../../db/schema";
import type { FactoryWorkspace } from "../../db/seed/factories";
import { appendUpdates } from "../../server/collab/store";
import { proposalDocName } from "../../server/services/segments/access";
import { emptyRules, type Definition } from "../../server/services/segments/definition";
import { writeDefinition } from "../../server/services/segments/draft-doc";

export interface DraftProposal {
  segmentId: string;
  proposalId: string;
  /** The co-edited document's name within the workspace. */
  doc: string;
}

/**
 * A new segment with a draft "create" proposal and its co-edited document, written straight
 * into the tables in one transaction (no services, no audit entry): a starting point for tests
 * of the live co-editing layer.
 */
export async function makeDraftProposal(db: Database, workspace: FactoryWorkspace, definition: Partial<Definition> = {}): Promise<DraftProposal> {
  const name = definition.name ?? `Draft segment ${randomBytes(3).toString("hex")}`;
  const full: Definition = {
    name,
    description: "",
    valueProposition: "",
    ownerId: null,
    regionId: null,
    parentId: null,
    rules: emptyRules(),
    ...definition,
    decisionUse: definition.decisionUse ?? "none",
  };
  return db.withTenant(workspace.tenantId, async (tx) => {
    const [segment] = await tx
      .insert(segments)
      .values({ tenantId: workspace.tenantId, name, priority: 1, status: "proposed", regionId: full.regionId, parentId: full.parentId, createdBy: workspace.owner.id })
      .returning({ id: segments.id });
    const [proposal] = await tx
      .insert(segmentProposals)
      .values({ tenantId: workspace.tenantId, segmentId: segment.id, kind: "create", status: "draft", title: `New segment: ${name}`, createdBy: workspace.owner.id })
      .returning({ id: segmentProposals.id });
    const doc = new Y.Doc();
    writeDefinition(doc, full);
    await appendUpdates(tx, workspace.tenantId, proposalDocName(proposal.id), [Y.encodeStateAsUpdate(doc)]);
    return { segmentId: segment.id, proposalId: proposal.id, doc: proposalDocName(proposal.id) };
  });
}
