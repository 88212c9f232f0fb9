import type { LoaderFunctionArgs } from "@remix-run/node";
import { sessionSummary } from "../../server/services/sessions/export";
import { summaryPdf } from "../../server/services/sessions/pdf";
import { summaryFileName } from "~/components/sessions/file-name";
import { csvOrFail } from "~/lib/models.server";
import { requirePermission } from "~/lib/session.server";

/** GET /sessions/:sessionId/summary.pdf — the session's summary as a PDF download. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "session:read");
  const sessionId = params.sessionId ?? "";
  // Download helper shared with the CSV exports: a refusal or a missing session is a plain-text answer.
  return csvOrFail(`/sessions/${sessionId}`, async () => {
    const view = await context.trpc.sessions.get({ sessionId });
    const pdf = summaryPdf(sessionSummary(view), `${view.session.title} · ${me.workspace.name} · Quorum`);
    return new Response(new Uint8Array(pdf), {
      headers: {
        "content-type": "application/pdf",
        "content-disposition": `attachment; filename="${summaryFileName(view.session.title, view.session.scheduledAt)}.pdf"`,
        "cache-control": "no-store",
      },
    });
  });
}
