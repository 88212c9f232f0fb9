import { readFileSync } from "node:fs";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import {
  attributeDefinitions,
  MODEL_ALGORITHMS,
  MODEL_TRANSFORMS,
  modelRunAssignments,
  modelRunClusters,
  modelRunResults,
  modelRuns,
  type ModelRunParams,
} from "../../../db/schema";
import { AnalyticsInputError, featureMatrix } from "../../analytics/feature-matrix";
import { SILHOUETTE_TIE, RECOMMENDATION_RULE } from "../../analytics/cluster-selection";
import { kDistances } from "../../analytics/dbscan";
import { MAX_SEED, SeededRandom } from "../../analytics/seeded-random";
import { conflict, invalid, notFound } from "../../errors";
import { appendAudit } from "../audit";
import type { JobQueue } from "../data/imports";
import { FEATURE_COLUMN_LABELS } from "../data/features";
import type { TenantScope } from "../scope";
import { loadDoc } from "../../collab/store";
import { proposalDocName } from "../segments/access";
import { readDefinition } from "../segments/draft-doc";
import { CATEGORY_FIELDS, NUMBER_FEATURES, referencedModelRuns, ZNumberField, ZRuleGroup } from "../segments/rules";
import { checkConstraints, ZConstraintList } from "./constraints";
import { collinearity, DBSCAN_RECOMMENDATION_RULE, GMM_RECOMMENDATION_RULE, transformColumns } from "./pipeline";

export { collinearity, fitModel, transformColumns, suggestName, pcaSample } from "./pipeline";

/**
 * Model runs (issue #6, first slice): k-means over a range of k on customer features and
 * numeric attributes, run as a pg-boss job (workers/jobs/model-run.ts).
 *
 * Chosen k: the job stores metrics and cluster profiles for EVERY k of the range, and the
 * customers' assignments for ONE k, the run's chosen k, which is the recommended k. Segments
 * refer to "cluster C of model run M", i.e. of that k, so a published segment never changes
 * meaning under it. Choosing another k means starting another run with kMin = kMax = that k
 * (same seed, so the same labels as this run's k).
 */

export const CODE_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
})();

export const LCA_RECOMMENDATION_RULE = "lowest BIC (Bayesian information criterion) of the latent class model";

export const ZModelFeature = z.object({
  /** Numeric fields for every algorithm; categorical fields (region, RFM segment, category attributes) for latent class analysis. */
  field: z.union([ZNumberField, z.enum(CATEGORY_FIELDS)], { message: "is not a feature" }),
  transform: z.enum(MODEL_TRANSFORMS, { message: `transform must be one of ${MODEL_TRANSFORMS.join(", ")}` }).default("standard"),
});

const ZFeatureList = z
  .array(ZModelFeature, { message: "choose at least one feature" })
  .min(1, { message: "choose at least one feature" })
  .max(20, { message: "choose at most 20 features" })
  .refine((fs) => new Set(fs.map((f) => f.field)).size === fs.length, { message: "a feature is chosen twice" });

export const ZStartModelRunInput = z
  .object({
    features: ZFeatureList,
    /** k-means and Gaussian mixtures only (DBSCAN finds its number of clusters). */
    kMin: z.number().int().min(2, { message: "k starts at 2" }).max(15, { message: "k is at most 15" }).optional(),
    kMax: z.number().int().min(2, { message: "k starts at 2" }).max(15, { message: "k is at most 15" }).optional(),
    seed: z.number().int().min(0).max(MAX_SEED).default(0),
    restarts: z.number().int().min(1).max(50).default(10),
    /** "kmeans" (default; runs from before this field are k-means), "gmm" (Gaussian mixture, full covariance) or "dbscan". */
    algorithm: z.enum(MODEL_ALGORITHMS, { message: `algorithm must be one of ${MODEL_ALGORITHMS.join(", ")}` }).default("kmeans"),
    /** DBSCAN only: neighbourhood radius on the transformed features. */
    eps: z.number({ message: "eps must be a number" }).positive({ message: "eps must be greater than 0" }).max(1e6).optional(),
    /** DBSCAN only: points within eps of a core point, itself counted. */
    minPts: z.number({ message: "minPts must be a number" }).int({ message: "minPts must be a whole number" }).min(2, { message: "minPts is at least 2 (the point itself counted)" }).max(1000).optional(),
    /** Self-organizing maps: the grid (default: about 5·√n nodes, square). */
    somGrid: z
      .object({
        rows: z.number().int({ message: "whole rows" }).min(1, { message: "at least 1 row" }).max(20, { message: "at most 20 rows" }),
        cols: z.number().int({ message: "whole columns" }).min(2, { message: "at least 2 columns" }).max(20, { message: "at most 20 columns" }),
      })
      .optional(),
    /** Business-rule constraints: named fixed groups defined by segment rules, left out of fitting (constraints.ts). */
    constraints: ZConstraintList.optional(),
  })
  .superRefine((i, ctx) => {
    i.features.forEach((f, index) => {
      const categorical = (CATEGORY_FIELDS as readonly string[]).includes(f.field);
      const numeric = (NUMBER_FEATURES as readonly string[]).includes(f.field);
      if (i.algorithm === "lca" && numeric) ctx.addIssue({ code: "custom", message: `${f.field} is numeric; latent class analysis takes categorical answers`, path: ["features", index, "field"] });
      if (i.algorithm !== "lca" && categorical) ctx.addIssue({ code: "custom", message: `${f.field} is categorical; choose latent class analysis for categorical answers`, path: ["features", index, "field"] });
    });
    if (i.algorithm !== "som" && i.somGrid) ctx.addIssue({ code: "custom", message: "a map grid is for self-organizing maps only", path: ["somGrid"] });
    const fixed = i.constraints?.length ?? 0;
    if (fixed && i.kMax !== undefined && i.kMax + fixed > 15) {
      ctx.addIssue({ code: "custom", message: `the largest k plus the ${fixed} fixed group${fixed === 1 ? "" : "s"} must not exceed 15 clusters`, path: ["constraints"] });
    }
    if (i.algorithm === "dbscan") {
      if (i.eps === undefined) ctx.addIssue({ code: "custom", message: "DBSCAN needs eps (the neighbourhood radius)", path: ["eps"] });
      if (i.minPts === undefined) ctx.addIssue({ code: "custom", message: "DBSCAN needs minPts (points within eps of a core point, itself counted)", path: ["minPts"] });
      return;
    }
    if (i.eps !== undefined || i.minPts !== undefined) ctx.addIssue({ code: "custom", message: "eps and minPts are for DBSCAN only", path: ["eps"] });
    if (i.kMin === undefined) ctx.addIssue({ code: "custom", message: "choose the smallest k", path: ["kMin"] });
    if (i.kMax === undefined) ctx.addIssue({ code: "custom", message: "choose the largest k", path: ["kMax"] });
    if (i.kMin !== undefined && i.kMax !== undefined && i.kMin > i.kMax) ctx.addIssue({ code: "custom", message: "the smallest k must not exceed the largest", path: ["kMax"] });
  });

export const ZFeatureCheckInput = z.object({ features: ZFeatureList });
export const ZKDistancesInput = z.object({
  features: ZFeatureList,
  minPts: z.number().int({ message: "minPts must be a whole number" }).min(2, { message: "minPts is at least 2 (the point itself counted)" }).max(1000),
  seed: z.number().int().min(0).max(MAX_SEED).default(0),
});

/** Customers the k-distance plot is computed on (a seeded sample above this; kDistances is O(n²)). */
export const KDISTANCE_SAMPLE = 5_000;
/** Points returned for the plot (evenly spaced ranks of the sorted curve, first and last included). */
const KDISTANCE_POINTS = 400;
export const ZModelRunIdInput = z.object({ runId: z.uuid({ message: "must name a model run" }) });
export const ZListModelRunsInput = z.object({ limit: z.number().int().min(1).max(200).default(50) }).default({ limit: 50 });

export interface FeatureOption {
  field: string;
  label: string;
  source: "feature" | "attribute";
  /** False for attributes that cannot be used (protected); `reason` says why. */
  available: boolean;
  reason?: string;
}

/** What can be chosen as a feature: the numeric customer features and numeric attributes (protected ones shown as unavailable). */
export async function modelFeatureOptions(tx: Tx, tenantId: string): Promise<FeatureOption[]> {
  const defs = await tx
    .select({ key: attributeDefinitions.key, label: attributeDefinitions.label, sensitivity: attributeDefinitions.sensitivity })
    .from(attributeDefinitions)
    .where(and(eq(attributeDefinitions.tenantId, tenantId), eq(attributeDefinitions.type, "number")))
    .orderBy(asc(attributeDefinitions.key));
  return [
    ...NUMBER_FEATURES.map((f) => ({ field: f, label: FEATURE_COLUMN_LABELS[f], source: "feature" as const, available: true })),
    ...defs.map((d) => ({
      field: `attr:${d.key}`,
      label: d.label,
      source: "attribute" as const,
      available: d.sensitivity !== "protected",
      ...(d.sensitivity === "protected" ? { reason: "protected attributes cannot be used as model features" } : {}),
    })),
  ];
}

/** Numeric features (kind "number") and, for latent class analysis, categorical fields (kind "category"). */
export async function listModelFeatures(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => [
    ...(await modelFeatureOptions(tx, scope.tenantId)).map((o) => ({ ...o, kind: "number" as const })),
    ...(await categoryFeatureOptions(tx, scope.tenantId)).map((o) => ({ ...o, kind: "category" as const })),
  ]);
}

/** Checks every chosen field; returns their labels. Protected attributes are refused by name. */
export async function checkFeatures(tx: Tx, tenantId: string, fields: readonly string[]): Promise<Map<string, string>> {
  const options = new Map((await modelFeatureOptions(tx, tenantId)).map((o) => [o.field, o]));
  const labels = new Map<string, string>();
  for (const field of fields) {
    const option = options.get(field);
    if (!option) {
      const [def] = field.startsWith("attr:")
        ? await tx
            .select({ label: attributeDefinitions.label, type: attributeDefinitions.type })
            .from(attributeDefinitions)
            .where(and(eq(attributeDefinitions.tenantId, tenantId), eq(attributeDefinitions.key, field.slice(5))))
        : [];
      throw invalid(def ? `The attribute "${def.label}" is a ${def.type}, not a number; only numeric features can be clustered.` : `There is no feature "${field}" in this workspace.`);
    }
    if (!option.available) throw invalid(`The attribute "${option.label}" is protected and cannot be used as a model feature.`, { field });
    labels.set(field, option.label);
  }
  return labels;
}

function fieldSql(field: string) {
  if (field.startsWith("attr:")) {
    const key = field.slice(5);
    return sql`case when jsonb_typeof(c.attributes -> ${key}) = 'number' then (c.attributes ->> ${key})::float8 end`;
  }
  if (!(NUMBER_FEATURES as readonly string[]).includes(field)) throw invalid(`There is no feature "${field}".`);
  return sql`f.${sql.identifier(field)}::float8`;
}

/** Categorical fields a latent class run can use: region, RFM segment and category/boolean/text attributes that are not protected. */
export async function categoryFeatureOptions(tx: Tx, tenantId: string): Promise<FeatureOption[]> {
  const defs = await tx
    .select({ key: attributeDefinitions.key, label: attributeDefinitions.label, sensitivity: attributeDefinitions.sensitivity, type: attributeDefinitions.type })
    .from(attributeDefinitions)
    .where(eq(attributeDefinitions.tenantId, tenantId))
    .orderBy(asc(attributeDefinitions.key));
  return [
    { field: "region", label: "Region", source: "feature" as const, available: true },
    { field: "rfm_segment", label: "RFM segment", source: "feature" as const, available: true },
    ...defs
      .filter((d) => d.type === "category" || d.type === "boolean" || d.type === "text")
      .map((d) => ({
        field: `attr:${d.key}`,
        label: d.label,
        source: "attribute" as const,
        available: d.sensitivity !== "protected",
        ...(d.sensitivity === "protected" ? { reason: "protected attributes cannot be used as model features" } : {}),
      })),
  ];
}

/** Labels of the categorical fields, refusing unknown, numeric and protected ones (latent class runs). */
export async function checkCategoryFeatures(tx: Tx, tenantId: string, fields: readonly string[]): Promise<Map<string, string>> {
  const options = new Map((await categoryFeatureOptions(tx, tenantId)).map((o) => [o.field, o]));
  const labels = new Map<string, string>();
  for (const field of fields) {
    const option = options.get(field);
    if (!option) throw invalid(`"${field}" is not a categorical field of this workspace; latent class analysis takes region, RFM segment or category attributes.`);
    if (!option.available) throw invalid(`The attribute "${option.label}" is protected and cannot be used as a model feature.`, { field });
    labels.set(field, option.label);
  }
  return labels;
}

/** The chosen categorical answers of every active customer with all of them, ordered by customer id. */
export async function loadCategoryRows(tx: Tx, tenantId: string, fields: readonly string[]): Promise<{ ids: string[]; answers: string[][]; active: number }> {
  const exprs = fields.map((field) =>
    field === "region"
      ? sql`c.region`
      : field === "rfm_segment"
        ? sql`f.rfm_segment`
        : sql`case when jsonb_typeof(c.attributes -> ${field.slice(5)}) in ('string', 'boolean', 'number') then c.attributes ->> ${field.slice(5)} end`,
  );
  const result = await tx.execute<{ id: string; v: (string | null)[] }>(
    sql`select c.id, array[${sql.join(exprs, sql`, `)}]::text[] as v from customers c
        left join customer_features f on f.tenant_id = c.tenant_id and f.customer_id = c.id
        where c.tenant_id = ${tenantId}::uuid and c.merged_into is null and not c.opted_out order by c.id`,
  );
  const ids: string[] = [];
  const answers: string[][] = [];
  for (const row of result.rows) {
    if (row.v.some((x) => x === null || x === "")) continue;
    ids.push(row.id);
    answers.push(row.v as string[]);
  }
  return { ids, answers, active: result.rows.length };
}

export interface FeatureRows {
  /** Customer ids of the rows, in id order. */
  ids: string[];
  values: Float64Array;
  n: number;
  d: number;
  /** Active customers (complete or not). */
  active: number;
  referenceDate: string | null;
  featuresComputedAt: string | null;
}

/**
 * The chosen fields of every active customer (not merged, not opted out) with all of them
 * present, ordered by customer id (so the same data give the same rows in the same order).
 */
export async function loadFeatureRows(tx: Tx, tenantId: string, fields: readonly string[]): Promise<FeatureRows> {
  const exprs = fields.map(fieldSql);
  const needsFeatures = fields.some((f) => !f.startsWith("attr:"));
  const join = sql`left join customer_features f on f.tenant_id = c.tenant_id and f.customer_id = c.id`;
  const active = sql`c.tenant_id = ${tenantId}::uuid and c.merged_into is null and not c.opted_out`;
  const result = await tx.execute<{ id: string; v: (number | null)[] }>(
    sql`select c.id, array[${sql.join(exprs, sql`, `)}]::float8[] as v from customers c ${join} where ${active} order by c.id`,
  );
  const d = fields.length;
  const ids: string[] = [];
  const values = new Float64Array(result.rows.length * d);
  for (const row of result.rows) {
    if (row.v.some((x) => x === null || !Number.isFinite(Number(x)))) continue;
    for (let j = 0; j < d; j++) values[ids.length * d + j] = Number(row.v[j]);
    ids.push(row.id);
  }
  let referenceDate: string | null = null;
  let featuresComputedAt: string | null = null;
  if (needsFeatures) {
    const snap = await tx.execute<{ reference_date: string | null; computed_at: string | null }>(
      sql`select max(reference_date)::text as reference_date, to_char(max(computed_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as computed_at
          from customer_features where tenant_id = ${tenantId}::uuid`,
    );
    referenceDate = snap.rows[0]?.reference_date ?? null;
    featuresComputedAt = snap.rows[0]?.computed_at ?? null;
  }
  return { ids, values: values.slice(0, ids.length * d), n: ids.length, d, active: result.rows.length, referenceDate, featuresComputedAt };
}

/** Queues a model run, in one transaction with its job and audit entry. */
export async function startModelRun(scope: TenantScope, input: z.input<typeof ZStartModelRunInput>, jobs: JobQueue) {
  const parsed = ZStartModelRunInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    await (parsed.algorithm === "lca" ? checkCategoryFeatures : checkFeatures)(
      tx,
      scope.tenantId,
      parsed.features.map((f) => f.field),
    );
    if (parsed.constraints?.length) await checkConstraints(tx, scope.tenantId, parsed.constraints);
    const { kMin, kMax, eps, minPts, constraints, ...base } = parsed;
    const rest = constraints?.length ? { ...base, constraints } : base;
    // A DBSCAN run's k is unknown until it has run: kMin = kMax = 2 as placeholders, replaced by the clusters found.
    const params: ModelRunParams =
      parsed.algorithm === "dbscan" ? { ...rest, kMin: 2, kMax: 2, eps: eps!, minPts: minPts! } : { ...rest, kMin: kMin!, kMax: kMax! };
    const [row] = await tx
      .insert(modelRuns)
      .values({ tenantId: scope.tenantId, algorithm: parsed.algorithm, params, codeVersion: CODE_VERSION, createdBy: scope.actor.userId, progressMessage: "Waiting for a worker" })
      .returning({ id: modelRuns.id });
    await jobs.enqueueModelRun(tx, { tenantId: scope.tenantId, runId: row.id });
    await appendAudit(tx, scope, { action: "model.run.start", objectType: "model_run", objectId: row.id, after: { params } });
    return { runId: row.id, status: "queued" as const };
  });
}

/** Correlation matrix and VIF of the chosen (transformed) features on the workspace's data; flags only, the user decides. */
export async function featureCheck(scope: TenantScope, input: z.input<typeof ZFeatureCheckInput>) {
  const { features } = ZFeatureCheckInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const fields = features.map((f) => f.field);
    const labels = await checkFeatures(tx, scope.tenantId, fields);
    const rows = await loadFeatureRows(tx, scope.tenantId, fields);
    const names = fields.map((f) => labels.get(f) ?? f);
    let matrix = featureMatrix(rows.values, rows.n, rows.d);
    try {
      if (rows.n > 0) matrix = transformColumns(matrix, features.map((f) => f.transform), names);
    } catch (error) {
      if (error instanceof AnalyticsInputError) throw invalid(error.message);
      throw error;
    }
    return { ...collinearity(matrix, names), fields, customers: rows.active };
  });
}

/**
 * The k-distance plot for choosing DBSCAN's eps (k = minPts − 1): each customer's distance to its
 * k-th nearest other customer on the transformed features, sorted descending, on all customers
 * or a seeded sample of KDISTANCE_SAMPLE. The knee hint is the point farthest from the chord
 * between the curve's ends (both axes scaled to 0..1); a sample's distances are larger than the
 * full data's (fewer neighbours), so the hint is a starting point, not an answer.
 */
export async function kDistancePlot(scope: TenantScope, input: z.input<typeof ZKDistancesInput>) {
  const { features, minPts, seed } = ZKDistancesInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const fields = features.map((f) => f.field);
    const labels = await checkFeatures(tx, scope.tenantId, fields);
    const rows = await loadFeatureRows(tx, scope.tenantId, fields);
    const k = minPts - 1;
    if (rows.n < minPts) throw invalid(`Only ${rows.n} customers have all the chosen features; minPts=${minPts} needs at least ${minPts}.`);
    const names = fields.map((f) => labels.get(f) ?? f);
    try {
      const all = transformColumns(featureMatrix(rows.values, rows.n, rows.d), features.map((f) => f.transform), names);
      const size = Math.min(rows.n, KDISTANCE_SAMPLE);
      const picked = size === rows.n ? null : Int32Array.from(new SeededRandom(seed).sampleIndexes(rows.n, size)).sort();
      const matrix = picked
        ? featureMatrix(Float64Array.from({ length: size * rows.d }, (_, v) => all.values[picked[Math.floor(v / rows.d)] * rows.d + (v % rows.d)]), size, rows.d)
        : all;
      const d = kDistances(matrix, k);
      const step = Math.max(1, (size - 1) / (KDISTANCE_POINTS - 1));
      const ranks = [...new Set(Array.from({ length: Math.min(size, KDISTANCE_POINTS) }, (_, i) => Math.min(size - 1, Math.round(i * step))))];
      const top = d[0];
      const bottom = d[size - 1];
      let knee = 0;
      let best = -Infinity;
      for (let i = 0; i < size; i++) {
        // Distance below the chord from (0, 1) to (1, 0) in scaled coordinates.
        const x = size > 1 ? i / (size - 1) : 0;
        const y = top > bottom ? (d[i] - bottom) / (top - bottom) : 0;
        const below = 1 - x - y;
        if (below > best) (best = below), (knee = i);
      }
      return {
        k,
        minPts,
        customers: rows.n,
        sampled: picked !== null,
        sampleSize: size,
        points: ranks.map((r) => ({ rank: r + 1, distance: d[r] })),
        knee: { rank: knee + 1, distance: d[knee] },
      };
    } catch (error) {
      if (error instanceof AnalyticsInputError) throw invalid(error.message);
      throw error;
    }
  });
}

const RUN_COLUMNS = {
  id: modelRuns.id,
  status: modelRuns.status,
  algorithm: modelRuns.algorithm,
  params: modelRuns.params,
  progress: modelRuns.progress,
  progressMessage: modelRuns.progressMessage,
  cancelRequested: modelRuns.cancelRequested,
  error: modelRuns.error,
  recommendedK: modelRuns.recommendedK,
  recommendationReason: modelRuns.recommendationReason,
  chosenK: modelRuns.chosenK,
  n: modelRuns.n,
  dataSnapshot: modelRuns.dataSnapshot,
  codeVersion: modelRuns.codeVersion,
  createdBy: modelRuns.createdBy,
  createdAt: modelRuns.createdAt,
  startedAt: modelRuns.startedAt,
  finishedAt: modelRuns.finishedAt,
};

export async function listModelRuns(scope: TenantScope, input?: z.input<typeof ZListModelRunsInput>) {
  const { limit } = ZListModelRunsInput.parse(input);
  return scope.db.withTenant(scope.tenantId, (tx) =>
    tx.select(RUN_COLUMNS).from(modelRuns).where(eq(modelRuns.tenantId, scope.tenantId)).orderBy(desc(modelRuns.createdAt), desc(modelRuns.id)).limit(limit),
  );
}

export async function loadModelRun(tx: Tx, tenantId: string, runId: string) {
  const [run] = await tx
    .select({ ...RUN_COLUMNS, pca: modelRuns.pca, stability: modelRuns.stability, explanation: modelRuns.explanation })
    .from(modelRuns)
    .where(and(eq(modelRuns.tenantId, tenantId), eq(modelRuns.id, runId)));
  if (!run) throw notFound("The model run");
  return run;
}

/** The run with its metrics per k, recommended k and why, cluster profiles per k, and the PCA sample. */
export async function getModelRun(scope: TenantScope, input: z.input<typeof ZModelRunIdInput>) {
  const { runId } = ZModelRunIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const run = await loadModelRun(tx, scope.tenantId, runId);
    const results = await tx
      .select({
        k: modelRunResults.k,
        inertia: modelRunResults.inertia,
        silhouette: modelRunResults.silhouette,
        silhouetteSampled: modelRunResults.silhouetteSampled,
        silhouetteSampleSize: modelRunResults.silhouetteSampleSize,
        calinskiHarabasz: modelRunResults.calinskiHarabasz,
        daviesBouldin: modelRunResults.daviesBouldin,
        sizes: modelRunResults.sizes,
      })
      .from(modelRunResults)
      .where(and(eq(modelRunResults.tenantId, scope.tenantId), eq(modelRunResults.runId, runId)))
      .orderBy(asc(modelRunResults.k));
    const clusters = await tx
      .select({
        k: modelRunClusters.k,
        cluster: modelRunClusters.cluster,
        size: modelRunClusters.size,
        profile: modelRunClusters.profile,
        suggestedName: modelRunClusters.suggestedName,
        pcaX: modelRunClusters.pcaX,
        pcaY: modelRunClusters.pcaY,
      })
      .from(modelRunClusters)
      .where(and(eq(modelRunClusters.tenantId, scope.tenantId), eq(modelRunClusters.runId, runId)))
      .orderBy(asc(modelRunClusters.k), asc(modelRunClusters.cluster));
    const options = run.algorithm === "lca" ? await categoryFeatureOptions(tx, scope.tenantId) : await modelFeatureOptions(tx, scope.tenantId);
    const labels = new Map(options.map((o) => [o.field, o.label]));
    const { pca, ...rest } = run;
    const features = run.params.features.map((f) => ({ ...f, label: labels.get(f.field) ?? f.field }));
    // The columns the profiles describe: the features, or for latent class runs each answer ("Channel: online").
    const lcaColumns = run.params.lcaResults?.[0]?.probabilities.flatMap((p) =>
      p.categories.map((c) => ({ field: `${p.field}=${c}`, label: `${labels.get(p.field) ?? p.field}: ${c}` })),
    );
    const rule = run.algorithm === "gmm" ? GMM_RECOMMENDATION_RULE : run.algorithm === "lca" ? LCA_RECOMMENDATION_RULE : run.algorithm === "dbscan" ? DBSCAN_RECOMMENDATION_RULE : RECOMMENDATION_RULE;
    return {
      run: rest,
      features,
      profileColumns: lcaColumns ?? features.map(({ field, label }) => ({ field, label })),
      results,
      recommendation: run.recommendedK === null ? null : { k: run.recommendedK, reason: run.recommendationReason ?? "", rule, silhouetteTie: SILHOUETTE_TIE },
      clusters,
      pca,
    };
  });
}

/** A queued run is cancelled at once; a running one stops at its next k. */
export async function cancelModelRun(scope: TenantScope, input: z.input<typeof ZModelRunIdInput>) {
  const { runId } = ZModelRunIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const run = await loadModelRun(tx, scope.tenantId, runId);
    if (run.status !== "queued" && run.status !== "running") throw conflict(`This model run is ${run.status}; there is nothing to cancel.`);
    const immediate = run.status === "queued";
    await tx
      .update(modelRuns)
      .set(immediate ? { status: "cancelled", cancelRequested: true, finishedAt: new Date(), progressMessage: "Cancelled" } : { cancelRequested: true })
      .where(and(eq(modelRuns.tenantId, scope.tenantId), eq(modelRuns.id, runId)));
    await appendAudit(tx, scope, { action: "model.run.cancel", objectType: "model_run", objectId: runId, before: { status: run.status } });
    return { runId, status: immediate ? ("cancelled" as const) : ("running" as const) };
  });
}

/** Customers of one cluster of a completed run (ids only, for checks and drill-downs). */
export async function assignmentCount(tx: Tx, tenantId: string, runId: string) {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(modelRunAssignments)
    .where(and(eq(modelRunAssignments.tenantId, tenantId), eq(modelRunAssignments.runId, runId)));
  return row.n;
}

export const ZChooseKInput = z.object({ runId: z.uuid({ message: "must name a model run" }), k: z.number().int().min(2).max(15) });

/**
 * Choosing another k than the recommended one: a new run with the same features, transforms,
 * seed and restarts, for that k only. Each k is fitted independently with the run's seed, so
 * the new run's clusters are exactly the ones this run showed for that k; the original run (and
 * any segment defined by its clusters) keeps its meaning.
 */
export async function chooseK(scope: TenantScope, input: z.input<typeof ZChooseKInput>, jobs: JobQueue) {
  const { runId, k } = ZChooseKInput.parse(input);
  const source = await scope.db.withTenant(scope.tenantId, (tx) => loadModelRun(tx, scope.tenantId, runId));
  if (source.status !== "completed") throw conflict(`This model run is ${source.status}; choose a k once it has completed.`);
  if (k < source.params.kMin || k > source.params.kMax) throw invalid(`k=${k} is outside this run's range (${source.params.kMin} to ${source.params.kMax}).`);
  if (k === source.chosenK) throw conflict(`k=${k} is already this run's chosen k.`);
  return startModelRun(scope, { ...source.params, kMin: k, kMax: k } as z.input<typeof ZStartModelRunInput>, jobs);
}

/** Completed runs and their clusters (at the chosen k), for "is in cluster" rules. */
export async function clusterOptions(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const runs = await tx
      .select({ id: modelRuns.id, params: modelRuns.params, chosenK: modelRuns.chosenK, n: modelRuns.n, finishedAt: modelRuns.finishedAt })
      .from(modelRuns)
      .where(and(eq(modelRuns.tenantId, scope.tenantId), eq(modelRuns.status, "completed")))
      .orderBy(desc(modelRuns.finishedAt))
      .limit(100);
    const clusters = await tx
      .select({ runId: modelRunClusters.runId, k: modelRunClusters.k, cluster: modelRunClusters.cluster, size: modelRunClusters.size, suggestedName: modelRunClusters.suggestedName })
      .from(modelRunClusters)
      .where(eq(modelRunClusters.tenantId, scope.tenantId))
      .orderBy(asc(modelRunClusters.cluster));
    return runs.map((r) => ({
      id: r.id,
      features: r.params.features.map((f) => f.field),
      k: r.chosenK,
      n: r.n,
      finishedAt: r.finishedAt,
      clusters: clusters.filter((c) => c.runId === r.id && c.k === r.chosenK).map(({ cluster, size, suggestedName }) => ({ cluster, size, suggestedName })),
    }));
  });
}

/**
 * Segment versions and open proposals whose definition refers to the run (an "is in cluster" rule):
 * every published version and submitted definitions by a JSON path over their jsonb, drafts by
 * reading their co-edited document. Closed proposals are not counted: an approved one is its
 * published version, a rejected or withdrawn one is history. Names the segment (and version) or
 * the proposal.
 */
async function runReferences(tx: Tx, tenantId: string, runId: string): Promise<string[]> {
  const path = sql`'$.** ? (@.modelRunId == $id)'::jsonpath`;
  const vars = sql`jsonb_build_object('id', ${runId}::text)`;
  const versions = await tx.execute<{ name: string; version: number }>(
    sql`select s.name, v.version from segment_versions v join segments s on s.tenant_id = v.tenant_id and s.id = v.segment_id
        where v.tenant_id = ${tenantId}::uuid and jsonb_path_exists(v.definition, ${path}, ${vars}) order by s.name, v.version`,
  );
  const proposals = await tx.execute<{ id: string; title: string; status: string; referenced: boolean }>(
    sql`select p.id, p.title, p.status, coalesce(jsonb_path_exists(p.submitted, ${path}, ${vars}), false) as referenced
        from segment_proposals p where p.tenant_id = ${tenantId}::uuid and p.status in ('draft', 'submitted') order by p.created_at`,
  );
  const out = versions.rows.map((v) => `segment “${v.name}” (version ${v.version})`);
  for (const p of proposals.rows) {
    let referenced = p.referenced;
    if (!referenced && p.status === "draft") {
      const rules = readDefinition(await loadDoc(tx, tenantId, proposalDocName(p.id))).rules;
      const parsed = ZRuleGroup.safeParse(rules);
      referenced = parsed.success && referencedModelRuns(parsed.data).has(runId);
    }
    if (referenced) out.push(`proposal “${p.title}” (${p.status})`);
  }
  return out;
}

/**
 * Deletes a finished run with its results, clusters and assignments (foreign keys cascade).
 * Refused while it is queued or running (cancel it first) and while any segment version or
 * proposal refers to its clusters, naming them: a published segment must never lose the
 * clusters that define it.
 */
export async function deleteModelRun(scope: TenantScope, input: z.input<typeof ZModelRunIdInput>) {
  const { runId } = ZModelRunIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const run = await loadModelRun(tx, scope.tenantId, runId);
    if (run.status === "queued" || run.status === "running") throw conflict(`This model run is ${run.status}; cancel it before deleting it.`);
    const refs = await runReferences(tx, scope.tenantId, runId);
    if (refs.length) {
      const shown = refs.slice(0, 3).join(", ") + (refs.length > 3 ? ` and ${refs.length - 3} more` : "");
      throw conflict(`This model run cannot be deleted: ${shown} ${refs.length === 1 ? "refers" : "refer"} to its clusters. Change or retire ${refs.length === 1 ? "it" : "them"} first.`);
    }
    await tx.delete(modelRuns).where(and(eq(modelRuns.tenantId, scope.tenantId), eq(modelRuns.id, runId)));
    await appendAudit(tx, scope, {
      action: "model.run.delete",
      objectType: "model_run",
      objectId: runId,
      before: { status: run.status, algorithm: run.algorithm, params: run.params, n: run.n, chosenK: run.chosenK },
    });
    return { runId, deleted: true as const };
  });
}
