import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation, useActionData } from "@remix-run/react";
import { useState } from "react";
import { ConfirmActions } from "~/components/confirm-actions";
import { Notice } from "~/components/notice";
import monitoringStyles from "~/components/monitoring/monitoring.css?url";
import { BiasGatePanel, SegmentMonitoringPanel } from "~/components/monitoring/proposal-monitoring";
import { PageHeader } from "~/components/page-header";
import { ProposalKindTag, ProposalStatusBadge, StaleBadge } from "~/components/segments/badges";
import { Comments } from "~/components/segments/comments";
import { DefinitionView } from "~/components/segments/definition-view";
import { DiffView } from "~/components/segments/diff-view";
import { DraftWorkspace } from "~/components/segments/draft-workspace";
import { ImpactView } from "~/components/segments/impact-view";
import { ReviewPanel, type ActionResult } from "~/components/segments/review-panel";
import { SubmitButton } from "~/components/submit-button";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { formatDateMinute } from "~/lib/format";
import { formatNumber, namesFrom } from "~/lib/segments";
import { requirePermission } from "~/lib/session.server";
import { usePolling } from "~/lib/use-polling";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

const SESSION_OUTCOME_WORDS: Record<string, string> = { approved: "approved", rejected: "rejected", withdrawn: "withdrawn", undecided: "left undecided", "not-reached": "not reached" };

export const links: LinksFunction = () => [{ rel: "stylesheet", href: monitoringStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data && "proposal" in data ? data.proposal.title : "Proposal"} · Segments · Quorum` },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "segment:read");
  return loadOrFail(request, async () => {
    const proposalId = params.proposalId ?? "";
    const [view, options, sessions] = await Promise.all([
      context.trpc.segments.proposal({ proposalId }),
      context.trpc.segments.builderOptions(),
      me.permissions.includes("session:read") ? context.trpc.sessions.forProposal({ proposalId }) : [],
    ]);
    return {
      ...view,
      options,
      sessions,
      reader: { id: me.user.id, name: me.user.name, email: me.user.email },
      tenantId: me.workspace.tenantId,
    };
  });
}

export async function action({ request, params, context }: ActionFunctionArgs): Promise<ActionResult> {
  const form = await request.formData();
  const intent = field(form, "intent");
  const proposalId = params.proposalId ?? "";
  try {
    switch (intent) {
      case "submit":
        await context.trpc.segments.submit({ proposalId, stateVector: field(form, "stateVector") || undefined });
        break;
      case "reopen":
        await context.trpc.segments.reopen({ proposalId });
        break;
      case "withdraw":
        await context.trpc.segments.withdraw({ proposalId });
        break;
      case "rebase":
        await context.trpc.segments.rebase({ proposalId });
        break;
      case "vote":
        await context.trpc.segments.vote({ proposalId, vote: field(form, "vote") as "approve", reason: field(form, "reason") });
        break;
      case "decide":
        await context.trpc.segments.decide({ proposalId, decision: field(form, "decision") as "approve", reason: field(form, "reason") });
        break;
      case "justifyBias":
        await context.trpc.segments.justifyBias({ proposalId, justification: field(form, "justification") });
        break;
      case "comment":
        await context.trpc.segments.comment({ proposalId, body: field(form, "body"), threadId: field(form, "threadId") || null });
        break;
      default:
        return { intent, ok: false, formError: "Unknown action. Reload the page and try again." };
    }
    return { intent, ok: true };
  } catch (error) {
    return { intent, ok: false, ...formFailure(error, request) };
  }
}

export default function ProposalPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { proposal, segment, options, reader } = data;
  const [confirmWithdraw, setConfirmWithdraw] = useState(false);
  const names = namesFrom(options);
  const draft = proposal.status === "draft";
  const busy = (intent: string) => navigation.state !== "idle" && navigation.formData?.get("intent") === intent;
  const pageError = result && !result.ok && ["reopen", "withdraw", "rebase", "submit"].includes(result.intent) ? result.formError : null;
  const parentName = segment.parentId ? names.segment(segment.parentId) : null;
  const myVote = data.votes.find((v) => v.userId === reader.id)?.vote ?? null;
  // Others vote, comment, submit or withdraw meanwhile: an open proposal re-reads its page now and then.
  usePolling(draft || proposal.status === "submitted", 15_000);

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/segments">Segments</Link>
        <span aria-hidden="true"> / </span>
        <Link to={`/segments/${segment.id}`}>{segment.name}</Link>
      </nav>
      <PageHeader
        title={
          <>
            {proposal.title} <ProposalStatusBadge status={proposal.status} />
            {proposal.stale ? (
              <>
                {" "}
                <StaleBadge />
              </>
            ) : null}
          </>
        }
        description={
          <span className="proposal-meta">
            <ProposalKindTag kind={proposal.kind} />
            <span>
              {proposal.baseVersion ? `Based on version ${proposal.baseVersion}` : "A new segment"}
              {proposal.restoreVersion ? ` · restores version ${proposal.restoreVersion}` : ""}
            </span>
            <span>
              Proposed by {proposal.createdBy ?? "a former member"} on {formatDateMinute(proposal.createdAt)}
            </span>
            {proposal.submittedAt ? <span>Submitted {formatDateMinute(proposal.submittedAt)}</span> : null}
          </span>
        }
        actions={
          <>
            {data.can.reopen ? (
              <Form method="post">
                <SubmitButton intent="reopen" variant="secondary" pendingLabel="Reopening…">
                  Back to draft
                </SubmitButton>
              </Form>
            ) : null}
            {data.can.withdraw ? (
              <button
                type="button"
                className="button button--ghost button--danger-text"
                aria-expanded={confirmWithdraw}
                onClick={() => setConfirmWithdraw(!confirmWithdraw)}
              >
                Withdraw
              </button>
            ) : null}
          </>
        }
      />
      {pageError ? <Notice tone="error">{pageError}</Notice> : null}
      {data.sessions.map((s) => (
        <div className="decided-in-session" key={s.sessionId}>
          <Notice tone={s.outcome === "approved" ? "success" : s.outcome === "rejected" ? "error" : "info"}>
            {s.status !== "closed" ? "On the agenda of session " : s.outcome === "approved" || s.outcome === "rejected" ? "Decided in session " : "Discussed in session "}
            <Link to={`/sessions/${s.sessionId}`}>{s.title}</Link>
            {s.status === "closed" && s.closedAt ? ` (${formatDateMinute(s.closedAt)})` : ` (${formatDateMinute(s.scheduledAt)})`}
            {s.status === "closed" && s.outcome ? `: ${SESSION_OUTCOME_WORDS[s.outcome] ?? s.outcome}` : ""}
            {s.tally ? ` with ${s.tally.approvals} approval${s.tally.approvals === 1 ? "" : "s"} and ${s.tally.rejections} rejection${s.tally.rejections === 1 ? "" : "s"}.` : "."}
          </Notice>
        </div>
      ))}
      {confirmWithdraw ? (
        <Form method="post" className="card confirm-card" aria-label="Withdraw this proposal">
          <p>
            Withdraw <strong>{proposal.title}</strong>? It closes without a decision; its discussion stays readable.
            {proposal.kind === "create" ? " The segment was never published, so it will show as not adopted." : ""}
          </p>
          <ConfirmActions
            intent="withdraw"
            label="Withdraw proposal"
            pendingLabel="Withdrawing…"
            busy={busy("withdraw")}
            onCancel={() => setConfirmWithdraw(false)}
          />
        </Form>
      ) : null}
      {proposal.stale ? (
        <Notice tone="warning" title="The segment changed after this proposal was written">
          <p>
            It is based on version {proposal.baseVersion ?? "none"}, but version {segment.currentVersion} is published now.{" "}
            {data.can.rebase
              ? "Rebase it onto the published version: it goes back to draft, its votes are cleared, and its changes are shown against the new version before you submit again."
              : "The proposer or an admin must rebase it before anyone can vote on it."}
          </p>
          {data.can.rebase ? (
            <Form method="post" className="notice__action">
              <SubmitButton intent="rebase" variant="secondary" size="sm" pendingLabel="Rebasing…">
                Rebase onto version {segment.currentVersion}
              </SubmitButton>
            </Form>
          ) : null}
        </Notice>
      ) : null}

      {draft && proposal.kind !== "retire" ? (
        <DraftWorkspace
          key={proposal.id}
          tenantId={data.tenantId}
          docName={proposal.doc}
          user={{ id: reader.id, name: reader.name }}
          proposalId={proposal.id}
          segment={{ id: segment.id, name: segment.name, currentVersion: segment.currentVersion, parentName }}
          base={data.base}
          canEdit={data.can.edit}
          canSubmit={data.can.submit}
          options={{
            attributes: options.attributes,
            segments: options.segments.filter((s) => s.id !== segment.id),
            regions: options.regions,
            rfmSegments: options.rfmSegments,
            values: options.values,
            clusters: options.clusters,
            members: options.members,
          }}
          names={names}
        />
      ) : (
        <>
          {proposal.kind === "retire" ? (
            <Notice tone="info" title={proposal.status === "approved" ? "This segment was retired" : "This proposal retires the segment"}>
              {proposal.status === "approved"
                ? "It is no longer published; its versions are kept and can be restored."
                : `If approved, “${segment.name}” stops being published and its ${formatNumber(segment.memberCount ?? 0)} members leave it. Every version stays in its history and can be restored.`}
            </Notice>
          ) : null}
          <div className="segment-grid">
            <section className="card" aria-labelledby="frozen-title">
              <h2 id="frozen-title" className="card__title">
                {draft ? "The definition" : "The definition as submitted"}
              </h2>
              {data.definition ? (
                <DefinitionView definition={data.definition} names={names} />
              ) : (
                <p className="muted">The draft is not complete: {data.definitionIssues}</p>
              )}
            </section>
            <section className="card" aria-labelledby="diff-title">
              <h2 id="diff-title" className="card__title">
                {data.base ? `Changes against version ${proposal.baseVersion}` : "What this proposal creates"}
              </h2>
              {proposal.kind === "retire" ? (
                <p className="muted">The definition stays as it is; the segment stops being published.</p>
              ) : data.diff ? (
                <DiffView diff={data.diff} emptyText="The definition does not change." />
              ) : (
                <p className="muted">Shown once the definition is complete.</p>
              )}
            </section>
          </div>
          {proposal.kind !== "retire" ? (
            <section className="card" aria-labelledby="impact-title">
              <h2 id="impact-title" className="card__title">
                Impact
              </h2>
              <p className="card__subtitle">
                {proposal.status === "approved"
                  ? "Who this definition selects now."
                  : "Who this definition would select if it were published now."}
              </p>
              {data.impact ? (
                <ImpactView impact={data.impact} segmentName={segment.name} />
              ) : (
                <Notice tone="warning">{data.impactError ?? "No impact can be computed for this definition."}</Notice>
              )}
            </section>
          ) : null}
          {draft && data.can.submit ? (
            <section className="card submit-card" aria-labelledby="submit-title">
              <h2 id="submit-title" className="card__title">
                Submit for review
              </h2>
              <Form method="post">
                <SubmitButton intent="submit" pendingLabel="Submitting…">
                  Submit for review
                </SubmitButton>
              </Form>
            </section>
          ) : null}
        </>
      )}

      {data.biasGate ? (
        <BiasGatePanel
          gate={data.biasGate}
          status={proposal.status}
          justification={
            proposal.biasJustification ? { text: proposal.biasJustification, by: proposal.biasJustifiedBy, at: proposal.biasJustifiedAt } : null
          }
          canJustify={data.can.justifyBias}
        />
      ) : null}

      {proposal.status !== "draft" ? (
        <ReviewPanel
          status={proposal.status}
          votes={data.votes}
          verdict={data.verdict}
          rule={data.approvalRule}
          decision={
            proposal.decidedAt
              ? {
                  by: proposal.decidedBy,
                  at: proposal.decidedAt,
                  reason: proposal.decisionReason,
                  overridden: proposal.overridden,
                  publishedVersion: proposal.publishedVersion,
                }
              : null
          }
          myVote={myVote}
          canVote={data.can.vote}
          canOverride={data.can.override}
        />
      ) : null}

      {data.monitoring && (segment.currentVersion || data.monitoring.openedBy) ? (
        <SegmentMonitoringPanel monitoring={data.monitoring} segmentName={segment.name} />
      ) : null}

      <Comments threads={data.comments} reader={reader} canComment={data.can.comment} />
    </>
  );
}
