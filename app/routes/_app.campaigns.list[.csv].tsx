import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvDownload, csvOrFail } from "~/lib/models.server";

/** GET /campaigns/list.csv — every campaign with its settings and group sizes. */
export async function loader({ context }: LoaderFunctionArgs) {
  return csvOrFail("/campaigns", async () => {
    const campaigns = await context.trpc.campaigns.list();
    return csvDownload(
      "campaigns.csv",
      ["campaign_id", "name", "segment", "status", "period_start", "period_end", "channels", "holdout_percent", "stratify_by_region", "outcome", "treated", "holdout", "budget", "actual_cost", "frequency_cap", "launched_at", "finished_at"],
      campaigns.map((c) => [
        c.id,
        c.name,
        c.segmentName,
        c.status,
        c.periodStart,
        c.periodEnd,
        c.channels.join("; "),
        c.holdoutPercent,
        c.stratifyByRegion,
        c.outcome,
        c.members - c.holdoutMembers,
        c.holdoutMembers,
        c.budget,
        c.actualCost ?? "",
        c.frequencyCap ?? "",
        c.launchedAt ? new Date(c.launchedAt).toISOString() : "",
        c.finishedAt ? new Date(c.finishedAt).toISOString() : "",
      ]),
    );
  });
}
