import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvDownload, csvOrFail } from "~/lib/models.server";

/** GET /campaigns/:id/groups.csv — the frozen groups' sizes per region. */
export async function loader({ context, params }: LoaderFunctionArgs) {
  const campaignId = params.campaignId ?? "";
  return csvOrFail(`/campaigns/${campaignId}`, async () => {
    const view = await context.trpc.campaigns.get({ campaignId });
    return csvDownload(
      "campaign-groups.csv",
      ["region", "treated", "holdout", "holdout_share"],
      view.balance.map((b) => [b.region ?? "", b.treated, b.holdout, b.holdoutShare]),
    );
  });
}
