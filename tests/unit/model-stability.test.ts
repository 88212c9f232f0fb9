/** Subsampling stability of a k-means fit (server/services/models/stability.ts). */
import { describe, expect, it } from "vitest";
import { featureMatrix } from "../../server/analytics/feature-matrix";
import { kmeans } from "../../server/analytics/kmeans";
import { SeededRandom } from "../../server/analytics/seeded-random";
import { clusterwiseJaccard } from "../../server/analytics/stability";
import { bootstrapStability, defaultReplicates } from "../../server/services/models/stability";

/** `perBlob` points around each centre, normal with sd `sd`. */
function blobs(centres: number[][], perBlob: number, sd: number, seed: number) {
  const random = new SeededRandom(seed);
  const d = centres[0].length;
  const values = new Float64Array(centres.length * perBlob * d);
  let p = 0;
  for (const c of centres) for (let i = 0; i < perBlob; i++) for (let j = 0; j < d; j++) values[p++] = c[j] + sd * random.nextGaussian();
  return featureMatrix(values, centres.length * perBlob, d);
}

function uniform(n: number, d: number, seed: number) {
  const random = new SeededRandom(seed);
  return featureMatrix(Float64Array.from({ length: n * d }, () => random.next()), n, d);
}

describe("bootstrapStability", () => {
  it("finds well-separated blobs again in every re-fit: ARI and every Jaccard ≈ 1, all stable", async () => {
    const x = blobs([[0, 0], [10, 0], [0, 10], [10, 10]], 60, 0.5, 3);
    const full = await kmeans(x, 4, { seed: 1, restarts: 3 });
    const s = await bootstrapStability(x, full.labels, 4, { seed: 1, restarts: 3, replicates: 10 });
    expect(s).toMatchObject({ method: "bootstrap", replicates: 10, sampleShare: 0.8, threshold: 0.6 });
    expect(s.ari.values).toHaveLength(10);
    expect(s.ari.min).toBeGreaterThan(0.999);
    expect(s.ari.mean).toBeGreaterThan(0.999);
    expect(s.clusters.map((c) => c.cluster)).toEqual([1, 2, 3, 4]);
    for (const c of s.clusters) {
      expect(c.jaccardMin).toBeGreaterThan(0.999);
      expect(c.stable).toBe(true);
    }
  });

  it("reports uniform noise cut into 4 as markedly less stable, with some clusters unstable", async () => {
    // No cluster structure: k-means cuts a uniform cloud where its seeding happens to start,
    // so re-fits on subsamples disagree. In 5 dimensions the cut is far from unique.
    const x = uniform(400, 5, 11);
    const full = await kmeans(x, 4, { seed: 2, restarts: 1 });
    const s = await bootstrapStability(x, full.labels, 4, { seed: 2, restarts: 1, replicates: 20 });
    expect(s.ari.mean).toBeLessThan(0.8);
    expect(s.ari.min).toBeLessThan(0.5);
    expect(s.clusters.some((c) => !c.stable)).toBe(true);
    for (const c of s.clusters) expect(c.stable).toBe(c.jaccardMean >= 0.6);
    // The share of re-fits that dissolved a cluster (best Jaccard ≤ 0.5) is counted, not guessed.
    expect(s.clusters.some((c) => (c.dissolvedShare ?? 0) > 0)).toBe(true);
    for (const c of s.clusters) expect(c.dissolvedShare).toBeGreaterThanOrEqual(c.jaccardMin <= 0.5 ? 1 / 20 : 0);
    const separated = blobs([[0, 0], [10, 0], [0, 10], [10, 10]], 100, 0.5, 3);
    const sep = await bootstrapStability(separated, (await kmeans(separated, 4, { seed: 2, restarts: 1 })).labels, 4, { seed: 2, restarts: 1, replicates: 20 });
    expect(sep.ari.mean - s.ari.mean).toBeGreaterThan(0.2);
  });

  it("is deterministic for a seed and changes with it", async () => {
    const x = uniform(300, 3, 5);
    const full = await kmeans(x, 3, { seed: 4, restarts: 2 });
    const a = await bootstrapStability(x, full.labels, 3, { seed: 4, restarts: 2, replicates: 6 });
    const b = await bootstrapStability(x, full.labels, 3, { seed: 4, restarts: 2, replicates: 6 });
    expect(b).toEqual(a);
    const c = await bootstrapStability(x, full.labels, 3, { seed: 5, restarts: 2, replicates: 6 });
    expect(c.ari.values).not.toEqual(a.ari.values);
  });

  it("gives the same results on one thread and on two", async () => {
    const x = uniform(70_000, 2, 9);
    const full = await kmeans(x, 3, { seed: 1, restarts: 1 });
    const one = await bootstrapStability(x, full.labels, 3, { seed: 1, restarts: 1, replicates: 2, threads: 1 });
    const two = await bootstrapStability(x, full.labels, 3, { seed: 1, restarts: 1, replicates: 2, threads: 2 });
    expect(two).toEqual(one);
  }, 60_000);

  it("matches each full-fit cluster with its best re-fit cluster (worked by hand)", () => {
    /*
     * Full fit on the sampled customers: A0 = {0,1,2,3}, A1 = {4,5}, A2 = {6,7}.
     * Re-fit: B0 = {0,1}, B1 = {2,3,4,5}, B2 = {6,7}.
     * A0: J(A0,B0) = 2/4, J(A0,B1) = 2/6 → 1/2 with B0. A1: J(A1,B1) = 2/4 → 1/2 with B1.
     * A2: J(A2,B2) = 2/2 → 1 with B2. A0 and A1 are merged/split: both at 0.5, "dissolving".
     */
    expect(clusterwiseJaccard([0, 0, 0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 1, 1, 2, 2])).toEqual([
      { cluster: 0, jaccard: 1 / 2, bestMatch: 0 },
      { cluster: 1, jaccard: 1 / 2, bestMatch: 1 },
      { cluster: 2, jaccard: 1, bestMatch: 2 },
    ]);
  });

  it("on a tiny data set with the obvious split, every replicate finds it again", async () => {
    // Two groups of 5 points on a line, far apart: any 8 of the 10 points split the same way.
    const x = featureMatrix(Float64Array.from([0, 0.1, 0.2, 0.3, 0.4, 10, 10.1, 10.2, 10.3, 10.4]), 10, 1);
    const labels = Int32Array.from([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    const s = await bootstrapStability(x, labels, 2, { seed: 0, restarts: 1, replicates: 5 });
    expect(s.ari.values).toEqual([1, 1, 1, 1, 1]);
    expect(s.clusters).toEqual([
      { cluster: 1, jaccardMean: 1, jaccardMin: 1, stable: true, dissolvedShare: 0 },
      { cluster: 2, jaccardMean: 1, jaccardMin: 1, stable: true, dissolvedShare: 0 },
    ]);
    // A labelling that cuts a group in two is matched at best 3/5 or 2/5 of the way.
    const wrong = Int32Array.from([0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    const w = await bootstrapStability(x, wrong, 2, { seed: 0, restarts: 1, replicates: 5 });
    expect(w.ari.mean).toBeLessThan(0.7);
    expect(w.clusters[0].stable).toBe(false);
  });

  it("uses 20 replicates up to 62,500 customers, fewer above, never fewer than 5", () => {
    expect(defaultReplicates(200)).toBe(20);
    expect(defaultReplicates(62_500)).toBe(20);
    expect(defaultReplicates(63_000)).toBe(19);
    // ⌊1,000,000 / 80,000⌋ = 12.
    expect(defaultReplicates(100_000)).toBe(12);
    expect(defaultReplicates(250_000)).toBe(5);
    expect(defaultReplicates(1_000_000)).toBe(5);
  });

  it("refuses labels of another length and a sample too small to re-fit", async () => {
    const x = uniform(10, 1, 1);
    await expect(bootstrapStability(x, new Int32Array(9), 2, { seed: 0, restarts: 1 })).rejects.toThrow(/9 labels for 10 rows/);
    await expect(bootstrapStability(x, new Int32Array(10), 8, { seed: 0, restarts: 1 })).rejects.toThrow(/too small to re-fit k=8/);
  });
});
