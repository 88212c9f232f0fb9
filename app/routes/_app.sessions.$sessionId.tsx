import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigate, useNavigation, useRevalidator, useSubmit } from "@remix-run/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import * as Y from "yjs";
import { PresenceStack } from "~/collab/presence";
import { useCollabDoc } from "~/collab/use-collab-doc";
import { DownloadIcon } from "~/components/icons";
import { Notice } from "~/components/notice";
import { PageHeader } from "~/components/page-header";
import { DiffView } from "~/components/segments/diff-view";
import { ReviewPanel, type ActionResult } from "~/components/segments/review-panel";
import { AGENDA_KIND_LABELS, OutcomeBadge, SessionStatusBadge, clock } from "~/components/sessions/format";
import { ItemTimer } from "~/components/sessions/item-timer";
import { MinutesEditor } from "~/components/sessions/minutes-editor";
import sessionStyles from "~/components/sessions/sessions.css?url";
import { SubmitButton } from "~/components/submit-button";
import type { LiveListener } from "~/live/client";
import { liveClient, useLive } from "~/live/use-live";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { formatDateMinute } from "~/lib/format";
import { toBase64 } from "~/lib/segments";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: sessionStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data && "session" in data ? data.session.title : "Session"} · Sessions · Quorum` }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "session:read");
  return loadOrFail(request, async () => {
    const view = await context.trpc.sessions.get({ sessionId: params.sessionId ?? "" });
    return {
      ...view,
      reader: { id: me.user.id, name: me.user.name },
      tenantId: me.workspace.tenantId,
      canOpenSwot: me.permissions.includes("swot:read"),
    };
  });
}

export async function action({ request, params, context }: ActionFunctionArgs): Promise<ActionResult> {
  const form = await request.formData();
  const intent = field(form, "intent");
  const sessionId = params.sessionId ?? "";
  try {
    switch (intent) {
      case "start":
        await context.trpc.sessions.start({ sessionId });
        break;
      case "move":
        await context.trpc.sessions.move({ sessionId, itemId: field(form, "itemId") });
        break;
      case "close":
        await context.trpc.sessions.close({ sessionId, stateVector: field(form, "stateVector") || undefined });
        break;
      case "vote":
        await context.trpc.segments.vote({ proposalId: field(form, "proposalId"), vote: field(form, "vote") as "approve", reason: field(form, "reason") });
        break;
      default:
        return { intent, ok: false, formError: "Unknown action. Reload the page and try again." };
    }
    return { intent, ok: true };
  } catch (error) {
    return { intent, ok: false, ...formFailure(error, request) };
  }
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Item = Data["items"][number];

export default function SessionRoom() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { session, items } = data;
  const revalidator = useRevalidator();
  const navigate = useNavigate();
  // When the page's data arrived: the running item's timer counts on from here.
  const receivedAt = useMemo(() => Date.now(), [data]);
  const current = items.find((i) => i.id === session.currentItemId) ?? null;
  const open = session.status !== "closed";

  const collab = useCollabDoc({ tenantId: data.tenantId, doc: session.doc, user: data.reader });

  // Live: the session's own events, and votes on the proposal being decided.
  const topics = [session.topic, ...(current?.proposalId ? [`proposal/${current.proposalId}`] : [])];
  const pendingRefresh = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refresh = useCallback(() => {
    if (pendingRefresh.current) return;
    pendingRefresh.current = setTimeout(() => {
      pendingRefresh.current = null;
      revalidator.revalidate();
    }, 50);
  }, [revalidator]);
  useEffect(() => () => clearTimeout(pendingRefresh.current ?? undefined), []);
  const { tenantId } = data;
  const sessionTopic = session.topic;
  const onLive = useCallback(
    (message: Parameters<LiveListener>[0]) => {
      // People already waiting in the room are counted as attending once the session starts.
      const type = message.kind === "event" ? (message.payload as { type?: string }).type : null;
      if (type === "cancelled") return navigate("/sessions?cancelled=1");
      if (type === "started") void liveClient().renew(tenantId, sessionTopic);
      refresh();
    },
    [refresh, tenantId, sessionTopic, navigate],
  );
  const live = useLive(tenantId, open ? topics : [], onLive);

  const pageError = result && !result.ok && result.intent !== "vote" ? result.formError : null;

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/sessions">Sessions</Link>
      </nav>
      <PageHeader
        title={
          <>
            {session.title} <SessionStatusBadge status={session.status} />
          </>
        }
        description={
          <span className="proposal-meta">
            <span>Scheduled for {formatDateMinute(session.scheduledAt)}</span>
            <span>Chaired by {session.chair ?? "a former member"}</span>
            {session.startedAt ? <span>Started {formatDateMinute(session.startedAt)}</span> : null}
            {session.closedAt ? (
              <span>
                Closed {formatDateMinute(session.closedAt)}
                {session.closedBy ? ` by ${session.closedBy}` : ""}
              </span>
            ) : null}
          </span>
        }
        actions={
          <>
            {open ? (
              <span className={`live-indicator live-indicator--${live.status}`} role="status" title={live.error ?? undefined}>
                {live.status === "live" ? "Live updates on" : live.status === "refused" ? "Live updates unavailable" : live.status === "reconnecting" ? "Reconnecting…" : "Connecting…"}
              </span>
            ) : (
              <>
                <a className="button button--secondary" href={`/sessions/${session.id}/summary.md`} download>
                  <DownloadIcon width={16} height={16} aria-hidden="true" /> Markdown
                </a>
                <a className="button button--secondary" href={`/sessions/${session.id}/summary.pdf`} download>
                  <DownloadIcon width={16} height={16} aria-hidden="true" /> PDF
                </a>
              </>
            )}
            {data.can.run ? <ChairControls data={data} current={current} collab={collab} /> : null}
          </>
        }
      />
      {pageError ? <Notice tone="error">{pageError}</Notice> : null}
      {live.status === "refused" && live.error ? <Notice tone="warning">{live.error} Reload the page to see the latest state.</Notice> : null}

      <div className="session-room">
        <div className="session-main">
          {session.status === "scheduled" ? (
            <section className="card session-waiting">
              <h2 className="card__title">The session has not started</h2>
              <p className="muted">
                {data.can.run
                  ? "Start it when the committee is here: everyone in the room then sees the first item, and the timer starts."
                  : `Stay on this page: when ${session.chair ?? "the chair"} starts the session, the first item appears here.`}
              </p>
            </section>
          ) : session.status === "closed" ? (
            <ClosedSummary data={data} />
          ) : current ? (
            <CurrentItem data={data} item={current} receivedAt={receivedAt} />
          ) : null}
        </div>

        <aside className="session-side">
          <section className="card session-agenda" aria-labelledby="agenda-title">
            <h2 id="agenda-title" className="card__title">
              Agenda
            </h2>
            <ol className="agenda">
              {items.map((item) => (
                <AgendaEntry key={item.id} item={item} current={item.id === session.currentItemId} live={session.status === "live"} canRun={data.can.run} receivedAt={receivedAt} />
              ))}
            </ol>
          </section>

          <section className="card" aria-labelledby="people-title">
            <h2 id="people-title" className="card__title">
              People
            </h2>
            {open ? (
              <div className="session-side__present">
                <span className="muted small">Here now</span>
                {collab.peers.length ? (
                  <PresenceStack peers={collab.peers} max={8} describeFocus={(f) => (f === "minutes" ? "writing" : f)} />
                ) : (
                  <span className="muted small">only you</span>
                )}
              </div>
            ) : null}
            <h3 className="session-side__subtitle">Attended ({data.attendees.length})</h3>
            {data.attendees.length ? (
              <ul className="attendees">
                {data.attendees.map((a) => (
                  <li key={a.userId}>
                    <span>{a.name}</span> <span className="muted small">{a.role}</span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted small">{session.status === "scheduled" ? "Attendance is taken once the session starts." : "Nobody yet."}</p>
            )}
          </section>
          <section className="card" aria-labelledby="minutes-title">
            <h2 id="minutes-title" className="card__title">
              Minutes
            </h2>
            {open ? (
              <>
                <p className="card__subtitle">{data.can.minutes ? "Written together; frozen when the session closes." : "You can read the minutes as they are taken."}</p>
                <MinutesEditor
                  doc={collab.doc}
                  readOnly={!data.can.minutes || collab.readOnly}
                  status={collab.status}
                  pending={collab.pending}
                  onFocus={(f) => collab.setFocus(f && data.can.minutes ? "minutes" : null)}
                />
              </>
            ) : session.minutes ? (
              <pre className="minutes__frozen">{session.minutes}</pre>
            ) : (
              <p className="muted">No minutes were taken.</p>
            )}
          </section>
        </aside>
      </div>
    </>
  );
}

function ChairControls({ data, current, collab }: { data: Data; current: Item | null; collab: ReturnType<typeof useCollabDoc> }) {
  const { session, items } = data;
  const submit = useSubmit();
  const navigation = useNavigation();
  const [confirming, setConfirming] = useState(false);
  const [closing, setClosing] = useState(false);
  const [closeError, setCloseError] = useState<string | null>(null);
  const busy = navigation.state !== "idle";
  if (session.status === "scheduled") {
    return (
      <Form method="post" className="chair-controls">
        <Link to={`/sessions/${session.id}/edit`} className="button button--secondary">
          Change agenda
        </Link>
        <SubmitButton intent="start" pendingLabel="Starting…">
          Start session
        </SubmitButton>
      </Form>
    );
  }
  const index = current ? items.findIndex((i) => i.id === current.id) : -1;
  const next = index >= 0 ? items[index + 1] : items[0];
  const close = async () => {
    setClosing(true);
    setCloseError(null);
    // The minutes must be stored up to this person's last keystroke before they are frozen.
    const saved = await Promise.race([
      (collab.provider?.whenAcked() ?? Promise.resolve()).then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000)),
    ]);
    if (!saved) {
      setCloseError("Your latest changes to the minutes are not saved yet (check the connection), so the session was not closed. Try again in a moment.");
      setClosing(false);
      return;
    }
    submit({ intent: "close", stateVector: toBase64(Y.encodeStateVector(collab.doc)) }, { method: "post" });
    setConfirming(false);
    setClosing(false);
  };
  return (
    <div className="chair-controls">
      {next ? (
        <Form method="post">
          <input type="hidden" name="itemId" value={next.id} />
          <SubmitButton intent="move" variant="secondary" pendingLabel="Moving…" title={`Next: ${next.title}`}>
            Next item →
          </SubmitButton>
        </Form>
      ) : null}
      {confirming ? (
        <div className="chair-controls__confirm" role="group" aria-label="Close the session">
          <span className="small">{closeError ?? "Record decisions, attendance and minutes now?"}</span>
          <button type="button" className="button button--danger button--sm" onClick={() => void close()} disabled={closing || busy}>
            {closing || busy ? "Closing…" : "Close and record"}
          </button>
          <button type="button" className="button button--ghost button--sm" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" className="button button--primary" onClick={() => setConfirming(true)}>
          Close session
        </button>
      )}
    </div>
  );
}

function AgendaEntry({ item, current, live, canRun, receivedAt }: { item: Item; current: boolean; live: boolean; canRun: boolean; receivedAt: number }) {
  return (
    <li className={`agenda__item${current ? " agenda__item--current" : ""}`} aria-current={current ? "step" : undefined}>
      <div className="agenda__head">
        <span className={`badge agenda-kind agenda-kind--${item.kind}`}>{AGENDA_KIND_LABELS[item.kind]}</span>
        {current ? <span className="agenda__now">Now</span> : null}
        <OutcomeBadge outcome={item.outcome ?? (item.proposalStatus === "approved" || item.proposalStatus === "rejected" ? item.proposalStatus : null)} />
      </div>
      <span className="agenda__title">{item.title}</span>
      <div className="agenda__foot">
        <ItemTimer spentMs={item.spentMs} running={current && live} timeBoxMinutes={item.timeBoxMinutes} receivedAt={receivedAt} compact />
        {canRun && live && !current ? (
          <Form method="post">
            <input type="hidden" name="itemId" value={item.id} />
            <button type="submit" name="intent" value="move" className="button button--ghost button--sm" aria-label={`Make “${item.title}” the current item`}>
              Go to
            </button>
          </Form>
        ) : null}
      </div>
    </li>
  );
}

function CurrentItem({ data, item, receivedAt }: { data: Data; item: Item; receivedAt: number }) {
  const { proposal, board } = data;
  return (
    <>
      <section className="card current-item" aria-labelledby="current-title">
        <div className="current-item__head">
          <div>
            <span className={`badge agenda-kind agenda-kind--${item.kind}`}>{AGENDA_KIND_LABELS[item.kind]}</span>
            <h2 id="current-title" className="current-item__title">
              {item.title}
            </h2>
          </div>
          <ItemTimer spentMs={item.spentMs} running timeBoxMinutes={item.timeBoxMinutes} receivedAt={receivedAt} />
        </div>
        {item.kind === "topic" ? <p className="muted">Discuss; note the conclusions and actions in the minutes.</p> : null}
        {item.kind === "swot" && item.segmentId ? (
          <div className="current-item__swot">
            <p className="muted">
              Review this segment's SWOT board together: open it beside the room; edits, drags and votes on cards appear live for everyone.
              {board?.reviewDueOn ? ` Review due ${board.reviewDueOn}.` : ""}
            </p>
            {data.canOpenSwot ? (
              <a className="button button--primary" href={`/swot/${item.segmentId}`} target="_blank" rel="noreferrer">
                Open the SWOT board
              </a>
            ) : null}
          </div>
        ) : null}
        {item.kind === "proposal" && proposal ? (
          <p className="muted">
            {proposal.segment.name} · proposed by {proposal.createdBy ?? "a former member"} · <Link to={`/segments/proposals/${proposal.id}`}>Open the proposal</Link>
          </p>
        ) : null}
        {proposal?.stale ? (
          <Notice tone="warning">The segment was published again after this proposal was written: it must be rebased before the committee can vote.</Notice>
        ) : null}
      </section>
      {item.kind === "swot" && board ? <BoardGlance board={board} /> : null}
      {item.kind === "proposal" && proposal ? (
        <>
          <section className="card" aria-labelledby="diff-title">
            <h2 id="diff-title" className="card__title">
              {proposal.hasBase ? `Changes against version ${proposal.baseVersion}` : "What this proposal creates"}
            </h2>
            {proposal.kind === "retire" ? (
              <p className="muted">The segment stops being published.</p>
            ) : proposal.diff ? (
              <DiffView diff={proposal.diff} emptyText="The definition does not change." />
            ) : (
              <p className="muted">The definition is not complete.</p>
            )}
          </section>
          <ReviewPanel
            status={proposal.status}
            votes={proposal.votes}
            verdict={proposal.verdict}
            rule={proposal.approvalRule}
            decision={proposal.decision}
            myVote={proposal.votes.find((v) => v.userId === data.reader.id)?.vote ?? null}
            canVote={proposal.canVote && data.can.vote}
            canOverride={false}
            proposalId={proposal.id}
          />
        </>
      ) : null}
    </>
  );
}

function BoardGlance({ board }: { board: NonNullable<Data["board"]> }) {
  return (
    <section className="card" aria-labelledby="board-title">
      <h2 id="board-title" className="card__title">
        The board at a glance
      </h2>
      <p className="card__subtitle">Cards per quadrant and the most voted ones, as of this page's last update.</p>
      <div className="swot-glance">
        {board.quadrants.map((q) => (
          <div key={q.quadrant} className={`swot-glance__quadrant swot-glance__quadrant--${q.quadrant}`}>
            <h3 className="swot-glance__label">
              {q.label} <span className="muted small">{q.count}</span>
            </h3>
            {q.top.length ? (
              <ul className="swot-glance__cards">
                {q.top.map((c) => (
                  <li key={c.id}>
                    {c.text || "(empty card)"}
                    <span className="muted small">
                      {" "}
                      · {c.votes} vote{c.votes === 1 ? "" : "s"}
                      {c.consensus ? " · consensus" : ""}
                    </span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted small">No cards yet.</p>
            )}
          </div>
        ))}
      </div>
    </section>
  );
}

function ClosedSummary({ data }: { data: Data }) {
  const decisions = data.items.filter((i) => i.kind === "proposal");
  return (
    <section className="card" aria-labelledby="record-title">
      <h2 id="record-title" className="card__title">
        Record of the session
      </h2>
      <p className="card__subtitle">What each item came to when the session closed. Decided proposals link back here.</p>
      <ul className="session-record">
        {data.items.map((item) => (
          <li key={item.id} className="session-record__item">
            <div className="session-record__head">
              <span className={`badge agenda-kind agenda-kind--${item.kind}`}>{AGENDA_KIND_LABELS[item.kind]}</span>
              {item.proposalId ? <Link to={`/segments/proposals/${item.proposalId}`}>{item.title}</Link> : <span>{item.title}</span>}
              <OutcomeBadge outcome={item.outcome} />
            </div>
            <p className="muted small">
              {clock(item.spentMs)} spent of a {item.timeBoxMinutes}-minute time box
              {item.tally ? ` · ${item.tally.approvals} approval${item.tally.approvals === 1 ? "" : "s"}, ${item.tally.rejections} rejection${item.tally.rejections === 1 ? "" : "s"} of ${item.tally.eligible} eligible` : ""}
            </p>
            {item.tally?.votes.length ? (
              <ul className="session-record__votes">
                {item.tally.votes.map((v) => (
                  <li key={v.name}>
                    <span className={`badge vote__badge vote__badge--${v.vote}`}>{v.vote === "approve" ? "Approved" : "Rejected"}</span> {v.name}: “{v.reason}”
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
      {!decisions.length ? <p className="muted">No proposals were on the agenda.</p> : null}
    </section>
  );
}
