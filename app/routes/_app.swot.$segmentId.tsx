import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { PageHeader } from "~/components/page-header";
import { SwotBoard } from "~/components/swot/board";
import { DueBadge, FactsPanel, ReviewedBoard, ReviewsPanel, SaveReview, ScheduleForm, type ReviewResult } from "~/components/swot/panels";
import styles from "~/components/swot/swot.css?url";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { formatDate } from "~/lib/format";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? `SWOT · ${data.board.segment.name}` : "SWOT board"} · Quorum` }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "swot:read");
  return loadOrFail(request, async () => {
    const segmentId = params.segmentId ?? "";
    const board = await context.trpc.swot.get({ segmentId });
    const compareId = new URL(request.url).searchParams.get("compare");
    const compare = compareId ? await context.trpc.swot.review({ reviewId: compareId }) : null;
    return {
      board,
      compare: compare && compare.segmentId === segmentId ? compare : null,
      me: { id: me.user.id, name: me.user.name },
      tenantId: me.workspace.tenantId,
    };
  });
}

export async function action({ request, params, context }: ActionFunctionArgs): Promise<ReviewResult> {
  const form = await request.formData();
  const intent = field(form, "intent");
  const segmentId = params.segmentId ?? "";
  try {
    if (intent === "review") {
      let participantIds: string[] = [];
      try {
        const parsed: unknown = JSON.parse(field(form, "participantIds") || "[]");
        participantIds = Array.isArray(parsed) ? (parsed as unknown[]).filter((p): p is string => typeof p === "string") : [];
      } catch {
        return { intent, ok: false, formError: "The participants could not be read: reload the page and try again." };
      }
      const saved = await context.trpc.swot.saveReview({ segmentId, participantIds, note: field(form, "note"), stateVector: field(form, "stateVector") || undefined });
      return { intent, ok: true, message: `Saved as reviewed on ${formatDate(saved.reviewedOn)} with ${saved.cards} cards. Next review due ${formatDate(saved.reviewDueOn)}.` };
    }
    if (intent === "schedule") {
      const every = field(form, "reviewEveryMonths");
      const due = field(form, "reviewDueOn");
      await context.trpc.swot.setSchedule({ segmentId, reviewEveryMonths: every ? Number(every) : null, reviewDueOn: due || null });
      return { intent, ok: true, message: "Review schedule saved." };
    }
    return { intent, ok: false, formError: "Unknown action. Reload the page and try again." };
  } catch (error) {
    return { intent, ok: false, ...formFailure(error, request) };
  }
}

export default function SwotBoardPage() {
  const { board, compare, me, tenantId } = useLoaderData<typeof loader>();
  const scheduled = useActionData<typeof action>();
  const { segment, schedule } = board;
  const canEdit = board.access === "write";
  return (
    <div className="stack swot-page">
      <PageHeader
        title={
          <>
            <Link to="/swot" className="swot-page__crumb">
              SWOT
            </Link>{" "}
            / {segment.name}
          </>
        }
        description={
          <>
            {segment.parentName ? `Regional variant of ${segment.parentName}` : "Segment"}
            {segment.region ? ` · ${segment.region}` : ""} · <Link to={`/segments/${segment.id}`}>Open the segment</Link>
          </>
        }
        actions={<DueBadge due={schedule.due} on={schedule.reviewDueOn} />}
      />
      <div className={`swot-layout${compare ? " swot-layout--compare" : ""}`}>
        {compare ? (
          <div className="swot-layout__frozen">
            <ReviewedBoard board={compare.board} reviewedOn={compare.reviewedOn} participants={compare.participants} />
          </div>
        ) : null}
        <div className="swot-layout__board">
          {compare ? <h2 className="swot-layout__label">Today</h2> : null}
          <SwotBoard
            tenantId={tenantId}
            docName={board.doc}
            user={me}
            canEdit={canEdit}
            teams={board.teams}
            compact={!!compare}
            reviewed={compare?.board ?? null}
            renderTools={board.mayReview ? (live) => <SaveReview live={live} me={me} /> : undefined}
          />
        </div>
        <aside className="swot-layout__aside">
          <FactsPanel facts={board.facts} />
          <section className="card" aria-labelledby="swot-schedule-title">
            <h2 className="card__title" id="swot-schedule-title">
              Review schedule
            </h2>
            <p className="muted">
              {schedule.reviewDueOn ? `Next review due ${formatDate(schedule.reviewDueOn)}` : "No review planned"}
              {schedule.reviewEveryMonths ? ` · every ${schedule.reviewEveryMonths} months` : ""}
              {schedule.lastReviewedAt ? ` · last reviewed ${formatDate(schedule.lastReviewedAt)}` : ""}
            </p>
            {board.mayReview ? <ScheduleForm key={`${schedule.reviewEveryMonths}/${schedule.reviewDueOn}`} schedule={schedule} error={scheduled?.intent === "schedule" && !scheduled.ok ? (scheduled.formError ?? "Check the cadence and the date.") : null} /> : null}
          </section>
          <ReviewsPanel reviews={board.reviews} comparing={compare?.id ?? null} segmentId={segment.id} />
        </aside>
      </div>
    </div>
  );
}
