import type { LoaderFunctionArgs } from "@remix-run/node";
import { membersQuery, resourceFailure } from "~/lib/segments.server";

/**
 * GET /segments/:segmentId/members?version=&change=members|added|removed&offset= — one page of
 * a version's members (or the customers it added or removed), as JSON for the drill-down lists;
 * a refusal comes back as { error } for the list to show.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  try {
    const query = membersQuery(params.segmentId, new URL(request.url).searchParams);
    return Response.json(await context.trpc.segments.versionMembers({ ...query, limit: 100 }));
  } catch (error) {
    return Response.json({ error: await resourceFailure(error).text() });
  }
}
