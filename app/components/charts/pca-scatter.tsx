import { extent, format, scaleLinear } from "d3";
import { useId } from "react";
import { clusterColour } from "~/lib/models";
import { BottomAxis, LeftAxis } from "./axes";
import { useChartWidth } from "./use-chart-width";

export interface ScatterPoint {
  x: number;
  y: number;
  cluster: number;
}

export interface ScatterCluster {
  cluster: number;
  /** Position in the run's list of clusters (its colour). */
  index: number;
  name: string;
}

const MARGIN = { top: 12, right: 16, bottom: 44, left: 52 };
const percent = format(".0%");
const tick = (v: number) => format("~r")(Number(v.toPrecision(2)));

/**
 * A sample of customers on the first two principal components, one dot each, coloured by
 * cluster, with the legend above. Overlapping clouds are clusters the features barely tell
 * apart; the axes carry the share of variance each component explains.
 */
export function PcaScatter({
  points,
  clusters,
  explained,
  title,
}: {
  points: ScatterPoint[];
  clusters: ScatterCluster[];
  explained: [number, number] | null;
  title: string;
}) {
  const { ref, width } = useChartWidth<HTMLDivElement>(640);
  const id = useId();
  const height = Math.round(Math.min(460, Math.max(280, width * 0.6)));
  const plotWidth = Math.max(80, width - MARGIN.left - MARGIN.right);
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const [x0, x1] = extent(points, (p) => p.x) as [number, number] | [undefined, undefined];
  const [y0, y1] = extent(points, (p) => p.y) as [number, number] | [undefined, undefined];
  const x = scaleLinear()
    .domain([x0 ?? -1, x1 ?? 1])
    .nice()
    .range([0, plotWidth]);
  const y = scaleLinear()
    .domain([y0 ?? -1, y1 ?? 1])
    .nice()
    .range([plotHeight, 0]);
  const indexOf = new Map(clusters.map((c) => [c.cluster, c.index]));
  const counts = new Map<number, number>();
  for (const p of points) counts.set(p.cluster, (counts.get(p.cluster) ?? 0) + 1);
  const axisName = (i: 0 | 1) => `PC${i + 1}${explained ? ` (${percent(explained[i])} of variance)` : ""}`;
  const summary = `${points.length.toLocaleString("en-GB")} customers. ${clusters
    .map((c) => `${c.name}: ${(counts.get(c.cluster) ?? 0).toLocaleString("en-GB")}`)
    .join("; ")}.`;

  return (
    <figure className="chart" ref={ref}>
      <ul className="chart__legend pca__legend" aria-label="Clusters">
        {clusters.map((c) => (
          <li key={c.cluster} className="pca__key">
            <span className="pca__swatch" style={{ background: clusterColour(c.index) }} aria-hidden="true" />
            {c.name}
            <span className="muted"> · {(counts.get(c.cluster) ?? 0).toLocaleString("en-GB")}</span>
          </li>
        ))}
      </ul>
      <svg width={width} height={height} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          <LeftAxis scale={y} gridLength={plotWidth} format={tick} ticks={5} />
          <g transform={`translate(0,${plotHeight})`}>
            <BottomAxis scale={x} gridLength={plotHeight} format={tick} ticks={Math.max(3, Math.floor(plotWidth / 90))} />
            <text y={36} x={plotWidth / 2} textAnchor="middle" className="chart__axis-title">
              {axisName(0)}
            </text>
          </g>
          <text
            className="chart__axis-title"
            transform={`translate(${-MARGIN.left + 12},${plotHeight / 2}) rotate(-90)`}
            textAnchor="middle"
          >
            {axisName(1)}
          </text>
          <g className="pca__points">
            {points.map((p, i) => (
              <circle
                key={i}
                cx={x(p.x)}
                cy={y(p.y)}
                r={2.6}
                fill={clusterColour(indexOf.get(p.cluster) ?? p.cluster)}
              />
            ))}
          </g>
        </g>
      </svg>
    </figure>
  );
}
