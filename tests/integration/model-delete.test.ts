/**
 * Deleting model runs: a finished run goes with its results, clusters and assignments and an
 * audit entry; a queued or running run, and a run any segment version or proposal (draft or
 * submitted) refers to, is refused with a sentence naming what refers to it.
 */
import { readFile } from "node:fs/promises";
import * as Y from "yjs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { importFile } from "../../db/seed/data-factory";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { deleteModelRun, getModelRun, startModelRun } from "../../server/services/models";
import { createProposal, withdrawProposal } from "../../server/services/segments";
import { childrenOf, nodeMap, rootGroup } from "../../server/services/segments/draft-doc";
import { runModelRun } from "../../workers/jobs/model-run";
import { jobsFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { editDraft, publishedSegment, scopeOf, submittedNewSegment } from "../helpers/governance";

let t: TestDatabase;
let w: FactoryWorkspace;
const INPUT = {
  features: [
    { field: "attr:annual_income_k" as const, transform: "standard" as const },
    { field: "attr:spending_score_1_100" as const, transform: "standard" as const },
  ],
  kMin: 3,
  kMax: 3,
  seed: 1,
  restarts: 2,
};

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Mall Co");
  const body = await readFile("../shared/data/mall_customers.csv");
  const r = await importFile(t.db, w.ownerScope, jobsFor(t.db), { kind: "customers", fileName: "mall_customers.csv", body }, (m) => ({
    ...m,
    columns: m.columns.map((c) => (c.column === "CustomerID" ? { column: c.column, field: "external_id" } : c)),
  }));
  expect(r.outcome).toBe("completed");
});
afterAll(() => t.drop());

async function completedRun(): Promise<string> {
  const { runId } = await startModelRun(w.ownerScope, INPUT, jobsFor(t.db));
  expect(await runModelRun(t.db, w.tenantId, runId)).toBe("completed");
  return runId;
}

async function rowsOf(runId: string) {
  const counts: Record<string, number> = {};
  for (const table of ["model_runs", "model_run_results", "model_run_clusters", "model_run_assignments"]) {
    const { rows } = await t.ownerQuery<{ n: number }>(`select count(*)::int as n from ${table} where ${table === "model_runs" ? "id" : "run_id"} = $1`, [runId]);
    counts[table] = rows[0].n;
  }
  return counts;
}

it("deletes a finished run with all its rows, audit-logged", async () => {
  const runId = await completedRun();
  expect(await rowsOf(runId)).toEqual({ model_runs: 1, model_run_results: 1, model_run_clusters: 3, model_run_assignments: 200 });
  expect(await deleteModelRun(scopeOf(w, "analyst"), { runId })).toEqual({ runId, deleted: true });
  expect(await rowsOf(runId)).toEqual({ model_runs: 0, model_run_results: 0, model_run_clusters: 0, model_run_assignments: 0 });
  await expect(getModelRun(w.ownerScope, { runId })).rejects.toThrow(/model run/);
  const { rows } = await t.ownerQuery<{ action: string; changes: { before: { status: string; chosenK: number } } }>(
    "select action, changes from audit_log where tenant_id = $1 and object_id = $2 order by seq desc limit 1",
    [w.tenantId, runId],
  );
  expect(rows[0]).toMatchObject({ action: "model.run.delete", changes: { before: { status: "completed", chosenK: 3 } } });
  // Gone means gone: a second delete is "not found".
  await expect(deleteModelRun(w.ownerScope, { runId })).rejects.toThrow(/not found/i);
});

it("refuses a queued run (cancel first), and deletes failed and cancelled ones", async () => {
  const { runId } = await startModelRun(w.ownerScope, INPUT, jobsFor(t.db));
  await expect(deleteModelRun(w.ownerScope, { runId })).rejects.toThrow("This model run is queued; cancel it before deleting it.");
  const failed = (await startModelRun(w.ownerScope, { ...INPUT, constraints: [{ name: "All", rules: { combinator: "and", children: [{ op: "gte", field: "attr:annual_income_k", value: 0 }] } }] }, jobsFor(t.db))).runId;
  expect(await runModelRun(t.db, w.tenantId, failed)).toBe("failed");
  await expect(deleteModelRun(w.ownerScope, { runId: failed })).resolves.toMatchObject({ deleted: true });
});

it("refuses while a published segment, a submitted or a draft proposal refers to the run, naming them", async () => {
  const runId = await completedRun();
  const inCluster = (cluster: number) => ({ combinator: "and" as const, children: [{ op: "in_cluster" as const, modelRunId: runId, cluster }] });
  const seg = await publishedSegment(w, "Cluster one", inCluster(1));
  await expect(deleteModelRun(w.ownerScope, { runId })).rejects.toThrow(
    "This model run cannot be deleted: segment “Cluster one” (version 1) refers to its clusters. Change or retire it first.",
  );
  // A draft that gains the rule while being edited (the co-edited document, not yet submitted).
  const other = await publishedSegment(w, "Big spenders", { combinator: "and", children: [{ op: "gt", field: "attr:spending_score_1_100", value: 80 }] });
  const draft = await createProposal(scopeOf(w, "analyst"), { kind: "change", segmentId: other.segmentId });
  await editDraft(t.db, w.tenantId, draft.proposalId, (doc: Y.Doc) => {
    childrenOf(rootGroup(doc)).push([nodeMap({ id: "c2", op: "in_cluster", modelRunId: runId, cluster: 2 })]);
  });
  await expect(deleteModelRun(w.ownerScope, { runId })).rejects.toThrow(
    /segment “Cluster one” \(version 1\), proposal “.*” \(draft\) refer to its clusters\. Change or retire them first\./,
  );
  await withdrawProposal(scopeOf(w, "analyst"), { proposalId: draft.proposalId });
  // A submitted proposal under review counts too; a withdrawn one no longer does.
  const submitted = await submittedNewSegment(scopeOf(w, "analyst"), "Cluster three", inCluster(3));
  await expect(deleteModelRun(w.ownerScope, { runId })).rejects.toThrow(
    "This model run cannot be deleted: segment “Cluster one” (version 1), proposal “New segment “Cluster three”” (submitted) refer to its clusters. Change or retire them first.",
  );
  await withdrawProposal(scopeOf(w, "analyst"), { proposalId: submitted.proposalId });
  // Another run nobody refers to is deleted as usual; the referred one stays intact.
  const free = await completedRun();
  await deleteModelRun(w.ownerScope, { runId: free });
  expect((await rowsOf(runId)).model_run_assignments).toBe(200);
  void seg;
});
