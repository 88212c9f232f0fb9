import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useId, useState } from "react";
import { EmptyState } from "~/components/empty-state";
import { TextField } from "~/components/form-field";
import { PlusIcon, SessionsIcon } from "~/components/icons";
import { Notice } from "~/components/notice";
import { PageHeader } from "~/components/page-header";
import { AGENDA_KIND_LABELS, SessionStatusBadge, type AgendaKind } from "~/components/sessions/format";
import sessionStyles from "~/components/sessions/sessions.css?url";
import { SubmitButton } from "~/components/submit-button";
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
    return { ...sessions, options, canChair };
  });
}

interface RowValues {
  kind: AgendaKind;
  ref: string;
  minutes: string;
}

/** The agenda rows as the form sent them (repeated fields, in order). */
function rowsFrom(form: FormData): RowValues[] {
  const kinds = form.getAll("item.kind").map(String);
  const refs = form.getAll("item.ref").map(String);
  const minutes = form.getAll("item.minutes").map(String);
  return kinds.map((kind, i) => ({ kind: (kind in AGENDA_KIND_LABELS ? kind : "topic") as AgendaKind, ref: refs[i] ?? "", minutes: minutes[i] ?? "" }));
}

/** The browser's local date-time (no zone) plus its offset from UTC in minutes, as an instant. */
function instantFrom(local: string, offsetMinutes: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local)) return null;
  const utc = Date.parse(`${local}:00Z`);
  const offset = Number(offsetMinutes);
  return Number.isFinite(utc) ? new Date(utc + (Number.isFinite(offset) ? offset : 0) * 60_000) : null;
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
    const { sessionId } = await context.trpc.sessions.schedule({
      title: values.title,
      scheduledAt: scheduledAt!,
      items: values.rows.map((r) =>
        r.kind === "proposal"
          ? { kind: "proposal" as const, proposalId: r.ref, timeBoxMinutes: Number(r.minutes) }
          : r.kind === "swot"
            ? { kind: "swot" as const, segmentId: r.ref, timeBoxMinutes: Number(r.minutes) }
            : { kind: "topic" as const, title: r.ref, timeBoxMinutes: Number(r.minutes) },
      ),
    });
    return redirect(`/sessions/${sessionId}`);
  } catch (error) {
    const failure = formFailure(error, request);
    const labels: Record<string, string> = { title: "Title", scheduledAt: "Date and time" };
    for (const [key, message] of Object.entries(failure.fieldErrors)) {
      const row = /^items\.(\d+)\.(\w+)$/.exec(key);
      const what = row ? (row[2] === "timeBoxMinutes" ? "Time box" : values.rows[Number(row[1])]?.kind === "topic" ? "Topic" : "Choice") : labels[key];
      failure.fieldErrors[key] = `${what ?? key} ${message}.`;
    }
    return { ...failure, values };
  }
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

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
      {data.canChair && data.options ? <ScheduleForm options={data.options} /> : null}
    </>
  );
}

interface Row extends RowValues {
  key: number;
}

let nextKey = 1;

/** The agenda suggested for a new session: the submitted proposals and the boards due for review. */
function suggestedRows(options: NonNullable<LoaderData["options"]>): Row[] {
  const rows: Row[] = [
    ...options.proposals.slice(0, 6).map((p) => ({ key: nextKey++, kind: "proposal" as const, ref: p.id, minutes: "10" })),
    ...options.boards
      .filter((b) => b.due)
      .slice(0, 4)
      .map((b) => ({ key: nextKey++, kind: "swot" as const, ref: b.segmentId, minutes: "15" })),
    ...options.alerts
      .filter((a) => a.band === "act")
      .slice(0, 3)
      .map((a) => ({ key: nextKey++, kind: "topic" as const, ref: a.topic, minutes: "10" })),
  ];
  return rows.length ? rows : [{ key: nextKey++, kind: "topic", ref: "", minutes: "10" }];
}

function ScheduleForm({ options }: { options: NonNullable<LoaderData["options"]> }) {
  const result = useActionData<typeof action>();
  const [rows, setRows] = useState<Row[]>(() => (result?.values.rows.length ? result.values.rows.map((r) => ({ ...r, key: nextKey++ })) : suggestedRows(options)));
  const [tzOffset, setTzOffset] = useState("0");
  useEffect(() => setTzOffset(String(new Date().getTimezoneOffset())), []);
  const errors = result?.fieldErrors ?? {};
  const update = (key: number, change: Partial<RowValues>) => setRows((all) => all.map((r) => (r.key === key ? { ...r, ...change } : r)));
  const add = (kind: AgendaKind) => setRows((all) => [...all, { key: nextKey++, kind, ref: "", minutes: kind === "swot" ? "15" : "10" }]);
  const move = (index: number, by: number) =>
    setRows((all) => {
      const next = [...all];
      const [row] = next.splice(index, 1);
      next.splice(Math.max(0, Math.min(next.length, index + by)), 0, row);
      return next;
    });
  return (
    <section className="card schedule-card" id="schedule" aria-labelledby="schedule-title">
      <h2 id="schedule-title" className="card__title">
        Schedule a session
      </h2>
      <p className="card__subtitle">
        You chair the sessions you schedule. Submitted proposals, SWOT boards due for review and monitoring alerts that call for action are suggested; give each item a time box.
      </p>
      <Form method="post" className="form" noValidate>
        {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
        <input type="hidden" name="tzOffset" value={tzOffset} />
        <div className="form-row">
          <TextField
            label="Title"
            name="title"
            required
            maxLength={200}
            placeholder="e.g. Q1 steering committee"
            defaultValue={result?.values.title}
            error={errors.title}
            fieldClassName="form-row__grow"
          />
          <TextField label="Date and time" name="scheduledAt" type="datetime-local" required defaultValue={result?.values.scheduledAt} error={errors.scheduledAt} />
        </div>
        <fieldset className="agenda-editor">
          <legend className="field__label">Agenda</legend>
          {errors.items ? (
            <p className="field__error" role="alert">
              {errors.items}
            </p>
          ) : null}
          {options.alerts.length ? (
            <datalist id="open-alerts">
              {options.alerts.map((a) => (
                <option key={a.id} value={a.topic} />
              ))}
            </datalist>
          ) : null}
          <ol className="agenda-editor__rows">
            {rows.map((row, index) => (
              <AgendaRow
                key={row.key}
                row={row}
                index={index}
                count={rows.length}
                options={options}
                errors={errors}
                onChange={(change) => update(row.key, change)}
                onMove={(by) => move(index, by)}
                onRemove={() => setRows((all) => all.filter((r) => r.key !== row.key))}
              />
            ))}
          </ol>
          <div className="agenda-editor__add">
            <span className="muted small">Add</span>
            <button type="button" className="button button--secondary button--sm" onClick={() => add("proposal")} disabled={!options.proposals.length}>
              <PlusIcon width={14} height={14} aria-hidden="true" /> Proposal
            </button>
            <button type="button" className="button button--secondary button--sm" onClick={() => add("swot")} disabled={!options.boards.length}>
              <PlusIcon width={14} height={14} aria-hidden="true" /> SWOT review
            </button>
            <button type="button" className="button button--secondary button--sm" onClick={() => add("topic")}>
              <PlusIcon width={14} height={14} aria-hidden="true" /> Topic or alert
            </button>
          </div>
          <p className="muted small">
            Total {rows.reduce((sum, r) => sum + (Number(r.minutes) || 0), 0)} minutes · {plural(rows.length, "item", "items")}
          </p>
        </fieldset>
        <div>
          <SubmitButton pendingLabel="Scheduling…">Schedule session</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

function AgendaRow({
  row,
  index,
  count,
  options,
  errors,
  onChange,
  onMove,
  onRemove,
}: {
  row: Row;
  index: number;
  count: number;
  options: NonNullable<LoaderData["options"]>;
  errors: Record<string, string>;
  onChange: (change: Partial<RowValues>) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const refError = errors[`items.${index}.proposalId`] ?? errors[`items.${index}.segmentId`] ?? errors[`items.${index}.title`] ?? errors[`items.${index}`];
  const minutesError = errors[`items.${index}.timeBoxMinutes`];
  const refLabel = row.kind === "proposal" ? "Proposal" : row.kind === "swot" ? "SWOT board" : "Topic";
  return (
    <li className={`agenda-row${refError || minutesError ? " agenda-row--invalid" : ""}`}>
      <span className="agenda-row__number" aria-hidden="true">
        {index + 1}
      </span>
      <div className="field agenda-row__kind">
        <label className="visually-hidden" htmlFor={`${id}-kind`}>
          Item {index + 1} type
        </label>
        <select id={`${id}-kind`} name="item.kind" className="input select" value={row.kind} onChange={(e) => onChange({ kind: e.target.value as AgendaKind, ref: "" })}>
          {Object.entries(AGENDA_KIND_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className={`field agenda-row__ref${refError ? " field--invalid" : ""}`}>
        <label className="visually-hidden" htmlFor={`${id}-ref`}>
          Item {index + 1} {refLabel.toLowerCase()}
        </label>
        {row.kind === "topic" ? (
          <input
            id={`${id}-ref`}
            name="item.ref"
            className="input"
            value={row.ref}
            maxLength={300}
            placeholder={options.alerts.length ? "A topic, or pick an open monitoring alert" : "A topic or an alert to discuss"}
            list={options.alerts.length ? "open-alerts" : undefined}
            onChange={(e) => onChange({ ref: e.target.value })}
            aria-invalid={refError ? true : undefined}
          />
        ) : (
          <select
            id={`${id}-ref`}
            name="item.ref"
            className="input select"
            value={row.ref}
            onChange={(e) => onChange({ ref: e.target.value })}
            aria-invalid={refError ? true : undefined}
          >
            <option value="" disabled>
              {row.kind === "proposal" ? "Choose a submitted proposal…" : "Choose a segment's board…"}
            </option>
            {row.kind === "proposal"
              ? options.proposals.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.title} ({p.segment})
                  </option>
                ))
              : options.boards.map((b) => (
                  <option key={b.segmentId} value={b.segmentId}>
                    {b.segment}
                    {b.reviewDueOn ? ` — review ${b.due ? "due" : "planned"} ${b.reviewDueOn}` : ""}
                  </option>
                ))}
          </select>
        )}
        {refError ? (
          <p className="field__error" role="alert">
            {refError}
          </p>
        ) : null}
      </div>
      <div className={`field agenda-row__minutes${minutesError ? " field--invalid" : ""}`}>
        <label className="visually-hidden" htmlFor={`${id}-minutes`}>
          Item {index + 1} time box in minutes
        </label>
        <input
          id={`${id}-minutes`}
          name="item.minutes"
          className="input"
          type="number"
          min={1}
          max={240}
          value={row.minutes}
          onChange={(e) => onChange({ minutes: e.target.value })}
          aria-invalid={minutesError ? true : undefined}
        />
        <span className="agenda-row__unit">min</span>
        {minutesError ? (
          <p className="field__error" role="alert">
            {minutesError}
          </p>
        ) : null}
      </div>
      <div className="agenda-row__actions">
        <button type="button" className="button button--ghost button--sm" onClick={() => onMove(-1)} disabled={index === 0} aria-label={`Move item ${index + 1} up`}>
          ↑
        </button>
        <button type="button" className="button button--ghost button--sm" onClick={() => onMove(1)} disabled={index === count - 1} aria-label={`Move item ${index + 1} down`}>
          ↓
        </button>
        <button type="button" className="button button--ghost button--sm button--danger-text" onClick={onRemove} aria-label={`Remove item ${index + 1}`}>
          Remove
        </button>
      </div>
    </li>
  );
}
