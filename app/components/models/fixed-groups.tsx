import { SelectField, TextField } from "~/components/form-field";

/** Rows of the new-run form's "Fixed groups" card (a row without a name is not used). */
export const FIXED_GROUP_ROWS = 3;

export const FIXED_GROUP_OPS = [
  { value: "gt", label: "is greater than" },
  { value: "gte", label: "is at least" },
  { value: "lt", label: "is less than" },
  { value: "lte", label: "is at most" },
  { value: "eq", label: "equals" },
] as const;
export type FixedGroupOp = (typeof FIXED_GROUP_OPS)[number]["value"];

export interface FixedGroupRow {
  name: string;
  field: string;
  op: FixedGroupOp;
  value: string;
}

interface Props {
  /** Number fields a rule can use (features and numeric attributes that are not protected). */
  fields: { field: string; label: string }[];
  initial: FixedGroupRow[];
  errors: Record<string, string>;
}

/**
 * Business-rule constraints on the new-run form: up to three named groups, each "customers whose
 * <field> <op> <value>", assigned by that rule and left out of the clustering.
 */
export function FixedGroups({ fields, initial, errors }: Props) {
  return (
    <section className="card stack" aria-labelledby="fixed-title">
      <div>
        <h2 id="fixed-title" className="card__title">
          Fixed groups <span className="muted small">(optional business rules)</span>
        </h2>
        <p className="card__subtitle">
          Customers matching a group's rule always belong to that group, for example “Recency (days) is greater than
          365” → “Lapsed”. They are left out of the clustering and appear as extra clusters after the fitted ones. A
          customer matching several rules goes to the first. Leave the name empty to not use a row.
        </p>
      </div>
      {errors.constraints ? (
        <p className="field__error" role="alert">
          {errors.constraints}
        </p>
      ) : null}
      {Array.from({ length: FIXED_GROUP_ROWS }, (_, i) => {
        const row = initial[i];
        return (
          <fieldset key={i} className="form-row fixed-group" aria-label={`Fixed group ${i + 1}`}>
            <legend className="visually-hidden">Fixed group {i + 1}</legend>
            <TextField
              label={`Group ${i + 1} name`}
              name={`fixed:${i}:name`}
              defaultValue={row?.name ?? ""}
              placeholder={i === 0 ? "Lapsed" : ""}
              maxLength={60}
              error={errors[`fixed:${i}:name`]}
            />
            <SelectField label="When" name={`fixed:${i}:field`} defaultValue={row?.field ?? "recency_days"}>
              {fields.map((f) => (
                <option key={f.field} value={f.field}>
                  {f.label}
                </option>
              ))}
            </SelectField>
            <SelectField label="Condition" name={`fixed:${i}:op`} defaultValue={row?.op ?? "gt"}>
              {FIXED_GROUP_OPS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </SelectField>
            <TextField
              label="Value"
              name={`fixed:${i}:value`}
              type="number"
              inputMode="decimal"
              step="any"
              defaultValue={row?.value ?? ""}
              placeholder={i === 0 ? "365" : ""}
              error={errors[`fixed:${i}:value`]}
            />
          </fieldset>
        );
      })}
    </section>
  );
}
