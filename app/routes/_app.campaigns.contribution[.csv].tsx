import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvDownload, csvOrFail } from "~/lib/models.server";

/** GET /campaigns/contribution.csv?from&to — revenue, costs and contribution per segment. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  return csvOrFail("/campaigns/costs", async () => {
    const r = await context.trpc.campaigns.contribution({ from: url.searchParams.get("from") || undefined, to: url.searchParams.get("to") || undefined });
    return csvDownload(
      "contribution.csv",
      ["segment", "customers", "revenue", "cost_to_serve", "campaign_cost", "contribution", "margin", "from", "to"],
      r.segments.map((s) => [s.name, s.customers, s.revenue, s.costToServe, s.campaignCost, s.contribution, r.margin, r.from, r.to]),
    );
  });
}
