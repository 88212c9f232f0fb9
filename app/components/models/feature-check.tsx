import { Notice } from "~/components/notice";
import { plural } from "~/lib/format";

export interface CollinearityReport {
  n: number;
  features: string[];
  correlation: (number | null)[][];
  vif: (number | null)[];
  flags: (
    | { kind: "correlation"; features: [string, string]; r: number }
    | { kind: "vif"; feature: string; vif: number | null; message: string }
  )[];
}

const r2 = (v: number | null) => (v === null ? "–" : v.toFixed(2).replace("-", "−"));

/**
 * The correlation matrix of the chosen (transformed) features with each one's VIF: pairs the
 * server flags as highly correlated, and features with a high VIF, are highlighted. Flags
 * only: the analyst decides whether to keep both.
 */
export function FeatureCheck({ report, stale }: { report: CollinearityReport; stale: boolean }) {
  const pairs = new Set(
    report.flags.flatMap((f) => (f.kind === "correlation" ? [`${f.features[0]}|${f.features[1]}`, `${f.features[1]}|${f.features[0]}`] : []))
  );
  const vifFlagged = new Set(report.flags.flatMap((f) => (f.kind === "vif" ? [f.feature] : [])));
  const correlated = report.flags.filter((f) => f.kind === "correlation");
  const vifs = report.flags.filter((f) => f.kind === "vif");

  return (
    <section className="stack feature-check" aria-labelledby="check-title" aria-live="polite">
      <div>
        <h3 id="check-title" className="card__title">
          Feature check
        </h3>
        <p className="card__subtitle">
          On {plural(report.n, "customer", "customers")} with every chosen feature, after the transforms. Strongly
          correlated features count the same thing twice and pull the clusters towards it.
        </p>
      </div>
      {stale ? (
        <Notice tone="info">The selection changed since this check. Check the features again to update it.</Notice>
      ) : null}
      {report.flags.length ? (
        <Notice tone="warning" title="Some features overlap: you decide whether to keep them all">
          <ul className="problem-list">
            {correlated.map((f) =>
              f.kind === "correlation" ? (
                <li key={`${f.features[0]}|${f.features[1]}`}>
                  {f.features[0]} and {f.features[1]} are highly correlated (r = {r2(f.r)}); consider keeping one.
                </li>
              ) : null
            )}
            {vifs.map((f) => (f.kind === "vif" ? <li key={f.feature}>{f.message}.</li> : null))}
          </ul>
        </Notice>
      ) : (
        <Notice tone="success">No pair of features is highly correlated and no VIF is high.</Notice>
      )}
      {report.features.length > 1 ? (
        <div className="table-wrap">
          <table className="corr-matrix">
            <caption className="visually-hidden">Correlation between the chosen features, and each feature's VIF</caption>
            <thead>
              <tr>
                <th scope="col">Feature</th>
                {report.features.map((f) => (
                  <th key={f} scope="col">
                    {f}
                  </th>
                ))}
                <th scope="col">VIF</th>
              </tr>
            </thead>
            <tbody>
              {report.features.map((row, i) => (
                <tr key={row}>
                  <th scope="row">{row}</th>
                  {report.features.map((col, j) => {
                    const high = pairs.has(`${row}|${col}`);
                    return (
                      <td key={col} className={i === j ? "is-self" : high ? "is-high" : undefined}>
                        {r2(report.correlation[i]?.[j] ?? null)}
                        {high ? <span className="visually-hidden"> (highly correlated)</span> : null}
                      </td>
                    );
                  })}
                  <td className={vifFlagged.has(row) ? "is-high" : undefined}>
                    {report.vif[i] === null || report.vif[i] === undefined ? "–" : (report.vif[i] as number).toFixed(1)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
