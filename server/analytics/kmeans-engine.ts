/**
 * Runs k-means kernel jobs (kmeans-kernel.ts) over all rows, on the calling thread alone or
 * split by blocks between it and `threads − 1` worker threads (node:worker_threads).
 *
 * With more than one thread every buffer lives in a SharedArrayBuffer, so workers read the data
 * and write labels and partial sums in place; only the job (centres: k × cols numbers) is posted
 * per step. Data that is not already in shared memory is copied there once (allocate it with
 * `sharedFeatureMatrix` to avoid the copy). Blocks are split into contiguous ranges, one per
 * thread; the calling thread takes the first range while the workers run theirs.
 *
 * Workers run kmeans-worker.ts, loaded by the plain-JavaScript entry kmeans-worker-bootstrap.mjs
 * through tsx's programmatic loader (`tsImport`): the same kernel source as the calling thread,
 * whether the caller runs under tsx, vitest or the server. (Passing `--import tsx` in a worker's
 * execArgv does not apply tsx to the worker's entry module on Node 20.) Starting a worker takes
 * a few hundred milliseconds, mostly tsx compiling the kernel; reuse an engine across runs.
 */
import { Worker } from "node:worker_threads";
import { type FeatureMatrix, featureMatrix } from "./feature-matrix";
import { type KernelBuffers, type KernelJob, STATS_PER_BLOCK, blockCount, runKernelJob, sumWidth } from "./kmeans-kernel";
import type { WorkerTask } from "./kmeans-worker";

/** A rows × cols matrix whose buffer is shared memory (zero-filled), for multi-threaded k-means. */
export function sharedFeatureMatrix(rows: number, cols: number): FeatureMatrix {
  return featureMatrix(new Float64Array(new SharedArrayBuffer(rows * cols * 8)), rows, cols);
}

function allocate(length: number, shared: boolean): ArrayBuffer | SharedArrayBuffer {
  return shared ? new SharedArrayBuffer(length) : new ArrayBuffer(length);
}

interface PendingWorker {
  worker: Worker;
  settle: ((error: Error | null) => void) | null;
}

export class KmeansEngine {
  readonly buffers: KernelBuffers;
  readonly threads: number;
  readonly blocks: number;
  /** The largest k the buffers have room for. */
  readonly maxK: number;
  /** The most points a seeding distance job may have (k-means++ local trials). */
  readonly maxTrials: number;
  private readonly workers: PendingWorker[];

  private constructor(buffers: KernelBuffers, threads: number, workers: PendingWorker[], maxK: number, maxTrials: number) {
    this.buffers = buffers;
    this.threads = threads;
    this.maxK = maxK;
    this.maxTrials = maxTrials;
    this.blocks = blockCount(buffers.rows);
    this.workers = workers;
  }

  /**
   * Buffers for `matrix` with room for up to `maxK` clusters and `maxTrials` k-means++ local
   * trials, and `threads − 1` started workers (threads ≥ 1; more threads than blocks are not
   * used). Call `close()` when done.
   */
  static async create(matrix: FeatureMatrix, maxK: number, maxTrials: number, threads = 1): Promise<KmeansEngine> {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a whole number ≥ 1, got ${threads}`);
    const { rows, cols } = matrix;
    const blocks = blockCount(rows);
    const used = Math.max(1, Math.min(threads, blocks));
    const shared = used > 1;
    let values = matrix.values;
    if (shared && !(values.buffer instanceof SharedArrayBuffer)) {
      values = new Float64Array(allocate(values.length * 8, true));
      values.set(matrix.values);
    }
    const buffers: KernelBuffers = {
      values,
      rows,
      cols,
      labels: new Int32Array(allocate(rows * 4, shared)).fill(-1),
      upper: new Float64Array(allocate(rows * 8, shared)),
      lower: new Float64Array(allocate(rows * 8, shared)),
      blockSums: new Float64Array(allocate(blocks * maxK * sumWidth(cols) * 8, shared)),
      blockCounts: new Float64Array(allocate(blocks * maxK * 8, shared)),
      blockStats: new Float64Array(allocate(blocks * STATS_PER_BLOCK * 8, shared)),
      blockTotals: new Float64Array(allocate(blocks * maxTrials * 8, shared)),
      closest: new Float64Array(allocate(rows * 8, shared)),
    };
    const workers: PendingWorker[] = [];
    if (shared) {
      const url = new URL("./kmeans-worker-bootstrap.mjs", import.meta.url);
      const ready: Promise<void>[] = [];
      for (let t = 1; t < used; t++) {
        const entry: PendingWorker = { worker: new Worker(url, { workerData: buffers }), settle: null };
        // The first message is "ready"; each later one answers a task.
        ready.push(new Promise<void>((resolve, reject) => (entry.settle = (error) => (error ? reject(error) : resolve()))));
        entry.worker.on("message", () => {
          const settle = entry.settle;
          entry.settle = null;
          settle?.(null);
        });
        entry.worker.on("error", (error) => {
          const settle = entry.settle;
          entry.settle = null;
          settle?.(error);
        });
        entry.worker.on("exit", (code) => {
          const settle = entry.settle;
          entry.settle = null;
          settle?.(new Error(`a k-means worker thread stopped (exit code ${code}) before finishing its task`));
        });
        workers.push(entry);
      }
      try {
        await Promise.all(ready);
      } catch (error) {
        await Promise.all(workers.map((entry) => entry.worker.terminate()));
        throw error;
      }
    }
    return new KmeansEngine(buffers, used, workers, maxK, maxTrials);
  }

  /** Blocks [first, end) of thread t. */
  private range(t: number): [number, number] {
    return [Math.floor((t * this.blocks) / this.threads), Math.floor(((t + 1) * this.blocks) / this.threads)];
  }

  /** Runs `job` over every block, on all threads; resolves when every block is done. */
  async run(job: KernelJob): Promise<void> {
    const done: Promise<void>[] = this.workers.map(
      (entry, w) =>
        new Promise<void>((resolve, reject) => {
          entry.settle = (error) => (error ? reject(error) : resolve());
          const [first, end] = this.range(w + 1);
          const task: WorkerTask = { job, first, end };
          entry.worker.postMessage(task);
        }),
    );
    const [first, end] = this.range(0);
    try {
      runKernelJob(this.buffers, job, first, end);
    } finally {
      // Even if this thread's share failed, wait for the workers before the buffers are reused.
      await Promise.allSettled(done);
    }
    await Promise.all(done);
  }

  /** Stops the worker threads. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((entry) => entry.worker.terminate()));
    this.workers.length = 0;
  }
}
