/**
 * What each cluster looks like, feature by feature, on the data as the user knows it (pass the
 * unscaled features so that means and medians are in their units).
 *
 * For each cluster (in increasing label order) and feature:
 * - size, mean, median (type-7 quantile 0.5, see stats-descriptive.ts);
 * - standardised difference = (cluster mean − overall mean) / overall population sd: how many
 *   standard deviations the cluster sits above (+) or below (−) the whole customer base; 0 for
 *   a feature with sd 0 (then every cluster mean equals the overall mean).
 * For each feature, a Kruskal–Wallis test across the clusters (stats-rank-tests.ts): H, df and
 * its chi-square p-value; a small p-value says the feature's distribution differs between
 * clusters. (The clusters were fitted on these data, so the p-values are descriptive, not a
 * confirmatory test.)
 */
import { type FeatureMatrix, assertFinite, featureName } from "./feature-matrix";
import { denseClusters } from "./cluster-metrics";
import { column, mean, median, populationSd } from "./stats-descriptive";
import { type KruskalWallisResult, kruskalWallis } from "./stats-rank-tests";

export interface FeatureProfile {
  feature: string;
  mean: number;
  median: number;
  standardisedDifference: number;
}

export interface ClusterProfile {
  cluster: number;
  size: number;
  features: FeatureProfile[];
}

export interface FeatureTest extends KruskalWallisResult {
  feature: string;
}

export interface ClusterProfiles {
  overall: { feature: string; mean: number; sd: number; median: number }[];
  clusters: ClusterProfile[];
  tests: FeatureTest[];
}

export function clusterProfiles(matrix: FeatureMatrix, labels: ArrayLike<number>, names?: readonly string[]): ClusterProfiles {
  assertFinite(matrix, names);
  const clusters = denseClusters(labels, matrix.rows);
  const columns = Array.from({ length: matrix.cols }, (_, j) => column(matrix, j));
  const overall = columns.map((x, j) => ({ feature: featureName(j, names), mean: mean(x), sd: populationSd(x), median: median(x) }));
  const members: number[][] = Array.from({ length: clusters.k }, () => []);
  for (let i = 0; i < matrix.rows; i++) members[clusters.index[i]].push(i);
  const profiles = members.map((rows, c) => ({
    cluster: clusters.original[c],
    size: rows.length,
    features: columns.map((x, j) => {
      const values = Float64Array.from(rows, (i) => x[i]);
      const m = mean(values);
      const { sd } = overall[j];
      return { feature: overall[j].feature, mean: m, median: median(values), standardisedDifference: sd > 0 ? (m - overall[j].mean) / sd : 0 };
    }),
  }));
  const tests = clusters.k >= 2 ? columns.map((x, j) => ({ feature: overall[j].feature, ...kruskalWallis(x, clusters.index) })) : [];
  return { overall, clusters: profiles, tests };
}
