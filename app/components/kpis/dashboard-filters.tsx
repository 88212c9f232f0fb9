import { Form, Link, useSubmit } from "@remix-run/react";
import type { FormEvent } from "react";
import { periodLabel, shiftPeriod } from "../../../server/services/kpis/periods";
import type { KpiGrain } from "../../../server/services/kpis/types";
import { dashboardSearch, GRAIN_LABELS, periodOptions, type DashboardFilters } from "./filters";

interface FiltersProps {
  filters: DashboardFilters;
  /** The period shown (the latest when none was chosen). */
  periodStart: string | null;
  range: { first: string; last: string } | null;
  regions: { id: string; name: string }[];
  segments: { id: string; name: string; colour: string }[];
}

/**
 * The dashboard's filters as a GET form, so every choice is in the URL (shareable, back button).
 * Changing a control applies it at once; Enter or the Apply button does too without JavaScript.
 */
export function DashboardFiltersForm({ filters, periodStart, range, regions, segments }: FiltersProps) {
  const submit = useSubmit();
  const onChange = (e: FormEvent<HTMLFormElement>) => {
    const form = e.currentTarget;
    // A new grain has other periods: drop the period so the latest one of that grain is shown.
    if ((e.target as HTMLElement).getAttribute("name") === "grain") {
      const period = form.elements.namedItem("period");
      if (period instanceof HTMLSelectElement) period.disabled = true;
    }
    submit(form, { replace: false, preventScrollReset: true });
  };
  const listed = range ? periodOptions(filters.grain, range) : [];
  // A period older than the listed ones (reached with "Previous") is still shown as chosen.
  const options =
    periodStart && listed.length && !listed.some((o) => o.start === periodStart)
      ? [...listed, { start: periodStart, label: periodLabel(filters.grain, periodStart) }]
      : listed;
  const previous = periodStart && range && periodStart > range.first ? shiftPeriod(filters.grain, periodStart, -1) : null;
  const next = periodStart && range && periodStart < range.last ? shiftPeriod(filters.grain, periodStart, 1) : null;

  return (
    <Form method="get" className="card dash-filters no-print" onChange={onChange} aria-label="Dashboard filters">
      <label className="field">
        <span className="field__label">Grain</span>
        <select name="grain" className="input" defaultValue={filters.grain} key={`grain-${filters.grain}`}>
          {(Object.keys(GRAIN_LABELS) as KpiGrain[]).map((g) => (
            <option key={g} value={g}>
              {GRAIN_LABELS[g]}
            </option>
          ))}
        </select>
      </label>
      <div className="field">
        <label className="field__label" htmlFor="dash-period">
          Period
        </label>
        <div className="dash-period">
          {previous ? (
            <Link
              className="button button--secondary button--sm"
              to={`?${dashboardSearch({ ...filters, period: previous })}`}
              aria-label="Previous period"
              preventScrollReset
            >
              ‹
            </Link>
          ) : null}
          <select
            id="dash-period"
            name="period"
            className="input"
            defaultValue={periodStart ?? ""}
            key={`period-${filters.grain}-${periodStart}`}
            disabled={!options.length}
          >
            {options.length ? null : <option value="">No periods yet</option>}
            {options.map((o) => (
              <option key={o.start} value={o.start}>
                {o.label}
              </option>
            ))}
          </select>
          {next ? (
            <Link
              className="button button--secondary button--sm"
              to={`?${dashboardSearch({ ...filters, period: next })}`}
              aria-label="Next period"
              preventScrollReset
            >
              ›
            </Link>
          ) : null}
        </div>
      </div>
      <label className="field">
        <span className="field__label">Region</span>
        <select name="region" className="input" defaultValue={filters.region ?? ""} key={`region-${filters.region}`}>
          <option value="">All regions</option>
          {regions.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </label>
      {segments.length ? (
        <fieldset className="dash-filters__segments">
          <legend>Segments {filters.segments.length ? `(${filters.segments.length} chosen)` : "(all)"}</legend>
          <div className="dash-chips">
            {segments.map((s) => (
              <label key={s.id} className="dash-chip">
                <input
                  type="checkbox"
                  name="segment"
                  value={s.id}
                  defaultChecked={filters.segments.includes(s.id)}
                  key={`${s.id}-${filters.segments.includes(s.id)}`}
                />
                <span className="dash-chip__swatch" style={{ background: s.colour }} aria-hidden="true" />
                {s.name}
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
      {filters.heat ? <input type="hidden" name="heat" value={filters.heat} /> : null}
      {filters.focus ? <input type="hidden" name="focus" value={filters.focus} /> : null}
      <button type="submit" className="button button--secondary button--sm">
        Apply
      </button>
      {filters.segments.length || filters.region || filters.period ? (
        <Link to={`?${dashboardSearch({ grain: filters.grain, period: null, region: null, segments: [], heat: null, focus: null })}`} className="button button--ghost button--sm">
          Reset
        </Link>
      ) : null}
    </Form>
  );
}
