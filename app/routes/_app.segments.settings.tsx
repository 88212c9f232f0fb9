import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { TextField } from "~/components/form-field";
import { Notice } from "~/components/notice";
import { PageHeader } from "~/components/page-header";
import { SubmitButton } from "~/components/submit-button";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { approvalRuleInWords } from "~/lib/segments";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Settings · Segments · Quorum" }];

const ASSIGNMENT = {
  overlapping: {
    label: "Overlapping segments",
    description:
      "A customer belongs to every segment whose rules they match. Sizes add up to more than your customer base; good when segments answer different questions.",
  },
  exclusive: {
    label: "Exclusive assignment",
    description:
      "A customer belongs to one segment only: the first in priority order whose rules they match. Sizes add up to at most your customer base; good for one campaign per customer.",
  },
} as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "segment:read");
  const settings = await loadOrFail(request, () => context.trpc.segments.settings());
  return { settings, canConfigure: me.permissions.includes("segment:configure") };
}

/** "12" for 0.12, without float noise. */
function percentOf(share: number): string {
  return String(Number((share * 100).toFixed(2)));
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = {
    assignment: field(form, "assignment"),
    minApprovals: field(form, "minApprovals").trim(),
    rejectionVetoes: form.get("rejectionVetoes") === "on",
    quorumPercent: field(form, "quorumPercent").trim().replace(",", "."),
  };
  const fieldErrors: Record<string, string> = {};
  const minApprovals = Number(values.minApprovals);
  if (!/^\d+$/.test(values.minApprovals) || minApprovals < 1 || minApprovals > 50) {
    fieldErrors.minApprovals = `Enter a whole number from 1 to 50 (got “${values.minApprovals}”).`;
  }
  const quorum = Number(values.quorumPercent);
  if (!values.quorumPercent || !Number.isFinite(quorum) || quorum < 0 || quorum > 100) {
    fieldErrors.quorumPercent = `Enter a percentage from 0 to 100 (got “${values.quorumPercent}”).`;
  }
  if (values.assignment !== "exclusive" && values.assignment !== "overlapping") {
    fieldErrors.assignment = "Choose overlapping segments or exclusive assignment.";
  }
  if (Object.keys(fieldErrors).length) return { ok: false as const, formError: null, fieldErrors, values };
  try {
    await context.trpc.segments.updateSettings({
      assignment: values.assignment as "exclusive" | "overlapping",
      approval: { minApprovals, rejectionVetoes: values.rejectionVetoes, quorum: quorum / 100 },
    });
    return { ok: true as const, formError: null, fieldErrors, values };
  } catch (error) {
    const failure = formFailure(error, request);
    const mapped: Record<string, string> = {};
    for (const [key, message] of Object.entries(failure.fieldErrors)) {
      const name = key === "approval.quorum" ? "quorumPercent" : key.replace(/^approval\./, "");
      mapped[name] = message;
    }
    return { ok: false as const, formError: failure.formError, fieldErrors: mapped, values };
  }
}

export default function SegmentSettings() {
  const { settings, canConfigure } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failed = result?.ok === false ? result.values : null;
  const assignment = failed?.assignment ?? settings.assignment;
  return (
    <>
      <PageHeader
        title="Segment settings"
        description="How customers are assigned to segments and how the committee approves proposals."
        actions={
          <Link to="/segments" className="button button--ghost">
            Back to segments
          </Link>
        }
      />
      {canConfigure ? (
        <Form method="post" className="stack" noValidate>
          {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
          {result?.ok ? <Notice tone="success">Segment settings saved.</Notice> : null}
          <section className="card" aria-labelledby="assignment-title">
            <h2 id="assignment-title" className="card__title">
              Assignment
            </h2>
            <p className="card__subtitle">
              Changing this re-reads the published memberships; no segment is republished. The priority order is set on the
              segments page.
            </p>
            <fieldset className="field choice-group" aria-describedby={result?.fieldErrors.assignment ? "assignment-error" : undefined}>
              <legend className="visually-hidden">Assignment mode</legend>
              <div className="choice-group__options">
                {(["overlapping", "exclusive"] as const).map((mode) => (
                  <label key={mode} className="choice">
                    <input type="radio" name="assignment" value={mode} defaultChecked={assignment === mode} />
                    <span className="choice__text">
                      <span className="choice__label">{ASSIGNMENT[mode].label}</span>
                      <span className="choice__description">{ASSIGNMENT[mode].description}</span>
                    </span>
                  </label>
                ))}
              </div>
              {result?.fieldErrors.assignment ? (
                <p className="field__error" id="assignment-error" role="alert">
                  {result.fieldErrors.assignment}
                </p>
              ) : null}
            </fieldset>
          </section>
          <section className="card" aria-labelledby="approval-title">
            <h2 id="approval-title" className="card__title">
              Approval rule
            </h2>
            <p className="card__subtitle">
              Committee members vote on submitted proposals; a proposal is published as soon as the rule is met. Admins can
              still approve or reject regardless of the votes, recorded as an override.
            </p>
            <div className="form settings-form">
              <TextField
                label="Approvals needed"
                name="minApprovals"
                type="number"
                inputMode="numeric"
                min={1}
                max={50}
                step={1}
                required
                defaultValue={failed ? failed.minApprovals : String(settings.approval.minApprovals)}
                error={result?.fieldErrors.minApprovals}
                description="At least this many committee members must approve, and approvals must outnumber rejections."
                fieldClassName="settings-form__narrow"
              />
              <label className="checkbox-line">
                <input
                  type="checkbox"
                  name="rejectionVetoes"
                  defaultChecked={failed ? failed.rejectionVetoes : settings.approval.rejectionVetoes}
                />
                <span>
                  <strong>Any rejection vetoes</strong>
                  <span className="muted small">One committee member voting against rejects the proposal at once.</span>
                </span>
              </label>
              <TextField
                label="Quorum (% of the committee that must vote)"
                name="quorumPercent"
                type="number"
                inputMode="decimal"
                min={0}
                max={100}
                step="any"
                required
                defaultValue={failed ? failed.quorumPercent : percentOf(settings.approval.quorum)}
                error={result?.fieldErrors.quorumPercent}
                description="Of the eligible committee: everyone on it but the proposer. 0 means no quorum."
                fieldClassName="settings-form__narrow"
              />
              <p className="muted small">Now: {approvalRuleInWords(settings.approval)}</p>
            </div>
          </section>
          <div>
            <SubmitButton pendingLabel="Saving…">Save segment settings</SubmitButton>
          </div>
        </Form>
      ) : (
        <section className="card" aria-labelledby="rules-title">
          <h2 id="rules-title" className="card__title">
            How this workspace runs its segments
          </h2>
          <dl className="settings-summary">
            <div>
              <dt>Assignment</dt>
              <dd>
                <strong>{ASSIGNMENT[settings.assignment].label}.</strong> {ASSIGNMENT[settings.assignment].description}
              </dd>
            </div>
            <div>
              <dt>Approval rule</dt>
              <dd>{approvalRuleInWords(settings.approval)}</dd>
            </div>
          </dl>
          <p className="muted small">Owners and admins can change these settings.</p>
        </section>
      )}
    </>
  );
}
