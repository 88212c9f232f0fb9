import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from "react";

interface FieldFrameProps {
  id: string;
  label: ReactNode;
  description?: ReactNode;
  error?: string | null;
  children: ReactNode;
  className?: string;
}

function FieldFrame({ id, label, description, error, children, className }: FieldFrameProps) {
  return (
    <div className={`field${error ? " field--invalid" : ""}${className ? ` ${className}` : ""}`}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {children}
      {description ? (
        <p className="field__description" id={`${id}-description`}>
          {description}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function describedBy(id: string, description: ReactNode, error: string | null | undefined): string | undefined {
  const ids = [description ? `${id}-description` : null, error ? `${id}-error` : null].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  name: string;
  label: ReactNode;
  description?: ReactNode;
  error?: string | null;
  fieldClassName?: string;
}

/** A labelled input whose description and error are announced with it (aria-describedby). */
export function TextField({ label, description, error, fieldClassName, ...input }: TextFieldProps) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} description={description} error={error} className={fieldClassName}>
      <input
        id={id}
        className="input"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, description, error)}
        {...input}
      />
    </FieldFrame>
  );
}

interface SelectFieldProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, "id"> {
  name: string;
  label: ReactNode;
  description?: ReactNode;
  error?: string | null;
  fieldClassName?: string;
  children: ReactNode;
}

export function SelectField({ label, description, error, fieldClassName, children, ...select }: SelectFieldProps) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} description={description} error={error} className={fieldClassName}>
      <select
        id={id}
        className="input select"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, description, error)}
        {...select}
      >
        {children}
      </select>
    </FieldFrame>
  );
}

interface CheckboxGroupProps {
  name: string;
  legend: ReactNode;
  description?: ReactNode;
  error?: string | null;
  options: { value: string; label: string }[];
  defaultValues?: string[];
  emptyText?: ReactNode;
}

/** A fieldset of checkboxes sharing one name (the form submits every checked value). */
export function CheckboxGroup({
  name,
  legend,
  description,
  error,
  options,
  defaultValues = [],
  emptyText,
}: CheckboxGroupProps) {
  const id = useId();
  return (
    <fieldset
      className={`field checkbox-group${error ? " field--invalid" : ""}`}
      aria-describedby={describedBy(id, description, error)}
    >
      <legend className="field__label">{legend}</legend>
      {options.length === 0 ? (
        <p className="field__description">{emptyText}</p>
      ) : (
        <div className="checkbox-group__options">
          {options.map((o) => (
            <label key={o.value} className="checkbox">
              <input type="checkbox" name={name} value={o.value} defaultChecked={defaultValues.includes(o.value)} />
              <span>{o.label}</span>
            </label>
          ))}
        </div>
      )}
      {description ? (
        <p className="field__description" id={`${id}-description`}>
          {description}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
