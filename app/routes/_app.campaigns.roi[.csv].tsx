import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvDownload, csvOrFail } from "~/lib/models.server";

/** GET /campaigns/roi.csv — ROI per campaign, with its segment's totals. */
export async function loader({ context }: LoaderFunctionArgs) {
  return csvOrFail("/campaigns/roi", async () => {
    const { margin, campaigns, segments } = await context.trpc.campaigns.roi();
    const bySegment = new Map(segments.map((s) => [s.segmentId, s]));
    return csvDownload(
      "campaign-roi.csv",
      ["campaign_id", "campaign", "status", "segment", "cost", "incremental_contribution", "roi", "revenue_lift_significant", "segment_cost", "segment_incremental_contribution", "segment_roi", "margin"],
      campaigns.map((c) => {
        const s = bySegment.get(c.segmentId);
        return [c.campaignId, c.name, c.status, c.segmentName, c.cost, c.incrementalContribution ?? "", c.roi ?? "", c.significant, s?.cost ?? "", s?.incrementalContribution ?? "", s?.roi ?? "", margin];
      }),
    );
  });
}
