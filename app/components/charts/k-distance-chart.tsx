import { format, line, scaleLinear } from "d3";
import { useId } from "react";
import { BottomAxis, LeftAxis } from "./axes";
import { useChartWidth } from "./use-chart-width";

const MARGIN = { top: 24, right: 18, bottom: 40, left: 58 };
const HEIGHT = 210;
const two = format(".2f");

export interface KDistancePlot {
  k: number;
  minPts: number;
  customers: number;
  sampled: boolean;
  sampleSize: number;
  points: { rank: number; distance: number }[];
  knee: { rank: number; distance: number };
}

/**
 * The k-distance plot for choosing DBSCAN's eps: each customer's distance to its k-th nearest
 * other customer (k = minPts − 1), sorted descending, with the knee hinted by a dashed line.
 */
export function KDistanceChart({ plot }: { plot: KDistancePlot }) {
  const { ref, width } = useChartWidth<HTMLDivElement>(320);
  const id = useId();
  const plotWidth = Math.max(80, width - MARGIN.left - MARGIN.right);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = scaleLinear().domain([1, Math.max(2, plot.sampleSize)]).range([0, plotWidth]);
  const y = scaleLinear()
    .domain([0, Math.max(...plot.points.map((p) => p.distance), 1e-9)])
    .nice()
    .range([plotHeight, 0]);
  const path = line()(plot.points.map((p) => [x(p.rank), y(p.distance)] as [number, number])) ?? "";
  const summary = `Distance to the ${plot.k}th nearest customer, sorted from largest to smallest, for ${plot.sampleSize} customers${plot.sampled ? ` (a sample of ${plot.customers})` : ""}; the curve bends near ${two(plot.knee.distance)}.`;
  return (
    <figure className="chart k-chart" ref={ref}>
      <figcaption className="k-chart__caption">
        <span className="k-chart__title">k-distance plot (k = {plot.k})</span>
        <span className="k-chart__better">
          The knee (where the curve flattens) suggests eps ≈ {two(plot.knee.distance)}
          {plot.sampled ? `; on a sample of ${plot.sampleSize.toLocaleString("en-GB")} of ${plot.customers.toLocaleString("en-GB")} customers, so a little high` : ""}.
        </span>
      </figcaption>
      <svg width={width} height={HEIGHT} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
        <title id={`${id}-title`}>k-distance plot</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          <LeftAxis scale={y} gridLength={plotWidth} format={two} ticks={4} />
          <g transform={`translate(0,${plotHeight})`}>
            <BottomAxis scale={x} gridLength={0} format={format("~s")} ticks={5} integer />
          </g>
          <g transform={`translate(0,${y(plot.knee.distance)})`}>
            <line x1={0} x2={plotWidth} className="k-chart__marker" />
            <text x={plotWidth} y={-6} textAnchor="end" className="k-chart__marker-label">
              knee ≈ {two(plot.knee.distance)}
            </text>
          </g>
          <path d={path} className="chart__line" />
        </g>
      </svg>
    </figure>
  );
}
