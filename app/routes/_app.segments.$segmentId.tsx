import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { SegmentSizeChart } from "~/components/charts/segment-size-chart";
import { ConfirmActions } from "~/components/confirm-actions";
import kpiStyles from "~/components/kpis/kpis.css?url";
import { SegmentKpis } from "~/components/kpis/segment-kpis";
import { loadSegmentKpis } from "~/components/kpis/segment-kpis.server";
import { Notice } from "~/components/notice";
import { PageHeader } from "~/components/page-header";
import { SegmentStatusBadge } from "~/components/segments/badges";
import { DefinitionView } from "~/components/segments/definition-view";
import { openProposals, ProposalsInbox } from "~/components/segments/proposals-inbox";
import { VersionHistory } from "~/components/segments/version-history";
import { SubmitButton } from "~/components/submit-button";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { formatDate } from "~/lib/format";
import { formatNumber, namesFrom } from "~/lib/segments";
import { requirePermission } from "~/lib/session.server";
import { useMe } from "~/lib/use-me";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: kpiStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data && "segment" in data ? data.segment.name : "Segment"} · Segments · Quorum` },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "segment:read");
  return loadOrFail(request, async () => {
    const segmentId = params.segmentId ?? "";
    const [segment, options, proposals, swot, kpis] = await Promise.all([
      context.trpc.segments.get({ segmentId }),
      context.trpc.segments.builderOptions(),
      context.trpc.segments.proposals({ segmentId }),
      context.trpc.swot.get({ segmentId }).then((b) => b.schedule),
      loadSegmentKpis(context, segmentId, me.permissions),
    ]);
    return { ...segment, options, proposals: openProposals(proposals), swot, kpis };
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const intent = field(form, "intent");
  const segmentId = params.segmentId ?? "";
  try {
    let created;
    if (intent === "change") created = await context.trpc.segments.createProposal({ kind: "change", segmentId });
    else if (intent === "retire") created = await context.trpc.segments.createProposal({ kind: "retire", segmentId });
    else if (intent.startsWith("restore-")) {
      created = await context.trpc.segments.createProposal({ kind: "restore", segmentId, version: Number(field(form, "version")) });
    } else return { formError: "Unknown action. Reload the page and try again." };
    return redirect(`/segments/proposals/${created.proposalId}`);
  } catch (error) {
    return { formError: formFailure(error, request).formError ?? "The proposal could not be created." };
  }
}

export default function SegmentPage() {
  const { segment, current, history, options, proposals, swot, kpis } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const me = useMe();
  const [confirmRetire, setConfirmRetire] = useState(false);
  const names = namesFrom(options);
  const active = segment.status === "active";
  const canPropose = me.can("segment:propose");

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/segments">Segments</Link>
        {segment.parent ? (
          <>
            <span aria-hidden="true"> / </span>
            <Link to={`/segments/${segment.parent.id}`}>{segment.parent.name}</Link>
          </>
        ) : null}
      </nav>
      <PageHeader
        title={
          <>
            {segment.name} <SegmentStatusBadge status={segment.status === "proposed" && !proposals.length ? "not adopted" : segment.status} />
          </>
        }
        description={current?.description || undefined}
        actions={
          canPropose ? (
            <>
              {active ? (
                <Form method="post">
                  <SubmitButton intent="change" pendingLabel="Creating the proposal…">
                    Propose a change
                  </SubmitButton>
                </Form>
              ) : null}
              {active && !segment.parent ? (
                <Link to={`/segments/new?parent=${segment.id}`} className="button button--secondary">
                  Propose a regional variant
                </Link>
              ) : null}
              {active ? (
                <button
                  type="button"
                  className="button button--ghost button--danger-text"
                  aria-expanded={confirmRetire}
                  onClick={() => setConfirmRetire(!confirmRetire)}
                >
                  Propose retirement
                </button>
              ) : null}
            </>
          ) : null
        }
      />
      <p className="segment-swot-link">
        <Link to={`/swot/${segment.id}`}>SWOT board</Link>
        <span className="muted">
          {" · "}
          {swot.reviewDueOn
            ? `${swot.due === "overdue" ? "review overdue since" : "next review due"} ${formatDate(swot.reviewDueOn)}`
            : "no review planned"}
          {swot.lastReviewedAt ? ` · last reviewed ${formatDate(swot.lastReviewedAt)}` : ""}
        </span>
      </p>
      {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
      {confirmRetire ? (
        <Form method="post" className="card confirm-card" aria-label={`Propose retiring ${segment.name}`}>
          <p>
            Propose retiring <strong>{segment.name}</strong>? If the committee approves, it stops being published and its{" "}
            {formatNumber(segment.memberCount ?? 0)} members leave it; every version stays here and can be restored.
          </p>
          <ConfirmActions
            intent="retire"
            label="Create retirement proposal"
            pendingLabel="Creating the proposal…"
            busy={false}
            onCancel={() => setConfirmRetire(false)}
          />
        </Form>
      ) : null}

      <dl className="stat-grid stat-grid--five">
        <div className="stat">
          <dt className="stat__label">Published version</dt>
          <dd className="stat__value">{segment.currentVersion ? `v${segment.currentVersion}` : "—"}</dd>
          <dd className="stat__hint">{history.length ? `${history.length} in its history` : "Not published yet"}</dd>
        </div>
        <div className="stat">
          <dt className="stat__label">Customers</dt>
          <dd className="stat__value">{segment.memberCount === null ? "—" : formatNumber(segment.memberCount)}</dd>
          <dd className="stat__hint">{active ? "In the published version" : segment.status === "retired" ? "Retired: no members" : "Once published"}</dd>
        </div>
        <div className="stat">
          <dt className="stat__label">Owner</dt>
          <dd className="stat__value stat__value--text">{segment.owner ?? "—"}</dd>
        </div>
        <div className="stat">
          <dt className="stat__label">Region</dt>
          <dd className="stat__value stat__value--text">{segment.region ?? "Global"}</dd>
          {segment.parent ? (
            <dd className="stat__hint">
              Variant of <Link to={`/segments/${segment.parent.id}`}>{segment.parent.name}</Link>
            </dd>
          ) : null}
        </div>
        <div className="stat">
          <dt className="stat__label">Priority</dt>
          <dd className="stat__value">#{segment.priority}</dd>
          <dd className="stat__hint">Used by exclusive assignment</dd>
        </div>
      </dl>

      {proposals.length || segment.status === "proposed" ? (
        <section className="card card--flush" aria-labelledby="proposals-title" id="proposals">
          <div className="card__header card__header--padded">
            <h2 id="proposals-title" className="card__title">
              Open proposals <span className="count">{proposals.length}</span>
            </h2>
          </div>
          <ProposalsInbox
            proposals={proposals}
            showSegment={false}
            emptyText="No proposal is open: this segment was never published. Propose it again as a new segment."
          />
        </section>
      ) : null}

      {current ? (
        <div className="segment-grid">
          <section className="card" aria-labelledby="definition-title">
            <h2 id="definition-title" className="card__title">
              Current definition <span className="muted small">version {segment.currentVersion}</span>
            </h2>
            <DefinitionView definition={current} names={names} />
          </section>
          <section className="card" aria-labelledby="size-title">
            <h2 id="size-title" className="card__title">
              Size over time
            </h2>
            <p className="card__subtitle">Customers in each published version, by the date it was published.</p>
            <SegmentSizeChart
              title={`Customers in ${segment.name} per version`}
              points={history.map((h) => ({ version: h.version, publishedAt: h.publishedAt, memberCount: h.memberCount }))}
            />
          </section>
        </div>
      ) : null}

      <SegmentKpis series={kpis.series} alerts={kpis.alerts} />

      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title" className="card__title">
          History <span className="count">{history.length}</span>
        </h2>
        <p className="card__subtitle">
          Every published version, who proposed and approved it, what changed and whom it added or removed.
        </p>
        {history.length ? (
          <VersionHistory segmentId={segment.id} history={history} currentVersion={segment.currentVersion} canRestore={canPropose} />
        ) : (
          <p className="muted">No version has been published yet: the committee has not approved this segment’s first proposal.</p>
        )}
      </section>
    </>
  );
}
