/**
 * A labelled progress bar. Without a known total (`value` null) it shows an indeterminate
 * stripe, and says so to screen readers by leaving out aria-valuenow.
 */
export function ProgressBar({ label, value, detail }: { label: string; value: number | null; detail?: string }) {
  const pct = value === null ? null : Math.max(0, Math.min(100, value * 100));
  return (
    <div className="progress">
      <div className="progress__head">
        <span className="progress__label">{label}</span>
        {pct !== null ? <span className="progress__pct">{Math.floor(pct)}%</span> : null}
      </div>
      <div
        className={`progress__track${pct === null ? " progress__track--indeterminate" : ""}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct === null ? undefined : Math.floor(pct)}
        aria-valuetext={detail}
      >
        <div className="progress__fill" style={pct === null ? undefined : { width: `${pct}%` }} />
      </div>
      {detail ? <p className="progress__detail">{detail}</p> : null}
    </div>
  );
}
