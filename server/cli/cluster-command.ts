/**
 * `cluster`: k-means on numeric columns of a CSV file, for a range of k, with the metrics that
 * help choose k and the labels of the recommended k.
 *
 * Features are read by column name (names may contain spaces and parentheses, e.g.
 * "Annual Income (k$)"; they are separated by commas, so a name cannot contain one). Values are
 * decimal numbers, optionally with an exponent ("1.5", "-2", "3e4"); an empty or other value is
 * an error naming its line and column. The definitions (scaling, seeding, metrics, the
 * recommended-k rule) are in server/analytics: scaling.ts, kmeans.ts, cluster-metrics.ts and
 * cluster-selection.ts.
 */
import { evaluateKs, recommendK, type KEvaluation, type Recommendation } from "../analytics/cluster-selection";
import { AnalyticsInputError, type FeatureMatrix, featureMatrix } from "../analytics/feature-matrix";
import { SCALE_METHODS, type ScaleMethod, scaleFeatures } from "../analytics/scaling";
import { evaluateSomKs, evaluateWardKs } from "../services/models/pipeline";
import { MAX_SEED } from "../analytics/seeded-random";
import { CsvError, openCsvFile, readCsvWithHeader } from "../lib/csv-reader";
import { type CliCommand, UsageError, fileCommand, parseOptions } from "./command";

export const CLUSTER_USAGE = `Usage: npm run cli -- cluster --input <file.csv> --features "<col>,<col>,..." --k <a..b | k>
                          [--id-column <col>] [--scale standard|none|log1p|robust|winsorise]
                          [--algorithm kmeans|ward|som] [--seed N] [--restarts N] [--json]

Runs k-means (greedy k-means++ seeding, the best of several restarts) for each k, and reports
inertia, silhouette, Calinski-Harabasz and Davies-Bouldin per k, the recommended k (highest
silhouette; within 0.01 of it, the highest Calinski-Harabasz) and every row's cluster for it.

Options:
  --input <path>        CSV file with a header row, plain or gzip-compressed (required)
  --features <names>    comma-separated numeric columns to cluster on (required)
  --k <a..b | k>        a range of k such as 2..10, or one k; each k at least 2 (required)
  --id-column <col>     column identifying each row; named in error messages
  --scale <method>      standard: (x - mean) / population sd (default); none; log1p;
                        robust: (x - median) / IQR; winsorise: clamp to the 1st-99th percentiles
  --algorithm <name>    kmeans (default); ward: one exact Ward tree (on k-means micro-clusters
                        above 5,000 rows) cut at each k; som: a self-organizing map with k-means
                        on its nodes. The metrics and the recommended k are the same for all three
  --seed N              seed of the random numbers, 0 to ${MAX_SEED} (default 0)
  --restarts N          k-means++ restarts per k, the lowest inertia kept (default 10)
  --json                print one JSON object: n, features, results (k, inertia, silhouette,
                        calinski_harabasz, davies_bouldin, sizes), best_k, labels (for best_k,
                        in input row order)
  -h, --help            show this help
`;

export const CLUSTER_ALGORITHMS = ["kmeans", "ward", "som"] as const;
export type ClusterAlgorithm = (typeof CLUSTER_ALGORITHMS)[number];
const ALGORITHM_NAMES: Record<ClusterAlgorithm, string> = { kmeans: "k-means", ward: "Ward", som: "self-organizing map" };

export interface ClusterArgs {
  input: string;
  features: string[];
  ks: number[];
  idColumn?: string;
  scale: ScaleMethod;
  algorithm: ClusterAlgorithm;
  seed: number;
  restarts: number;
  json: boolean;
}

function wholeNumber(option: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${option} must be a whole number, got '${text}'`);
  const value = Number(text.trim());
  if (value < min || value > max) throw new UsageError(`${option} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** "a..b" or "k" → [a, …, b]; each at least 2. */
export function parseKRange(text: string): number[] {
  const match = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(text);
  if (!match) throw new UsageError(`--k must be a range like 2..10 or a single number, got '${text}'`);
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  if (from < 2) throw new UsageError(`--k: k must be at least 2 (one cluster has no silhouette), got ${from}`);
  if (to < from) throw new UsageError(`--k: the range ${from}..${to} is empty; write the smaller k first`);
  if (to - from > 1000) throw new UsageError(`--k: the range ${from}..${to} is too wide`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Parses the arguments after `cluster`; null means help was asked for. Throws UsageError. */
export function parseClusterArgs(argv: string[]): ClusterArgs | null {
  const values = parseOptions(argv, {
    input: { type: "string" },
    features: { type: "string" },
    k: { type: "string" },
    "id-column": { type: "string" },
    scale: { type: "string", default: "standard" },
    algorithm: { type: "string", default: "kmeans" },
    seed: { type: "string", default: "0" },
    restarts: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) return null;
  if (values.input === undefined || values.input === "") throw new UsageError("--input <path> is required");
  if (values.features === undefined) throw new UsageError('--features "<col>,<col>,..." is required');
  const features = values.features.split(",").map((f) => f.trim());
  if (features.some((f) => f === "")) throw new UsageError(`--features has an empty column name in '${values.features}'`);
  const repeated = features.find((f, i) => features.indexOf(f) !== i);
  if (repeated !== undefined) throw new UsageError(`--features names '${repeated}' twice`);
  if (values.k === undefined) throw new UsageError("--k <a..b | k> is required");
  const ks = parseKRange(values.k);
  const scale = values.scale as ScaleMethod;
  if (!SCALE_METHODS.includes(scale)) throw new UsageError(`--scale must be one of ${SCALE_METHODS.join(", ")}, got '${values.scale}'`);
  const algorithm = values.algorithm as ClusterAlgorithm;
  if (!CLUSTER_ALGORITHMS.includes(algorithm)) throw new UsageError(`--algorithm must be one of ${CLUSTER_ALGORITHMS.join(", ")}, got '${values.algorithm}'`);
  const idColumn = values["id-column"];
  if (idColumn !== undefined && features.includes(idColumn)) throw new UsageError(`--id-column '${idColumn}' is also one of the --features`);
  return {
    input: values.input,
    features,
    ks,
    idColumn,
    scale,
    algorithm,
    seed: wholeNumber("--seed", values.seed ?? "0", 0, MAX_SEED),
    restarts: wholeNumber("--restarts", values.restarts ?? "10", 1, 1000),
    json: values.json ?? false,
  };
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export interface FeatureTable {
  matrix: FeatureMatrix;
  /** The CSV line each row started on. */
  lines: number[];
}

/** Reads the feature columns of a CSV file into a matrix. Throws CsvError for malformed input. */
export async function readFeatureTable(input: string, features: readonly string[], idColumn?: string): Promise<FeatureTable> {
  const table = await readCsvWithHeader(openCsvFile(input));
  let columns: readonly number[];
  try {
    columns = table.header.require(idColumn === undefined ? features : [...features, idColumn]);
  } catch (error) {
    await table.close();
    throw error;
  }
  const d = features.length;
  const idCol = idColumn === undefined ? -1 : columns[d];
  let values = new Float64Array(1024 * d);
  const lines: number[] = [];
  let n = 0;
  for await (const batch of table.batches()) {
    for (const { line, values: fields } of batch) {
      if ((n + 1) * d > values.length) {
        const grown = new Float64Array(values.length * 2);
        grown.set(values);
        values = grown;
      }
      for (let j = 0; j < d; j++) {
        const text = fields[columns[j]].trim();
        if (!NUMBER.test(text)) {
          const who = idCol >= 0 ? ` (${idColumn} ${fields[idCol].trim()})` : "";
          const what = text === "" ? "is missing" : `must be a number, got '${text}'`;
          throw new CsvError(line, `'${features[j]}'${who} ${what}`);
        }
        values[n * d + j] = Number(text);
      }
      lines.push(line);
      n++;
    }
  }
  return { matrix: featureMatrix(values.slice(0, n * d), n, d), lines };
}

export interface ClusterRun {
  n: number;
  features: string[];
  evaluations: KEvaluation[];
  recommendation: Recommendation;
}

/** Scales the features and fits every k. Throws AnalyticsInputError for data that cannot be clustered. */
export async function clusterTable(table: FeatureTable, args: ClusterArgs): Promise<ClusterRun> {
  const n = table.matrix.rows;
  const largest = args.ks[args.ks.length - 1];
  if (largest > n - 1) {
    throw new AnalyticsInputError(
      `k = ${largest} needs at least ${largest + 1} rows (the silhouette needs k ≤ n − 1), and the file has ${n}; ask for a smaller k`,
    );
  }
  const scaled = scaleFeatures(table.matrix, args.scale, { names: args.features });
  const evaluations =
    args.algorithm === "ward"
      ? (await evaluateWardKs(scaled.matrix, { ks: args.ks, seed: args.seed })).evaluations
      : args.algorithm === "som"
        ? (await evaluateSomKs(scaled.matrix, { ks: args.ks, seed: args.seed, restarts: args.restarts })).evaluations
        : await evaluateKs(scaled.matrix, args.ks, { seed: args.seed, restarts: args.restarts });
  return { n, features: args.features, evaluations, recommendation: recommendK(evaluations) };
}

/** The `--json` output: one object, field names as documented. */
export function formatClusterJson(run: ClusterRun): string {
  const best = run.evaluations.find((e) => e.k === run.recommendation.k);
  if (!best) throw new Error("unreachable: the recommended k was not evaluated");
  return `${JSON.stringify({
    n: run.n,
    features: run.features,
    results: run.evaluations.map((e) => ({
      k: e.k,
      inertia: e.inertia,
      silhouette: e.silhouette,
      calinski_harabasz: e.calinskiHarabasz,
      davies_bouldin: e.daviesBouldin,
      sizes: e.sizes,
    })),
    best_k: run.recommendation.k,
    labels: Array.from(best.fit.labels),
  })}\n`;
}

/** The human-readable output: one line per k, then the recommendation. */
export function formatClusterSummary(run: ClusterRun, args: ClusterArgs): string {
  const header = ["k", "inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "sizes"];
  const rows = run.evaluations.map((e) => [
    String(e.k),
    e.inertia.toFixed(4),
    e.silhouette.toFixed(4),
    e.calinskiHarabasz.toFixed(2),
    e.daviesBouldin.toFixed(4),
    e.sizes.join(" "),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => `  ${cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padStart(widths[c]))).join("  ")}`;
  return [
    `${ALGORITHM_NAMES[args.algorithm]} of ${args.input}: ${run.n} rows; features ${run.features.join(", ")}; scale ${args.scale}; seed ${args.seed}; ${args.restarts} restarts per k`,
    "",
    line(header),
    ...rows.map(line),
    "",
    `best k: ${run.recommendation.k} (${run.recommendation.reason})`,
    "",
  ].join("\n");
}

export const clusterCommand: CliCommand = fileCommand({
  name: "cluster",
  summary: "k-means over a range of k with silhouette, Calinski-Harabasz and Davies-Bouldin",
  usage: CLUSTER_USAGE,
  parse: parseClusterArgs,
  async compute(args, reading): Promise<ClusterRun> {
    reading(args.input);
    const table = await readFeatureTable(args.input, args.features, args.idColumn);
    return clusterTable(table, args);
  },
  inputError: (error, file) =>
    error instanceof CsvError || error instanceof AnalyticsInputError ? `${file}: ${error.message}` : null,
  format: (run, args) => (args.json ? formatClusterJson(run) : formatClusterSummary(run, args)),
});
