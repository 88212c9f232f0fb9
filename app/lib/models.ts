import { schemeTableau10 } from "d3";
import type { ModelRunStatus, ModelTransform } from "../../db/schema";

/**
 * What the Models pages share: run statuses, transforms, the metrics of k selection and the
 * colour of each cluster (the same in the profile cards, the heat map's row labels and the
 * PCA scatter).
 */

export type { ModelRunStatus };

export const RUN_STATUS_LABELS: Record<ModelRunStatus, string> = {
  queued: "Queued",
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** Statuses during which a run changes by itself and its page polls. */
export function isRunActive(status: string): boolean {
  return status === "queued" || status === "running";
}

export type FeatureTransform = ModelTransform;

export const TRANSFORMS: { value: FeatureTransform; label: string; description: string }[] = [
  { value: "standard", label: "Standardise", description: "(x − mean) / sd: every feature weighs the same" },
  { value: "log1p", label: "log(1 + x)", description: "tames long right tails such as spend" },
  { value: "robust", label: "Robust scale", description: "(x − median) / IQR: outliers pull less" },
  { value: "winsorise", label: "Winsorise", description: "clips the extreme 1% at each end" },
  { value: "none", label: "None", description: "raw values: features with large units dominate" },
];

export function transformLabel(value: string): string {
  return TRANSFORMS.find((t) => t.value === value)?.label ?? value;
}

/** One k of a run's k selection. */
export interface KMetrics {
  k: number;
  inertia: number;
  silhouette: number;
  calinskiHarabasz: number;
  daviesBouldin: number;
  /** Gaussian-mixture runs only. */
  bic?: number;
}

export type KMetric = "inertia" | "silhouette" | "calinskiHarabasz" | "daviesBouldin" | "bic";

/** The BIC chart of Gaussian-mixture runs (not one of the four metrics every run has). */
export const BIC_METRIC: { key: KMetric; label: string; better: "higher" | "lower" | "elbow"; hint: string } = {
  key: "bic",
  label: "BIC (Gaussian mixture)",
  better: "lower",
  hint: "The mixture's fit (−2 × log-likelihood) plus a penalty for its number of parameters; the lowest is recommended.",
};

/** "k-means", "Gaussian mixture" or "DBSCAN". */
export function algorithmLabel(algorithm: string | undefined): string {
  const labels: Record<string, string> = {
    gmm: "Gaussian mixture",
    dbscan: "DBSCAN",
    ward: "Ward hierarchical",
    lca: "Latent class analysis",
    som: "Self-organizing map",
  };
  return (algorithm && labels[algorithm]) || "k-means";
}

export const K_METRICS: { key: KMetric; label: string; better: "higher" | "lower" | "elbow"; hint: string }[] = [
  {
    key: "inertia",
    label: "Inertia (elbow)",
    better: "elbow",
    hint: "Within-cluster sum of squares. It always falls as k grows; look for the bend where it stops falling fast.",
  },
  {
    key: "silhouette",
    label: "Silhouette",
    better: "higher",
    hint: "How much closer customers are to their own cluster than to the next one, from −1 to 1.",
  },
  {
    key: "calinskiHarabasz",
    label: "Calinski–Harabasz",
    better: "higher",
    hint: "Spread between clusters against spread within them.",
  },
  {
    key: "daviesBouldin",
    label: "Davies–Bouldin",
    better: "lower",
    hint: "How much each cluster resembles its most similar neighbour; 0 is best.",
  },
];

/** The colour of cluster `index` (0-based position in the run's list of clusters). */
export function clusterColour(index: number): string {
  return schemeTableau10[index % schemeTableau10.length];
}

/** "Cluster 3": clusters are stored numbered from 1. */
export function clusterLabel(cluster: number): string {
  return `Cluster ${cluster}`;
}

/** A metric value at three significant figures (inertia as a compact count). */
export function formatMetric(value: number | null | undefined, metric?: KMetric): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (metric === "inertia" || metric === "calinskiHarabasz" || Math.abs(value) >= 1000) {
    return Math.round(value).toLocaleString("en-GB");
  }
  return Number(value.toPrecision(3)).toString();
}

/** A signed standardised difference: "+0.84", "−1.20". */
export function formatDiff(value: number): string {
  const rounded = value.toFixed(2);
  if (rounded === "0.00" || rounded === "-0.00") return "0.00";
  return value > 0 ? `+${rounded}` : `−${rounded.slice(1)}`;
}

/** A p-value as people read it: "< 0.001", "0.03". */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "–";
  if (p < 0.001) return "< 0.001";
  return p < 0.01 ? p.toFixed(3) : p.toFixed(2);
}

/** "2–8" for a k range. */
export function formatKRange(min: number, max: number): string {
  return min === max ? `${min}` : `${min}–${max}`;
}
