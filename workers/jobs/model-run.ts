import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../db/client";
import { modelRunAssignments, modelRunClusters, modelRunResults, modelRuns, type ModelAlgorithm, type ModelPca } from "../../db/schema";
import { AnalyticsInputError, featureMatrix } from "../../server/analytics/feature-matrix";
import { DomainError } from "../../server/errors";
import type { Logger } from "../../server/logger";
import { checkCategoryFeatures, checkFeatures, fitModel, loadCategoryRows, loadFeatureRows, pcaSample, transformColumns } from "../../server/services/models";
import { oneHotColumns, somResult } from "../../server/services/models/pipeline";
import { encodeCategories, type CategoricalData } from "../../server/analytics/lca";
import type { FeatureMatrix } from "../../server/analytics/feature-matrix";
import { constraintGroupOf } from "../../server/services/models/constraints";
import { explainClusters } from "../../server/services/models/explanation";
import { bootstrapStability } from "../../server/services/models/stability";
import { compareWindow, loadWindowRows, TIME_WINDOW_DAYS } from "../../server/services/models/time-window";

export const MODEL_RUN_QUEUE = "model-run";
export const ZModelRunJob = z.object({ tenantId: z.uuid(), runId: z.uuid() });

export type ModelRunOutcome = "completed" | "cancelled" | "failed" | "skipped";

class ModelRunCancelled extends Error {}

export interface ModelRunHooks {
  /** Called after each k is fitted (tests use it to simulate a crash mid-run). */
  afterK?: (k: number) => void | Promise<void>;
  /** Called after each stability replicate of the chosen k. */
  afterReplicate?: (done: number) => void | Promise<void>;
}

const ASSIGNMENT_BATCH = 20_000;

const ALGORITHM_NOTE: Record<ModelAlgorithm, string> = {
  kmeans: "",
  gmm: " (Gaussian mixture)",
  dbscan: " (DBSCAN)",
  ward: " (Ward)",
  lca: " (latent class analysis)",
  som: " (self-organizing map)",
};

async function update(db: Database, tenantId: string, runId: string, values: Partial<typeof modelRuns.$inferInsert>) {
  const rows = await db.withTenant(tenantId, (tx) =>
    tx
      .update(modelRuns)
      .set(values)
      .where(and(eq(modelRuns.tenantId, tenantId), eq(modelRuns.id, runId)))
      .returning({ cancelRequested: modelRuns.cancelRequested }),
  );
  return rows[0]?.cancelRequested ?? false;
}

/**
 * Runs one model run: loads the features of active customers with all of them, transforms,
 * fits k-means for each k (progress after each; a cancel stops at the next k), scores, profiles
 * every k, projects on two principal components and writes results, clusters and the chosen
 * k's assignments in ONE transaction at the end, deleting whatever an earlier attempt of the
 * same run wrote first (so a retry after a crash never duplicates). Unclusterable data (too
 * few customers, a constant standardised feature, a protected attribute) fail the run with a
 * readable error; any other error is thrown so that pg-boss retries the job.
 *
 * Cluster numbers are 1-based everywhere they are stored (k-means label + 1).
 */
export async function runModelRun(db: Database, tenantId: string, runId: string, hooks: ModelRunHooks = {}, log?: Logger): Promise<ModelRunOutcome> {
  const [run] = await db.withTenant(tenantId, (tx) => tx.select().from(modelRuns).where(and(eq(modelRuns.tenantId, tenantId), eq(modelRuns.id, runId))));
  if (!run || run.status === "completed" || run.status === "failed" || run.status === "cancelled") return "skipped";
  if (run.cancelRequested) {
    await update(db, tenantId, runId, { status: "cancelled", finishedAt: new Date(), progressMessage: "Cancelled" });
    return "cancelled";
  }
  await update(db, tenantId, runId, { status: "running", startedAt: new Date(), progress: 0, progressMessage: "Loading customer features", error: null });
  const { params } = run;
  // Runs created before Gaussian mixtures have no params.algorithm: they are k-means (as the column says).
  const algorithm = params.algorithm ?? run.algorithm;
  const fields = params.features.map((f) => f.field);
  const ks = Array.from({ length: params.kMax - params.kMin + 1 }, (_, i) => params.kMin + i);
  try {
    const constraints = params.constraints ?? [];
    const loaded = await db.withTenant(tenantId, async (tx) => {
      if (algorithm === "lca") {
        const labels = await checkCategoryFeatures(tx, tenantId, fields);
        const cat = await loadCategoryRows(tx, tenantId, fields);
        return { labels, ids: cat.ids, active: cat.active, answers: cat.answers, numeric: null, group: await constraintGroupOf(tx, tenantId, constraints, cat.ids) };
      }
      const labels = await checkFeatures(tx, tenantId, fields);
      const numeric = await loadFeatureRows(tx, tenantId, fields);
      // Business-rule constraints: each customer's fixed group (−1: clustered), decided before any fitting.
      return { labels, ids: numeric.ids, active: numeric.active, answers: null, numeric, group: await constraintGroupOf(tx, tenantId, constraints, numeric.ids) };
    });
    const { group } = loaded;
    const rows = {
      ids: loaded.ids,
      n: loaded.ids.length,
      active: loaded.active,
      referenceDate: loaded.numeric?.referenceDate ?? null,
      featuresComputedAt: loaded.numeric?.featuresComputedAt ?? null,
    };
    const labels = new Map(loaded.labels);
    const featureLabels = fields.map((f) => labels.get(f) ?? f);
    const fittedIdx: number[] = [];
    for (let i = 0; i < rows.n; i++) if (group[i] < 0) fittedIdx.push(i);
    let raw: FeatureMatrix;
    let names: string[] = fields;
    let categorical: { data: CategoricalData; fields: string[]; categories: string[][] } | undefined;
    if (loaded.answers) {
      // Latent class analysis: answers coded on every row (fixed groups included), the model fitted on the fitted rows;
      // profiles, PCA, metrics and the fixed groups use the answers' one-hot columns ("<field>=<category>").
      const encoded = encodeCategories(loaded.answers, featureLabels);
      const hot = oneHotColumns(encoded.data, fields, encoded.categories);
      raw = hot.matrix;
      names = hot.names;
      for (const name of hot.names) {
        const cut = name.indexOf("=");
        labels.set(name, `${labels.get(name.slice(0, cut)) ?? name.slice(0, cut)}: ${name.slice(cut + 1)}`);
      }
      const J = fields.length;
      const codes = new Int32Array(fittedIdx.length * J);
      fittedIdx.forEach((i, s2) => codes.set(encoded.data.codes.subarray(i * J, (i + 1) * J), s2 * J));
      categorical = { data: { rows: fittedIdx.length, levels: encoded.data.levels, codes }, fields, categories: encoded.categories };
    } else {
      raw = featureMatrix(loaded.numeric!.values, rows.n, loaded.numeric!.d);
    }
    const d = raw.cols;
    const fittedRaw =
      fittedIdx.length === rows.n ? raw : featureMatrix(Float64Array.from({ length: fittedIdx.length * d }, (_, v) => raw.values[fittedIdx[Math.floor(v / d)] * d + (v % d)]), fittedIdx.length, d);
    if (algorithm !== "dbscan" && fittedRaw.rows < params.kMax + 1) {
      const m = fittedRaw.rows;
      const have = m === 1 ? "Only 1 customer has" : m === 0 ? "No customer has" : `Only ${m} customers have`;
      const outside = constraints.length ? " and falls in no fixed group" : "";
      throw new AnalyticsInputError(`${have} all the chosen features${outside}; k=${params.kMax} needs at least ${params.kMax + 1}. Choose a smaller k or other features.`);
    }
    const transforms = params.features.map((f) => f.transform);
    // The transforms are fitted on the clustered customers only: they are clustered exactly as they would be without the fixed groups.
    // Latent class runs use the answers as they are (one-hot columns, no transform).
    const transformed = categorical ? fittedRaw : transformColumns(fittedRaw, transforms, featureLabels);
    await update(db, tenantId, runId, { progress: 0.05, progressMessage: `Clustering ${rows.n} customers${ALGORITHM_NOTE[algorithm]}` });
    const fit = await fitModel(raw, transformed, names, labels, {
      ks,
      algorithm,
      eps: params.eps,
      minPts: params.minPts,
      seed: params.seed,
      restarts: params.restarts,
      ...(params.somGrid ? { somGrid: params.somGrid } : {}),
      ...(categorical ? { categorical } : {}),
      ...(constraints.length
        ? {
            fixed: {
              group,
              names: constraints.map((c) => c.name),
              display: fittedRaw.rows === rows.n ? transformed : categorical ? raw : transformColumns(raw, transforms, featureLabels),
            },
          }
        : {}),
      async onK(k, done, total) {
        const cancel = await update(db, tenantId, runId, { progress: 0.05 + (0.75 * done) / total, progressMessage: `Fitted k=${k} (${done} of ${total})` });
        if (cancel) throw new ModelRunCancelled();
        await hooks.afterK?.(k);
      },
    });
    const chosen = fit.recommendation.k;
    const best = fit.evaluations.find((e) => e.k === chosen);
    if (!best) throw new Error("unreachable: the recommended k was not evaluated");
    // A shallow decision tree on the original feature values that predicts the chosen k's clusters (explanation.ts).
    // Fitted customers only: a fixed group is already defined by its rule.
    // Not for latent class runs: rules on one-hot columns are no segment rules.
    const explanation = categorical ? null : explainClusters(fittedRaw, best.fit.labels, names, { seed: params.seed });
    const chosenLabels = fit.labels.get(chosen)!;
    const offset = fit.groupOffset.get(chosen)!;
    const constraintGroups = constraints.map((c, g) => ({ name: c.name, cluster: offset + g + 1, size: group.reduce((s, x) => s + (x === g ? 1 : 0), 0) }));
    // Subsampling stability of the chosen k (server/services/models/stability.ts); cancellable per replicate.
    // Not for DBSCAN: its k is not a parameter to re-fit with, and outliers are no cluster (decision 007).
    const stability = algorithm === "dbscan" ? null : await bootstrapStability(transformed, best.fit.labels, chosen, {
      seed: params.seed,
      restarts: params.restarts,
      algorithm,
      ...(params.somGrid ? { somGrid: params.somGrid } : {}),
      ...(categorical ? { categorical: categorical.data } : {}),
      async onReplicate(done, total) {
        const cancel = await update(db, tenantId, runId, { progress: 0.8 + (0.15 * done) / total, progressMessage: `Checking stability (replicate ${done} of ${total})` });
        if (cancel) throw new ModelRunCancelled();
        await hooks.afterReplicate?.(done);
      },
    });
    // Time-window stability (services/models/time-window.ts): the same customers re-fitted on their data of 90 days earlier.
    if (stability) {
      const cancel = await update(db, tenantId, runId, { progress: 0.96, progressMessage: `Checking stability on the data of ${TIME_WINDOW_DAYS} days earlier` });
      if (cancel) throw new ModelRunCancelled();
      const fittedIds = constraints.length ? fittedIdx.map((i) => rows.ids[i]) : rows.ids;
      const window = categorical
        ? { skipped: "Not computed for latent class runs: categorical answers are not recomputed as of an earlier day." }
        : await db.withTenant(tenantId, (tx) => loadWindowRows(tx, tenantId, fields, { ids: fittedIds, raw: fittedRaw }, rows.referenceDate));
      stability.timeWindow =
        "skipped" in window
          ? { status: "skipped", reason: window.skipped }
          : await compareWindow(window, best.fit.labels, { algorithm, k: chosen, seed: params.seed, restarts: params.restarts, transforms, names: featureLabels, ...(params.somGrid ? { somGrid: params.somGrid } : {}) });
    }
    const sample = pcaSample(rows.n, params.seed);
    const pca: ModelPca | null = fit.pca
      ? {
          explained: fit.pca.explained,
          loadings: fit.pca.loadings,
          points: Array.from(sample, (i) => ({ x: fit.pca!.scores[i * 2], y: fit.pca!.scores[i * 2 + 1], cluster: chosenLabels[i] + 1 })),
        }
      : null;
    const outcome = await db.withTenant(tenantId, async (tx) => {
      const [now] = await tx
        .select({ cancelRequested: modelRuns.cancelRequested, status: modelRuns.status })
        .from(modelRuns)
        .where(and(eq(modelRuns.tenantId, tenantId), eq(modelRuns.id, runId)))
        .for("update");
      if (!now || now.status !== "running") return "skipped" as const;
      if (now.cancelRequested) return "cancelled" as const;
      const own = (table: typeof modelRunResults | typeof modelRunClusters | typeof modelRunAssignments) =>
        and(eq(table.tenantId, tenantId), eq(table.runId, runId));
      await tx.delete(modelRunAssignments).where(own(modelRunAssignments));
      await tx.delete(modelRunClusters).where(own(modelRunClusters));
      await tx.delete(modelRunResults).where(own(modelRunResults));
      await tx.insert(modelRunResults).values(
        fit.evaluations.map((e) => ({
          tenantId,
          runId,
          k: e.k,
          inertia: e.inertia,
          silhouette: e.silhouette,
          silhouetteSampled: e.silhouetteSampled,
          silhouetteSampleSize: e.silhouetteRows,
          calinskiHarabasz: e.calinskiHarabasz,
          daviesBouldin: e.daviesBouldin,
          sizes: e.sizes,
        })),
      );
      await tx.insert(modelRunClusters).values(
        [...fit.clusters].flatMap(([k, clusters]) => clusters.map((c) => ({ tenantId, runId, k, ...c, cluster: c.cluster + 1 }))),
      );
      for (let start = 0; start < rows.n; start += ASSIGNMENT_BATCH) {
        const end = Math.min(rows.n, start + ASSIGNMENT_BATCH);
        const clusters = Array.from(chosenLabels.subarray(start, end), (l) => l + 1);
        await tx.execute(sql`insert into model_run_assignments (tenant_id, run_id, customer_id, cluster)
          select ${tenantId}::uuid, ${runId}::uuid, a.id, a.cluster
          from unnest(${`{${rows.ids.slice(start, end).join(",")}}`}::uuid[], ${`{${clusters.join(",")}}`}::smallint[]) as a(id, cluster)`);
      }
      await tx
        .update(modelRuns)
        .set({
          status: "completed",
          progress: 1,
          progressMessage: "Completed",
          recommendedK: chosen,
          recommendationReason: fit.recommendation.reason,
          chosenK: chosen,
          params: {
            ...params,
            algorithm,
            // GMM metrics per k go into the params jsonb (model_run_results has no jsonb column; see ModelRunParams.gmmResults).
            ...(fit.gmm ? { gmmResults: fit.gmm } : {}),
            // DBSCAN: k is the number of clusters found; outliers are stored as cluster k + 1 (decision 007).
            ...(fit.dbscan
              ? {
                  kMin: fit.dbscan.clusters,
                  kMax: fit.dbscan.clusters,
                  dbscanResult: { clusters: fit.dbscan.clusters, noise: fit.dbscan.noise, outlierCluster: fit.dbscan.outlierCluster },
                }
              : {}),
            ...(constraints.length ? { constraintGroups } : {}),
            ...(fit.ward ? { wardResult: fit.ward } : {}),
            ...(fit.som ? { somResult: somResult(fit.som, chosen) } : {}),
            ...(fit.lca ? { lcaResults: fit.lca } : {}),
          },
          n: rows.n,
          dataSnapshot: { referenceDate: rows.referenceDate, featuresComputedAt: rows.featuresComputedAt, customerCount: rows.active, usedCount: rows.n },
          pca,
          explanation,
          stability,
          finishedAt: new Date(),
        })
        .where(and(eq(modelRuns.tenantId, tenantId), eq(modelRuns.id, runId)));
      return "completed" as const;
    });
    if (outcome === "cancelled") await update(db, tenantId, runId, { status: "cancelled", finishedAt: new Date(), progressMessage: "Cancelled" });
    return outcome;
  } catch (error) {
    if (error instanceof ModelRunCancelled) {
      await update(db, tenantId, runId, { status: "cancelled", finishedAt: new Date(), progressMessage: "Cancelled" });
      return "cancelled";
    }
    if (error instanceof AnalyticsInputError || error instanceof DomainError) {
      await update(db, tenantId, runId, { status: "failed", error: error.message, finishedAt: new Date(), progressMessage: "Failed" });
      return "failed";
    }
    log?.error({ err: error, tenantId, runId }, "model run attempt failed; it will be retried");
    await update(db, tenantId, runId, { progressMessage: "An attempt failed; retrying" }).catch(() => {});
    throw error;
  }
}

/**
 * The queue's handler. `attempt` (pg-boss's retry count and limit) lets the last attempt mark the
 * run failed, so that a run whose worker keeps crashing does not stay "running" for ever.
 */
export async function handleModelRunJob(
  db: Database,
  log: Logger,
  data: unknown,
  attempt?: { retryCount: number; retryLimit: number },
  hooks: ModelRunHooks = {},
) {
  const job = ZModelRunJob.parse(data);
  try {
    const outcome = await runModelRun(db, job.tenantId, job.runId, hooks, log);
    log.info({ ...job, outcome }, "model run job finished");
    return outcome;
  } catch (error) {
    if (attempt && attempt.retryCount >= attempt.retryLimit) {
      const message = error instanceof Error ? error.message : String(error);
      await update(db, job.tenantId, job.runId, {
        status: "failed",
        error: `The run failed after ${attempt.retryCount + 1} attempts: ${message}`,
        finishedAt: new Date(),
        progressMessage: "Failed",
      }).catch(() => {});
    }
    throw error;
  }
}
