import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvLine } from "../../server/lib/csv";
import { membersQuery, resourceFailure } from "~/lib/segments.server";

const PAGE = 1000;

/**
 * GET /segments/:segmentId/members.csv?version=&change= — every member of a version (or every
 * customer it added or removed) as a CSV download. The export is audit-logged before the first
 * byte, and pages are read as the download is consumed (memory stays flat).
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  try {
    const query = membersQuery(params.segmentId, new URL(request.url).searchParams);
    const first = await context.trpc.segments.versionMembers({ ...query, limit: PAGE, offset: 0 });
    await context.trpc.api.logMembersExport({ segmentId: query.segmentId, version: query.version, change: query.change });
    const encoder = new TextEncoder();
    let offset = 0;
    let page: typeof first | null = first;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(csvLine(["customer_id", "region"])));
      },
      async pull(controller) {
        page ??= await context.trpc.segments.versionMembers({ ...query, limit: PAGE, offset });
        controller.enqueue(encoder.encode(page.customers.map((c) => csvLine([c.externalId, c.region])).join("")));
        offset += PAGE;
        const done = offset >= page.total || page.customers.length === 0;
        page = null;
        if (done) controller.close();
      },
    });
    const name = `segment-${query.segmentId.slice(0, 8)}-v${query.version}-${query.change}.csv`;
    return new Response(body, {
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
