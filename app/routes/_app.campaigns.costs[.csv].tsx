import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvDownload, csvOrFail } from "~/lib/models.server";

/** GET /campaigns/costs.csv — every cost-to-serve entry. */
export async function loader({ context }: LoaderFunctionArgs) {
  return csvOrFail("/campaigns/costs", async () => {
    const { rows } = await context.trpc.campaigns.costs({ limit: 10_000 });
    return csvDownload(
      "cost-to-serve.csv",
      ["scope", "customer_id", "segment", "period_start", "period_end", "amount", "source", "updated_at"],
      rows.map((c) => [c.scope, c.customerExternalId ?? "", c.segmentName ?? "", c.periodStart, c.periodEnd, c.amount, c.source, new Date(c.updatedAt).toISOString()]),
    );
  });
}
