import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { ConfirmActions } from "~/components/confirm-actions";
import { PageHeader } from "~/components/page-header";
import { instantFrom, itemsFrom, labelFieldErrors, localInput, rowsFrom } from "~/components/sessions/agenda-form.server";
import { ScheduleForm, type ScheduleFormResult } from "~/components/sessions/schedule-form";
import sessionStyles from "~/components/sessions/sessions.css?url";
import { errorPage, field, formFailure, loadOrFail } from "~/lib/errors.server";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: sessionStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Change ${data && "title" in data ? data.title : "session"} · Sessions · Quorum` }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, "session:chair");
  return loadOrFail(request, async () => {
    const [view, options] = await Promise.all([context.trpc.sessions.get({ sessionId: params.sessionId ?? "" }), context.trpc.sessions.agendaOptions()]);
    if (!view.can.run) throw errorPage(403, "Only the session's chair (or an owner or admin) may change it.");
    if (view.session.status !== "scheduled") throw redirect(`/sessions/${view.session.id}`);
    // The agenda's proposals are submitted ones; keep them selectable even if the options were read a moment apart.
    const proposals = [...options.proposals];
    for (const item of view.items) {
      if (item.kind === "proposal" && item.proposalId && !proposals.some((p) => p.id === item.proposalId)) {
        proposals.push({ id: item.proposalId, title: item.title, segment: "", submittedAt: null });
      }
    }
    return {
      sessionId: view.session.id,
      title: view.session.title,
      scheduledAt: view.session.scheduledAt.toISOString(),
      initial: {
        title: view.session.title,
        scheduledAt: localInput(view.session.scheduledAt),
        rows: view.items.map((i) => ({
          kind: i.kind,
          ref: i.kind === "proposal" ? (i.proposalId ?? "") : i.kind === "swot" ? (i.segmentId ?? "") : i.title,
          minutes: String(i.timeBoxMinutes),
        })),
      },
      options: { ...options, proposals },
    };
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const sessionId = params.sessionId ?? "";
  if (field(form, "intent") === "cancel") {
    try {
      await context.trpc.sessions.cancel({ sessionId });
      return redirect("/sessions?cancelled=1");
    } catch (error) {
      return { ...formFailure(error, request), values: { title: "", scheduledAt: "", rows: [] } } satisfies ScheduleFormResult;
    }
  }
  const values = { title: field(form, "title"), scheduledAt: field(form, "scheduledAt"), rows: rowsFrom(form) };
  const scheduledAt = instantFrom(values.scheduledAt, field(form, "tzOffset"));
  const fieldErrors: Record<string, string> = {};
  if (!scheduledAt) fieldErrors.scheduledAt = "Choose the date and time of the session.";
  if (!values.rows.length) fieldErrors.items = "Add at least one agenda item.";
  if (Object.keys(fieldErrors).length) return { formError: null, fieldErrors, values } satisfies ScheduleFormResult;
  try {
    await context.trpc.sessions.update({ sessionId, title: values.title, scheduledAt: scheduledAt!, items: itemsFrom(values.rows) });
    return redirect(`/sessions/${sessionId}`);
  } catch (error) {
    const failure = formFailure(error, request);
    labelFieldErrors(failure.fieldErrors, values.rows);
    return { ...failure, values } satisfies ScheduleFormResult;
  }
}

export default function EditSession() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [confirmCancel, setConfirmCancel] = useState(false);
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/sessions">Sessions</Link>
        <span aria-hidden="true"> / </span>
        <Link to={`/sessions/${data.sessionId}`}>{data.title}</Link>
      </nav>
      <PageHeader title="Change the session" description="Its title, time and agenda can change until it starts. Everyone in the room sees the new agenda at once." />
      <section className="card schedule-card" aria-labelledby="edit-title">
        <h2 id="edit-title" className="card__title">
          Title, time and agenda
        </h2>
        <ScheduleForm
          options={data.options}
          result={result && result.values.rows.length ? result : undefined}
          initial={data.initial}
          initialInstant={data.scheduledAt}
          submitLabel="Save changes"
          pendingLabel="Saving…"
        >
          <Link to={`/sessions/${data.sessionId}`} className="button button--ghost">
            Back to the session
          </Link>
        </ScheduleForm>
      </section>
      <section className="card" aria-labelledby="cancel-title">
        <h2 id="cancel-title" className="card__title">
          Cancel the session
        </h2>
        <p className="card__subtitle">It is removed from the list; the audit log keeps its title and agenda.</p>
        {result?.formError && !result.values.rows.length ? <p className="field__error">{result.formError}</p> : null}
        {confirmCancel ? (
          <Form method="post" aria-label="Cancel this session">
            <ConfirmActions intent="cancel" label="Cancel session" pendingLabel="Cancelling…" busy={false} onCancel={() => setConfirmCancel(false)} cancelLabel="Keep it" />
          </Form>
        ) : (
          <button type="button" className="button button--secondary button--danger-text" onClick={() => setConfirmCancel(true)}>
            Cancel this session…
          </button>
        )}
      </section>
    </>
  );
}
