/**
 * Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, with the greedy local trials of
 * scikit-learn's `_kmeans_plusplus`):
 *
 * 1. The first centre is a row drawn uniformly at random.
 * 2. Each further centre: draw `localTrials` candidate rows, each with probability proportional
 *    to D(x)², the squared distance from x to the nearest centre chosen so far (a uniform u in
 *    (0, 1) times the potential Σ D(x)²; the candidate is the first row, in row order, whose
 *    running sum of D² reaches it). For each candidate compute the potential the centres would
 *    have with it added; keep the candidate with the smallest potential (the first drawn on
 *    ties).
 *
 * `localTrials` defaults to 2 + ⌊ln k⌋ as in scikit-learn. The random numbers come from the
 * SeededRandom passed in, so a seed fixes the centres. If the potential reaches 0 before k
 * centres are chosen, every row coincides with a chosen centre: the data has fewer distinct
 * rows than k, which is an AnalyticsInputError.
 */
import { AnalyticsInputError } from "./feature-matrix";
import type { KmeansEngine } from "./kmeans-engine";
import type { SeededRandom } from "./seeded-random";

export function defaultLocalTrials(k: number): number {
  return 2 + Math.floor(Math.log(k));
}

/** Totals of each of the m points of the last distance job, added up in block order. */
function blockTotals(engine: KmeansEngine, m: number): number[] {
  const totals = engine.buffers.blockTotals;
  const out = new Array<number>(m).fill(0);
  for (let b = 0; b < engine.blocks; b++) for (let p = 0; p < m; p++) out[p] += totals[b * m + p];
  return out;
}

/**
 * For each threshold (ascending, in (0, potential)), the first row whose running sum of D²
 * reaches it, in one pass. A threshold past the running total (rounding) takes the last row
 * with D² > 0.
 */
function locate(closest: Float64Array, rows: number, thresholds: number[]): number[] {
  const found: number[] = [];
  let running = 0;
  let lastPositive = -1;
  for (let i = 0; i < rows && found.length < thresholds.length; i++) {
    const v = closest[i];
    if (v > 0) {
      lastPositive = i;
      running += v;
      while (found.length < thresholds.length && running >= thresholds[found.length]) found.push(i);
    }
  }
  while (found.length < thresholds.length) found.push(lastPositive);
  return found;
}

/** Greedy k-means++ centres (k × cols, row-major) for the engine's data. */
export async function greedyKmeansPlusPlus(engine: KmeansEngine, k: number, random: SeededRandom, localTrials = defaultLocalTrials(k)): Promise<Float64Array> {
  const { values, rows, cols, closest } = engine.buffers;
  if (engine.maxTrials < localTrials) throw new RangeError(`the engine has room for ${engine.maxTrials} local trials, not ${localTrials}`);
  const row = (i: number) => values.slice(i * cols, (i + 1) * cols);
  const centres = new Float64Array(k * cols);
  const first = random.nextInt(rows);
  centres.set(row(first), 0);
  await engine.run({ kind: "distances", mode: "init", points: row(first) });
  let [potential] = blockTotals(engine, 1);
  for (let c = 1; c < k; c++) {
    if (!(potential > 0)) {
      throw new AnalyticsInputError(`the data has only ${c} distinct rows, fewer than the ${k} clusters asked for`);
    }
    const thresholds: number[] = [];
    for (let t = 0; t < localTrials; t++) {
      let u = random.next();
      while (u === 0) u = random.next();
      thresholds.push(u * potential);
    }
    // Located in ascending order for the single pass, then put back in draw order.
    const ascending = thresholds.map((_, t) => t).sort((a, b) => thresholds[a] - thresholds[b]);
    const located = locate(closest, rows, ascending.map((t) => thresholds[t]));
    const candidates: number[] = new Array(localTrials);
    ascending.forEach((t, position) => (candidates[t] = located[position]));
    // Every candidate's potential in one pass over the data, then D² updated for the best.
    const points = new Float64Array(localTrials * cols);
    candidates.forEach((i, t) => points.set(row(i), t * cols));
    await engine.run({ kind: "distances", mode: "trial", points });
    const potentials = blockTotals(engine, localTrials);
    let best = 0;
    for (let t = 1; t < localTrials; t++) if (potentials[t] < potentials[best]) best = t;
    centres.set(row(candidates[best]), c * cols);
    await engine.run({ kind: "distances", mode: "update", points: row(candidates[best]) });
    [potential] = blockTotals(engine, 1);
  }
  return centres;
}
