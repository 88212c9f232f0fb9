import { extent, interpolateBlues, interpolateViridis, scaleSequential, scaleSqrt } from "d3";
import { useId } from "react";
import { useChartWidth } from "~/components/charts/use-chart-width";
import { clusterColour, clusterLabel } from "~/lib/models";
import type { ModelSomResult } from "../../../db/schema";

const two = (v: number) => v.toFixed(2);

/** One grid of nodes, each cell coloured by `value`, with optional hit circles coloured by cluster. */
function Grid({ som, cell, fill, title, description, circles }: { som: ModelSomResult; cell: number; fill: (u: number) => string; title: string; description: string; circles?: boolean }) {
  const id = useId();
  const maxHits = Math.max(1, ...som.hits);
  const r = scaleSqrt().domain([0, maxHits]).range([0, cell * 0.42]);
  return (
    <svg width={som.cols * cell} height={som.rows * cell} role="img" aria-labelledby={`${id}-t ${id}-d`} className="som-map__grid">
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{description}</desc>
      {som.weights.map((_, u) => {
        const row = Math.floor(u / som.cols);
        const col = u % som.cols;
        return (
          <g key={u} transform={`translate(${col * cell},${row * cell})`}>
            <rect width={cell - 1} height={cell - 1} fill={fill(u)} />
            {circles && som.hits[u] > 0 ? (
              <circle cx={(cell - 1) / 2} cy={(cell - 1) / 2} r={Math.max(2, r(som.hits[u]))} fill={clusterColour(som.nodeClusters[u] - 1)} stroke="white" strokeWidth={1}>
                <title>{`Node (${row + 1}, ${col + 1}): ${som.hits[u]} customers · ${clusterLabel(som.nodeClusters[u])}`}</title>
              </circle>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}

/**
 * A self-organizing map run's map: the U-matrix (light cells are close to their neighbours, dark
 * ones are borders between groups) with each node's customers as a circle coloured by its
 * cluster, and one component plane per feature (the node weights on that transformed feature).
 */
export function SomMap({ som, features, k }: { som: ModelSomResult; features: string[]; k: number }) {
  const { ref, width } = useChartWidth<HTMLDivElement>(640);
  const main = Math.max(18, Math.min(44, Math.floor((Math.min(width, 560) - 8) / som.cols)));
  const small = Math.max(8, Math.min(20, Math.floor((Math.min(width, 640) / Math.min(4, features.length) - 24) / som.cols)));
  const [uLo, uHi] = extent(som.uMatrix) as [number, number];
  const u = scaleSequential(interpolateBlues).domain([uLo, uHi === uLo ? uLo + 1 : uHi]);
  const clusters = [...new Set(som.nodeClusters)].sort((a, b) => a - b);
  return (
    <div className="som-map" ref={ref}>
      <figure className="chart">
        <Grid
          som={som}
          cell={main}
          fill={(n) => u(som.uMatrix[n])}
          circles
          title={`Self-organizing map, ${som.rows} × ${som.cols} nodes: U-matrix with customers per node, coloured by cluster at k = ${k}`}
          description={`Distances between neighbouring nodes from ${two(uLo)} (light) to ${two(uHi)} (dark); the largest node holds ${Math.max(...som.hits)} customers; ${som.hits.filter((h) => h === 0).length} nodes hold none.`}
        />
        <figcaption className="som-map__legend">
          {clusters.map((c) => (
            <span key={c} className="som-map__key">
              <span className="som-map__dot" style={{ background: clusterColour(c - 1) }} aria-hidden="true" /> {clusterLabel(c)}
            </span>
          ))}
          <span className="muted small">
            Cell shade: distance to the neighbouring nodes ({two(uLo)} light to {two(uHi)} dark) · circle area: customers on the node
          </span>
        </figcaption>
      </figure>
      <div>
        <h3 className="section__title">Each feature across the map (component planes)</h3>
        <div className="som-map__planes">
          {features.map((name, j) => {
            const values = som.weights.map((w) => w[j]);
            const [lo, hi] = extent(values) as [number, number];
            const color = scaleSequential(interpolateViridis).domain([lo, hi === lo ? lo + 1 : hi]);
            return (
              <figure key={name} className="som-map__plane">
                <Grid
                  som={som}
                  cell={small}
                  fill={(n) => color(values[n])}
                  title={`${name} across the map`}
                  description={`Node weights on ${name} (transformed) from ${two(lo)} to ${two(hi)}.`}
                />
                <figcaption className="small">
                  {name} <span className="muted">({two(lo)} to {two(hi)})</span>
                </figcaption>
              </figure>
            );
          })}
        </div>
      </div>
    </div>
  );
}
