import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvDownload, csvOrFail } from "~/lib/models.server";

/**
 * GET /monitoring/runs/<runId>.csv — one monitor run's report: per feature for a drift run; per
 * segment, protected attribute and group for a bias audit (group values only for roles with
 * protected:read; other roles get one row per segment and attribute).
 */
export async function loader({ context, params }: LoaderFunctionArgs) {
  return csvOrFail("/monitoring", async () => {
    const { run, drift, bias } = await context.trpc.monitoring.run({ runId: params.runId ?? "" });
    const stamp = run.createdAt.slice(0, 10);
    if (run.kind === "drift") {
      return csvDownload(
        `drift-${stamp}-${run.id}.csv`,
        [
          "feature",
          "type",
          "band",
          "psi",
          "jensen_shannon",
          "wasserstein_norm",
          "ks",
          "ks_p",
          "ks_method",
          "chi2",
          "chi2_p",
          "n_reference",
          "n_current",
        ],
        drift.map((d) => [
          d.feature,
          d.type,
          d.band,
          d.psi,
          d.jensenShannon,
          d.wassersteinNorm,
          d.ks,
          d.ksP,
          d.ksMethod,
          d.chi2,
          d.chi2P,
          d.nReference,
          d.nCurrent,
        ])
      );
    }
    const header = [
      "segment",
      "version",
      "attribute",
      "attribute_n",
      "attribute_selected",
      "min_di_vs_max",
      "demographic_parity_difference",
      "chi2",
      "chi2_p",
      "fails_four_fifths",
      "group",
      "n",
      "selected",
      "rate",
      "share_of_selected",
      "di_vs_max",
      "statistical_parity_difference",
      "group_fails_four_fifths",
      "small_group",
    ];
    const rows = bias.flatMap((b) => {
      const head = [
        b.segmentName,
        b.version,
        b.attribute,
        b.n,
        b.selected,
        b.minDiVsMax,
        b.demographicParityDifference,
        b.chi2,
        b.chi2P,
        b.failsFourFifths,
      ];
      if (!b.groups) return [[...head, "", "", "", "", "", "", "", "", ""]];
      return b.groups.map((g) => [
        ...head,
        g.group,
        g.n,
        g.selected,
        g.rate,
        g.shareOfSelected,
        g.diVsMax,
        g.statisticalParityDifference,
        g.failsFourFifths,
        g.small,
      ]);
    });
    return csvDownload(`bias-${stamp}-${run.id}.csv`, header, rows);
  });
}
