import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvDownload, csvOrFail } from "~/lib/models.server";
import { attributionQuery } from "~/components/campaigns/attribution-query";

/** GET /campaigns/attribution.csv — revenue per segment × channel under the three rules (the page's period and lookback). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return csvOrFail("/campaigns/attribution", async () => {
    const result = await context.trpc.campaigns.attribution(attributionQuery(new URL(request.url)));
    const scopes = [{ name: "All customers", table: result.overall }, ...result.segments];
    return csvDownload(
      "attribution.csv",
      ["segment", "channel", "first_touch", "last_touch", "linear", "from", "to", "lookback_days", "conversions_from"],
      scopes.flatMap((s) =>
        [
          ...(s.table?.channels ?? []).map((c) => [c.channel, c.firstTouch, c.lastTouch, c.linear]),
          ["(unattributed)", s.table?.unattributedRevenue ?? 0, s.table?.unattributedRevenue ?? 0, s.table?.unattributedRevenue ?? 0],
        ].map((row) => [s.name, ...row, result.from, result.to, result.lookbackDays, result.source]),
      ),
    );
  });
}
