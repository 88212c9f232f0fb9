import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { Notice } from "~/components/notice";
import { PageHeader } from "~/components/page-header";
import { DueBadge } from "~/components/swot/panels";
import styles from "~/components/swot/swot.css?url";
import { areaByPath } from "~/lib/areas";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { formatDate } from "~/lib/format";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

const AREA = areaByPath("/swot");

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: `${AREA.label} · Quorum` }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, AREA.permission);
  return loadOrFail(request, async () => {
    const [{ boards, today }, { teams }] = await Promise.all([context.trpc.swot.list(), context.trpc.swot.teams()]);
    return { boards, today, teams, mayConfigure: me.permissions.includes("swot:configure") };
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  try {
    const teams = field(form, "teams")
      .split(/[\n,]/)
      .map((t) => t.trim())
      .filter(Boolean);
    await context.trpc.swot.updateTeams({ teams });
    return { ok: true as const, formError: null };
  } catch (error) {
    return { ok: false as const, ...formFailure(error, request) };
  }
}

export default function SwotIndex() {
  const { boards, teams, mayConfigure } = useLoaderData<typeof loader>();
  const saved = useActionData<typeof action>();
  const overdue = boards.filter((b) => b.due === "overdue").length;
  const dueSoon = boards.filter((b) => b.due === "due-soon").length;
  return (
    <div className="stack">
      <PageHeader
        title="SWOT boards"
        description={
          boards.length
            ? `One board per segment and regional variant, co-edited live. ${overdue ? `${overdue} overdue` : "None overdue"}${dueSoon ? `, ${dueSoon} due within 30 days` : ""}.`
            : "One board per segment and regional variant, co-edited live."
        }
      />
      {boards.length === 0 ? (
        <EmptyState icon={AREA.icon} title={AREA.emptyTitle} features={AREA.features} action={<Link className="button button--primary" to="/segments/new">Propose a segment</Link>}>
          Every segment gets a board once it exists: create or import segments first.
        </EmptyState>
      ) : (
        <section className="card card--flush">
          <div className="table-wrap">
            <table className="table swot-index">
              <thead>
                <tr>
                  <th scope="col">Segment</th>
                  <th scope="col">Region</th>
                  <th scope="col" className="num">
                    Cards
                  </th>
                  <th scope="col">Last reviewed</th>
                  <th scope="col">Review due</th>
                  <th scope="col">Cadence</th>
                </tr>
              </thead>
              <tbody>
                {boards.map((b) => (
                  <tr key={b.segmentId}>
                    <td>
                      <Link to={`/swot/${b.segmentId}`} className="swot-index__name">
                        {b.parentName ? <span className="muted">{b.parentName} › </span> : null}
                        {b.name}
                      </Link>
                      {b.status !== "active" ? <span className="muted"> · {b.status}</span> : null}
                    </td>
                    <td>{b.region ?? <span className="muted">Global</span>}</td>
                    <td className="num">{b.cards}</td>
                    <td>{b.lastReviewedAt ? `${formatDate(b.lastReviewedAt)} (${b.reviews})` : <span className="muted">Never</span>}</td>
                    <td>
                      <DueBadge due={b.due} on={b.reviewDueOn} />
                    </td>
                    <td>{b.reviewEveryMonths ? (b.reviewEveryMonths === 12 ? "Yearly" : `Every ${b.reviewEveryMonths} months`) : <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      <section className="card" aria-labelledby="swot-teams-title">
        <h2 className="card__title" id="swot-teams-title">
          Teams
        </h2>
        <p className="muted">Cards name the team that wrote them, so the board can be filtered to see where teams disagree.</p>
        {mayConfigure ? (
          <Form method="post" className="swot-teams">
            <label className="field">
              <span className="field__label">Teams of this workspace (one per line or comma-separated)</span>
              <textarea name="teams" className="input" rows={3} defaultValue={teams.join("\n")} aria-describedby={saved && !saved.ok ? "swot-teams-error" : undefined} />
            </label>
            {saved && !saved.ok ? (
              <Notice tone="error" id="swot-teams-error">
                {saved.formError ?? Object.values(saved.fieldErrors).join(" ")}
              </Notice>
            ) : null}
            {saved?.ok ? <Notice tone="success">Teams saved.</Notice> : null}
            <button type="submit" className="button button--secondary">
              Save teams
            </button>
          </Form>
        ) : (
          <div className="swot-teams__list">
            {teams.map((t) => (
              <span key={t} className="chip">
                {t}
              </span>
            ))}
          </div>
        )}
      </section>
    </div>
  );
}
