import { sql } from "drizzle-orm";
import { boolean, doublePrecision, foreignKey, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uuid } from "drizzle-orm/pg-core";
import type { RuleGroup } from "../../server/services/segments/rules";
import { users } from "./accounts";
import { workspaces } from "./workspaces";

export const MODEL_RUN_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type ModelRunStatus = (typeof MODEL_RUN_STATUSES)[number];
export const MODEL_TRANSFORMS = ["none", "log1p", "standard", "robust", "winsorise"] as const;
export type ModelTransform = (typeof MODEL_TRANSFORMS)[number];

export const MODEL_ALGORITHMS = ["kmeans", "gmm", "dbscan", "ward", "lca", "som"] as const;
export type ModelAlgorithm = (typeof MODEL_ALGORITHMS)[number];

/** Per k of a Gaussian-mixture run (see ModelRunParams.gmmResults). */
export interface ModelGmmKMetrics {
  k: number;
  logLikelihood: number;
  bic: number;
  aic: number;
  /** Per cluster (1-based cluster c at index c − 1): mean of its customers' largest responsibility. */
  meanMaxResponsibility: number[];
  iterations: number;
  converged: boolean;
}

export interface ModelRunParams {
  features: { field: string; transform: ModelTransform }[];
  kMin: number;
  kMax: number;
  seed: number;
  restarts: number;
  /** Absent on runs created before Gaussian mixtures: those are k-means. */
  algorithm?: ModelAlgorithm;
  /**
   * OUTPUT, not a parameter: the Gaussian mixture's log-likelihood, BIC, AIC and mean max
   * responsibility per k, written by the job when a GMM run completes. It lives in this jsonb
   * because model_run_results has no jsonb column and new columns would need a migration.
   */
  gmmResults?: ModelGmmKMetrics[];
  /** DBSCAN runs: the neighbourhood radius (on the transformed features) and minimum points (the point itself counted). */
  eps?: number;
  minPts?: number;
  /**
   * OUTPUT of a completed DBSCAN run (same jsonb as gmmResults): clusters found (= kMin = kMax =
   * the run's k, stored as clusters 1..clusters) and noise customers, stored as cluster
   * clusters + 1 ("Outliers"; outlierCluster, null when there is no noise).
   */
  dbscanResult?: { clusters: number; noise: number; outlierCluster: number | null };
  /**
   * Business-rule constraints: named fixed groups, each defined by a segment rule tree. Among the
   * run's customers, those matching a group's rule (the first matching group, in this order) are
   * assigned to it and left out of fitting; they follow the fitted clusters (and DBSCAN's outliers).
   */
  constraints?: ModelConstraint[];
  /** OUTPUT: each fixed group's stored cluster number at the chosen k and its size. */
  constraintGroups?: { name: string; cluster: number; size: number }[];
  /** OUTPUT of a completed Ward run: what was clustered and the top of the merge tree (dendrogram). */
  wardResult?: ModelWardResult;
  /** OUTPUT of a completed latent class run, per k (same jsonb as gmmResults). */
  lcaResults?: ModelLcaKMetrics[];
  /** Self-organizing map runs: the grid (rows × columns); absent: chosen from the number of customers. */
  somGrid?: { rows: number; cols: number };
  /** OUTPUT of a completed self-organizing map run. */
  somResult?: ModelSomResult;
}

/** Per k of a latent class run: fit and the class-conditional probabilities (the profile). */
export interface ModelLcaKMetrics {
  k: number;
  logLikelihood: number;
  bic: number;
  aic: number;
  parameters: number;
  /** Class weights π_c (class c + 1 at index c). */
  weights: number[];
  /** Per variable: its categories and P(category | class) as [class][category]. */
  probabilities: { field: string; categories: string[]; p: number[][] }[];
  /** Per class: mean of its customers' largest posterior. */
  meanMaxPosterior: number[];
  iterations: number;
  converged: boolean;
}

/** A trained self-organizing map (the run page's U-matrix, hit counts and component planes). */
export interface ModelSomResult {
  rows: number;
  cols: number;
  /** Node weights on the transformed features, node (r, c) at index r·cols + c, each of length features. */
  weights: number[][];
  /** Customers whose best-matching unit is the node. */
  hits: number[];
  /** Mean distance of each node to its grid neighbours (U-matrix). */
  uMatrix: number[];
  /** The chosen k's cluster (1-based) of each node (k-means on the node weights). */
  nodeClusters: number[];
  /** Mean quantisation error (distance of a customer to its best-matching unit) and topographic error. */
  quantisationError: number;
  topographicError: number;
}

export interface ModelConstraint {
  name: string;
  rules: RuleGroup;
}

/** The top of a Ward merge tree: leaves are subtrees below the stored levels, nodes are merges. */
export interface ModelWardResult {
  /** "sample": exact Ward on the customers (all of them, or a seeded sample); "centroids": on k-means micro-clusters. */
  method: "sample" | "centroids";
  /** Units Ward merged (customers of the sample, or micro-clusters). */
  units: number;
  /** Micro-clusters or sample size cap used. */
  cap: number;
  /** Leaves of the stored top (0..leaves−1) with their customer counts. */
  leaves: { size: number }[];
  /** The top merges in order (node leaves.length + i is merge i): children ids, Ward height, customers below. */
  merges: { a: number; b: number; height: number; size: number }[];
}

export interface ModelDataSnapshot {
  /** Latest reference date of the customer features used (null when only attributes were used). */
  referenceDate: string | null;
  /** Latest customer_features.computed_at (ISO), null when only attributes were used. */
  featuresComputedAt: string | null;
  /** Active (non-merged, non-opted-out) customers in the workspace when the run started. */
  customerCount: number;
  /** Customers with every chosen feature (the rows clustered). */
  usedCount: number;
}

export interface PcaPoint {
  x: number;
  y: number;
  cluster: number;
}

export interface ModelPca {
  /** Share of the variance each of the two components explains. */
  explained: [number, number];
  /** Loadings of each feature on the two components. */
  loadings: { feature: string; pc1: number; pc2: number }[];
  /** A seeded sample of at most 2,000 customers, coloured by the chosen k's cluster. */
  points: PcaPoint[];
}

/** Bootstrap stability of the chosen k (filled by the model-run job; shape owned by services/models). */
export interface ModelStability {
  method: "bootstrap";
  /** The algorithm of the re-fits when not k-means: Gaussian mixtures, Ward trees, maps or latent class models. */
  refitAlgorithm?: "gmm" | "ward" | "som" | "lca";
  replicates: number;
  sampleShare: number;
  /** Adjusted Rand index between the full fit and each replicate (on the replicate's customers). */
  ari: { mean: number; min: number; max: number; values: number[] };
  /** Per cluster: mean and minimum best-match Jaccard over the replicates; below `threshold` is unstable. */
  clusters: { cluster: number; jaccardMean: number; jaccardMin: number; stable: boolean; dissolvedShare?: number }[];
  threshold: number;
  /** Time-window stability (services/models/time-window.ts); absent on runs from before it. */
  timeWindow?: ModelTimeWindowStability;
}

/**
 * Re-fit on the features as they were `windowDays` before the run's reference date (transactions
 * before `cutoff` only), compared with the run's clusters on the customers present in both.
 */
export type ModelTimeWindowStability =
  | {
      status: "computed";
      /** ISO date: only transactions before this day were used. */
      cutoff: string;
      windowDays: number;
      /** Customers clustered in both (the comparison's base). */
      customers: number;
      ari: number;
      /** Per cluster of the run: best-match Jaccard in the earlier window's clusters. */
      clusters: { cluster: number; jaccard: number; stable: boolean }[];
      threshold: number;
    }
  | { status: "skipped"; reason: string };

/** A shallow decision tree predicting the chosen k's cluster from the features, as readable rules. */
export interface ModelExplanation {
  depth: number;
  accuracy: number;
  trainedOn: number;
  /** One rule per leaf: the path's conditions on original (untransformed) feature values. */
  rules: { cluster: number; conditions: { feature: string; op: "lte" | "gt"; value: number }[]; support: number; purity: number }[];
}

/** One k-means model run over a range of k: parameters, data snapshot, progress and outcome. */
export const modelRuns = pgTable(
  "model_runs",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    status: text("status", { enum: MODEL_RUN_STATUSES }).notNull().default("queued"),
    // Plain text in the database (no CHECK, migration 0007): widening the enum needs no migration.
    algorithm: text("algorithm", { enum: MODEL_ALGORITHMS }).notNull().default("kmeans"),
    params: jsonb("params").$type<ModelRunParams>().notNull(),
    progress: doublePrecision("progress").notNull().default(0),
    progressMessage: text("progress_message"),
    cancelRequested: boolean("cancel_requested").notNull().default(false),
    error: text("error"),
    recommendedK: smallint("recommended_k"),
    recommendationReason: text("recommendation_reason"),
    chosenK: smallint("chosen_k"),
    n: integer("n"),
    dataSnapshot: jsonb("data_snapshot").$type<ModelDataSnapshot>(),
    pca: jsonb("pca").$type<ModelPca>(),
    stability: jsonb("stability").$type<ModelStability>(),
    explanation: jsonb("explanation").$type<ModelExplanation>(),
    codeVersion: text("code_version").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index("model_runs_created_idx").on(t.tenantId, t.createdAt)],
);

/** The metrics of one k of a run. */
export const modelRunResults = pgTable(
  "model_run_results",
  {
    tenantId: uuid("tenant_id").notNull(),
    runId: uuid("run_id").notNull(),
    k: smallint("k").notNull(),
    inertia: doublePrecision("inertia").notNull(),
    silhouette: doublePrecision("silhouette").notNull(),
    silhouetteSampled: boolean("silhouette_sampled").notNull(),
    silhouetteSampleSize: integer("silhouette_sample_size"),
    calinskiHarabasz: doublePrecision("calinski_harabasz").notNull(),
    daviesBouldin: doublePrecision("davies_bouldin").notNull(),
    sizes: integer("sizes").array().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.runId, t.k] }),
    foreignKey({ columns: [t.tenantId, t.runId], foreignColumns: [modelRuns.tenantId, modelRuns.id] }).onDelete("cascade"),
  ],
);

export interface ClusterFeatureProfile {
  feature: string;
  mean: number;
  median: number;
  standardisedDifference: number;
  /** Kruskal-Wallis across all clusters of this k (the same for every cluster of the k). */
  kruskalWallisH: number;
  kruskalWallisP: number;
}

/** Profile of each cluster, for every k of the run (so any k can be inspected). */
export const modelRunClusters = pgTable(
  "model_run_clusters",
  {
    tenantId: uuid("tenant_id").notNull(),
    runId: uuid("run_id").notNull(),
    k: smallint("k").notNull(),
    cluster: smallint("cluster").notNull(),
    size: integer("size").notNull(),
    profile: jsonb("profile").$type<ClusterFeatureProfile[]>().notNull(),
    suggestedName: text("suggested_name").notNull(),
    /** The centroid projected on the first two principal components. */
    pcaX: doublePrecision("pca_x").notNull(),
    pcaY: doublePrecision("pca_y").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.runId, t.k, t.cluster] }),
    foreignKey({ columns: [t.tenantId, t.runId], foreignColumns: [modelRuns.tenantId, modelRuns.id] }).onDelete("cascade"),
  ],
);

/**
 * Every clustered customer's cluster at the run's chosen k. No foreign key to customers (like
 * segment memberships, decision 006): a deleted customer simply stops matching.
 */
export const modelRunAssignments = pgTable(
  "model_run_assignments",
  {
    tenantId: uuid("tenant_id").notNull(),
    runId: uuid("run_id").notNull(),
    customerId: uuid("customer_id").notNull(),
    cluster: smallint("cluster").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.runId, t.customerId] }),
    foreignKey({ columns: [t.tenantId, t.runId], foreignColumns: [modelRuns.tenantId, modelRuns.id] }).onDelete("cascade"),
    index("model_run_assignments_customer_idx").on(t.tenantId, t.customerId),
  ],
);
