/**
 * A small classification tree (CART, Breiman et al. 1984) grown with the Gini impurity, for
 * explaining clusters: which thresholds on which features predict a customer's cluster.
 *
 * Written here rather than taken from ml-cart because the explanation needs, per node, the
 * split feature and a threshold with the rule's exact semantics (left: value ≤ threshold,
 * right: value > threshold), and a threshold a person can read: of the numbers separating the
 * two sides (≥ the largest value going left, < the smallest going right) the one with the
 * fewest significant figures is chosen (`roundestBetween`), e.g. 69 or 70.5 rather than
 * 69.73. Because that number lies in the gap, the rounded rule classifies the training rows
 * exactly as the tree does.
 *
 * Deterministic: candidate splits are scanned in feature order and increasing value; ties in
 * impurity keep the first; a leaf predicts its most frequent class (ties: the smallest label).
 */
import type { FeatureMatrix } from "./feature-matrix";

export interface TreeLeaf {
  kind: "leaf";
  /** Predicted class (the label as given, e.g. 0-based cluster). */
  prediction: number;
  /** Training rows reaching the leaf, and how many of each class (index = label). */
  size: number;
  counts: number[];
}

export interface TreeSplit {
  kind: "split";
  feature: number;
  /** Left: value ≤ threshold; right: value > threshold. */
  threshold: number;
  left: TreeNode;
  right: TreeNode;
  size: number;
  counts: number[];
}

export type TreeNode = TreeLeaf | TreeSplit;

export interface TreeOptions {
  /** Maximum depth (root split = depth 1). Default 3. */
  maxDepth?: number;
  /** Smallest number of training rows in a leaf. Default 1. */
  minLeaf?: number;
}

/** The number with the fewest significant figures in [lo, hi) (lo < hi); lo when none is simpler. */
export function roundestBetween(lo: number, hi: number): number {
  if (!(lo < hi)) return lo;
  const top = Math.max(Math.abs(lo), Math.abs(hi));
  if (lo <= 0 && hi > 0) return 0;
  const start = Math.floor(Math.log10(top)) + 1;
  for (let e = start; e >= start - 16; e--) {
    const step = 10 ** e;
    const q = lo / step;
    // lo itself may be a multiple of the step up to floating-point error (0.00123 / 0.00001 = 123.00000000000001).
    const c = Number(((Math.abs(q - Math.round(q)) < 1e-9 ? Math.round(q) : Math.ceil(q)) * step).toPrecision(15));
    if (c >= lo && c < hi) return c;
  }
  return lo;
}

function gini(counts: ArrayLike<number>, n: number): number {
  if (n === 0) return 0;
  let s = 0;
  for (let c = 0; c < counts.length; c++) s += (counts[c] / n) ** 2;
  return 1 - s;
}

function majority(counts: readonly number[]): number {
  let best = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c] > counts[best]) best = c;
  return best;
}

/**
 * Grows a tree on `rows` (indexes into x) with integer labels 0..classes-1. Splits only when
 * they lower the weighted Gini impurity; stops at maxDepth, pure nodes and minLeaf.
 */
export function fitDecisionTree(x: FeatureMatrix, labels: ArrayLike<number>, rows: ArrayLike<number>, options: TreeOptions = {}): TreeNode {
  const maxDepth = options.maxDepth ?? 3;
  const minLeaf = Math.max(1, options.minLeaf ?? 1);
  let classes = 0;
  for (let i = 0; i < rows.length; i++) classes = Math.max(classes, labels[rows[i]] + 1);
  const { values, cols } = x;

  const countsOf = (idx: Int32Array) => {
    const counts = new Array<number>(classes).fill(0);
    for (const i of idx) counts[labels[i]]++;
    return counts;
  };

  const grow = (idx: Int32Array, depth: number): TreeNode => {
    const n = idx.length;
    const counts = countsOf(idx);
    const leaf: TreeLeaf = { kind: "leaf", prediction: majority(counts), size: n, counts };
    if (depth >= maxDepth || n < 2 * minLeaf || counts[leaf.prediction] === n) return leaf;
    const parent = gini(counts, n);
    let best: { feature: number; threshold: number; score: number } | null = null;
    const left = new Float64Array(classes);
    const order = Array.from(idx);
    for (let j = 0; j < cols; j++) {
      order.sort((a, b) => values[a * cols + j] - values[b * cols + j] || a - b);
      left.fill(0);
      for (let p = 0; p < n - 1; p++) {
        left[labels[order[p]]]++;
        const v = values[order[p] * cols + j];
        const next = values[order[p + 1] * cols + j];
        const nl = p + 1;
        if (v === next || nl < minLeaf || n - nl < minLeaf) continue;
        let sl = 0;
        let sr = 0;
        for (let c = 0; c < classes; c++) {
          sl += left[c] * left[c];
          const r = counts[c] - left[c];
          sr += r * r;
        }
        // Weighted Gini: (nl·(1 − Σl²/nl²) + nr·(1 − Σr²/nr²)) / n.
        const score = (nl - sl / nl + (n - nl) - sr / (n - nl)) / n;
        if (best === null || score < best.score - 1e-12) best = { feature: j, threshold: roundestBetween(v, next), score };
      }
    }
    if (best === null || !(best.score < parent - 1e-12)) return leaf;
    const { feature, threshold } = best;
    const l = idx.filter((i) => values[i * cols + feature] <= threshold);
    const r = idx.filter((i) => values[i * cols + feature] > threshold);
    if (l.length === 0 || r.length === 0) return leaf;
    const node: TreeSplit = { kind: "split", feature, threshold, left: grow(l, depth + 1), right: grow(r, depth + 1), size: n, counts };
    // Two leaves predicting the same class say nothing more than their parent: merge them.
    if (node.left.kind === "leaf" && node.right.kind === "leaf" && node.left.prediction === node.right.prediction) return leaf;
    return node;
  };

  return grow(Int32Array.from(rows), 0);
}

/** The leaf row i of x reaches. */
export function leafOf(tree: TreeNode, x: FeatureMatrix, i: number): TreeLeaf {
  let node = tree;
  while (node.kind === "split") node = x.values[i * x.cols + node.feature] <= node.threshold ? node.left : node.right;
  return node;
}

export function predict(tree: TreeNode, x: FeatureMatrix, i: number): number {
  return leafOf(tree, x, i).prediction;
}

export function treeDepth(tree: TreeNode): number {
  return tree.kind === "leaf" ? 0 : 1 + Math.max(treeDepth(tree.left), treeDepth(tree.right));
}

/** Every leaf with the conditions of its path, left to right. */
export function treePaths(tree: TreeNode): { leaf: TreeLeaf; conditions: { feature: number; op: "lte" | "gt"; value: number }[] }[] {
  const out: ReturnType<typeof treePaths> = [];
  const walk = (node: TreeNode, path: { feature: number; op: "lte" | "gt"; value: number }[]) => {
    if (node.kind === "leaf") out.push({ leaf: node, conditions: path });
    else {
      walk(node.left, [...path, { feature: node.feature, op: "lte", value: node.threshold }]);
      walk(node.right, [...path, { feature: node.feature, op: "gt", value: node.threshold }]);
    }
  };
  walk(tree, []);
  return out;
}
