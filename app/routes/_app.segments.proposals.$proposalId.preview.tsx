import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { resourceFailure } from "~/lib/segments.server";

const ZBody = z.object({
  rules: z.unknown(),
  segmentId: z.uuid().nullable(),
  parentId: z.uuid().nullable(),
  regionId: z.uuid().nullable(),
});

/**
 * POST /segments/proposals/:proposalId/preview with the draft's rules (JSON): who they select
 * right now, for the editor's live preview. Incomplete rules answer { error } with the
 * service's sentence ("Finish the rules first: …").
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const body = ZBody.safeParse(await request.json().catch(() => null));
  if (!body.success) return Response.json({ error: "The preview request could not be read. Reload the page." });
  try {
    return Response.json({ impact: await context.trpc.segments.preview({ ...body.data, sampleSize: 10 }) });
  } catch (error) {
    return Response.json({ error: await resourceFailure(error).text() });
  }
}
