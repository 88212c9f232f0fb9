import { useEffect, useId, useRef, useState } from "react";
import { CheckIcon, CopyIcon } from "./icons";

/** A read-only value with a Copy button (the text stays selectable without JavaScript). */
export function CopyField({
  label,
  value,
  description,
  copyLabel = "Copy link",
}: {
  label: string;
  value: string;
  description?: string;
  copyLabel?: string;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), 2000);
    return () => window.clearTimeout(timer);
  }, [copied]);

  async function copy() {
    input.current?.select();
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  return (
    <div className="field copy-field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <div className="copy-field__row">
        <input
          id={id}
          ref={input}
          className="input input--mono"
          readOnly
          value={value}
          onFocus={(e) => e.currentTarget.select()}
          aria-describedby={description ? `${id}-description` : undefined}
        />
        <button type="button" className="button button--secondary" onClick={copy}>
          {copied ? <CheckIcon width={16} height={16} /> : <CopyIcon width={16} height={16} />}
          <span aria-live="polite">{copied ? "Copied" : copyLabel}</span>
        </button>
      </div>
      {description ? (
        <p className="field__description" id={`${id}-description`}>
          {description}
        </p>
      ) : null}
    </div>
  );
}
