/**
 * The k-means inner loops over flat row-major Float64Arrays, shared by the calling thread and
 * the worker threads (kmeans-worker.ts): plain data in, plain data out, no allocation per row.
 *
 * Rows are processed in fixed blocks of BLOCK_ROWS rows. Each block keeps its own partial
 * results (per-cluster coordinate sums and counts, inertia, changed labels, distance totals)
 * in its own slots, and the caller adds the blocks up in block order. So results do not depend
 * on how blocks are split between threads: one thread and two give bit-identical centres.
 *
 * Per-block sums and counts are kept up to date incrementally: a "fresh" full pass (the first
 * of a Lloyd run) rebuilds them from the rows; after that, a row whose label changes moves its
 * coordinates from the old cluster's sums to the new one's, in row order. Rows that keep their
 * label are not read at all in a bounded pass, which is what makes it cheap. Both kinds of
 * pass update the sums in the same order, so with and without bounds the centres stay
 * bit-identical. Each move rounds a cluster's sum once (half an ulp at most), so the drift
 * from a sum recomputed from scratch stays far below any difference that matters.
 *
 * Assignment (one Lloyd "E step") comes in two forms that give the same labels:
 * - full: the squared Euclidean distance from each row to every centre; the nearest wins, and
 *   on an exact tie the lowest-numbered centre. It also records, per row, an upper bound u
 *   (distance to the own centre) and a lower bound l (distance to the second-nearest centre).
 * - bounded (Hamerly 2010, "Making k-means even faster"): after the centres move, u grows by the
 *   own centre's move and l shrinks by the largest move of any other centre. A row keeps its
 *   label without computing any distance when u < max(l, s(a)), s(a) being half the distance
 *   from its centre a to the nearest other centre: then every other centre is STRICTLY farther,
 *   so the full computation would pick a too (strict, so ties are never skipped). Otherwise u
 *   is tightened to the exact distance and, if the test still fails, all distances are
 *   computed as in the full form. The bounds carry a relative safety margin (BOUND_SLACK) so
 *   that rounding can never skip a row whose label should change.
 *
 * Layout: with up to eight features ("narrow" data) a row's coordinates are held in eight
 * locals, centres and partial sums are padded to eight columns with zeros (the padding adds
 * exact zeros), and the loops are unrolled, the eight squares added pairwise as a tree (short
 * dependency chains); every narrow distance uses that same order, so the full, bounded and
 * plain passes compute identical numbers. With more features the loops run over the columns.
 * `sumWidth(cols)` is the padded width.
 */

/** Rows per block (the unit of partial sums and of work split between threads). */
export const BLOCK_ROWS = 8192;

/** Per-block statistics slots in `blockStats`: [inertia, changed labels, distances computed]. */
export const STATS_PER_BLOCK = 3;

/** Relative margin on the Hamerly bounds (far above double rounding, far below any real gap). */
export const BOUND_SLACK = 1e-9;

const NARROW = 8;

export function blockCount(rows: number): number {
  return Math.ceil(rows / BLOCK_ROWS);
}

/** Columns per centre in blockSums and in the kernel's centre copies: 8 for up to 8 features. */
export function sumWidth(cols: number): number {
  return cols <= NARROW ? NARROW : cols;
}

/** The buffers every pass works on; typed arrays so that they can live in shared memory. */
export interface KernelBuffers {
  /** Flat row-major data, rows × cols. */
  values: Float64Array;
  rows: number;
  cols: number;
  /** Cluster of each row. */
  labels: Int32Array;
  /** Hamerly upper bound per row (distance to the own centre, not squared). */
  upper: Float64Array;
  /** Hamerly lower bound per row (distance to the second-nearest centre, not squared). */
  lower: Float64Array;
  /** blocks × k × sumWidth(cols) partial coordinate sums (k of the current job). */
  blockSums: Float64Array;
  /** blocks × k partial counts. */
  blockCounts: Float64Array;
  /** blocks × STATS_PER_BLOCK. */
  blockStats: Float64Array;
  /** blocks × points of a distance job: per-block totals of each point. */
  blockTotals: Float64Array;
  /** Seeding: squared distance from each row to the nearest centre chosen so far. */
  closest: Float64Array;
}

/** Assign every row to its nearest centre, computing all distances. */
export interface FullAssignJob {
  kind: "full";
  /** k × cols, row-major. */
  centres: Float64Array;
  k: number;
  /** Rebuild the block sums and counts from the rows (the first pass of a run), instead of updating them. */
  fresh: boolean;
  /** Record Hamerly bounds for later bounded passes. */
  recordBounds: boolean;
}

/** Assign with Hamerly's bounds (see the module comment). */
export interface BoundedAssignJob {
  kind: "bounded";
  centres: Float64Array;
  k: number;
  /** How far each centre moved since the bounds were last valid. */
  moved: Float64Array;
  /** Half the distance from each centre to its nearest other centre. */
  halfSeparation: Float64Array;
  /** Also compute the exact inertia (one more distance per skipped row). */
  exactInertia: boolean;
}

/**
 * For k-means++ seeding, with D²[i] (`closest`) the squared distance from row i to the nearest
 * centre chosen so far and d_p(i) the squared distance from row i to point p of `points`
 * (m × cols):
 * - "init" (m = 1): D²[i] = d_0(i).
 * - "trial": nothing is written; the potential Σᵢ min(D²[i], d_p(i)) of each point.
 * - "update" (m = 1): D²[i] = min(D²[i], d_0(i)).
 * Each block's total of each point goes to blockTotals[b·m + p].
 */
export interface DistanceJob {
  kind: "distances";
  mode: "init" | "trial" | "update";
  points: Float64Array;
}

export type KernelJob = FullAssignJob | BoundedAssignJob | DistanceJob;

/** `centres` (k × cols) copied to rows of sumWidth(cols), zero-padded. */
function padded(centres: Float64Array, k: number, cols: number): Float64Array {
  const width = sumWidth(cols);
  if (width === cols) return centres;
  const out = new Float64Array(k * width);
  for (let j = 0; j < k; j++) out.set(centres.subarray(j * cols, (j + 1) * cols), j * width);
  return out;
}

/** Runs one job over blocks [firstBlock, endBlock). */
export function runKernelJob(buffers: KernelBuffers, job: KernelJob, firstBlock: number, endBlock: number): void {
  const narrow = buffers.cols <= NARROW;
  if (job.kind === "distances") {
    const points = padded(job.points, job.points.length / buffers.cols, buffers.cols);
    if (narrow) distanceBlocks8(buffers, points, job, firstBlock, endBlock);
    else distanceBlocksWide(buffers, points, job, firstBlock, endBlock);
    return;
  }
  const centres = padded(job.centres, job.k, buffers.cols);
  if (job.kind === "full") {
    if (narrow) fullBlocks8(buffers, centres, job, firstBlock, endBlock);
    else fullBlocksWide(buffers, centres, job, firstBlock, endBlock);
  } else if (narrow) {
    boundedBlocks8(buffers, centres, job, firstBlock, endBlock);
  } else {
    boundedBlocksWide(buffers, centres, job, firstBlock, endBlock);
  }
}

/** Zeroes block b's partial sums and counts for k clusters. */
function clearBlock(buffers: KernelBuffers, b: number, k: number, width: number): void {
  buffers.blockSums.fill(0, b * k * width, (b + 1) * k * width);
  buffers.blockCounts.fill(0, b * k, (b + 1) * k);
}

/**
 * Moves the row at offset `o` from cluster `from` (none when −1) to cluster `to` in block b's
 * sums (rows of `width` columns, block base `sumsBase`) and counts (base `countsBase`).
 */
function moveRow(buffers: KernelBuffers, sumsBase: number, countsBase: number, width: number, from: number, to: number, o: number): void {
  const { values, cols, blockSums, blockCounts } = buffers;
  if (from >= 0) {
    blockCounts[countsBase + from]--;
    const p = sumsBase + from * width;
    for (let t = 0; t < cols; t++) blockSums[p + t] -= values[o + t];
  }
  blockCounts[countsBase + to]++;
  const q = sumsBase + to * width;
  for (let t = 0; t < cols; t++) blockSums[q + t] += values[o + t];
}

function writeStats(stats: Float64Array, b: number, inertia: number, changed: number, computed: number): void {
  const st = b * STATS_PER_BLOCK;
  stats[st] = inertia;
  stats[st + 1] = changed;
  stats[st + 2] = computed;
}

/** Largest centre move, and the largest move of a centre other than the one that moved most. */
function largestMoves(moved: Float64Array, k: number): { first: number; m1: number; m2: number } {
  let first = 0;
  for (let j = 1; j < k; j++) if (moved[j] > moved[first]) first = j;
  let m2 = 0;
  for (let j = 0; j < k; j++) if (j !== first && moved[j] > m2) m2 = moved[j];
  return { first, m1: moved[first], m2 };
}

// ---- narrow data (cols ≤ 8): coordinates in locals, stride 8 ----

function fullBlocks8(buffers: KernelBuffers, centres: Float64Array, job: FullAssignJob, firstBlock: number, endBlock: number): void {
  const { values, rows, cols, labels, upper, lower, blockStats } = buffers;
  const { k, fresh, recordBounds } = job;
  for (let b = firstBlock; b < endBlock; b++) {
    if (fresh) clearBlock(buffers, b, k, NARROW);
    const start = b * BLOCK_ROWS;
    const end = Math.min(rows, start + BLOCK_ROWS);
    const sumsBase = b * k * NARROW;
    const countsBase = b * k;
    let inertia = 0;
    let changed = 0;
    let i = start;
    let o = start * cols;
    if (!recordBounds) {
      // Plain Lloyd: two rows at a time (the result is the same as one at a time).
      for (; i + 1 < end; i += 2, o += 2 * cols) {
        nearestPair8(values, o, cols, centres, k);
        for (let r = 0; r < 2; r++) {
          const label = PAIR[2 * r + 1];
          const previous = labels[i + r];
          if (fresh || previous !== label) moveRow(buffers, sumsBase, countsBase, NARROW, fresh ? -1 : previous, label, o + r * cols);
          if (previous !== label) {
            labels[i + r] = label;
            changed++;
          }
          inertia += PAIR[2 * r];
        }
      }
    }
    for (; i < end; i++, o += cols) {
      const label = recordBounds ? nearest8(values, o, cols, centres, k) : nearestOnly8(values, o, cols, centres, k);
      const previous = labels[i];
      if (fresh || previous !== label) moveRow(buffers, sumsBase, countsBase, NARROW, fresh ? -1 : previous, label, o);
      if (previous !== label) {
        labels[i] = label;
        changed++;
      }
      inertia += NEAREST[0];
      if (recordBounds) {
        upper[i] = Math.sqrt(NEAREST[0]);
        lower[i] = Math.sqrt(NEAREST[1]);
      }
    }
    writeStats(blockStats, b, inertia, changed, (end - start) * k);
  }
}

/** [best, second-best] squared distances of the last `nearest8` / `nearestWide` call. */
const NEAREST = new Float64Array(2);
/** [best, label] of two rows from the last `nearestPair8` call. */
const PAIR = new Float64Array(4);

/**
 * Nearest centre (lowest index on ties) of the row at offset `o`, centres padded to 8 columns;
 * best and second-best squared distances go to NEAREST.
 */
function nearest8(values: Float64Array, o: number, cols: number, centres: Float64Array, k: number): number {
  const x0 = values[o];
  const x1 = cols > 1 ? values[o + 1] : 0;
  const x2 = cols > 2 ? values[o + 2] : 0;
  const x3 = cols > 3 ? values[o + 3] : 0;
  const x4 = cols > 4 ? values[o + 4] : 0;
  const x5 = cols > 5 ? values[o + 5] : 0;
  const x6 = cols > 6 ? values[o + 6] : 0;
  const x7 = cols > 7 ? values[o + 7] : 0;
  let best = Infinity;
  let second = Infinity;
  let label = 0;
  for (let j = 0, c = 0; j < k; j++, c += NARROW) {
    const e0 = x0 - centres[c];
    const e1 = x1 - centres[c + 1];
    const e2 = x2 - centres[c + 2];
    const e3 = x3 - centres[c + 3];
    const e4 = x4 - centres[c + 4];
    const e5 = x5 - centres[c + 5];
    const e6 = x6 - centres[c + 6];
    const e7 = x7 - centres[c + 7];
    const s = e0 * e0 + e1 * e1 + (e2 * e2 + e3 * e3) + (e4 * e4 + e5 * e5 + (e6 * e6 + e7 * e7));
    if (s < second) {
      if (s < best) {
        second = best;
        best = s;
        label = j;
      } else {
        second = s;
      }
    }
  }
  NEAREST[0] = best;
  NEAREST[1] = second;
  return label;
}

/** As nearest8 without the second-best distance (plain Lloyd needs no bounds); best goes to NEAREST[0]. */
function nearestOnly8(values: Float64Array, o: number, cols: number, centres: Float64Array, k: number): number {
  const x0 = values[o];
  const x1 = cols > 1 ? values[o + 1] : 0;
  const x2 = cols > 2 ? values[o + 2] : 0;
  const x3 = cols > 3 ? values[o + 3] : 0;
  const x4 = cols > 4 ? values[o + 4] : 0;
  const x5 = cols > 5 ? values[o + 5] : 0;
  const x6 = cols > 6 ? values[o + 6] : 0;
  const x7 = cols > 7 ? values[o + 7] : 0;
  let best = Infinity;
  let label = 0;
  for (let j = 0, c = 0; j < k; j++, c += NARROW) {
    const e0 = x0 - centres[c];
    const e1 = x1 - centres[c + 1];
    const e2 = x2 - centres[c + 2];
    const e3 = x3 - centres[c + 3];
    const e4 = x4 - centres[c + 4];
    const e5 = x5 - centres[c + 5];
    const e6 = x6 - centres[c + 6];
    const e7 = x7 - centres[c + 7];
    const s = e0 * e0 + e1 * e1 + (e2 * e2 + e3 * e3) + (e4 * e4 + e5 * e5 + (e6 * e6 + e7 * e7));
    if (s < best) {
      best = s;
      label = j;
    }
  }
  NEAREST[0] = best;
  return label;
}

/**
 * nearestOnly8 for the two rows at offsets `o` and `o + cols`, sharing each centre's loads:
 * labels go to PAIR[1] and PAIR[3], best squared distances to PAIR[0] and PAIR[2].
 */
function nearestPair8(values: Float64Array, o: number, cols: number, centres: Float64Array, k: number): void {
  const q = o + cols;
  const x0 = values[o];
  const x1 = cols > 1 ? values[o + 1] : 0;
  const x2 = cols > 2 ? values[o + 2] : 0;
  const x3 = cols > 3 ? values[o + 3] : 0;
  const x4 = cols > 4 ? values[o + 4] : 0;
  const x5 = cols > 5 ? values[o + 5] : 0;
  const x6 = cols > 6 ? values[o + 6] : 0;
  const x7 = cols > 7 ? values[o + 7] : 0;
  const y0 = values[q];
  const y1 = cols > 1 ? values[q + 1] : 0;
  const y2 = cols > 2 ? values[q + 2] : 0;
  const y3 = cols > 3 ? values[q + 3] : 0;
  const y4 = cols > 4 ? values[q + 4] : 0;
  const y5 = cols > 5 ? values[q + 5] : 0;
  const y6 = cols > 6 ? values[q + 6] : 0;
  const y7 = cols > 7 ? values[q + 7] : 0;
  let bestX = Infinity;
  let labelX = 0;
  let bestY = Infinity;
  let labelY = 0;
  for (let j = 0, c = 0; j < k; j++, c += NARROW) {
    const c0 = centres[c];
    const c1 = centres[c + 1];
    const c2 = centres[c + 2];
    const c3 = centres[c + 3];
    const c4 = centres[c + 4];
    const c5 = centres[c + 5];
    const c6 = centres[c + 6];
    const c7 = centres[c + 7];
    let e0 = x0 - c0;
    let e1 = x1 - c1;
    let e2 = x2 - c2;
    let e3 = x3 - c3;
    let e4 = x4 - c4;
    let e5 = x5 - c5;
    let e6 = x6 - c6;
    let e7 = x7 - c7;
    const s = e0 * e0 + e1 * e1 + (e2 * e2 + e3 * e3) + (e4 * e4 + e5 * e5 + (e6 * e6 + e7 * e7));
    if (s < bestX) {
      bestX = s;
      labelX = j;
    }
    e0 = y0 - c0;
    e1 = y1 - c1;
    e2 = y2 - c2;
    e3 = y3 - c3;
    e4 = y4 - c4;
    e5 = y5 - c5;
    e6 = y6 - c6;
    e7 = y7 - c7;
    const t = e0 * e0 + e1 * e1 + (e2 * e2 + e3 * e3) + (e4 * e4 + e5 * e5 + (e6 * e6 + e7 * e7));
    if (t < bestY) {
      bestY = t;
      labelY = j;
    }
  }
  PAIR[0] = bestX;
  PAIR[1] = labelX;
  PAIR[2] = bestY;
  PAIR[3] = labelY;
}

/** Squared distance from the row at offset `o` to centre j (centres padded to 8 columns). */
function distance8(values: Float64Array, o: number, cols: number, centres: Float64Array, j: number): number {
  const c = j * NARROW;
  const e0 = values[o] - centres[c];
  const e1 = cols > 1 ? values[o + 1] - centres[c + 1] : 0;
  const e2 = cols > 2 ? values[o + 2] - centres[c + 2] : 0;
  const e3 = cols > 3 ? values[o + 3] - centres[c + 3] : 0;
  const e4 = cols > 4 ? values[o + 4] - centres[c + 4] : 0;
  const e5 = cols > 5 ? values[o + 5] - centres[c + 5] : 0;
  const e6 = cols > 6 ? values[o + 6] - centres[c + 6] : 0;
  const e7 = cols > 7 ? values[o + 7] - centres[c + 7] : 0;
  return e0 * e0 + e1 * e1 + (e2 * e2 + e3 * e3) + (e4 * e4 + e5 * e5 + (e6 * e6 + e7 * e7));
}

function boundedBlocks8(buffers: KernelBuffers, centres: Float64Array, job: BoundedAssignJob, firstBlock: number, endBlock: number): void {
  const { values, rows, cols, labels, upper, lower, blockStats } = buffers;
  const { k, moved, halfSeparation, exactInertia } = job;
  const { first, m1, m2 } = largestMoves(moved, k);
  const grow = 1 + BOUND_SLACK;
  const shrink = 1 - BOUND_SLACK;
  for (let b = firstBlock; b < endBlock; b++) {
    const start = b * BLOCK_ROWS;
    const end = Math.min(rows, start + BLOCK_ROWS);
    const sumsBase = b * k * NARROW;
    const countsBase = b * k;
    let inertia = 0;
    let changed = 0;
    let computed = 0;
    for (let i = start, o = start * cols; i < end; i++, o += cols) {
      const label = labels[i];
      let u = (upper[i] + moved[label]) * grow;
      let l = (lower[i] - (label === first ? m2 : m1)) * shrink;
      const half = halfSeparation[label] * shrink;
      const bound = l > half ? l : half;
      let squared = -1;
      if (!(u < bound)) {
        squared = distance8(values, o, cols, centres, label);
        computed++;
        u = Math.sqrt(squared) * grow;
        if (!(u < bound)) {
          const nearest = nearest8(values, o, cols, centres, k);
          computed += k;
          squared = NEAREST[0];
          u = Math.sqrt(squared);
          l = Math.sqrt(NEAREST[1]);
          if (nearest !== label) {
            moveRow(buffers, sumsBase, countsBase, NARROW, label, nearest, o);
            labels[i] = nearest;
            changed++;
          }
        }
      }
      upper[i] = u;
      lower[i] = l;
      if (exactInertia) {
        if (squared < 0) {
          squared = distance8(values, o, cols, centres, label);
          computed++;
        }
        inertia += squared;
      }
    }
    writeStats(blockStats, b, exactInertia ? inertia : NaN, changed, computed);
  }
}

function distanceBlocks8(buffers: KernelBuffers, points: Float64Array, job: DistanceJob, firstBlock: number, endBlock: number): void {
  const { values, rows, cols, closest, blockTotals } = buffers;
  const m = points.length / NARROW;
  const useCurrent = job.mode !== "init";
  const write = job.mode !== "trial";
  const totals = new Float64Array(m);
  for (let b = firstBlock; b < endBlock; b++) {
    const start = b * BLOCK_ROWS;
    const end = Math.min(rows, start + BLOCK_ROWS);
    totals.fill(0);
    for (let i = start, o = start * cols; i < end; i++, o += cols) {
      const x0 = values[o];
      const x1 = cols > 1 ? values[o + 1] : 0;
      const x2 = cols > 2 ? values[o + 2] : 0;
      const x3 = cols > 3 ? values[o + 3] : 0;
      const x4 = cols > 4 ? values[o + 4] : 0;
      const x5 = cols > 5 ? values[o + 5] : 0;
      const x6 = cols > 6 ? values[o + 6] : 0;
      const x7 = cols > 7 ? values[o + 7] : 0;
      const current = useCurrent ? closest[i] : Infinity;
      for (let p = 0, c = 0; p < m; p++, c += NARROW) {
        const e0 = x0 - points[c];
        const e1 = x1 - points[c + 1];
        const e2 = x2 - points[c + 2];
        const e3 = x3 - points[c + 3];
        const e4 = x4 - points[c + 4];
        const e5 = x5 - points[c + 5];
        const e6 = x6 - points[c + 6];
        const e7 = x7 - points[c + 7];
        let s = e0 * e0 + e1 * e1 + (e2 * e2 + e3 * e3) + (e4 * e4 + e5 * e5 + (e6 * e6 + e7 * e7));
        if (current < s) s = current;
        totals[p] += s;
        if (write) closest[i] = s;
      }
    }
    for (let p = 0; p < m; p++) blockTotals[b * m + p] = totals[p];
  }
}

// ---- wide data (cols > 8): loops over the columns ----

function squaredDistance(values: Float64Array, o: number, cols: number, centres: Float64Array, c: number): number {
  let s = 0;
  for (let t = 0; t < cols; t++) {
    const e = values[o + t] - centres[c + t];
    s += e * e;
  }
  return s;
}

function nearestWide(values: Float64Array, o: number, cols: number, centres: Float64Array, k: number): number {
  let best = Infinity;
  let second = Infinity;
  let label = 0;
  for (let j = 0; j < k; j++) {
    const s = squaredDistance(values, o, cols, centres, j * cols);
    if (s < second) {
      if (s < best) {
        second = best;
        best = s;
        label = j;
      } else {
        second = s;
      }
    }
  }
  NEAREST[0] = best;
  NEAREST[1] = second;
  return label;
}

function fullBlocksWide(buffers: KernelBuffers, centres: Float64Array, job: FullAssignJob, firstBlock: number, endBlock: number): void {
  const { values, rows, cols, labels, upper, lower, blockStats } = buffers;
  const { k, fresh, recordBounds } = job;
  for (let b = firstBlock; b < endBlock; b++) {
    if (fresh) clearBlock(buffers, b, k, cols);
    const start = b * BLOCK_ROWS;
    const end = Math.min(rows, start + BLOCK_ROWS);
    let inertia = 0;
    let changed = 0;
    for (let i = start, o = start * cols; i < end; i++, o += cols) {
      const label = nearestWide(values, o, cols, centres, k);
      const previous = labels[i];
      if (fresh || previous !== label) moveRow(buffers, b * k * cols, b * k, cols, fresh ? -1 : previous, label, o);
      if (previous !== label) {
        labels[i] = label;
        changed++;
      }
      inertia += NEAREST[0];
      if (recordBounds) {
        upper[i] = Math.sqrt(NEAREST[0]);
        lower[i] = Math.sqrt(NEAREST[1]);
      }
    }
    writeStats(blockStats, b, inertia, changed, (end - start) * k);
  }
}

function boundedBlocksWide(buffers: KernelBuffers, centres: Float64Array, job: BoundedAssignJob, firstBlock: number, endBlock: number): void {
  const { values, rows, cols, labels, upper, lower, blockStats } = buffers;
  const { k, moved, halfSeparation, exactInertia } = job;
  const { first, m1, m2 } = largestMoves(moved, k);
  const grow = 1 + BOUND_SLACK;
  const shrink = 1 - BOUND_SLACK;
  for (let b = firstBlock; b < endBlock; b++) {
    const start = b * BLOCK_ROWS;
    const end = Math.min(rows, start + BLOCK_ROWS);
    let inertia = 0;
    let changed = 0;
    let computed = 0;
    for (let i = start, o = start * cols; i < end; i++, o += cols) {
      const label = labels[i];
      let u = (upper[i] + moved[label]) * grow;
      let l = (lower[i] - (label === first ? m2 : m1)) * shrink;
      const half = halfSeparation[label] * shrink;
      const bound = l > half ? l : half;
      let squared = -1;
      if (!(u < bound)) {
        squared = squaredDistance(values, o, cols, centres, label * cols);
        computed++;
        u = Math.sqrt(squared) * grow;
        if (!(u < bound)) {
          const nearest = nearestWide(values, o, cols, centres, k);
          computed += k;
          squared = NEAREST[0];
          u = Math.sqrt(squared);
          l = Math.sqrt(NEAREST[1]);
          if (nearest !== label) {
            moveRow(buffers, b * k * cols, b * k, cols, label, nearest, o);
            labels[i] = nearest;
            changed++;
          }
        }
      }
      upper[i] = u;
      lower[i] = l;
      if (exactInertia) {
        if (squared < 0) {
          squared = squaredDistance(values, o, cols, centres, label * cols);
          computed++;
        }
        inertia += squared;
      }
    }
    writeStats(blockStats, b, exactInertia ? inertia : NaN, changed, computed);
  }
}

function distanceBlocksWide(buffers: KernelBuffers, points: Float64Array, job: DistanceJob, firstBlock: number, endBlock: number): void {
  const { values, rows, cols, closest, blockTotals } = buffers;
  const m = points.length / cols;
  for (let b = firstBlock; b < endBlock; b++) {
    const start = b * BLOCK_ROWS;
    const end = Math.min(rows, start + BLOCK_ROWS);
    for (let p = 0; p < m; p++) {
      let total = 0;
      for (let i = start, o = start * cols; i < end; i++, o += cols) {
        let s = squaredDistance(values, o, cols, points, p * cols);
        if (job.mode !== "init" && closest[i] < s) s = closest[i];
        if (job.mode !== "trial") closest[i] = s;
        total += s;
      }
      blockTotals[b * m + p] = total;
    }
  }
}
