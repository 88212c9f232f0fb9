import { apiBench } from "./api";
import { benchDatabase } from "./bench-db";
import { campaignsBench } from "./campaigns";
import { clusterAlgorithmsBench, clusterBench } from "./cluster";
import { collabBench } from "./collab";
import { dashboardsBench } from "./dashboards";
import { importBench } from "./import";
import { liveBench } from "./live";
import { loadBench } from "./load";
import { monitorBench } from "./monitor";
import { segmentsBench } from "./segments";

/** `npm run bench [-- name…]`: runs the named benchmarks (all when none is named) and prints JSON. */
const BENCHES: Record<string, (db: Awaited<ReturnType<typeof benchDatabase>>) => Promise<unknown>> = {
  import: importBench,
  collab: collabBench,
  segments: segmentsBench,
  api: apiBench,
  monitor: monitorBench,
  campaigns: campaignsBench,
  dashboards: dashboardsBench,
  live: liveBench,
  load: loadBench,
};
/** Benchmarks that need no database: run without starting one. */
const STANDALONE_BENCHES: Record<string, () => Promise<unknown>> = {
  cluster: clusterBench,
  "cluster-algorithms": clusterAlgorithmsBench,
};

const names = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = names.filter((n) => !BENCHES[n] && !STANDALONE_BENCHES[n]);
if (unknown.length) {
  process.stderr.write(`Unknown benchmark: ${unknown.join(", ")}. Available: ${[...Object.keys(BENCHES), ...Object.keys(STANDALONE_BENCHES)].join(", ")}\n`);
  process.exit(2);
}
for (const name of names.length ? names : [...Object.keys(BENCHES), ...Object.keys(STANDALONE_BENCHES)]) {
  const standalone = STANDALONE_BENCHES[name];
  if (standalone) {
    process.stdout.write(`${JSON.stringify({ bench: name, ...((await standalone()) as object) })}\n`);
    continue;
  }
  const database = await benchDatabase();
  try {
    const result = await BENCHES[name](database);
    process.stdout.write(`${JSON.stringify({ bench: name, ...(result as object) })}\n`);
  } finally {
    await database.drop();
  }
}
