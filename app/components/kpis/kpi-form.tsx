import { Form, Link } from "@remix-run/react";
import { useState } from "react";
import { SelectField, TextField } from "~/components/form-field";
import { Notice } from "~/components/notice";
import type { KpiDefinitionView } from "../../../server/services/kpis/types";
import { formValuesOf, OPS } from "./kpi-form-values";

export interface KpiFormFailure {
  formError: string | null;
  fieldErrors: Record<string, string>;
  /** What was submitted, so nothing typed is lost. */
  values: Record<string, string>;
}

const UNITS = [
  ["count", "Count"],
  ["currency", "Money"],
  ["percent", "Percentage (0–1)"],
  ["number", "Number"],
  ["score", "Score"],
] as const;

function MeasureFields({
  prefix,
  legend,
  values,
  errors,
}: {
  prefix: string;
  legend: string;
  values: Record<string, string>;
  errors: Record<string, string>;
}) {
  const [source, setSource] = useState(values[`${prefix}.source`] ?? "events");
  const v = (name: string) => values[`${prefix}.${name}`] ?? "";
  const e = (name: string) => errors[`${prefix}.${name}`] ?? null;
  return (
    <fieldset className="kpi-form kpi-form__wide kpi-measure">
      <legend className="field__label">{legend}</legend>
      <SelectField
        name={`${prefix}.source`}
        label="Over"
        value={source}
        onChange={(ev) => setSource(ev.target.value)}
        error={e("source")}
      >
        <option value="events">Events in the period</option>
        <option value="customers">Customers (members)</option>
      </SelectField>
      <SelectField name={`${prefix}.aggregate`} label="Aggregate" defaultValue={v("aggregate") || "count"} error={e("aggregate")} key={`${prefix}-agg-${source}`}>
        <option value="count">Count</option>
        <option value="sum">Sum</option>
        <option value="average">Average</option>
        {source === "events" ? <option value="distinct">Distinct customers</option> : null}
      </SelectField>
      {source === "events" ? (
        <>
          <TextField name={`${prefix}.filter.type`} label="Event type" placeholder="e.g. conversion" defaultValue={v("filter.type")} error={e("filter.type")} />
          <TextField name={`${prefix}.filter.channel`} label="Channel" placeholder="any" defaultValue={v("filter.channel")} error={e("filter.channel")} />
          <TextField name={`${prefix}.filter.campaign`} label="Campaign" placeholder="any" defaultValue={v("filter.campaign")} error={e("filter.campaign")} />
          <TextField
            name={`${prefix}.filter.minValue`}
            label="Minimum value"
            inputMode="decimal"
            placeholder="none"
            defaultValue={v("filter.minValue")}
            error={e("filter.minValue") ?? e("filter")}
          />
          <TextField
            name={`${prefix}.filter.maxValue`}
            label="Maximum value"
            inputMode="decimal"
            placeholder="none"
            defaultValue={v("filter.maxValue")}
            error={e("filter.maxValue")}
          />
        </>
      ) : (
        <>
          <TextField
            name={`${prefix}.attribute`}
            label="Number attribute"
            description="For sum and average: the customer attribute added up."
            placeholder="e.g. credit_limit"
            defaultValue={v("attribute")}
            error={e("attribute")}
          />
          <TextField name={`${prefix}.filter.attribute`} label="Only customers whose" placeholder="attribute (optional)" defaultValue={v("filter.attribute")} error={e("filter.attribute")} />
          <SelectField name={`${prefix}.filter.op`} label="is" defaultValue={v("filter.op") || "eq"} error={e("filter.op")}>
            {Object.entries(OPS).map(([op, sign]) => (
              <option key={op} value={op}>
                {sign}
              </option>
            ))}
          </SelectField>
          <TextField name={`${prefix}.filter.value`} label="Value" defaultValue={v("filter.value")} error={e("filter.value")} />
        </>
      )}
    </fieldset>
  );
}

/**
 * Create or edit a custom KPI: name, unit, direction, and one aggregate (count, sum, average,
 * distinct customers) over events or customers with a filter, or the ratio of two. Inputs are
 * named by the spec's paths, so the server's messages appear under the input they concern.
 */
export function KpiForm({
  kpi,
  failure,
  members,
  busy,
}: {
  kpi: KpiDefinitionView | null;
  failure: KpiFormFailure | null;
  members: { userId: string; name: string }[];
  busy: boolean;
}) {
  const values = failure?.values ?? {
    ...formValuesOf(kpi?.spec ?? null),
    name: kpi?.name ?? "",
    description: kpi?.description ?? "",
    unit: kpi?.unit ?? "number",
    direction: kpi?.direction ?? "higher",
    ownerUserId: kpi?.ownerUserId ?? "",
  };
  const errors = failure?.fieldErrors ?? {};
  const [kind, setKind] = useState(values["spec.kind"] ?? "aggregate");
  const specError = errors["spec"] ?? errors["spec.kind"] ?? null;

  return (
    <Form method="post" className="kpi-form" aria-label={kpi ? `Edit ${kpi.name}` : "New custom KPI"} noValidate>
      <input type="hidden" name="intent" value={kpi ? "update" : "create"} />
      {kpi ? <input type="hidden" name="kpiId" value={kpi.id} /> : null}
      {failure?.formError ? (
        <div className="kpi-form__wide">
          <Notice tone="error">{failure.formError}</Notice>
        </div>
      ) : null}
      <TextField name="name" label="Name" defaultValue={values.name} error={errors.name} required maxLength={80} autoFocus={!kpi} />
      {kpi ? null : (
        <TextField
          name="key"
          label="Key"
          description="Lower-case letters, digits and _; used in exports and the API."
          defaultValue={values.key ?? ""}
          error={errors.key}
          required
          pattern="[a-z][a-z0-9_]{1,40}"
        />
      )}
      <SelectField name="unit" label="Unit" defaultValue={values.unit} error={errors.unit}>
        {UNITS.map(([u, label]) => (
          <option key={u} value={u}>
            {label}
          </option>
        ))}
      </SelectField>
      <SelectField name="direction" label="Better when" defaultValue={values.direction} error={errors.direction}>
        <option value="higher">Higher</option>
        <option value="lower">Lower</option>
      </SelectField>
      {kpi ? null : (
        <SelectField name="ownerUserId" label="Owner" defaultValue={values.ownerUserId ?? ""} error={errors.ownerUserId}>
          <option value="">No owner</option>
          {members.map((m) => (
            <option key={m.userId} value={m.userId}>
              {m.name}
            </option>
          ))}
        </SelectField>
      )}
      <TextField name="description" label="Description" defaultValue={values.description} error={errors.description} fieldClassName="kpi-form__wide" maxLength={500} />
      <SelectField
        name="spec.kind"
        label="Computation"
        value={kind}
        onChange={(e) => setKind(e.target.value)}
        error={specError}
        fieldClassName="kpi-form__wide"
      >
        <option value="aggregate">One aggregate</option>
        <option value="ratio">Ratio of two aggregates (numerator ÷ denominator)</option>
      </SelectField>
      {kind === "ratio" ? (
        <>
          <MeasureFields prefix="spec.numerator" legend="Numerator" values={values} errors={errors} />
          <MeasureFields prefix="spec.denominator" legend="Denominator" values={values} errors={errors} />
        </>
      ) : (
        <MeasureFields prefix="spec.measure" legend="Measure" values={values} errors={errors} />
      )}
      <div className="kpi-form__actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {kpi ? "Save changes" : "Create KPI"}
        </button>
        {kpi ? null : (
          <Link to="/dashboards/kpis" className="button button--ghost">
            Cancel
          </Link>
        )}
      </div>
    </Form>
  );
}
