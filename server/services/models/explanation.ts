/**
 * Explaining a run's clusters (issue #6): a shallow classification tree (server/analytics/
 * decision-tree.ts, Gini CART) that predicts each customer's cluster at the chosen k from the
 * ORIGINAL feature values (before any transform, so thresholds read in business units: "Total
 * spend > 1,250 and Orders ≤ 3"), read as one rule per leaf, and turned into a segment
 * definition's rule tree for a proposal.
 *
 * - Trained on a seeded sample of at most EXPLANATION_SAMPLE_SIZE clustered customers (all of
 *   them when fewer), depth ≤ 3 by default.
 * - `accuracy` is the share of ALL clustered customers (not only the sample) whose cluster the
 *   tree predicts; when every customer is in the sample it is the training accuracy, otherwise
 *   mostly so (the sample is part of what it is measured on). It says how well the rules
 *   describe the clusters, not how well they generalise.
 * - Per rule, `support` is the number of clustered customers (all, not the sample) the rule
 *   selects and `purity` the share of them in the rule's cluster.
 * - Thresholds are the roundest number between the two sides of each split (fewest significant
 *   figures, see `roundestBetween`), so the rules need no further rounding and classify the
 *   sample exactly as the tree does.
 *
 * Pure (no database), so the run page words rules with the same code the job stored them with.
 */
import type { ModelExplanation } from "../../../db/schema/models";
import { fitDecisionTree, leafOf, treeDepth, treePaths, type TreeLeaf } from "../../analytics/decision-tree";
import type { FeatureMatrix } from "../../analytics/feature-matrix";
import { deriveSeed, SeededRandom } from "../../analytics/seeded-random";
import { ZRuleGroup, type Condition, type RuleGroup } from "../segments/rules";

export const EXPLANATION_SAMPLE_SIZE = 20_000;
export const EXPLANATION_DEPTH = 3;
/** The seed stream of the training sample (pcaSample uses 7). */
const SAMPLE_STREAM = 13;

export interface ExplainOptions {
  seed: number;
  maxDepth?: number;
  sampleSize?: number;
}

type Rule = ModelExplanation["rules"][number];
type RuleCondition = Rule["conditions"][number];

/** Keeps the tightest bound per feature and direction ("x ≤ 50 and x ≤ 30" → "x ≤ 30"), in path order. */
function simplify(conditions: readonly RuleCondition[]): RuleCondition[] {
  const out: RuleCondition[] = [];
  for (const c of conditions) {
    const same = out.findIndex((o) => o.feature === c.feature && o.op === c.op);
    if (same < 0) out.push({ ...c });
    else if (c.op === "lte" ? c.value < out[same].value : c.value > out[same].value) out[same] = { ...c };
  }
  return out;
}

/**
 * The tree explanation of `labels` (0-based clusters, one per row of `raw`, the untransformed
 * features named `fields`). Rules' clusters are 1-based like everywhere else a run stores them.
 */
export function explainClusters(raw: FeatureMatrix, labels: ArrayLike<number>, fields: readonly string[], options: ExplainOptions): ModelExplanation {
  const n = raw.rows;
  const size = Math.min(n, options.sampleSize ?? EXPLANATION_SAMPLE_SIZE);
  const sample = size === n ? Int32Array.from({ length: n }, (_, i) => i) : new SeededRandom(deriveSeed(options.seed, SAMPLE_STREAM)).sampleIndexes(n, size);
  const tree = fitDecisionTree(raw, labels, sample, {
    maxDepth: options.maxDepth ?? EXPLANATION_DEPTH,
    // Leaves of at least 0.5% of the sample (and 2 customers): no rule for a handful of outliers.
    minLeaf: Math.max(2, Math.ceil(size * 0.005)),
  });
  const paths = treePaths(tree);
  const tally = new Map<TreeLeaf, { support: number; hits: number }>(paths.map((p) => [p.leaf, { support: 0, hits: 0 }]));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const leaf = leafOf(tree, raw, i);
    const t = tally.get(leaf)!;
    t.support++;
    if (leaf.prediction === labels[i]) {
      t.hits++;
      correct++;
    }
  }
  return {
    depth: treeDepth(tree),
    accuracy: n ? correct / n : 0,
    trainedOn: size,
    rules: paths.map(({ leaf, conditions }) => {
      const t = tally.get(leaf)!;
      return {
        cluster: leaf.prediction + 1,
        conditions: simplify(conditions.map((c) => ({ feature: fields[c.feature], op: c.op, value: c.value }))),
        support: t.support,
        purity: t.support ? t.hits / t.support : 0,
      };
    }),
  };
}

/** The rules predicting `cluster` (1-based), largest first. */
export function clusterRules(explanation: ModelExplanation, cluster: number): Rule[] {
  return explanation.rules.filter((r) => r.cluster === cluster).sort((a, b) => b.support - a.support);
}

/**
 * A segment definition's rule tree selecting the customers the tree assigns to `cluster`: an
 * OR of the cluster's leaf paths, each an AND of "field ≤ / > value" conditions (fields are the
 * run's feature ids, i.e. rule fields). Thresholds are used as stored (already the roundest
 * value separating the two sides, see above). A cluster no leaf predicts gives an empty OR,
 * which selects no one. Validated with ZRuleGroup.
 */
export function clusterRulesAsDefinition(explanation: ModelExplanation, cluster: number): RuleGroup {
  return ZRuleGroup.parse({ combinator: "or", children: clusterRules(explanation, cluster).map(ruleAsGroup) });
}

/** One rule (leaf path) as an AND group of "field ≤ / > value" conditions. */
export function ruleAsGroup(rule: Rule): RuleGroup {
  return { combinator: "and", children: rule.conditions.map((c) => ({ op: c.op, field: c.feature, value: c.value }) as Condition) };
}
