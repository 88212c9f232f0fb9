import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvDownload, csvOrFail } from "~/lib/models.server";

/** GET /models/:runId/metrics.csv — the k-selection metrics of a run, one row per k (Gaussian-mixture and latent class runs add log-likelihood, BIC and AIC). */
export async function loader({ context, params }: LoaderFunctionArgs) {
  const runId = params.runId ?? "";
  return csvOrFail(`/models/${runId}`, async () => {
    const { run, results, recommendation } = await context.trpc.models.get({ runId });
    // Gaussian-mixture and latent class runs add their likelihood, BIC and AIC per k.
    const gmm: { k: number; logLikelihood: number; bic: number; aic: number }[] | undefined = run.params.gmmResults ?? run.params.lcaResults;
    return csvDownload(
      `model-run-${runId.slice(0, 8)}-metrics.csv`,
      [
        "k",
        "inertia",
        "silhouette",
        "silhouette_sampled",
        "silhouette_rows",
        "calinski_harabasz",
        "davies_bouldin",
        "sizes",
        "recommended",
        ...(gmm ? ["log_likelihood", "bic", "aic"] : []),
      ],
      results.map((r) => {
        const m = gmm?.find((g) => g.k === r.k);
        return [
        r.k,
        r.inertia,
        r.silhouette,
        r.silhouetteSampled,
        r.silhouetteSampleSize,
        r.calinskiHarabasz,
        r.daviesBouldin,
        r.sizes.join(" "),
        r.k === recommendation?.k,
        ...(gmm ? [m?.logLikelihood ?? null, m?.bic ?? null, m?.aic ?? null] : []),
        ];
      })
    );
  });
}
