import { format, scaleLinear } from "d3";
import { useId } from "react";
import { LeftAxis } from "~/components/charts/axes";
import { useChartWidth } from "~/components/charts/use-chart-width";
import { clusterColour, clusterLabel } from "~/lib/models";
import type { ModelWardResult } from "../../../db/schema";

const MARGIN = { top: 16, right: 16, bottom: 34, left: 58 };
const HEIGHT = 300;
const two = format(".2f");

interface Node {
  x: number;
  height: number;
  size: number;
  /** Lowest leaf id below (the cluster numbering: a cluster's number is the rank of its lowest leaf). */
  minLeaf: number;
}

/**
 * The top of a Ward run's merge tree as a d3 dendrogram: leaves are the subtrees at the stored
 * cut (their customer counts below), each merge an elbow at its Ward height, and a dashed line
 * where the tree is cut into `k` clusters, the branches below it coloured by cluster.
 */
export function WardDendrogram({ ward, k }: { ward: ModelWardResult; k: number }) {
  const { ref, width } = useChartWidth<HTMLDivElement>(640);
  const id = useId();
  const L = ward.leaves.length;
  const plotWidth = Math.max(120, width - MARGIN.left - MARGIN.right);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const root = L + ward.merges.length - 1;
  // Leaf order without crossings: depth-first from the root, lower child first.
  const order: number[] = [];
  const visit = (idx: number) => {
    if (idx < L) order.push(idx);
    else {
      const m = ward.merges[idx - L];
      visit(m.a);
      visit(m.b);
    }
  };
  if (ward.merges.length) visit(root);
  else order.push(0);
  const step = plotWidth / Math.max(1, L);
  const nodes = new Map<number, Node>();
  order.forEach((leaf, position) => nodes.set(leaf, { x: step * (position + 0.5), height: 0, size: ward.leaves[leaf].size, minLeaf: leaf }));
  ward.merges.forEach((m, i) => {
    const a = nodes.get(m.a)!;
    const b = nodes.get(m.b)!;
    nodes.set(L + i, { x: (a.x + b.x) / 2, height: m.height, size: m.size, minLeaf: Math.min(a.minLeaf, b.minLeaf) });
  });
  const top = ward.merges.length ? ward.merges[ward.merges.length - 1].height : 1;
  const y = scaleLinear().domain([0, top * 1.05]).nice().range([plotHeight, 0]);
  // The cut into k clusters: between the (k−1)-th highest merge and the next one down.
  const cutK = Math.min(k, L);
  const M = ward.merges.length;
  // Merges with index ≥ above are undone by the cut (the k − 1 highest).
  const above = M - (cutK - 1);
  const cutHeight = above >= M ? top * 1.02 : above <= 0 ? ward.merges[0].height / 2 : (ward.merges[above - 1].height + ward.merges[above].height) / 2;
  const belowCut = (idx: number) => idx < L || idx - L < above;
  // The clusters at k: nodes below the cut whose parent is above it (or the root), numbered by their lowest leaf.
  const clusterRoots: number[] = [];
  const parentOf = new Map<number, number>();
  ward.merges.forEach((m, i) => {
    parentOf.set(m.a, L + i);
    parentOf.set(m.b, L + i);
  });
  for (const idx of nodes.keys()) {
    const parent = parentOf.get(idx);
    if (belowCut(idx) && (parent === undefined || !belowCut(parent))) clusterRoots.push(idx);
  }
  clusterRoots.sort((p, q) => nodes.get(p)!.minLeaf - nodes.get(q)!.minLeaf);
  const clusterOf = new Map<number, number>();
  const mark = (idx: number, c: number) => {
    clusterOf.set(idx, c);
    if (idx >= L) {
      mark(ward.merges[idx - L].a, c);
      mark(ward.merges[idx - L].b, c);
    }
  };
  clusterRoots.forEach((r, c) => mark(r, c));
  const summary = `Ward merge tree of ${ward.leaves.reduce((s, l) => s + l.size, 0).toLocaleString("en-GB")} customers, top ${L} branches; cut at height ${two(cutHeight)} into ${clusterRoots.length} clusters.`;

  return (
    <figure className="chart dendrogram" ref={ref}>
      <svg width={width} height={HEIGHT} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
        <title id={`${id}-title`}>Ward dendrogram</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          <LeftAxis scale={y} gridLength={plotWidth} format={two} ticks={5} />
          {ward.merges.map((m, i) => {
            const node = nodes.get(L + i)!;
            const a = nodes.get(m.a)!;
            const b = nodes.get(m.b)!;
            const c = clusterOf.get(L + i);
            const stroke = c === undefined ? "var(--color-text-muted, #6b7280)" : clusterColour(c);
            return (
              <path
                key={i}
                d={`M${a.x},${y(a.height)}V${y(node.height)}H${b.x}V${y(b.height)}`}
                fill="none"
                stroke={stroke}
                strokeWidth={c === undefined ? 1.5 : 2}
              >
                <title>{`Merge at height ${two(m.height)}: ${m.size.toLocaleString("en-GB")} customers`}</title>
              </path>
            );
          })}
          {order.map((leaf) => {
            const node = nodes.get(leaf)!;
            const c = clusterOf.get(leaf);
            return (
              <g key={leaf} transform={`translate(${node.x},${plotHeight})`}>
                <circle r={Math.min(6, 2 + Math.sqrt(node.size) / 6)} fill={c === undefined ? "#9ca3af" : clusterColour(c)}>
                  <title>{`${node.size.toLocaleString("en-GB")} customers${c === undefined ? "" : ` · ${clusterLabel(c + 1)}`}`}</title>
                </circle>
                {L <= 30 ? (
                  <text y={18} textAnchor="middle" className="chart__tick-label dendrogram__size">
                    {node.size >= 1000 ? format(".2~s")(node.size) : node.size}
                  </text>
                ) : null}
              </g>
            );
          })}
          <g transform={`translate(0,${y(cutHeight)})`}>
            <line x1={0} x2={plotWidth} className="k-chart__marker" />
            <text x={plotWidth} y={-6} textAnchor="end" className="k-chart__marker-label">
              k = {clusterRoots.length}
            </text>
          </g>
          <text x={-44} y={-4} className="chart__tick-label">
            height
          </text>
        </g>
      </svg>
    </figure>
  );
}
