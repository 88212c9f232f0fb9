import { Form, useSubmit } from "@remix-run/react";
import { useMemo, useState } from "react";
import { Notice } from "~/components/notice";
import { SubmitButton } from "~/components/submit-button";
import {
  ATTRIBUTE_KEY_PATTERN,
  ATTRIBUTE_TYPE_LABELS,
  attributeKey,
  DELIMITERS,
  SENSITIVITY_LABELS,
  type AttributeType,
  type Delimiter,
  type ImportKind,
  type Sensitivity,
} from "~/lib/data";

export interface ColumnMapping {
  column: string;
  field: string;
  attribute?: { key: string; label: string; type: AttributeType; sensitivity: Sensitivity };
}

export interface MappingPreview {
  kind: ImportKind;
  header: string[];
  mapping: { delimiter: Delimiter; columns: ColumnMapping[] };
  profiles: { column: string; type: AttributeType; examples: string[]; blanks: number }[];
  sampleRows: string[][];
}

export interface MappingFailure {
  formError: string | null;
  problems: string[];
  /** Messages per column index (from validation of the submitted mapping). */
  columnErrors: Record<number, string>;
}

interface MappingStepProps {
  preview: MappingPreview;
  fields: { field: string; label: string; required: boolean }[];
  failure: MappingFailure | null;
}

const ATTRIBUTE_TYPES = Object.keys(ATTRIBUTE_TYPE_LABELS) as AttributeType[];
const SENSITIVITIES = Object.keys(SENSITIVITY_LABELS) as Sensitivity[];

/** What would stop the server from starting the import, found as the mapping is edited. */
function findProblems(kind: ImportKind, columns: ColumnMapping[], fields: MappingStepProps["fields"]): string[] {
  const problems: string[] = [];
  const byField = new Map<string, string[]>();
  const keys = new Map<string, string[]>();
  for (const c of columns) {
    if (c.field === "attribute" && c.attribute) {
      if (!ATTRIBUTE_KEY_PATTERN.test(c.attribute.key)) {
        problems.push(
          `Column '${c.column}': the key must be lower-case letters, digits and _ (starting with a letter).`
        );
      }
      if (!c.attribute.label.trim()) problems.push(`Column '${c.column}': give the attribute a label.`);
      keys.set(c.attribute.key, [...(keys.get(c.attribute.key) ?? []), c.column]);
    } else if (c.field !== "ignore") {
      byField.set(c.field, [...(byField.get(c.field) ?? []), c.column]);
    }
  }
  for (const [field, cols] of byField) {
    if (cols.length > 1) {
      const label = fields.find((f) => f.field === field)?.label ?? field;
      problems.push(`Columns ${cols.map((c) => `'${c}'`).join(" and ")} all map to ${label}; choose one.`);
    }
  }
  for (const [key, cols] of keys) {
    if (cols.length > 1)
      problems.push(`Columns ${cols.map((c) => `'${c}'`).join(" and ")} use the attribute key '${key}'.`);
  }
  for (const f of fields) {
    if (f.required && !byField.has(f.field))
      problems.push(`No column is mapped to ${f.label}, which a ${kind} file needs.`);
  }
  return problems;
}

function Examples({ examples, blanks }: { examples: string[]; blanks: number }) {
  return (
    <span className="chips">
      {examples.length ? (
        examples.map((e) => (
          <span key={e} className="chip chip--mono" title={e}>
            {e.length > 24 ? `${e.slice(0, 23)}…` : e}
          </span>
        ))
      ) : (
        <span className="muted small">All blank in the sample</span>
      )}
      {blanks ? <span className="muted small">{blanks} blank</span> : null}
    </span>
  );
}

/**
 * The second step of an import: which field each column of the file feeds (as Quorum proposes
 * it, for the user to correct), custom attributes with their key, label, type and sensitivity,
 * the delimiter, and the first rows as they will be read.
 */
export function MappingStep({ preview, fields, failure }: MappingStepProps) {
  const submit = useSubmit();
  const [columns, setColumns] = useState<ColumnMapping[]>(preview.mapping.columns);
  const problems = useMemo(() => findProblems(preview.kind, columns, fields), [preview.kind, columns, fields]);
  const profiles = new Map(preview.profiles.map((p) => [p.column, p]));
  const isCustomers = preview.kind === "customers";
  const mapping = JSON.stringify({ delimiter: preview.mapping.delimiter, columns });
  const serverProblems = failure?.problems ?? [];

  function update(index: number, change: (c: ColumnMapping) => ColumnMapping) {
    setColumns((all) => all.map((c, i) => (i === index ? change(c) : c)));
  }

  function setField(index: number, field: string) {
    update(index, (c) => {
      if (field !== "attribute") return { column: c.column, field };
      const type = profiles.get(c.column)?.type ?? "text";
      return {
        column: c.column,
        field,
        attribute: c.attribute ?? {
          key: attributeKey(c.column),
          label: c.column.trim() || "Column",
          type,
          sensitivity: "plain",
        },
      };
    });
  }

  function rowErrors(index: number, column: string): string[] {
    const quoted = `'${column}'`;
    const messages = serverProblems.filter((p) => p.includes(quoted));
    const own = failure?.columnErrors[index];
    return own ? [own, ...messages] : messages;
  }

  return (
    <div className="stack">
      <section className="card card--flush" aria-labelledby="mapping-title">
        <div className="card__header card__header--padded mapping__header">
          <div>
            <h2 id="mapping-title" className="card__title">
              Review the columns
            </h2>
            <p className="card__subtitle">
              Step 2 of 2. Quorum guessed which field each column feeds from its name and first rows; correct anything
              it got wrong.{" "}
              {isCustomers
                ? "Columns that are not a standard field are kept as custom attributes."
                : "Columns that are not a transaction field are ignored."}
            </p>
          </div>
          <Form method="get" className="mapping__delimiter" replace preventScrollReset>
            <label className="field__label" htmlFor="delimiter">
              Delimiter
            </label>
            <select
              id="delimiter"
              name="delimiter"
              className="input select"
              defaultValue={preview.mapping.delimiter}
              onChange={(event) => submit(event.currentTarget.form, { replace: true, preventScrollReset: true })}
            >
              {DELIMITERS.map((d) => (
                <option key={d.label} value={d.value}>
                  {d.label}
                </option>
              ))}
            </select>
            <noscript>
              <button type="submit" className="button button--secondary button--sm">
                Re-read
              </button>
            </noscript>
          </Form>
        </div>
        {isCustomers ? (
          <div className="mapping__explain">
            <Notice tone="info" title="Sensitivity of custom attributes">
              Protected attributes are never used as model features but are available to bias audits; PII is hidden from
              roles that do not need it. Quorum suggests Protected for columns such as gender or age, and PII for names
              and addresses: check each one.
            </Notice>
          </div>
        ) : null}
        <div className="table-wrap">
          <table className="table mapping">
            <thead>
              <tr>
                <th scope="col">Column in the file</th>
                <th scope="col">Imported as</th>
                {isCustomers ? <th scope="col">Custom attribute</th> : null}
              </tr>
            </thead>
            <tbody>
              {columns.map((c, index) => {
                const profile = profiles.get(c.column);
                const errors = rowErrors(index, c.column);
                const required = fields.find((f) => f.field === c.field)?.required;
                return (
                  <tr
                    key={c.column}
                    className={`${c.field === "ignore" ? "mapping__row--ignored" : ""}${
                      errors.length ? " mapping__row--invalid" : ""
                    }`}
                  >
                    <th scope="row">
                      <div className="mapping__column">
                        <span className="mapping__name">{c.column || <em className="muted">(no name)</em>}</span>
                        {profile ? (
                          <>
                            <span className="muted small">
                              Looks like {ATTRIBUTE_TYPE_LABELS[profile.type].toLowerCase()}
                            </span>
                            <Examples examples={profile.examples} blanks={profile.blanks} />
                          </>
                        ) : null}
                      </div>
                    </th>
                    <td>
                      <div className="mapping__field">
                        <select
                          className="input select input--sm"
                          aria-label={`Field for column ${c.column}`}
                          value={c.field}
                          onChange={(event) => setField(index, event.currentTarget.value)}
                        >
                          {fields.map((f) => (
                            <option key={f.field} value={f.field}>
                              {f.label}
                              {f.required ? " (required)" : ""}
                            </option>
                          ))}
                          {isCustomers ? <option value="attribute">Custom attribute</option> : null}
                          <option value="ignore">Ignore this column</option>
                        </select>
                        {required ? <span className="muted small">Every row needs a value</span> : null}
                        {errors.map((e) => (
                          <span key={e} className="field__error" role="alert">
                            {e}
                          </span>
                        ))}
                      </div>
                    </td>
                    {isCustomers ? (
                      <td>
                        {c.field === "attribute" && c.attribute ? (
                          <AttributeEditor
                            column={c.column}
                            attribute={c.attribute}
                            onChange={(attribute) => update(index, (old) => ({ ...old, attribute }))}
                          />
                        ) : (
                          <span className="muted small">—</span>
                        )}
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card card--flush" aria-labelledby="sample-title">
        <div className="card__header card__header--padded">
          <div>
            <h2 id="sample-title" className="card__title">
              First rows
            </h2>
            <p className="card__subtitle">
              The first {preview.sampleRows.length} rows, split with the delimiter above. If everything sits in one
              column, choose another delimiter.
            </p>
          </div>
        </div>
        <div className="table-wrap">
          <table className="table table--compact table--sample">
            <thead>
              <tr>
                {preview.header.map((h, i) => (
                  <th
                    key={`${h}-${i}`}
                    scope="col"
                    className={columns[i]?.field === "ignore" ? "muted-col" : undefined}
                  >
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.sampleRows.map((row, r) => (
                <tr key={r}>
                  {preview.header.map((_, i) => (
                    <td key={i} className={columns[i]?.field === "ignore" ? "muted-col" : undefined} title={row[i]}>
                      {row[i] ?? ""}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <Form method="post" className="card start-card" aria-labelledby="start-title">
        <h2 id="start-title" className="visually-hidden">
          Start the import
        </h2>
        <input type="hidden" name="mapping" value={mapping} />
        {failure && (failure.formError || serverProblems.length) ? (
          <Notice tone="error" title="The import cannot start yet">
            {serverProblems.length ? (
              <ul className="problem-list">
                {serverProblems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            ) : (
              failure.formError
            )}
          </Notice>
        ) : null}
        {problems.length && !failure ? (
          <Notice tone="warning" title="Check these before you start">
            <ul className="problem-list">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </Notice>
        ) : null}
        <div className="start-card__row">
          <p className="muted small">
            The import runs in the background and is all or nothing: rows with problems go to an error report, and if it
            fails or you cancel it, nothing is kept.
          </p>
          <div className="button-row">
            <SubmitButton intent="cancel" variant="ghost" pendingLabel="Discarding…" formNoValidate>
              Discard upload
            </SubmitButton>
            <SubmitButton intent="start" pendingLabel="Starting…">
              Start import
            </SubmitButton>
          </div>
        </div>
      </Form>
    </div>
  );
}

function AttributeEditor({
  column,
  attribute,
  onChange,
}: {
  column: string;
  attribute: NonNullable<ColumnMapping["attribute"]>;
  onChange: (attribute: NonNullable<ColumnMapping["attribute"]>) => void;
}) {
  const badKey = !ATTRIBUTE_KEY_PATTERN.test(attribute.key);
  return (
    <div className="attribute-editor">
      <label className="attribute-editor__field">
        <span className="attribute-editor__label">Key</span>
        <input
          className={`input input--sm input--mono${badKey ? " input--invalid" : ""}`}
          aria-label={`Attribute key for column ${column}`}
          aria-invalid={badKey || undefined}
          value={attribute.key}
          maxLength={63}
          onChange={(event) => onChange({ ...attribute, key: event.currentTarget.value })}
        />
      </label>
      <label className="attribute-editor__field">
        <span className="attribute-editor__label">Label</span>
        <input
          className="input input--sm"
          aria-label={`Attribute label for column ${column}`}
          value={attribute.label}
          maxLength={80}
          onChange={(event) => onChange({ ...attribute, label: event.currentTarget.value })}
        />
      </label>
      <label className="attribute-editor__field">
        <span className="attribute-editor__label">Type</span>
        <select
          className="input select input--sm"
          aria-label={`Attribute type for column ${column}`}
          value={attribute.type}
          onChange={(event) => onChange({ ...attribute, type: event.currentTarget.value as AttributeType })}
        >
          {ATTRIBUTE_TYPES.map((t) => (
            <option key={t} value={t}>
              {ATTRIBUTE_TYPE_LABELS[t]}
            </option>
          ))}
        </select>
      </label>
      <label className="attribute-editor__field">
        <span className="attribute-editor__label">Sensitivity</span>
        <select
          className={`input select input--sm sensitivity--${attribute.sensitivity}`}
          aria-label={`Sensitivity for column ${column}`}
          title={SENSITIVITY_LABELS[attribute.sensitivity].description}
          value={attribute.sensitivity}
          onChange={(event) => onChange({ ...attribute, sensitivity: event.currentTarget.value as Sensitivity })}
        >
          {SENSITIVITIES.map((s) => (
            <option key={s} value={s}>
              {SENSITIVITY_LABELS[s].label}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
