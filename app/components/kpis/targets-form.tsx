import { Form } from "@remix-run/react";
import { TextField } from "~/components/form-field";
import { Notice } from "~/components/notice";
import type { KpiDefinitionView } from "../../../server/services/kpis/types";
import type { KpiFormFailure } from "./kpi-form";

/**
 * A KPI's target for the whole business and for each active segment, in one form. Only the
 * targets that changed are saved; an empty one removes the target. Percentages are entered as
 * fractions (0.25 for 25%), as they are stored.
 */
export function TargetsForm({
  kpi,
  segments,
  failure,
  busy,
}: {
  kpi: KpiDefinitionView;
  segments: { id: string; name: string }[];
  failure: KpiFormFailure | null;
  busy: boolean;
}) {
  const current = new Map(kpi.targets.map((t) => [t.segmentId, String(t.target)]));
  const hint =
    kpi.unit === "percent"
      ? "As a fraction: 0.25 for 25%."
      : kpi.direction === "higher"
        ? "Met at or above the target."
        : "Met at or below the target.";
  return (
    <Form method="post" aria-label={`Targets of ${kpi.name}`} className="stack">
      <input type="hidden" name="intent" value="targets" />
      <input type="hidden" name="kpiId" value={kpi.id} />
      <div>
        <h3 className="dash-section-title">Targets</h3>
        <p className="muted small">{hint} Leave a box empty for no target.</p>
      </div>
      {failure?.formError ? <Notice tone="error">{failure.formError}</Notice> : null}
      <div className="kpi-targets">
        {segments.map((s) => {
          const name = `target.${s.id}`;
          return (
            <div key={s.id}>
              <input type="hidden" name={`before.${s.id}`} value={current.get(s.id) ?? ""} />
              <TextField
                name={name}
                label={s.name}
                inputMode="decimal"
                defaultValue={failure?.values[name] ?? current.get(s.id) ?? ""}
                error={failure?.fieldErrors[name]}
              />
            </div>
          );
        })}
      </div>
      <div>
        <button type="submit" className="button button--secondary button--sm" disabled={busy}>
          Save targets
        </button>
      </div>
    </Form>
  );
}
