import type { LoaderFunctionArgs } from "@remix-run/node";
import { sessionMarkdown } from "../../server/services/sessions/export";
import { summaryFileName } from "~/components/sessions/file-name";
import { csvOrFail } from "~/lib/models.server";
import { requirePermission } from "~/lib/session.server";

/** GET /sessions/:sessionId/summary.md — the session's summary as a Markdown download. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, "session:read");
  const sessionId = params.sessionId ?? "";
  // Download helper shared with the CSV exports: a refusal or a missing session is a plain-text answer.
  return csvOrFail(`/sessions/${sessionId}`, async () => {
    const view = await context.trpc.sessions.get({ sessionId });
    return new Response(sessionMarkdown(view), {
      headers: {
        "content-type": "text/markdown; charset=utf-8",
        "content-disposition": `attachment; filename="${summaryFileName(view.session.title, view.session.scheduledAt)}.md"`,
        "cache-control": "no-store",
      },
    });
  });
}
