import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvLine } from "../../server/lib/csv";
import { membersQuery, resourceFailure } from "~/lib/segments.server";

const PAGE = 1000;

/**
 * GET /segments/:segmentId/members.csv?version=&change= — every member of a version (or every
 * customer it added or removed) as a CSV download.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  try {
    const query = membersQuery(params.segmentId, new URL(request.url).searchParams);
    const lines = [csvLine(["customer_id", "region"])];
    for (let offset = 0; ; offset += PAGE) {
      const page = await context.trpc.segments.versionMembers({ ...query, limit: PAGE, offset });
      for (const c of page.customers) lines.push(csvLine([c.externalId, c.region]));
      if (offset + PAGE >= page.total || page.customers.length === 0) break;
    }
    const name = `segment-${query.segmentId.slice(0, 8)}-v${query.version}-${query.change}.csv`;
    return new Response(lines.join(""), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${name}"`,
        "cache-control": "no-store",
      },
    });
  } catch (error) {
    return resourceFailure(error);
  }
}
