import { Form } from "@remix-run/react";
import { useEffect, useId, useState, type ReactNode } from "react";
import type { agendaOptions } from "../../../server/services/sessions";
import { TextField } from "../form-field";
import { PlusIcon } from "../icons";
import { Notice } from "../notice";
import { SubmitButton } from "../submit-button";
import { AGENDA_KIND_LABELS, type AgendaKind } from "./format";
import { plural } from "~/lib/format";

/** The schedule form's choices (sessions.agendaOptions), as the page receives them. */
export type AgendaOptions = Awaited<ReturnType<typeof agendaOptions>>;

export interface RowValues {
  kind: AgendaKind;
  ref: string;
  minutes: string;
}

/** What the form sent, and what went wrong, for showing it again. */
export interface ScheduleFormResult {
  formError: string | null;
  fieldErrors: Record<string, string>;
  values: { title: string; scheduledAt: string; rows: RowValues[] };
}

interface Row extends RowValues {
  key: number;
}

let nextKey = 1;

/** "2026-12-01T09:30" in the browser's time zone, as datetime-local fields take it. */
function localDateTime(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** The agenda suggested for a new session: submitted proposals, boards due for review, alerts that call for action. */
function suggestedRows(options: AgendaOptions): Row[] {
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

/**
 * A session's title, time and agenda (proposals, SWOT boards, topics with time boxes), for
 * scheduling a new session or changing one that has not started.
 */
export function ScheduleForm({
  options,
  result,
  initial,
  submitLabel,
  pendingLabel,
  children,
  initialInstant,
}: {
  options: AgendaOptions;
  result: ScheduleFormResult | undefined;
  /** The session being changed; a new session starts from the suggested agenda. */
  initial?: ScheduleFormResult["values"];
  submitLabel: string;
  pendingLabel: string;
  /** Shown beside the submit button. */
  children?: ReactNode;
  /** The session's time (ISO): shown in the browser's own time zone once the page runs. */
  initialInstant?: string;
}) {
  const start = result?.values ?? initial;
  const [rows, setRows] = useState<Row[]>(() => (start?.rows.length ? start.rows.map((r) => ({ ...r, key: nextKey++ })) : suggestedRows(options)));
  const [tzOffset, setTzOffset] = useState("0");
  const timeField = useId();
  useEffect(() => {
    setTzOffset(String(new Date().getTimezoneOffset()));
    // The server wrote the time in UTC; the form sends local time with the browser's offset.
    const input = document.querySelector<HTMLInputElement>(`[data-time-field="${timeField}"] input`);
    if (input && initialInstant && !result) input.value = localDateTime(new Date(initialInstant));
  }, [initialInstant, result, timeField]);
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
          defaultValue={start?.title}
          error={errors.title}
          fieldClassName="form-row__grow"
        />
        <div data-time-field={timeField}>
          <TextField label="Date and time" name="scheduledAt" type="datetime-local" required defaultValue={start?.scheduledAt} error={errors.scheduledAt} />
        </div>
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
      <div className="schedule-form__actions">
        <SubmitButton pendingLabel={pendingLabel}>{submitLabel}</SubmitButton>
        {children}
      </div>
    </Form>
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
  options: AgendaOptions;
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
