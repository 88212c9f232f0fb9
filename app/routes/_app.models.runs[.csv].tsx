import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvDownload, csvOrFail } from "~/lib/models.server";

/** GET /models/runs.csv — every model run (newest first) with its settings and outcome. */
export async function loader({ context }: LoaderFunctionArgs) {
  return csvOrFail("/models", async () => {
    const [runs, features] = await Promise.all([context.trpc.models.list({ limit: 200 }), context.trpc.models.features()]);
    const labels = new Map(features.map((f) => [f.field, f.label]));
    return csvDownload(
      "model-runs.csv",
      ["run_id", "status", "algorithm", "features", "transforms", "k_min", "k_max", "seed", "restarts", "fixed_groups", "recommended_k", "customers", "created_at", "finished_at", "error"],
      runs.map((r) => [
        r.id,
        r.status,
        r.params.algorithm ?? r.algorithm,
        r.params.features.map((f) => labels.get(f.field) ?? f.field).join("; "),
        r.params.features.map((f) => f.transform).join("; "),
        r.params.kMin,
        r.params.kMax,
        r.params.seed,
        r.params.restarts,
        (r.params.constraints ?? []).map((c) => c.name).join("; "),
        r.recommendedK,
        r.n,
        new Date(r.createdAt).toISOString(),
        r.finishedAt ? new Date(r.finishedAt).toISOString() : "",
        r.error ?? "",
      ])
    );
  });
}
