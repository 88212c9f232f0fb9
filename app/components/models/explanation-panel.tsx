import { useActionData } from "@remix-run/react";
import { ProposeCluster } from "./propose-cluster";
import { clusterLabel } from "~/lib/models";
import type { ModelExplanation } from "../../../db/schema/models";
import { clusterRules, ruleAsGroup } from "../../../server/services/models/explanation";
import { describeGroup } from "../../../server/services/segments/describe";

const percent = (v: number) => `${(v * 100).toFixed(v >= 0.995 && v < 1 ? 1 : 0)}%`;

function ProposeRulesFor({ cluster, name }: { cluster: number; name: string }) {
  return <ProposeCluster cluster={cluster} name={name} error={useRulesError(cluster)} intent="proposeRules" />;
}

/** The action's answer to a "proposeRules" submission, when it failed (the route returns { intent, cluster, ok, formError }). */
function useRulesError(cluster: number): string | null {
  const result = useActionData() as { intent?: string; cluster?: number | null; ok?: boolean; formError?: string | null } | undefined;
  return result?.intent === "proposeRules" && result.cluster === cluster && !result.ok ? (result.formError ?? null) : null;
}

/**
 * The decision-tree explanation of a run's clusters (server/services/models/explanation.ts):
 * how often its rules give a customer's own cluster, then per cluster the rules (worded like
 * the rule builder), how many customers each selects and what share of them are in the cluster,
 * and a form to propose the rules as a segment definition.
 */
export function ExplanationPanel({
  explanation,
  n,
  k,
  clusters,
  attributeLabels,
  canPropose,
}: {
  explanation: ModelExplanation;
  /** Customers clustered. */
  n: number;
  k: number;
  clusters: { cluster: number; suggestedName: string }[];
  /** Attribute key → label, for wording `attr:` fields. */
  attributeLabels: Record<string, string>;
  canPropose: boolean;
}) {
  const names = { attribute: (key: string) => attributeLabels[key] ?? key.replace(/_/g, " ") };
  const sampled = explanation.trainedOn < n;
  return (
    <section className="card stack" aria-labelledby="explanation-title">
      <div>
        <h2 id="explanation-title" className="card__title">
          Clusters as rules
        </h2>
        <p className="card__subtitle">
          A decision tree of depth {explanation.depth} on the features in their own units (before any transform) that
          predicts each customer's cluster at k = {k}. Each rule is one leaf of the tree; a customer matches exactly one rule.
        </p>
      </div>
      <div className="recommendation" role="note">
        <span className="recommendation__k">Accuracy {percent(explanation.accuracy)}</span>
        <span>
          The rules give {Math.round(explanation.accuracy * n).toLocaleString("en-GB")} of the {n.toLocaleString("en-GB")} customers
          clustered their own cluster.
        </span>
        <span className="muted small">
          {sampled
            ? `Tree trained on a random sample of ${explanation.trainedOn.toLocaleString("en-GB")} customers; accuracy measured on all of them.`
            : "Training accuracy: the tree was trained on every customer clustered."}{" "}
          Thresholds are the roundest numbers between the two sides of each split.
        </span>
      </div>
      <div className="table-wrap table-wrap--inset">
        <table className="table table--compact">
          <thead>
            <tr>
              <th scope="col">Cluster</th>
              <th scope="col">Rule</th>
              <th scope="col" className="num">
                Customers
              </th>
              <th scope="col" className="num" title="Share of the customers the rule selects that are in the cluster">
                In the cluster
              </th>
            </tr>
          </thead>
          <tbody>
            {clusters.map((c) => {
              const rules = clusterRules(explanation, c.cluster);
              const title = `${clusterLabel(c.cluster)} · ${c.suggestedName}`;
              const head = (
                <th scope="rowgroup" rowSpan={Math.max(1, rules.length)}>
                  {title}
                  {canPropose && rules.length ? <ProposeRulesFor cluster={c.cluster} name={`${c.suggestedName} (rules)`} /> : null}
                </th>
              );
              if (rules.length === 0) {
                return (
                  <tr key={c.cluster}>
                    {head}
                    <td colSpan={3} className="muted">
                      No rule predicts this cluster: the tree places its customers in other clusters.
                    </td>
                  </tr>
                );
              }
              return rules.map((r, i) => (
                <tr key={`${c.cluster}-${i}`}>
                  {i === 0 ? head : null}
                  <td>{describeGroup(ruleAsGroup(r), names)}</td>
                  <td className="num">{r.support.toLocaleString("en-GB")}</td>
                  <td className="num">{percent(r.purity)}</td>
                </tr>
              ));
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
