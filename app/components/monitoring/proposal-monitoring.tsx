import { Link, useFetcher } from "@remix-run/react";
import { useId } from "react";
import { DECISION_USE_LABELS, type DecisionUse } from "../../../server/services/segments/definition";
import { Notice } from "../notice";
import type { ActionResult } from "../segments/review-panel";
import { SubmitButton } from "../submit-button";
import { formatDateMinute, plural } from "~/lib/format";
import { BandBadge } from "./panels";

type When = string | Date;

export interface GateView {
  decisionUse: DecisionUse;
  attributes: { attribute: string; minDiVsMax: number | null; failing: number }[];
  failures: { attribute: string; group: string; ratio: number; topGroup: string; rate: number; topRate: number; n: number }[];
  passes: boolean;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * The decision-use gate on a proposal (decision 011): the flag, the bias audit of the membership
 * this definition would publish, the committee's justification and, for those who may record
 * one, the form.
 */
export function BiasGatePanel({
  gate,
  status,
  justification,
  canJustify,
}: {
  gate: GateView;
  status: string;
  justification: { text: string; by: string | null; at: When | null } | null;
  canJustify: boolean;
}) {
  const fetcher = useFetcher<ActionResult>();
  const id = useId();
  const result = fetcher.state === "idle" && fetcher.data?.intent === "justifyBias" ? fetcher.data : null;
  const error = result?.fieldErrors?.justification ?? null;
  const open = status === "draft" || status === "submitted";
  return (
    <section className="card bias-gate" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="card__title">
        Bias check before publishing <span className="badge">{DECISION_USE_LABELS[gate.decisionUse]}</span>
      </h2>
      <p className="card__subtitle">
        This segment is used for {DECISION_USE_LABELS[gate.decisionUse].toLowerCase()}: the members it would publish are audited against
        every protected attribute. A group of 30 or more selected at under four-fifths (0.8) of the top group's rate is a flag for the
        committee, not a verdict — it publishes only with a recorded justification.
      </p>
      {gate.attributes.length === 0 ? (
        <p className="muted">No attribute is marked protected, so there is nothing to audit. Mark attributes as protected on the Data page.</p>
      ) : (
        <table className="table monitor-table">
          <thead>
            <tr>
              <th scope="col">Protected attribute</th>
              <th scope="col" className="num">
                Lowest rate ÷ top rate
              </th>
              <th scope="col">Four-fifths rule</th>
            </tr>
          </thead>
          <tbody>
            {gate.attributes.map((a) => (
              <tr key={a.attribute}>
                <th scope="row">{a.attribute}</th>
                <td className="num">{a.minDiVsMax === null ? "—" : a.minDiVsMax.toFixed(2)}</td>
                <td>
                  {a.failing ? (
                    <span className="badge badge--band-watch">{plural(a.failing, "group under 0.8", "groups under 0.8")}</span>
                  ) : (
                    <span className="badge badge--band-none">Passes</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {gate.failures.length ? (
        <ul className="bias-gate__failures">
          {gate.failures.map((f) => (
            <li key={`${f.attribute}/${f.group}`}>
              Group <strong>{f.group}</strong> of <strong>{f.attribute}</strong> ({f.n.toLocaleString("en")} people) is selected at{" "}
              <strong>{f.ratio.toFixed(2)}×</strong> the rate of <strong>{f.topGroup}</strong> ({pct(f.rate)} against {pct(f.topRate)}).
            </li>
          ))}
        </ul>
      ) : null}
      {gate.passes ? (
        <Notice tone="success">Every group is selected at four-fifths of the top group's rate or more: no justification is needed.</Notice>
      ) : justification ? (
        <Notice tone="info" title="Justification recorded">
          <p>“{justification.text}”</p>
          <p className="muted small">
            {justification.by ?? "A former member"}
            {justification.at ? `, ${formatDateMinute(justification.at)}` : ""}
          </p>
        </Notice>
      ) : open ? (
        <Notice tone="warning" title="Needs a committee justification">
          It cannot be published until a committee member or an admin records why the difference is acceptable
          {status === "draft" ? " (once it is submitted)" : ""}.
        </Notice>
      ) : null}
      {canJustify && !gate.passes ? (
        <fetcher.Form method="post" className="form bias-gate__form" aria-labelledby={`${id}-form-title`} noValidate>
          <h3 id={`${id}-form-title`} className="decision-form__title">
            {justification ? "Replace the justification" : "Record the committee's justification"}
          </h3>
          {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
          <label className="field" htmlFor={`${id}-text`}>
            <span className="field__label">Why is this difference acceptable for this use?</span>
            <textarea
              id={`${id}-text`}
              name="justification"
              className="input textarea"
              rows={3}
              required
              minLength={20}
              maxLength={4000}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
              placeholder="e.g. The volume price follows order counts; the committee reviewed the groups' order histories on 23 Nov."
            />
            {error ? (
              <span className="field__error" id={`${id}-error`}>
                {error}
              </span>
            ) : null}
          </label>
          <div>
            <SubmitButton intent="justifyBias" variant="secondary" pendingLabel="Recording…">
              Record justification
            </SubmitButton>
          </div>
        </fetcher.Form>
      ) : null}
    </section>
  );
}

export interface SegmentMonitoringView {
  latestBias: {
    runId: string;
    finishedAt: When | null;
    version: number;
    attributes: { attribute: string; n: number; selected: number; minDiVsMax: number | null; failsFourFifths: boolean }[];
  } | null;
  openAlerts: { id: string; runId: string; kind: "drift" | "bias"; band: string; subject: string; message: string; createdAt: When }[];
  openedBy: { runId: string; runKind: "drift" | "bias"; runFinishedAt: When | null; runSummary: string | null; alertId: string | null; message: string | null } | null;
}

/** Monitoring reports about the proposal's segment, linked to the monitoring page and the run CSVs. */
export function SegmentMonitoringPanel({ monitoring, segmentName }: { monitoring: SegmentMonitoringView; segmentName: string }) {
  const id = useId();
  const { latestBias, openAlerts, openedBy } = monitoring;
  return (
    <section className="card proposal-monitoring" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="card__title">
        Monitoring
      </h2>
      {openedBy ? (
        <Notice tone="info" title="Opened by monitoring">
          <p>
            {openedBy.message ?? `A ${openedBy.runKind} run opened this re-segmentation proposal.`}{" "}
            {openedBy.runFinishedAt ? `Run of ${formatDateMinute(openedBy.runFinishedAt)}` : "The run"}
            {openedBy.runSummary ? `: ${openedBy.runSummary}` : "."}
          </p>
          <p>
            <Link to="/monitoring">See it on the monitoring page</Link> ·{" "}
            <a href={`/monitoring/runs/${openedBy.runId}.csv`} download>
              Download the run's report (CSV)
            </a>
          </p>
        </Notice>
      ) : null}
      <h3 className="section__title">Open alerts on “{segmentName}”</h3>
      {openAlerts.length === 0 ? (
        <p className="muted">No open alert concerns this segment.</p>
      ) : (
        <ul className="monitor-alerts__list">
          {openAlerts.map((a) => (
            <li key={a.id} className={`monitor-alert monitor-alert--${a.band}`}>
              <div className="monitor-alert__head">
                <BandBadge band={a.band as "none" | "watch" | "act"} />
                <span className="badge">{a.kind === "drift" ? "Drift" : "Bias"}</span>
                <span className="muted">{formatDateMinute(a.createdAt)}</span>
              </div>
              <p className="monitor-alert__message">{a.message}</p>
              <p className="small">
                <a href={`/monitoring/runs/${a.runId}.csv`} download>
                  Run report (CSV)
                </a>
              </p>
            </li>
          ))}
        </ul>
      )}
      <h3 className="section__title">Latest bias report</h3>
      {latestBias ? (
        <>
          <p className="muted small">
            Published version {latestBias.version}
            {latestBias.finishedAt ? `, audited ${formatDateMinute(latestBias.finishedAt)}` : ""} ·{" "}
            <a href={`/monitoring/runs/${latestBias.runId}.csv`} download>
              Download the report (CSV)
            </a>{" "}
            · <Link to="/monitoring">All reports</Link>
          </p>
          <table className="table monitor-table">
            <thead>
              <tr>
                <th scope="col">Protected attribute</th>
                <th scope="col" className="num">
                  Members
                </th>
                <th scope="col" className="num">
                  Lowest rate ÷ top rate
                </th>
                <th scope="col">Four-fifths rule</th>
              </tr>
            </thead>
            <tbody>
              {latestBias.attributes.map((a) => (
                <tr key={a.attribute}>
                  <th scope="row">{a.attribute}</th>
                  <td className="num">
                    {a.selected.toLocaleString("en")} of {a.n.toLocaleString("en")}
                  </td>
                  <td className="num">{a.minDiVsMax === null ? "—" : a.minDiVsMax.toFixed(2)}</td>
                  <td>
                    {a.failsFourFifths ? <span className="badge badge--band-watch">Flagged</span> : <span className="badge badge--band-none">Passes</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p className="muted">No bias audit has covered this segment yet (one runs after every publish).</p>
      )}
    </section>
  );
}
