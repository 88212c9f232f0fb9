/**
 * Worker-thread entry for KmeansEngine (kmeans-engine.ts): receives the shared buffers once
 * (workerData) and says "ready"; then runs each posted job over its range of blocks and
 * answers when done. Loaded through kmeans-worker-bootstrap.mjs, since it is TypeScript.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type KernelBuffers, type KernelJob, runKernelJob } from "./kmeans-kernel";

/** A job for this worker: run `job` over blocks [first, end). */
export interface WorkerTask {
  job: KernelJob;
  first: number;
  end: number;
}

const port = parentPort;
if (port === null) throw new Error("kmeans-worker.ts must be started as a worker thread");
const buffers = workerData as KernelBuffers;
port.on("message", (task: WorkerTask) => {
  runKernelJob(buffers, task.job, task.first, task.end);
  port.postMessage("done");
});
port.postMessage("ready");
