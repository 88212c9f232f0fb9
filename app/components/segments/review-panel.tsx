import { useFetcher } from "@remix-run/react";
import { useId } from "react";
import type { ApprovalRule, Verdict } from "../../../server/services/segments/approval";
import { Notice } from "../notice";
import { SubmitButton } from "../submit-button";
import { formatDateMinute } from "~/lib/format";
import { approvalRuleInWords, type ProposalStatus } from "~/lib/segments";

export interface ActionResult {
  intent: string;
  ok: boolean;
  formError?: string | null;
  fieldErrors?: Record<string, string>;
}

interface ReviewPanelProps {
  status: ProposalStatus;
  votes: { userId: string; name: string; vote: "approve" | "reject"; reason: string; at: string | Date }[];
  verdict: Verdict;
  rule: ApprovalRule;
  decision: { by: string | null; at: string | Date | null; reason: string | null; overridden: boolean; publishedVersion: number | null } | null;
  myVote: "approve" | "reject" | null;
  canVote: boolean;
  canOverride: boolean;
  /** Sent with the vote, for pages other than the proposal's own (a session room). */
  proposalId?: string;
}

/** A decision form: approve or reject, and why (the reason is required and shown to everyone). */
function DecisionForm({
  intent,
  title,
  description,
  submitLabel,
  defaultChoice,
  choiceName,
  proposalId,
}: {
  intent: "vote" | "decide";
  title: string;
  description: string;
  submitLabel: string;
  defaultChoice: "approve" | "reject" | null;
  choiceName: "vote" | "decision";
  proposalId?: string;
}) {
  const fetcher = useFetcher<ActionResult>();
  const id = useId();
  const result = fetcher.state === "idle" && fetcher.data?.intent === intent ? fetcher.data : null;
  const reasonError = result?.fieldErrors?.reason;
  const choiceError = result?.fieldErrors?.[choiceName];
  return (
    <fetcher.Form method="post" className={`decision-form decision-form--${intent}`} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="decision-form__title">
        {title}
      </h3>
      <p className="muted small">{description}</p>
      {proposalId ? <input type="hidden" name="proposalId" value={proposalId} /> : null}
      {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
      <fieldset className="decision-form__choices" aria-describedby={choiceError ? `${id}-choice-error` : undefined}>
        <legend className="visually-hidden">{title}</legend>
        <label className="choice choice--approve">
          <input type="radio" name={choiceName} value="approve" defaultChecked={defaultChoice === "approve"} required />
          <span className="choice__label">Approve</span>
        </label>
        <label className="choice choice--reject">
          <input type="radio" name={choiceName} value="reject" defaultChecked={defaultChoice === "reject"} />
          <span className="choice__label">Reject</span>
        </label>
      </fieldset>
      {choiceError ? (
        <p className="field__error" id={`${id}-choice-error`} role="alert">
          Choose approve or reject.
        </p>
      ) : null}
      <div className={`field${reasonError ? " field--invalid" : ""}`}>
        <label className="field__label" htmlFor={`${id}-reason`}>
          Reason
        </label>
        <textarea
          id={`${id}-reason`}
          name="reason"
          className="input textarea"
          rows={2}
          required
          maxLength={2000}
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={reasonError ? `${id}-reason-error` : undefined}
          placeholder="Why, in a sentence: it stays on the record"
        />
        {reasonError ? (
          <p className="field__error" id={`${id}-reason-error`} role="alert">
            Reason: {reasonError}
          </p>
        ) : null}
      </div>
      <div>
        <SubmitButton intent={intent} pending={fetcher.state !== "idle"} variant={intent === "decide" ? "secondary" : "primary"} pendingLabel="Recording…">
          {submitLabel}
        </SubmitButton>
      </div>
    </fetcher.Form>
  );
}

/**
 * The committee's side of a proposal: the votes so far with their reasons, the verdict of the
 * workspace's rule and the rule in words, the vote form for committee members and the
 * override form for admins; once decided, who decided and why.
 */
export function ReviewPanel({ status, votes, verdict, rule, decision, myVote, canVote, canOverride, proposalId }: ReviewPanelProps) {
  return (
    <section className="card review" aria-labelledby="review-title">
      <h2 id="review-title" className="card__title">
        Committee decision
      </h2>
      <p className="card__subtitle">{approvalRuleInWords(rule)}</p>

      {decision ? (
        <Notice
          tone={status === "approved" ? "success" : status === "rejected" ? "error" : "info"}
          title={
            status === "approved"
              ? `Approved${decision.overridden ? " by an admin's override" : ""}${decision.publishedVersion ? `: published as version ${decision.publishedVersion}` : ""}`
              : status === "rejected"
                ? `Rejected${decision.overridden ? " by an admin's override" : ""}`
                : "Withdrawn"
          }
        >
          {decision.by ? `${decision.by}` : "Someone"}
          {decision.at ? `, ${formatDateMinute(decision.at)}` : ""}
          {decision.reason ? ` — “${decision.reason}”` : ""}
        </Notice>
      ) : status === "submitted" ? (
        <p className={`verdict verdict--${verdict.outcome}`} role="status">
          <strong>
            {verdict.approvals} approval{verdict.approvals === 1 ? "" : "s"}, {verdict.rejections} rejection
            {verdict.rejections === 1 ? "" : "s"}
          </strong>{" "}
          of {verdict.eligible} eligible committee member{verdict.eligible === 1 ? "" : "s"}. {verdict.summary}
        </p>
      ) : (
        <p className="muted">Votes open once the draft is submitted.</p>
      )}

      {votes.length ? (
        <ul className="votes">
          {votes.map((v) => (
            <li key={v.userId} className={`vote vote--${v.vote}`}>
              <span className={`badge vote__badge vote__badge--${v.vote}`}>{v.vote === "approve" ? "Approved" : "Rejected"}</span>
              <span className="vote__who">{v.name}</span>
              <span className="vote__reason">“{v.reason}”</span>
              <span className="vote__when">{formatDateMinute(v.at)}</span>
            </li>
          ))}
        </ul>
      ) : status === "submitted" ? (
        <p className="muted small">No votes yet.</p>
      ) : null}

      {canVote ? (
        <DecisionForm
          intent="vote"
          choiceName="vote"
          title={myVote ? "Change your vote" : "Your vote"}
          description="Your vote and reason are recorded; the proposal is published as soon as the rule is met."
          submitLabel={myVote ? "Change vote" : "Cast vote"}
          defaultChoice={myVote}
          proposalId={proposalId}
        />
      ) : null}
      {canOverride ? (
        <DecisionForm
          intent="decide"
          choiceName="decision"
          title="Admin override"
          description="Approve or reject now, whatever the votes say. Recorded as an override with your reason."
          submitLabel="Record decision"
          defaultChoice={null}
        />
      ) : null}
    </section>
  );
}
