/**
 * The `cluster` command run as a child process (as `npx tsx server/cli/main.ts cluster ...`),
 * on the real mall customers file and on small fixtures; metrics in the output are checked
 * against a naive implementation of their definitions on independently standardised data.
 * Variations that only exercise the command's own code run it in this process, to keep the
 * file fast.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, ROOT, type CliRun } from "../helpers/cli";
import { CLUSTER_USAGE, clusterCommand, parseClusterArgs } from "../../server/cli/cluster-command";
import { UsageError } from "../../server/cli/command";
import { SeededRandom } from "../../server/analytics/seeded-random";

/** The documented shape of `cluster --json`. */
interface ClusterJson {
  n: number;
  features: string[];
  results: { k: number; inertia: number; silhouette: number; calinski_harabasz: number; davies_bouldin: number; sizes: number[] }[];
  best_k: number;
  labels: number[];
}

const parseClusterJson = (stdout: string) => JSON.parse(stdout) as ClusterJson;

const MALL = "../shared/data/mall_customers.csv";
const FEATURES = "Annual Income (k$),Spending Score (1-100)";


let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "quorum-cluster-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

/** Income and spending of the mall file, standardised with the textbook formula (population sd). */
async function mallStandardised(): Promise<number[][]> {
  const lines = (await readFile(path.join(ROOT, MALL), "utf8")).trim().split(/\r?\n/).slice(1);
  const raw = lines.map((l) => l.split(",").slice(3, 5).map(Number));
  const n = raw.length;
  const mean = [0, 1].map((t) => raw.reduce((s, r) => s + r[t], 0) / n);
  const sd = [0, 1].map((t) => Math.sqrt(raw.reduce((s, r) => s + (r[t] - mean[t]) ** 2, 0) / n));
  return raw.map((r) => r.map((v, t) => (v - mean[t]) / sd[t]));
}

function naiveSilhouette(x: number[][], labels: number[]): number {
  const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, t) => v - b[t]));
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const sums = new Map<number, { s: number; c: number }>();
    for (let j = 0; j < x.length; j++) {
      if (j === i) continue;
      const e = sums.get(labels[j]) ?? { s: 0, c: 0 };
      e.s += dist(x[i], x[j]);
      e.c++;
      sums.set(labels[j], e);
    }
    const own = sums.get(labels[i]);
    if (!own) continue;
    const a = own.s / own.c;
    const b = Math.min(...[...sums].filter(([l]) => l !== labels[i]).map(([, e]) => e.s / e.c));
    total += (b - a) / Math.max(a, b);
  }
  return total / x.length;
}

/** Runs the command in this process with buffered output (what main.ts does, minus the usage on UsageError). */
async function runInProcess(...args: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await clusterCommand.run(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe("cluster --json on mall_customers.csv", () => {
  it("prints one JSON object with the documented fields, metrics matching their definitions", async () => {
    const run = await cli("cluster", "--input", MALL, "--features", FEATURES, "--id-column", "CustomerID", "--scale", "standard", "--k", "2..10", "--seed", "0", "--json");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.indexOf("\n")).toBe(run.stdout.length - 1);
    const out = parseClusterJson(run.stdout);
    expect(Object.keys(out)).toEqual(["n", "features", "results", "best_k", "labels"]);
    expect(out.n).toBe(200);
    expect(out.features).toEqual(["Annual Income (k$)", "Spending Score (1-100)"]);
    expect(out.results.map((r: { k: number }) => r.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Object.keys(out.results[0])).toEqual(["k", "inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "sizes"]);
    for (const r of out.results) {
      expect(r.sizes.length).toBe(r.k);
      expect(r.sizes.reduce((s: number, v: number) => s + v, 0)).toBe(200);
    }
    expect(out.best_k).toBe(5);
    expect(out.labels).toHaveLength(200);
    const x = await mallStandardised();
    const five = out.results.find((r) => r.k === 5)!;
    expect(five.silhouette).toBeCloseTo(naiveSilhouette(x, out.labels), 10);
    // Inertia on the scaled data: Σ squared distances to the cluster means.
    const groups = new Map<number, number[][]>();
    x.forEach((row, i) => groups.set(out.labels[i], [...(groups.get(out.labels[i]) ?? []), row]));
    let w = 0;
    for (const rows of groups.values()) {
      const m = [0, 1].map((t) => rows.reduce((s, r) => s + r[t], 0) / rows.length);
      for (const r of rows) w += (r[0] - m[0]) ** 2 + (r[1] - m[1]) ** 2;
    }
    expect(five.inertia).toBeCloseTo(w, 9);
    expect([...five.sizes].sort((a: number, b: number) => a - b)).toEqual([...groups.values()].map((g) => g.length).sort((a, b) => a - b));
    // Inertia falls as k grows (each k's best of 10 restarts).
    for (let i = 1; i < out.results.length; i++) expect(out.results[i].inertia).toBeLessThan(out.results[i - 1].inertia);
  });

  it("prints all of a large output through a pipe (40,000 labels, silhouette sampled)", async () => {
    const random = new SeededRandom(3);
    const lines = ["x,y"];
    for (let i = 0; i < 40_000; i++) lines.push(`${(random.nextGaussian() + (i % 2) * 6).toFixed(3)},${random.nextGaussian().toFixed(3)}`);
    const file = await fixture("large.csv", `${lines.join("\n")}\n`);
    const run = await cli("cluster", "--input", file, "--features", "x,y", "--k", "2", "--restarts", "1", "--json");
    expect(run.code).toBe(0);
    expect(run.stdout.length).toBeGreaterThan(65_536);
    const out = parseClusterJson(run.stdout);
    expect(out.labels).toHaveLength(40_000);
    expect(out.results[0].sizes.reduce((s, v) => s + v, 0)).toBe(40_000);
  });

  it("is deterministic for a seed, and accepts a single k and unscaled data", async () => {
    const a = await runInProcess("--input", MALL, "--features", FEATURES, "--k", "3..4", "--seed", "7", "--restarts", "3", "--json");
    const b = await runInProcess("--input", MALL, "--features", FEATURES, "--k", "3..4", "--seed", "7", "--restarts", "3", "--json");
    const single = await runInProcess("--input", MALL, "--features", FEATURES, "--k", "5", "--json");
    const unscaled = await runInProcess("--input", MALL, "--features", FEATURES, "--k", "5", "--scale", "none", "--json");
    expect(a.code).toBe(0);
    expect(a).toEqual(b);
    expect(parseClusterJson(single.stdout).results.map((r) => r.k)).toEqual([5]);
    expect(parseClusterJson(single.stdout).best_k).toBe(5);
    const raw = parseClusterJson(unscaled.stdout);
    // Unscaled inertia is in squared original units, far above the standardised one.
    expect(raw.results[0].inertia).toBeGreaterThan(1000);
  });

  it("prints a readable table without --json", async () => {
    const run = await runInProcess("--input", MALL, "--features", FEATURES, "--k", "4..5");
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe(`k-means of ${MALL}: 200 rows; features Annual Income (k$), Spending Score (1-100); scale standard; seed 0; 10 restarts per k`);
    expect(lines[2]).toMatch(/^\s+k\s+inertia\s+silhouette\s+calinski_harabasz\s+davies_bouldin\s+sizes$/);
    expect(lines[3]).toMatch(/^\s+4\s/);
    expect(lines[4]).toMatch(/^\s+5\s/);
    expect(run.stdout).toMatch(/\nbest k: 5 \(k=5 has the highest silhouette \(0\.\d{3}\)\)\n$/);
  });
});

describe("cluster as a child process: exit codes", () => {
  it("2 with the usage for bad arguments, 0 for help, 1 with the line for bad data or an unreadable file", async () => {
    const file = await fixture("bad-number.csv", "id,a,b\n1,1,5\n2,x,3\n3,8,9\n");
    const missing = path.join(dir, "missing.csv");
    const [low, unknown, help, bad, absent] = await Promise.all([
      cli("cluster", "--input", MALL, "--features", FEATURES, "--k", "1..3"),
      cli("cluster", "--input", MALL, "--features", FEATURES, "--k", "2..3", "--bogus"),
      cli("cluster", "--help"),
      cli("cluster", "--input", file, "--features", "a,b", "--k", "2", "--json"),
      cli("cluster", "--input", missing, "--features", "a", "--k", "2"),
    ]);
    expect(low).toEqual({ code: 2, stdout: "", stderr: `error: --k: k must be at least 2 (one cluster has no silhouette), got 1\n\n${CLUSTER_USAGE}` });
    expect(unknown).toEqual({ code: 2, stdout: "", stderr: `error: Unknown option '--bogus'\n\n${CLUSTER_USAGE}` });
    expect(help).toEqual({ code: 0, stdout: CLUSTER_USAGE, stderr: "" });
    expect(bad).toEqual({ code: 1, stdout: "", stderr: `cluster: ${file}: line 3: 'a' must be a number, got 'x'\n` });
    expect(absent).toEqual({ code: 1, stdout: "", stderr: `cluster: cannot read '${missing}': no such file\n` });
  });
});

describe("cluster --algorithm ward|som on mall_customers.csv", () => {
  it("ward: the labels at the best k are the cut of a naive Ward agglomeration of the standardised rows", async () => {
    const run = await runInProcess("--input", MALL, "--features", FEATURES, "--k", "3..5", "--algorithm", "ward", "--json");
    expect(run.code).toBe(0);
    const out = parseClusterJson(run.stdout);
    const x = await mallStandardised();
    // Naive Ward: merge the pair whose union adds the least within-cluster sum of squares until best_k clusters remain.
    let clusters = x.map((_, i) => [i]);
    const sse = (ids: number[]) => {
      const m = [0, 1].map((t) => ids.reduce((s, i) => s + x[i][t], 0) / ids.length);
      return ids.reduce((s, i) => s + (x[i][0] - m[0]) ** 2 + (x[i][1] - m[1]) ** 2, 0);
    };
    const own = new Map(clusters.map((c) => [c, 0]));
    while (clusters.length > out.best_k) {
      let best = [0, 1];
      let bestCost = Infinity;
      for (let p = 0; p < clusters.length; p++) {
        for (let q = p + 1; q < clusters.length; q++) {
          const cost = sse([...clusters[p], ...clusters[q]]) - own.get(clusters[p])! - own.get(clusters[q])!;
          if (cost < bestCost - 1e-12) (bestCost = cost), (best = [p, q]);
        }
      }
      const merged = [...clusters[best[0]], ...clusters[best[1]]];
      own.set(merged, sse(merged));
      clusters = clusters.filter((_, j) => j !== best[0] && j !== best[1]).concat([merged]);
    }
    const naive = new Array<number>(x.length);
    clusters.forEach((c, j) => c.forEach((i) => (naive[i] = j)));
    // Same partition: every pair of rows together in one exactly when together in the other.
    const pairs = (labels: number[]) => labels.map((l, i) => labels.map((m, j) => (j > i ? Number(l === m) : 0)).join("")).join("|");
    expect(pairs(out.labels)).toBe(pairs(naive));
    expect(out.results.find((r) => r.k === out.best_k)!.silhouette).toBeCloseTo(naiveSilhouette(x, out.labels), 9);
  });

  it("som: a labelled partition for every k, and the human summary names the algorithm", async () => {
    const run = await runInProcess("--input", MALL, "--features", FEATURES, "--k", "3..5", "--algorithm", "som", "--seed", "2", "--json");
    expect(run.code).toBe(0);
    const out = parseClusterJson(run.stdout);
    expect(out.results.map((r) => r.k)).toEqual([3, 4, 5]);
    expect(new Set(out.labels).size).toBe(out.best_k);
    const text = await runInProcess("--input", MALL, "--features", FEATURES, "--k", "3", "--algorithm", "som");
    expect(text.stdout).toMatch(/^self-organizing map of /);
  });
});

describe("cluster: bad arguments", () => {
  it("name the problem", () => {
    const base = ["--input", MALL, "--features", FEATURES];
    const cases = [
      { args: ["--features", FEATURES, "--k", "2..3"], message: "--input <path> is required" },
      { args: ["--input", MALL, "--k", "2..3"], message: '--features "<col>,<col>,..." is required' },
      { args: base, message: "--k <a..b | k> is required" },
      { args: [...base, "--k", "1..3"], message: "--k: k must be at least 2 (one cluster has no silhouette), got 1" },
      { args: [...base, "--k", "5..3"], message: "--k: the range 5..3 is empty; write the smaller k first" },
      { args: [...base, "--k", "two"], message: "--k must be a range like 2..10 or a single number, got 'two'" },
      { args: [...base, "--k", "2..3", "--scale", "zscore"], message: "--scale must be one of none, standard, log1p, robust, winsorise, got 'zscore'" },
      { args: [...base, "--k", "2..3", "--seed", "1.5"], message: "--seed must be a whole number, got '1.5'" },
      { args: [...base, "--k", "2..3", "--seed", "4294967296"], message: "--seed must be between 0 and 4294967295, got 4294967296" },
      { args: [...base, "--k", "2..3", "--restarts", "0"], message: "--restarts must be between 1 and 1000, got 0" },
      { args: [...base, "--k", "2..3", "--id-column", "Annual Income (k$)"], message: "--id-column 'Annual Income (k$)' is also one of the --features" },
      { args: ["--input", MALL, "--features", "Age,,Spending Score (1-100)", "--k", "2"], message: "--features has an empty column name in 'Age,,Spending Score (1-100)'" },
      { args: ["--input", MALL, "--features", "Age,Age", "--k", "2"], message: "--features names 'Age' twice" },
      { args: [...base, "--k", "2", "stray"], message: "Unexpected argument 'stray'. This command does not take positional arguments" },
      { args: [...base, "--k", "2..3", "--algorithm", "dbscan"], message: "--algorithm must be one of kmeans, ward, som, got 'dbscan'" },
    ];
    for (const c of cases) {
      expect(() => parseClusterArgs(c.args), c.args.join(" ")).toThrow(new UsageError(c.message));
    }
  });

});

describe("cluster: bad data exits with 1", () => {
  it("names a missing column, an empty value, too few rows, a constant feature, repeated rows", async () => {
    const good = "id,a,b\n1,1,5\n2,2,3\n3,8,9\n4,9,1\n";
    const cases = [
      { text: good, args: ["--features", "a,c", "--k", "2"], error: "line 1: missing required column 'c' (the header has: id, a, b)" },
      { text: "id,a,b\r\n1,1,5\r\n2,2,3\r\n3,8,\r\n", args: ["--features", "a,b", "--k", "2", "--id-column", "id"], error: "line 4: 'b' (id 3) is missing" },
      { text: "id,a,b\n1,1,5\n2,2,3\n3,8,9e1\n4,1e-2,1\n5,7,abc\n", args: ["--features", "a,b", "--k", "2"], error: "line 6: 'b' must be a number, got 'abc'" },
      {
        text: good,
        args: ["--features", "a,b", "--k", "2..4"],
        error: "k = 4 needs at least 5 rows (the silhouette needs k ≤ n − 1), and the file has 4; ask for a smaller k",
      },
      {
        text: "id,a,b\n1,1,5\n2,2,5\n3,8,5\n4,9,5\n",
        args: ["--features", "a,b", "--k", "2"],
        error: "feature 'b' is constant (every value is 5), so its standard deviation is 0 and it cannot be standardised; leave it out",
      },
      {
        text: "id,a,b\n1,1,5\n2,1,5\n3,1,5\n4,2,6\n",
        args: ["--features", "a,b", "--k", "3", "--scale", "none"],
        error: "the data has only 2 distinct rows, fewer than the 3 clusters asked for",
      },
      { text: "", args: ["--features", "a", "--k", "2"], error: "line 1: the input is empty; expected a header row naming the columns" },
    ];
    for (const [i, c] of cases.entries()) {
      const file = await fixture(`bad-${i}.csv`, c.text);
      expect(await runInProcess("--input", file, ...c.args, "--json")).toEqual({ code: 1, stdout: "", stderr: `cluster: ${file}: ${c.error}\n` });
    }
  });
});
