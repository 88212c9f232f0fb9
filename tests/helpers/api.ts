import type { Database } from "../../db/client";
import type { FactoryWorkspace } from "../../db/seed/factories";
import { importFile } from "../../db/seed/data-factory";
import { createProposal, decideProposal, submitProposal } from "../../server/services/segments";
import { findNode } from "../../server/services/segments/draft-doc";
import { jobsFor } from "./callers";
import { editDraft, publishedSegment, scopeOf } from "./governance";

/** `n` customers S001… with score = their number and region North/South alternating. */
export async function importScoredCustomers(db: Database, w: FactoryWorkspace, n: number, prefix = "S"): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(3, "0")}`);
  const body = ["customer_id,region,score", ...ids.map((id, i) => `${id},${i % 2 ? "South" : "North"},${i + 1}`)].join("\n");
  await importFile(db, w.ownerScope, jobsFor(db), { kind: "customers", fileName: `${prefix}-scores.csv`, body });
  return ids;
}

/** A published segment "score ≥ min" whose condition has the id "min" (for republishing with another bound). */
export async function scoreSegment(w: FactoryWorkspace, name: string, min: number) {
  return publishedSegment(w, name, { combinator: "and", children: [{ id: "min", op: "gte", field: "attr:score", value: min }] });
}

/** Publishes a new version of a score segment with another lower bound (proposal, approval by an admin). */
export async function republishScore(db: Database, w: FactoryWorkspace, segmentId: string, min: number) {
  const change = await createProposal(scopeOf(w, "analyst"), { kind: "change", segmentId });
  await editDraft(db, w.tenantId, change.proposalId, (doc) => findNode(doc, "min")!.node.set("value", min));
  await submitProposal(scopeOf(w, "analyst"), { proposalId: change.proposalId });
  return decideProposal(scopeOf(w, "admin"), { proposalId: change.proposalId, decision: "approve", reason: "Test republish" });
}

/** Calls the API with a key (or none). */
export async function api(base: string, path: string, key: string | null, init: RequestInit & { accept?: string } = {}) {
  const headers = new Headers(init.headers);
  if (key) headers.set("authorization", `Bearer ${key}`);
  if (init.accept) headers.set("accept", init.accept);
  if (init.body) headers.set("content-type", "application/json");
  const res = await fetch(`${base}/api/v1${path}`, { ...init, headers });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json: json as Record<string, unknown> & { error?: { code: string; message: string } } };
}
