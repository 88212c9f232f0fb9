import { Form, Link } from "@remix-run/react";
import { formatDateMinute, plural } from "~/lib/format";

type Band = "none" | "watch" | "act";

const BAND_LABEL: Record<Band, string> = { none: "No drift", watch: "Watch", act: "Act" };

export function BandBadge({ band }: { band: Band | null }) {
  if (!band) return <span className="muted">—</span>;
  return <span className={`badge badge--band-${band}`}>{BAND_LABEL[band]}</span>;
}

const num = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? "—" : x.toFixed(digits));
const pValue = (p: number | null | undefined) =>
  p === null || p === undefined ? "—" : p < 0.0001 ? "< 0.0001" : p.toFixed(4);
const pct = (x: number | null | undefined) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);

export interface DriftRow {
  feature: string;
  label: string;
  type: "numeric" | "categorical";
  psi: number;
  jensenShannon: number;
  wassersteinNorm: number | null;
  ks: number | null;
  ksP: number | null;
  ksMethod: string | null;
  chi2P: number | null;
  nReference: number;
  nCurrent: number;
  band: Band;
}

/** Per-feature drift, effect sizes first; p-values last and muted. */
export function DriftTable({ rows, watch, act }: { rows: DriftRow[]; watch: number; act: number }) {
  const sorted = [...rows].sort((a, b) => b.psi - a.psi);
  return (
    <div className="table-wrap">
      <table className="table monitor-table">
        <caption className="visually-hidden">Drift of each customer feature against the reference</caption>
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">Band</th>
            <th scope="col" className="num" title="Population stability index over 10 reference-decile bins">
              PSI
            </th>
            <th scope="col" className="num" title="Jensen–Shannon distance, base 2, on the same bins (0 to 1)">
              JS distance
            </th>
            <th
              scope="col"
              className="num"
              title="Wasserstein-1 distance divided by the reference's standard deviation"
            >
              W1 / sd
            </th>
            <th scope="col" className="num" title="Kolmogorov–Smirnov statistic: largest gap between the two CDFs">
              KS D
            </th>
            <th scope="col" className="num monitor-table__p" title="KS for numbers, chi-square for categories">
              p-value
            </th>
            <th scope="col" className="num" title="Customers in the reference → customers now">
              Customers
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr key={r.feature} className={r.band !== "none" ? `monitor-row--${r.band}` : undefined}>
              <th scope="row">
                {r.label}
                {r.type === "categorical" ? <span className="muted"> · categories</span> : null}
              </th>
              <td>
                <BandBadge band={r.band} />
              </td>
              <td className="num monitor-table__effect">
                <PsiBar psi={r.psi} watch={watch} act={act} />
                {num(r.psi)}
              </td>
              <td className="num">{num(r.jensenShannon)}</td>
              <td className="num">{r.type === "numeric" ? num(r.wassersteinNorm) : "—"}</td>
              <td className="num">{r.type === "numeric" ? num(r.ks) : "—"}</td>
              <td
                className="num monitor-table__p"
                title={
                  r.type === "numeric" ? `Kolmogorov–Smirnov, ${r.ksMethod ?? ""}` : "Chi-square test of homogeneity"
                }
              >
                {r.type === "numeric" ? pValue(r.ksP) : pValue(r.chi2P)}
              </td>
              <td className="num">
                {r.nReference.toLocaleString("en")} → {r.nCurrent.toLocaleString("en")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A small bar of PSI against the two bands (capped at twice the act band). */
function PsiBar({ psi, watch, act }: { psi: number; watch: number; act: number }) {
  const top = act * 2;
  const w = (x: number) => `${Math.min(100, (x / top) * 100)}%`;
  return (
    <span className="psi-bar" aria-hidden="true">
      <span className="psi-bar__fill" style={{ width: w(psi) }} />
      <span className="psi-bar__mark" style={{ left: w(watch) }} />
      <span className="psi-bar__mark psi-bar__mark--act" style={{ left: w(act) }} />
    </span>
  );
}

export interface BiasGroup {
  group: string;
  n: number;
  selected: number;
  rate: number;
  shareOfSelected: number | null;
  diVsMax: number | null;
  failsFourFifths: boolean;
  statisticalParityDifference: number;
  small: boolean;
}

export interface BiasRow {
  segmentId: string;
  segmentName: string;
  version: number;
  attribute: string;
  n: number;
  selected: number;
  minDiVsMax: number | null;
  demographicParityDifference: number;
  chi2P: number | null;
  failsFourFifths: boolean;
  groups: BiasGroup[] | null;
}

/** Per segment and protected attribute; groups (the protected values) only when the role may see them. */
export function BiasTable({ rows }: { rows: BiasRow[] }) {
  return (
    <div className="table-wrap">
      <table className="table monitor-table">
        <caption className="visually-hidden">Bias audit per segment and protected attribute</caption>
        <thead>
          <tr>
            <th scope="col">Segment</th>
            <th scope="col">Attribute</th>
            <th scope="col" className="num">
              Selected
            </th>
            <th
              scope="col"
              className="num"
              title="Lowest group selection rate ÷ highest (Fairlearn's demographic parity ratio)"
            >
              Lowest DI
            </th>
            <th
              scope="col"
              className="num"
              title="Highest selection rate − lowest (Fairlearn's demographic parity difference)"
            >
              Parity gap
            </th>
            <th scope="col" className="num monitor-table__p">
              χ² p-value
            </th>
            <th scope="col">Four-fifths</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <BiasRows key={`${r.segmentId}/${r.attribute}`} row={r} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function BiasRows({ row: r }: { row: BiasRow }) {
  return (
    <>
      <tr>
        <th scope="row">
          <Link to={`/segments/${r.segmentId}`}>{r.segmentName}</Link> <span className="muted">v{r.version}</span>
        </th>
        <td>{r.attribute}</td>
        <td className="num">
          {r.selected.toLocaleString("en")} of {r.n.toLocaleString("en")}
        </td>
        <td className="num monitor-table__effect">{num(r.minDiVsMax, 2)}</td>
        <td className="num">{pct(r.demographicParityDifference)}</td>
        <td className="num monitor-table__p">{pValue(r.chi2P)}</td>
        <td>
          {r.failsFourFifths ? (
            <span className="badge badge--band-watch">Flag</span>
          ) : (
            <span className="badge badge--band-none">Within</span>
          )}
        </td>
      </tr>
      {r.groups ? (
        <tr className="monitor-groups">
          <td colSpan={7}>
            <table className="monitor-groups__table">
              <thead>
                <tr>
                  <th scope="col">Group</th>
                  <th scope="col" className="num">
                    People
                  </th>
                  <th scope="col" className="num">
                    Selected
                  </th>
                  <th scope="col" className="num">
                    Rate
                  </th>
                  <th scope="col" className="num">
                    Share of segment
                  </th>
                  <th scope="col" className="num">
                    DI vs top
                  </th>
                  <th scope="col" className="num">
                    Parity diff.
                  </th>
                  <th scope="col">Note</th>
                </tr>
              </thead>
              <tbody>
                {r.groups.map((g) => (
                  <tr key={g.group}>
                    <th scope="row">{g.group}</th>
                    <td className="num">{g.n.toLocaleString("en")}</td>
                    <td className="num">{g.selected.toLocaleString("en")}</td>
                    <td className="num">{pct(g.rate)}</td>
                    <td className="num">{pct(g.shareOfSelected)}</td>
                    <td className="num">{num(g.diVsMax, 2)}</td>
                    <td className="num">{(g.statisticalParityDifference * 100).toFixed(1)} pts</td>
                    <td>
                      {g.failsFourFifths ? <span className="badge badge--band-watch">Under 4/5</span> : null}
                      {g.small ? <span className="badge">Fewer than 30: rate unreliable</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </td>
        </tr>
      ) : null}
    </>
  );
}

export interface AlertView {
  id: string;
  kind: "drift" | "bias";
  band: Band;
  message: string;
  segmentId: string | null;
  segmentName: string | null;
  proposalId: string | null;
  createdAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgement: string | null;
}

/** Alerts, open first, each acknowledged with a comment. */
export function AlertList({
  alerts,
  mayAcknowledge,
  error,
}: {
  alerts: AlertView[];
  mayAcknowledge: boolean;
  error: { alertId: string; message: string } | null;
}) {
  const open = alerts.filter((a) => !a.acknowledgedAt);
  const done = alerts.filter((a) => a.acknowledgedAt).slice(0, 10);
  return (
    <div className="monitor-alerts">
      {open.length === 0 ? <p className="muted">No open alerts.</p> : null}
      <ul className="monitor-alerts__list">
        {open.map((a) => (
          <li key={a.id} className={`monitor-alert monitor-alert--${a.band}`}>
            <div className="monitor-alert__head">
              <BandBadge band={a.band} />
              <span className="badge">{a.kind === "drift" ? "Drift" : "Bias"}</span>
              <span className="muted">{formatDateMinute(a.createdAt)}</span>
            </div>
            <p className="monitor-alert__message">{a.message}</p>
            {a.proposalId ? (
              <p>
                <Link to={`/segments/proposals/${a.proposalId}`}>Open the re-segmentation proposal</Link>
              </p>
            ) : null}
            {mayAcknowledge ? (
              <Form method="post" className="monitor-alert__ack">
                <input type="hidden" name="intent" value="acknowledge" />
                <input type="hidden" name="alertId" value={a.id} />
                <label className="field">
                  <span className="field__label">Comment</span>
                  <input
                    className="input"
                    name="comment"
                    required
                    minLength={3}
                    placeholder="Why this is understood or what happens next"
                    aria-invalid={error?.alertId === a.id ? true : undefined}
                    aria-describedby={error?.alertId === a.id ? `ack-error-${a.id}` : undefined}
                  />
                </label>
                <button type="submit" className="button button--secondary button--sm">
                  Acknowledge
                </button>
                {error?.alertId === a.id ? (
                  <p className="field__error" id={`ack-error-${a.id}`} role="alert">
                    {error.message}
                  </p>
                ) : null}
              </Form>
            ) : null}
          </li>
        ))}
      </ul>
      {done.length ? (
        <details className="monitor-alerts__done">
          <summary>{plural(done.length, "acknowledged alert", "acknowledged alerts")} (latest)</summary>
          <ul className="monitor-alerts__list">
            {done.map((a) => (
              <li key={a.id} className="monitor-alert monitor-alert--done">
                <p className="monitor-alert__message">{a.message}</p>
                <p className="muted">
                  Acknowledged by {a.acknowledgedBy ?? "a former member"} on {formatDateMinute(a.acknowledgedAt!)}: “
                  {a.acknowledgement}”
                </p>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
