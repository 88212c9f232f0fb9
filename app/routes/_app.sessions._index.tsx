import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { PlusIcon, SessionsIcon } from "~/components/icons";
import { Notice } from "~/components/notice";
import { PageHeader } from "~/components/page-header";
import { instantFrom, itemsFrom, labelFieldErrors, rowsFrom } from "~/components/sessions/agenda-form.server";
import { SessionStatusBadge } from "~/components/sessions/format";
import { ScheduleForm, type AgendaOptions } from "~/components/sessions/schedule-form";
import sessionStyles from "~/components/sessions/sessions.css?url";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { formatDate, formatDateMinute, plural } from "~/lib/format";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: sessionStyles }];

export const meta: MetaFunction = () => [{ title: "Sessions · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "session:read");
  const canChair = me.permissions.includes("session:chair");
  return loadOrFail(request, async () => {
    const [sessions, options] = await Promise.all([context.trpc.sessions.list(), canChair ? context.trpc.sessions.agendaOptions() : null]);
    return { ...sessions, options, canChair, cancelled: new URL(request.url).searchParams.has("cancelled") };
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = { title: field(form, "title"), scheduledAt: field(form, "scheduledAt"), rows: rowsFrom(form) };
  const scheduledAt = instantFrom(values.scheduledAt, field(form, "tzOffset"));
  const fieldErrors: Record<string, string> = {};
  if (!scheduledAt) fieldErrors.scheduledAt = "Choose the date and time of the session.";
  if (!values.rows.length) fieldErrors.items = "Add at least one agenda item.";
  if (Object.keys(fieldErrors).length) return { formError: null, fieldErrors, values };
  try {
    const { sessionId } = await context.trpc.sessions.schedule({ title: values.title, scheduledAt: scheduledAt!, items: itemsFrom(values.rows) });
    return redirect(`/sessions/${sessionId}`);
  } catch (error) {
    const failure = formFailure(error, request);
    labelFieldErrors(failure.fieldErrors, values.rows);
    return { ...failure, values };
  }
}

export default function Sessions() {
  const data = useLoaderData<typeof loader>();
  const nothing = !data.upcoming.length && !data.past.length;
  return (
    <>
      <PageHeader
        title="Sessions"
        description="Live steering-committee meetings: an agenda of proposals to decide, SWOT boards to review and topics, run by a chair, with votes, timers, attendance and shared minutes recorded when the session closes."
        actions={
          data.canChair ? (
            <a className="button button--primary" href="#schedule">
              <PlusIcon width={16} height={16} aria-hidden="true" /> Schedule a session
            </a>
          ) : null
        }
      />
      {data.cancelled ? <Notice tone="info">The session was cancelled.</Notice> : null}
      {nothing ? (
        <EmptyState
          icon={SessionsIcon}
          title="No sessions yet"
          features={["An agenda of submitted proposals, SWOT boards due for review and topics", "Everyone present sees the same item, live votes and a timer", "Shared minutes; decisions, attendance and minutes recorded at the close"]}
        >
          {data.canChair ? "Schedule the committee's first session below." : "When a committee member schedules a session, it appears here and you can join its room."}
        </EmptyState>
      ) : (
        <div className="sessions-lists">
          <section className="card" aria-labelledby="upcoming-title">
            <h2 id="upcoming-title" className="card__title">
              Upcoming
            </h2>
            {data.upcoming.length ? (
              <ul className="session-list">
                {data.upcoming.map((s) => (
                  <li key={s.id} className={`session-list__item${s.status === "live" ? " session-list__item--live" : ""}`}>
                    <div className="session-list__when">
                      <span className="session-list__day">{formatDate(s.scheduledAt)}</span>
                      <span className="muted small">{formatDateMinute(s.scheduledAt).split(" ").slice(-1)[0]}</span>
                    </div>
                    <div className="session-list__main">
                      <Link to={`/sessions/${s.id}`} className="session-list__title">
                        {s.title}
                      </Link>
                      <span className="muted small">
                        {plural(s.items, "agenda item", "agenda items")} · chaired by {s.chair ?? "a former member"}
                      </span>
                    </div>
                    <SessionStatusBadge status={s.status} />
                    <Link to={`/sessions/${s.id}`} className={`button button--sm ${s.status === "live" ? "button--primary" : "button--secondary"}`}>
                      {s.status === "live" ? "Join" : "Open"}
                    </Link>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">Nothing scheduled.</p>
            )}
          </section>
          <section className="card" aria-labelledby="past-title">
            <h2 id="past-title" className="card__title">
              Past
            </h2>
            {data.past.length ? (
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Session</th>
                      <th scope="col">Closed</th>
                      <th scope="col" className="num">
                        Decided
                      </th>
                      <th scope="col" className="num">
                        Attended
                      </th>
                      <th scope="col">Summary</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.past.map((s) => (
                      <tr key={s.id}>
                        <td>
                          <Link to={`/sessions/${s.id}`}>{s.title}</Link>
                        </td>
                        <td>{s.closedAt ? formatDateMinute(s.closedAt) : "—"}</td>
                        <td className="num">{s.decided}</td>
                        <td className="num">{s.attendees}</td>
                        <td>
                          <span className="session-downloads">
                            <a href={`/sessions/${s.id}/summary.md`} download>
                              Markdown
                            </a>
                            <a href={`/sessions/${s.id}/summary.pdf`} download>
                              PDF
                            </a>
                          </span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p className="muted">No session has closed yet.</p>
            )}
          </section>
        </div>
      )}
      {data.canChair && data.options ? <NewSession options={data.options} /> : null}
    </>
  );
}

function NewSession({ options }: { options: AgendaOptions }) {
  const result = useActionData<typeof action>();
  return (
    <section className="card schedule-card" id="schedule" aria-labelledby="schedule-title">
      <h2 id="schedule-title" className="card__title">
        Schedule a session
      </h2>
      <p className="card__subtitle">
        You chair the sessions you schedule. Submitted proposals, SWOT boards due for review and monitoring alerts that call for action are suggested; give each item a time box.
      </p>
      <ScheduleForm options={options} result={result} submitLabel="Schedule session" pendingLabel="Scheduling…" />
    </section>
  );
}
