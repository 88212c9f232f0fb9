import { Form, Link, useFetcher } from "@remix-run/react";
import { useState } from "react";
import * as Y from "yjs";
import { EVIDENCE_LABELS, QUADRANT_LABELS, QUADRANTS, type Board } from "../../../server/services/swot/board-doc";
import type { SegmentFacts } from "../../../server/services/swot/facts";
import { peoplePresent } from "~/collab/presence";
import { formatDate } from "~/lib/format";
import { formatNumber, toBase64 } from "~/lib/segments";
import { Notice } from "../notice";
import type { LiveBoard } from "./board";
import { RichTextView } from "./rich-text";

export type DueState = "overdue" | "due-soon" | "scheduled" | "none";

export const DUE_LABELS: Record<DueState, string> = {
  overdue: "Overdue",
  "due-soon": "Due soon",
  scheduled: "Scheduled",
  none: "No review planned",
};

export function DueBadge({ due, on }: { due: DueState; on: string | null }) {
  return (
    <span className={`badge swot-due swot-due--${due}`} title={on ? `Review due ${formatDate(on)}` : "No review planned"}>
      {due === "none" ? DUE_LABELS.none : `${DUE_LABELS[due]} · ${formatDate(on!)}`}
    </span>
  );
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The facts that calibrate the board: size, growth, revenue share and an RFM summary. */
export function FactsPanel({ facts }: { facts: SegmentFacts }) {
  return (
    <section className="card swot-facts" aria-labelledby="swot-facts-title">
      <h2 className="card__title" id="swot-facts-title">
        Segment facts
      </h2>
      {facts.size === null ? (
        <p className="muted">Not published yet: size, growth and RFM appear once a version is published.</p>
      ) : (
        <dl className="swot-facts__list">
          <div>
            <dt>Customers</dt>
            <dd>
              {formatNumber(facts.size)} <span className="muted">in version {facts.version}</span>
            </dd>
          </div>
          <div>
            <dt>Growth</dt>
            <dd>
              {facts.growth ? (
                <>
                  <span className={facts.growth.change >= 0 ? "swot-up" : "swot-down"}>
                    {facts.growth.change >= 0 ? "+" : "−"}
                    {formatNumber(Math.abs(facts.growth.change))}
                    {facts.growth.percent !== null ? ` (${facts.growth.percent >= 0 ? "+" : "−"}${percent(Math.abs(facts.growth.percent))})` : ""}
                  </span>{" "}
                  <span className="muted">since version {facts.growth.previousVersion}</span>
                </>
              ) : (
                <span className="muted">First version: no growth to compare yet</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Revenue share</dt>
            <dd>{facts.revenueShare === null ? <span className="muted">No RFM features computed yet</span> : percent(facts.revenueShare)}</dd>
          </div>
          {facts.rfm ? (
            <>
              <div>
                <dt>Average recency</dt>
                <dd>{facts.rfm.avgRecencyDays.toFixed(0)} days</dd>
              </div>
              <div>
                <dt>Average frequency</dt>
                <dd>{facts.rfm.avgFrequency.toFixed(1)} orders</dd>
              </div>
              <div>
                <dt>Average value</dt>
                <dd>{facts.rfm.avgMonetary.toLocaleString("en-GB", { maximumFractionDigits: 0 })}</dd>
              </div>
              <div>
                <dt>RFM mix</dt>
                <dd>
                  <ul className="swot-facts__mix">
                    {facts.rfm.topSegments.map((s) => (
                      <li key={s.name}>
                        <span>{s.name}</span>
                        <span className="swot-facts__bar" style={{ width: `${Math.max(4, s.share * 100)}%` }} aria-hidden="true" />
                        <span className="muted">{percent(s.share)}</span>
                      </li>
                    ))}
                  </ul>
                </dd>
              </div>
            </>
          ) : null}
        </dl>
      )}
    </section>
  );
}

interface ReviewSummary {
  id: string;
  reviewedOn: string;
  participants: { userId: string; name: string }[];
  reviewedBy: string;
  cards: number;
  note: string;
}

/** Earlier reviews, newest first, each openable beside today's board. */
export function ReviewsPanel({ reviews, comparing, segmentId }: { reviews: ReviewSummary[]; comparing: string | null; segmentId: string }) {
  return (
    <section className="card swot-reviews" aria-labelledby="swot-reviews-title">
      <h2 className="card__title" id="swot-reviews-title">
        Reviews
      </h2>
      {reviews.length === 0 ? (
        <p className="muted">Not reviewed yet. “Save as reviewed” freezes the board with today’s date and the people present.</p>
      ) : (
        <ol className="swot-reviews__list">
          {reviews.map((r) => (
            <li key={r.id} className={comparing === r.id ? "swot-reviews__item--on" : undefined}>
              <div className="swot-reviews__head">
                <strong>{formatDate(r.reviewedOn)}</strong>
                <span className="muted">
                  {r.cards} {r.cards === 1 ? "card" : "cards"}
                </span>
              </div>
              <p className="swot-reviews__people">{r.participants.map((p) => p.name).join(", ")}</p>
              {r.note ? <p className="swot-reviews__note">{r.note}</p> : null}
              {comparing === r.id ? (
                <Link to={`/swot/${segmentId}`} className="button button--ghost button--sm">
                  Close comparison
                </Link>
              ) : (
                <Link to={`/swot/${segmentId}?compare=${r.id}`} className="button button--secondary button--sm">
                  Compare with today
                </Link>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

const CADENCES = [
  { value: "", label: "No regular review" },
  { value: "3", label: "Every quarter" },
  { value: "6", label: "Every 6 months" },
  { value: "12", label: "Yearly" },
  { value: "24", label: "Every 2 years" },
];

/** The review cadence and due date (committee, admins, owners). */
export function ScheduleForm({
  schedule,
  error,
}: {
  schedule: { reviewEveryMonths: number | null; reviewDueOn: string | null };
  error: string | null;
}) {
  return (
    <Form method="post" className="swot-schedule" aria-label="Review schedule">
      <input type="hidden" name="intent" value="schedule" />
      <label className="swot-schedule__field">
        <span>Cadence</span>
        <select name="reviewEveryMonths" className="input select" defaultValue={schedule.reviewEveryMonths?.toString() ?? ""}>
          {CADENCES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
          {schedule.reviewEveryMonths && !CADENCES.some((c) => c.value === String(schedule.reviewEveryMonths)) ? (
            <option value={schedule.reviewEveryMonths}>Every {schedule.reviewEveryMonths} months</option>
          ) : null}
        </select>
      </label>
      <label className="swot-schedule__field">
        <span>Next review due</span>
        <input type="date" name="reviewDueOn" className="input" defaultValue={schedule.reviewDueOn ?? ""} />
      </label>
      <button type="submit" className="button button--secondary button--sm">
        Save schedule
      </button>
      {error ? <p className="field__error" role="alert">{error}</p> : null}
    </Form>
  );
}

export interface ReviewResult {
  intent: string;
  ok: boolean;
  formError?: string | null;
  message?: string;
}

/**
 * "Save as reviewed": waits until every local edit is stored, then freezes the board with the
 * people present as participants.
 */
export function SaveReview({ live, me }: { live: LiveBoard; me: { id: string; name: string } }) {
  const fetcher = useFetcher<ReviewResult>();
  const [note, setNote] = useState("");
  const [waiting, setWaiting] = useState(false);
  const present = [{ id: me.id, name: me.name }, ...peoplePresent(live.peers).filter((p) => p.id !== me.id)];
  const result = fetcher.state === "idle" && fetcher.data?.intent === "review" ? fetcher.data : null;
  const busy = waiting || fetcher.state !== "idle";

  async function save() {
    setWaiting(true);
    try {
      await live.provider?.whenAcked();
    } finally {
      setWaiting(false);
    }
    fetcher.submit(
      { intent: "review", participantIds: JSON.stringify(present.map((p) => p.id)), note, stateVector: toBase64(Y.encodeStateVector(live.doc)) },
      { method: "post" },
    );
  }

  return (
    <section className="card swot-review-form" aria-labelledby="swot-save-title">
      <div className="swot-review-form__row">
        <div>
          <h2 className="card__title" id="swot-save-title">
            Save as reviewed
          </h2>
          <p className="muted swot-review-form__people">Participants: {present.map((p) => p.name).join(", ")}</p>
        </div>
        <input className="input swot-review-form__note" aria-label="Review note" placeholder="Note (optional), e.g. decisions taken" value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
        <button type="button" className="button button--primary" disabled={busy || live.status !== "synced"} onClick={save}>
          {waiting ? "Saving edits…" : fetcher.state !== "idle" ? "Saving review…" : "Save as reviewed"}
        </button>
      </div>
      {result && !result.ok ? <Notice tone="error">{result.formError}</Notice> : null}
      {result?.ok ? <Notice tone="success">{result.message}</Notice> : null}
    </section>
  );
}

/** A reviewed board (JSON), read-only, in the same four quadrants. */
export function ReviewedBoard({ board, reviewedOn, participants }: { board: Board; reviewedOn: string; participants: { name: string }[] }) {
  return (
    <div className="swot swot--compact swot--frozen">
      <div className="swot__bar">
        <span className="badge swot-badge--frozen">Reviewed {formatDate(reviewedOn)}</span>
        <span className="muted">{participants.map((p) => p.name).join(", ")}</span>
      </div>
      <div className="swot__grid">
        {QUADRANTS.map((q) => {
          const cards = board.cards.filter((c) => c.quadrant === q);
          return (
            <section key={q} className={`swot-quadrant swot-quadrant--${q}`} aria-label={`${QUADRANT_LABELS[q]} (reviewed)`}>
              <header className="swot-quadrant__head">
                <h2 className="swot-quadrant__title">{QUADRANT_LABELS[q]}</h2>
                <span className="swot-quadrant__count">{cards.length}</span>
              </header>
              <ol className="swot-quadrant__cards">
                {cards.map((c) => (
                  <li key={c.id}>
                    <article className={`swot-card swot-card--${c.status}${c.consensus ? " swot-card--consensus" : ""}`}>
                      <div className="swot-card__top">
                        <span className="swot-card__author">{c.authorName}</span>
                        {c.team ? <span className="tag swot-card__team">{c.team}</span> : null}
                        {c.consensus ? <span className="badge swot-badge--consensus">Consensus</span> : null}
                        <span className={`badge swot-badge--${c.status}`}>{c.status}</span>
                      </div>
                      <RichTextView node={c.text} />
                      {c.evidence.length ? (
                        <ul className="swot-card__evidence">
                          {c.evidence.map((e) => (
                            <li key={e.id}>
                              <span className="swot-evidence__kind">{EVIDENCE_LABELS[e.kind]}</span> {e.label}
                            </li>
                          ))}
                        </ul>
                      ) : null}
                      <div className="swot-card__foot">
                        <span className="swot-vote swot-vote--static">▲ {c.votes.length}</span>
                      </div>
                    </article>
                  </li>
                ))}
              </ol>
              {cards.length === 0 ? <p className="swot-quadrant__empty">No cards.</p> : null}
            </section>
          );
        })}
      </div>
    </div>
  );
}
