import { and, eq, sql } from "drizzle-orm";
import * as Y from "yjs";
import type { Tx } from "../../../db/client";
import { attributeDefinitions, memberships, modelRuns, regions, segmentProposals, segments, segmentVersions, users } from "../../../db/schema";
import { conflict, invalid, notFound } from "../../errors";
import { loadDoc } from "../../collab/store";
import { proposalDocName } from "./access";
import { describeDefinitionIssues, ZDefinition, type Definition } from "./definition";
import { readDefinition } from "./draft-doc";

/** Reads shared by the segment services: rows by id (locked when asked), names, drafts. */

export type ProposalRow = typeof segmentProposals.$inferSelect;
export type SegmentRow = typeof segments.$inferSelect;

export async function proposalRow(tx: Tx, tenantId: string, proposalId: string, lock = false): Promise<ProposalRow> {
  const query = tx
    .select()
    .from(segmentProposals)
    .where(and(eq(segmentProposals.tenantId, tenantId), eq(segmentProposals.id, proposalId)));
  const [row] = lock ? await query.for("update") : await query;
  if (!row) throw notFound("The proposal");
  return row;
}

export async function segmentRow(tx: Tx, tenantId: string, segmentId: string): Promise<SegmentRow> {
  const [row] = await tx
    .select()
    .from(segments)
    .where(and(eq(segments.tenantId, tenantId), eq(segments.id, segmentId)));
  if (!row) throw notFound("The segment");
  return row;
}

export async function versionDefinition(tx: Tx, tenantId: string, segmentId: string, version: number): Promise<Definition> {
  const [row] = await tx
    .select({ definition: segmentVersions.definition })
    .from(segmentVersions)
    .where(and(eq(segmentVersions.tenantId, tenantId), eq(segmentVersions.segmentId, segmentId), eq(segmentVersions.version, version)));
  if (!row) throw notFound(`Version ${version} of the segment`);
  return ZDefinition.parse(row.definition);
}

/** A proposal's draft document as stored (the co-edited state every acknowledged edit reached). */
export async function draftDoc(tx: Tx, tenantId: string, proposalId: string): Promise<Y.Doc> {
  return loadDoc(tx, tenantId, proposalDocName(proposalId));
}

/** The definition a draft holds, validated; a person's half-finished rule is named in the error. */
export function parseDraft(raw: unknown): Definition {
  const parsed = ZDefinition.safeParse(raw);
  if (!parsed.success) throw invalid(`The draft is not complete: ${describeDefinitionIssues(parsed.error)}`);
  return parsed.data;
}

/** Refuses a state vector the stored document has not reached: the client's last edits are not saved yet. */
export function assertContains(doc: Y.Doc, clientStateVector: Uint8Array): void {
  const server = Y.decodeStateVector(Y.encodeStateVector(doc));
  for (const [client, clock] of Y.decodeStateVector(clientStateVector)) {
    if ((server.get(client) ?? 0) < clock) {
      throw conflict("Your latest edits are still being saved. Wait until the editor shows “Saved” and submit again.");
    }
  }
}

export interface Names {
  member(id: string): string;
  region(id: string): string;
  segment(id: string): string;
  attribute(key: string): string;
  modelRun(id: string): string;
}

export async function namesOf(tx: Tx, tenantId: string): Promise<Names> {
  const [members, regionRows, segmentRows, attributes, runs] = await Promise.all([
    tx
      .select({ id: users.id, name: users.name })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.tenantId, tenantId)),
    tx.select({ id: regions.id, name: regions.name }).from(regions).where(eq(regions.tenantId, tenantId)),
    tx.select({ id: segments.id, name: segments.name }).from(segments).where(eq(segments.tenantId, tenantId)),
    tx
      .select({ id: attributeDefinitions.key, name: attributeDefinitions.label })
      .from(attributeDefinitions)
      .where(eq(attributeDefinitions.tenantId, tenantId)),
    tx
      .select({ id: modelRuns.id, finishedAt: modelRuns.finishedAt, chosenK: modelRuns.chosenK })
      .from(modelRuns)
      .where(eq(modelRuns.tenantId, tenantId)),
  ]);
  const by = (rows: { id: string; name: string }[], missing: string) => {
    const map = new Map(rows.map((r) => [r.id, r.name]));
    return (id: string) => map.get(id) ?? missing;
  };
  const attribute = new Map(attributes.map((a) => [a.id, a.name]));
  return {
    member: by(members, "a former member"),
    region: by(regionRows, "a removed region"),
    segment: by(segmentRows, "a removed segment"),
    attribute: (key) => attribute.get(key) ?? key,
    modelRun: by(
      runs.map((r) => ({
        id: r.id,
        name: `${r.finishedAt ? `${r.finishedAt.toISOString().slice(0, 16).replace("T", " ")} UTC` : "not finished"}, k = ${r.chosenK ?? "?"}`,
      })),
      "a removed model run",
    ),
  };
}

/** Committee members who may vote on a proposal: everyone on the committee but its proposer. */
export async function eligibleVoters(tx: Tx, tenantId: string, proposerId: string | null): Promise<number> {
  const [row] = await tx.execute<{ n: number }>(sql`
    select count(*)::int as n from memberships
    where tenant_id = ${tenantId} and role = 'committee' and user_id is distinct from ${proposerId}::uuid`).then((r) => r.rows);
  return row.n;
}
