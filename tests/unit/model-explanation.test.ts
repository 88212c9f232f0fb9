/** The decision-tree explanation of clusters and its conversion to a segment definition. */
import { describe, expect, it } from "vitest";
import { fitDecisionTree, roundestBetween, treeDepth } from "../../server/analytics/decision-tree";
import { featureMatrix } from "../../server/analytics/feature-matrix";
import { SeededRandom } from "../../server/analytics/seeded-random";
import { clusterRulesAsDefinition, explainClusters } from "../../server/services/models/explanation";
import { evaluateRules, type CustomerFacts } from "../../server/services/segments/evaluate";
import { ZRuleGroup } from "../../server/services/segments/rules";
import { describeGroup } from "../../server/services/segments/describe";

/** Rows of [monetary, frequency] with labels: 0 spend ≤ 90; 1 spend ≥ 120 and ≤ 3 orders; 2 spend ≥ 120 and ≥ 5 orders. */
function thresholdData(n = 300, seed = 4) {
  const rnd = new SeededRandom(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 3;
    const spend = label === 0 ? 10 + rnd.next() * 80 : 120 + rnd.next() * 380;
    const orders = label === 0 ? 1 + rnd.nextInt(10) : label === 1 ? 1 + rnd.nextInt(3) : 5 + rnd.nextInt(6);
    rows.push([Math.round(spend * 100) / 100, orders]);
    labels.push(label);
  }
  // The edges of the gaps, so the roundest separating thresholds are known: spend 100, orders 3.
  rows[0][0] = 90;
  rows[1][0] = 120;
  rows[1][1] = 3;
  rows[2][0] = 120;
  rows[2][1] = 5;
  return { x: featureMatrix(Float64Array.from(rows.flat()), n, 2), rows, labels };
}

const FIELDS = ["monetary", "frequency"] as const;

function facts(row: number[]): CustomerFacts {
  return { features: { monetary: row[0], frequency: row[1] }, region: null, attributes: {} };
}

describe("roundestBetween", () => {
  it("picks the number with the fewest significant figures in [lo, hi)", () => {
    expect(roundestBetween(90, 120)).toBe(100);
    expect(roundestBetween(3, 5)).toBe(3);
    expect(roundestBetween(69, 70)).toBe(69);
    expect(roundestBetween(15.5, 16.2)).toBe(16);
    expect(roundestBetween(1234.5678, 1234.9)).toBe(1234.6);
    expect(roundestBetween(-3, 2)).toBe(0);
    expect(roundestBetween(0.00121, 0.00139)).toBe(0.0013);
    expect(roundestBetween(0.00123, 0.00129)).toBe(0.00123);
  });
});

describe("explaining clusters with a shallow tree", () => {
  it("recovers clusters separated by thresholds on two features: accuracy 1, thresholds 100 and 3", () => {
    const { x, rows, labels } = thresholdData();
    const e = explainClusters(x, labels, FIELDS, { seed: 1 });
    expect(e.accuracy).toBe(1);
    expect(e.trainedOn).toBe(300);
    expect(e.depth).toBe(2);
    expect(e.rules).toEqual([
      { cluster: 1, conditions: [{ feature: "monetary", op: "lte", value: 100 }], support: 100, purity: 1 },
      {
        cluster: 2,
        conditions: [
          { feature: "monetary", op: "gt", value: 100 },
          { feature: "frequency", op: "lte", value: 3 },
        ],
        support: 100,
        purity: 1,
      },
      {
        cluster: 3,
        conditions: [
          { feature: "monetary", op: "gt", value: 100 },
          { feature: "frequency", op: "gt", value: 3 },
        ],
        support: 100,
        purity: 1,
      },
    ]);
    // Converted: an OR of AND groups, valid, worded like the rule builder, selecting exactly the cluster.
    const def = clusterRulesAsDefinition(e, 2);
    expect(ZRuleGroup.safeParse(def).success).toBe(true);
    expect(def).toEqual({
      combinator: "or",
      children: [
        {
          combinator: "and",
          children: [
            { op: "gt", field: "monetary", value: 100 },
            { op: "lte", field: "frequency", value: 3 },
          ],
        },
      ],
    });
    expect(describeGroup(def)).toBe("(Total spend > 100 and Orders ≤ 3)");
    for (const cluster of [1, 2, 3]) {
      const d = clusterRulesAsDefinition(e, cluster);
      const selected = rows.map((r, i) => (evaluateRules(d, facts(r)) ? i : -1)).filter((i) => i >= 0);
      expect(selected).toEqual(labels.map((l, i) => (l + 1 === cluster ? i : -1)).filter((i) => i >= 0));
    }
  });

  it("converts each cluster's rules into a definition selecting exactly the customers the tree assigns to it", () => {
    // Not separable by axis thresholds (rings), so the tree errs: its assignments are not the labels.
    const rnd = new SeededRandom(9);
    const n = 1000;
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = rnd.next() * 200 - 100;
      const b = rnd.next() * 200 - 100;
      rows.push([Math.round(a * 10) / 10, Math.round(b * 10) / 10]);
      const radius = Math.hypot(a, b);
      labels.push(radius < 40 ? 0 : radius < 80 ? 1 : a > 0 ? 2 : 3);
    }
    const x = featureMatrix(Float64Array.from(rows.flat()), n, 2);
    const e = explainClusters(x, labels, ["attr:score_a", "attr:score_b"], { seed: 3 });
    expect(e.accuracy).toBeGreaterThan(0.4);
    expect(e.accuracy).toBeLessThan(1);
    // The same tree, grown independently with the same settings, gives the assignments to check against.
    const tree = fitDecisionTree(x, labels, Int32Array.from({ length: n }, (_, i) => i), { maxDepth: 3, minLeaf: 5 });
    expect(treeDepth(tree)).toBe(e.depth);
    const assigned = (i: number) => {
      let node = tree;
      while (node.kind === "split") node = rows[i][node.feature] <= node.threshold ? node.left : node.right;
      return node.prediction + 1;
    };
    const toFacts = (r: number[]): CustomerFacts => ({ features: {}, region: null, attributes: { score_a: r[0], score_b: r[1] } });
    let correct = 0;
    const hits = new Array<number>(n).fill(0);
    for (const cluster of [1, 2, 3, 4]) {
      const def = clusterRulesAsDefinition(e, cluster);
      expect(ZRuleGroup.safeParse(def).success).toBe(true);
      for (let i = 0; i < n; i++) {
        const inDef = evaluateRules(def, toFacts(rows[i]));
        expect(inDef).toBe(assigned(i) === cluster);
        if (inDef) {
          hits[i]++;
          if (labels[i] + 1 === cluster) correct++;
        }
      }
    }
    // The definitions partition the customers, and agree with the stored accuracy and supports.
    expect(hits.every((h) => h === 1)).toBe(true);
    expect(correct / n).toBeCloseTo(e.accuracy, 12);
    expect(e.rules.reduce((s, r) => s + r.support, 0)).toBe(n);
    for (const r of e.rules) expect(r.purity).toBeGreaterThan(0);
  });

  it("respects the depth limit", () => {
    // Eight clusters, one per corner of a cube (three independent thresholds), need three levels of splits.
    const n = 400;
    const rows = Array.from({ length: n }, (_, i) => [0, 1, 2].map((j) => (((i % 8) >> j) & 1 ? 10 : 0) + (i % 50) / 10));
    const labels = Array.from({ length: n }, (_, i) => i % 8);
    const x = featureMatrix(Float64Array.from(rows.flat()), n, 3);
    const deep = explainClusters(x, labels, ["recency_days", "frequency", "monetary"], { seed: 1, maxDepth: 3 });
    expect(deep.accuracy).toBe(1);
    expect(deep.depth).toBe(3);
    for (const maxDepth of [1, 2]) {
      const e = explainClusters(x, labels, ["recency_days", "frequency", "monetary"], { seed: 1, maxDepth });
      expect(e.depth).toBeLessThanOrEqual(maxDepth);
      expect(e.rules.length).toBeLessThanOrEqual(2 ** maxDepth);
      expect(e.accuracy).toBeCloseTo(2 ** maxDepth / 8, 12);
      for (const r of e.rules) expect(r.conditions.length).toBeLessThanOrEqual(maxDepth);
    }
  });

  it("trains on a seeded sample when there are more customers than the sample size, measuring accuracy on all", () => {
    const { x, labels } = thresholdData(900, 5);
    const a = explainClusters(x, labels, FIELDS, { seed: 7, sampleSize: 200 });
    expect(a.trainedOn).toBe(200);
    expect(a.rules.reduce((s, r) => s + r.support, 0)).toBe(900);
    expect(explainClusters(x, labels, FIELDS, { seed: 7, sampleSize: 200 })).toEqual(a);
    expect(a.accuracy).toBeGreaterThan(0.95);
  });
});
