import type { ModelLcaKMetrics } from "../../../db/schema";
import { clusterColour } from "~/lib/models";

const percent = (v: number) => `${(v * 100).toFixed(v >= 0.995 || v < 0.005 ? 0 : 1)}%`;

/**
 * A latent class run's profile at k: each class's weight and its probability of every answer
 * (class-conditional probabilities), with the fit of every k (log-likelihood, BIC, AIC).
 */
export function LcaPanel({ all, k, labels }: { all: ModelLcaKMetrics[]; k: number; labels: ReadonlyMap<string, string> }) {
  const metrics = all.find((m) => m.k === k);
  if (!metrics) return null;
  const best = all.reduce((a, b) => (b.bic < a.bic ? b : a));
  return (
    <section className="card stack" aria-labelledby="lca-title">
      <div>
        <h2 id="lca-title" className="card__title">
          What each class answers (k = {k})
        </h2>
        <p className="card__subtitle">
          Latent class analysis: within a class, answers are independent, and each class has its own probability of every
          answer. Darker cells are likelier answers; compare a row across classes to see what sets them apart.
        </p>
      </div>
      {metrics.probabilities.map((variable) => (
        <div key={variable.field} className="table-wrap table-wrap--inset">
          <table className="table table--compact lca-table">
            <caption className="lca-table__caption">{labels.get(variable.field) ?? variable.field}</caption>
            <thead>
              <tr>
                <th scope="col">Answer</th>
                {metrics.weights.map((w, c) => (
                  <th key={c} scope="col" className="num">
                    <span className="lca-table__swatch" style={{ background: clusterColour(c) }} aria-hidden="true" /> Class {c + 1} ({percent(w)})
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {variable.categories.map((category, v) => (
                <tr key={category}>
                  <th scope="row">{category}</th>
                  {variable.p.map((row, c) => (
                    <td key={c} className="num lca-table__cell" style={{ background: `rgba(79, 70, 229, ${(0.08 + 0.5 * row[v]).toFixed(3)})` }}>
                      {percent(row[v])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      <div className="table-wrap table-wrap--inset">
        <table className="table table--compact">
          <caption className="lca-table__caption">Fit of each k (the lowest BIC is recommended)</caption>
          <thead>
            <tr>
              <th scope="col">k</th>
              <th scope="col" className="num">
                Log-likelihood
              </th>
              <th scope="col" className="num">
                Parameters
              </th>
              <th scope="col" className="num">
                BIC
              </th>
              <th scope="col" className="num">
                AIC
              </th>
            </tr>
          </thead>
          <tbody>
            {all.map((m) => (
              <tr key={m.k} aria-current={m.k === k ? "true" : undefined}>
                <th scope="row">
                  {m.k}
                  {m.k === best.k ? <span className="tag">lowest BIC</span> : null}
                </th>
                <td className="num">{m.logLikelihood.toFixed(1)}</td>
                <td className="num">{m.parameters}</td>
                <td className="num">{m.bic.toFixed(1)}</td>
                <td className="num">{m.aic.toFixed(1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
