/**
 * Time-window stability of a model run (issue #6, "time-window re-fits"): would clustering the
 * same customers on their data of TIME_WINDOW_DAYS earlier have grouped them the same way?
 *
 * Method (decision 007):
 * - The cutoff is the run's feature reference date (the day after the last used invoice) minus
 *   TIME_WINDOW_DAYS. Purchase-history features are recomputed as they were on the cutoff day
 *   by the same code as customer_features (server/services/data/features.ts `featureValues` with
 *   `before`): only transactions before the cutoff, recency and tenure counted to it, R/F/M
 *   quintiles among the customers who had bought by then. Numeric attributes have no history and
 *   keep their current values.
 * - The customers compared are the run's fitted customers (fixed groups excluded) who had bought
 *   before the cutoff, in the run's row order. Their earlier features get the run's transforms
 *   (fitted on these rows) and the run's algorithm is re-fitted with the chosen k, seed and restarts.
 * - Reported: the adjusted Rand index between the run's clusters (restricted to these customers)
 *   and the earlier window's, and for each of the run's clusters its best-match Jaccard in the
 *   earlier clustering; below the stability threshold (0.6) a cluster is flagged.
 * - Skipped, with the reason, when the run uses no purchase-history feature, is DBSCAN (k is not a
 *   parameter), or fewer than max(TIME_WINDOW_MIN, 2k) of its customers had bought by the cutoff.
 *
 * It measures whether the segmentation persists as behaviour changes, so it is expected to be
 * lower than the subsampling stability (customers do move between segments over 90 days).
 */
import type { Tx } from "../../../db/client";
import type { ModelAlgorithm, ModelTimeWindowStability, ModelTransform } from "../../../db/schema";
import { AnalyticsInputError, featureMatrix, type FeatureMatrix } from "../../analytics/feature-matrix";
import { gmm } from "../../analytics/gmm";
import { kmeans } from "../../analytics/kmeans";
import { adjustedRandIndex, clusterwiseJaccard } from "../../analytics/stability";
import { defaultGrid, somClusters, trainSom } from "../../analytics/som";
import { wardCluster, wardLabels } from "../../analytics/ward";
import { featureValues, type CustomerFeatureValues } from "../data/features";
import { readDataSettings } from "../data/settings";
import { NUMBER_FEATURES } from "../segments/rules";
import { transformColumns } from "./pipeline";
import { DEFAULT_STABILITY_THRESHOLD } from "./stability";

export const TIME_WINDOW_DAYS = 90;
export const TIME_WINDOW_MIN = 20;

const COLUMN: Record<(typeof NUMBER_FEATURES)[number], keyof CustomerFeatureValues> = {
  recency_days: "recencyDays",
  frequency: "frequency",
  monetary: "monetary",
  average_order_value: "averageOrderValue",
  tenure_days: "tenureDays",
  purchase_span_days: "purchaseSpanDays",
  r: "r",
  f: "f",
  m: "m",
};

function isHistoryFeature(field: string): field is (typeof NUMBER_FEATURES)[number] {
  return (NUMBER_FEATURES as readonly string[]).includes(field);
}

/** The cutoff day: `days` before the reference date (ISO dates, UTC). */
export function windowCutoff(referenceDate: string, days = TIME_WINDOW_DAYS): string {
  const t = Date.parse(`${referenceDate}T00:00:00Z`) - days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

export interface WindowRows {
  cutoff: string;
  /** Indexes into the run's fitted rows of the customers who had bought by the cutoff. */
  rows: Int32Array;
  /** Their raw features on the cutoff day (attributes: current values), rows × fields. */
  raw: FeatureMatrix;
}

/**
 * The run's fitted customers' features as of the cutoff (see the module comment); null with a
 * reason when the run has no purchase-history feature.
 */
export async function loadWindowRows(
  tx: Tx,
  tenantId: string,
  fields: readonly string[],
  fitted: { ids: readonly string[]; raw: FeatureMatrix },
  referenceDate: string | null,
  days = TIME_WINDOW_DAYS,
): Promise<WindowRows | { skipped: string }> {
  if (!fields.some(isHistoryFeature) || !referenceDate) {
    return { skipped: "The run uses no purchase-history feature: attributes have no history to go back in." };
  }
  const cutoff = windowCutoff(referenceDate, days);
  const settings = await readDataSettings(tx, tenantId);
  const { customers } = await featureValues(tx, tenantId, settings.preparation, cutoff);
  const byId = new Map(customers.map((c) => [c.customerId, c]));
  const d = fields.length;
  const rows: number[] = [];
  const values: number[] = [];
  fitted.ids.forEach((id, i) => {
    const then = byId.get(id);
    if (!then) return;
    rows.push(i);
    fields.forEach((f, j) => values.push(isHistoryFeature(f) ? Number(then[COLUMN[f]]) : fitted.raw.values[i * d + j]));
  });
  return { cutoff, rows: Int32Array.from(rows), raw: featureMatrix(Float64Array.from(values), rows.length, d) };
}

export interface WindowRefitOptions {
  algorithm: ModelAlgorithm;
  k: number;
  seed: number;
  restarts: number;
  transforms: readonly ModelTransform[];
  names: readonly string[];
  days?: number;
  threshold?: number;
  somGrid?: { rows: number; cols: number };
}

/** Re-fits the earlier window and compares it with the run's clusters (pure; see the module comment). */
export async function compareWindow(window: WindowRows, fullLabels: Int32Array, options: WindowRefitOptions): Promise<ModelTimeWindowStability> {
  const threshold = options.threshold ?? DEFAULT_STABILITY_THRESHOLD;
  const m = window.rows.length;
  const needed = Math.max(TIME_WINDOW_MIN, 2 * options.k);
  if (options.algorithm === "dbscan") return { status: "skipped", reason: "DBSCAN finds its number of clusters itself: there is no k to re-fit." };
  if (m < needed) {
    return {
      status: "skipped",
      reason: `Only ${m} of the run's customers had bought before ${window.cutoff}; at least ${needed} are needed to re-fit k=${options.k}.`,
    };
  }
  let refit: Int32Array;
  try {
    const matrix = transformColumns(window.raw, options.transforms, options.names);
    refit =
      options.algorithm === "gmm"
        ? (await gmm(matrix, options.k, { seed: options.seed, restarts: options.restarts })).labels
        : options.algorithm === "ward"
          ? wardLabels(await wardCluster(matrix, { seed: options.seed }), options.k)
          : options.algorithm === "som"
            ? (await somClusters(trainSom(matrix, { ...(options.somGrid ?? defaultGrid(m)), seed: options.seed }), options.k, options)).labels
            : (await kmeans(matrix, options.k, { seed: options.seed, restarts: options.restarts })).labels;
  } catch (error) {
    // The earlier data may not be clusterable (e.g. a feature constant then): said, not a failed run.
    if (error instanceof AnalyticsInputError) return { status: "skipped", reason: `On the data before ${window.cutoff}: ${error.message}` };
    throw error;
  }
  const reference = Int32Array.from(window.rows, (i) => fullLabels[i]);
  const jaccards = new Map(clusterwiseJaccard(reference, refit).map((c) => [c.cluster, c.jaccard]));
  return {
    status: "computed",
    cutoff: window.cutoff,
    windowDays: options.days ?? TIME_WINDOW_DAYS,
    customers: m,
    ari: adjustedRandIndex(reference, refit),
    clusters: Array.from({ length: options.k }, (_, c) => {
      const jaccard = jaccards.get(c) ?? 0;
      return { cluster: c + 1, jaccard, stable: jaccard >= threshold };
    }),
    threshold,
  };
}
