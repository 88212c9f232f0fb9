import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvDownload, csvOrFail } from "~/lib/models.server";

/** GET /models/:runId/clusters.csv — every cluster of every k of a run, one row per feature. */
export async function loader({ context, params }: LoaderFunctionArgs) {
  const runId = params.runId ?? "";
  return csvOrFail(`/models/${runId}`, async () => {
    const { clusters, features } = await context.trpc.models.get({ runId });
    const labels = new Map(features.map((f) => [f.field, f.label]));
    return csvDownload(
      `model-run-${runId.slice(0, 8)}-clusters.csv`,
      ["k", "cluster", "suggested_name", "size", "feature", "mean", "median", "standardised_difference", "kruskal_wallis_h", "kruskal_wallis_p"],
      clusters.flatMap((c) =>
        c.profile.map((p) => [
          c.k,
          c.cluster,
          c.suggestedName,
          c.size,
          labels.get(p.feature) ?? p.feature,
          p.mean,
          p.median,
          p.standardisedDifference,
          p.kruskalWallisH,
          p.kruskalWallisP,
        ])
      )
    );
  });
}
