import { format, max, scaleBand, scaleLinear } from "d3";
import { useId } from "react";
import { BottomAxis } from "./axes";
import { useChartWidth } from "./use-chart-width";

export interface MissingnessRow {
  name: string;
  missingShare: number;
  missing: number;
  blocksModelling: boolean;
}

const ROW = 28;
const TOP = 22;
const AXIS = 28;
const VALUE_WIDTH = 180;
const percent = format(".0%");
const precise = (share: number) => (share > 0 && share < 0.001 ? "<0.1%" : format(".1%")(share));

/**
 * The share of empty values per column, with the workspace's threshold as a dashed line: a
 * column past it is drawn in red and blocks modelling.
 */
export function MissingnessChart({
  rows,
  threshold,
  title,
}: {
  rows: MissingnessRow[];
  threshold: number;
  title: string;
}) {
  const { ref, width } = useChartWidth<HTMLDivElement>();
  const id = useId();
  const narrow = width < 560;
  const maxChars = narrow ? 14 : 30;
  const labelWidth = Math.min(narrow ? 124 : 220, Math.max(90, ...rows.map((r) => r.name.length * 7 + 16)));
  const plotWidth = Math.max(80, width - labelWidth - (narrow ? 60 : VALUE_WIDTH));
  const height = TOP + rows.length * ROW + AXIS;
  const top = Math.min(1, Math.max(threshold * 1.25, max(rows, (r) => r.missingShare) ?? 0, 0.05));
  const x = scaleLinear().domain([0, top]).nice().range([0, plotWidth]);
  const y = scaleBand<string>()
    .domain(rows.map((r) => r.name))
    .range([TOP, TOP + rows.length * ROW])
    .paddingInner(0.25);
  const blocked = rows.filter((r) => r.blocksModelling);
  const summary = `${rows.length} columns; threshold ${percent(threshold)}. ${
    blocked.length
      ? `Over the threshold: ${blocked.map((r) => `${r.name} (${precise(r.missingShare)})`).join(", ")}.`
      : "No column is over it."
  } ${rows.map((r) => `${r.name}: ${precise(r.missingShare)} missing`).join("; ")}`;

  return (
    <figure className="chart" ref={ref}>
      <svg width={width} height={height} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <g transform={`translate(${labelWidth},0)`}>
          <g transform={`translate(0,${TOP + rows.length * ROW})`}>
            <BottomAxis
              scale={x}
              gridLength={rows.length * ROW}
              format={percent}
              ticks={Math.max(2, Math.floor(plotWidth / 70))}
            />
          </g>
          {rows.map((r) => {
            const rowTop = y(r.name) ?? 0;
            const h = y.bandwidth();
            const name = r.name.length > maxChars ? `${r.name.slice(0, maxChars - 1)}…` : r.name;
            return (
              <g key={r.name} transform={`translate(0,${rowTop})`}>
                <text x={-10} y={h / 2} dy="0.32em" textAnchor="end" className="chart__label">
                  {name}
                </text>
                <rect
                  width={r.missingShare > 0 ? Math.max(2, x(r.missingShare)) : 0}
                  height={h}
                  rx={2}
                  className={r.blocksModelling ? "chart__bar--danger" : "chart__bar--neutral"}
                />
                <text
                  x={x(r.missingShare) + 6}
                  y={h / 2}
                  dy="0.32em"
                  className={`chart__value${r.blocksModelling ? " chart__value--danger" : ""}`}
                >
                  {precise(r.missingShare)}
                  {r.blocksModelling && !narrow ? " · blocks modelling" : ""}
                </text>
              </g>
            );
          })}
          <g transform={`translate(${x(threshold)},0)`}>
            <line y1={TOP - 4} y2={TOP + rows.length * ROW} className="chart__threshold" />
            <text y={TOP - 8} textAnchor="middle" className="chart__threshold-label">
              limit {percent(threshold)}
            </text>
          </g>
        </g>
      </svg>
    </figure>
  );
}
