import { scaleLinear } from "d3";
import { useId } from "react";
import { BottomAxis } from "./axes";
import { useChartWidth } from "./use-chart-width";

export interface LiftInterval {
  label: string;
  estimate: number;
  low: number;
  high: number;
  significant: boolean;
}

const MARGIN = { top: 28, right: 24, bottom: 40, left: 24 };
const ROW = 58;

/**
 * Estimates with their confidence intervals on one horizontal scale that always includes zero
 * (no effect), drawn as a line from low to high with the estimate as a dot: an interval that
 * crosses the zero line is not distinguishable from no effect.
 */
export function LiftIntervalChart({ rows, title, format, axisTitle }: { rows: LiftInterval[]; title: string; format: (v: number) => string; axisTitle: string }) {
  const { ref, width } = useChartWidth<HTMLDivElement>(520);
  const id = useId();
  const plotWidth = Math.max(120, width - MARGIN.left - MARGIN.right);
  const height = MARGIN.top + rows.length * ROW + MARGIN.bottom;
  const lo = Math.min(0, ...rows.map((r) => r.low));
  const hi = Math.max(0, ...rows.map((r) => r.high));
  const pad = (hi - lo || 1) * 0.12;
  const x = scaleLinear()
    .domain([lo - pad, hi + pad])
    .nice()
    .range([0, plotWidth]);
  const plotHeight = rows.length * ROW;
  const summary = rows.map((r) => `${r.label}: ${format(r.estimate)} (${format(r.low)} to ${format(r.high)})`).join("; ");
  return (
    <figure className="chart" ref={ref}>
      <svg width={width} height={height} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          <g transform={`translate(0,${plotHeight})`}>
            <BottomAxis scale={x} gridLength={plotHeight} format={format} ticks={Math.max(3, Math.floor(plotWidth / 110))} />
            <text y={34} x={plotWidth / 2} textAnchor="middle" className="chart__axis-title">
              {axisTitle}
            </text>
          </g>
          <line x1={x(0)} x2={x(0)} y1={-10} y2={plotHeight} className="lift-chart__zero" />
          <text x={x(0)} y={-14} textAnchor="middle" className="lift-chart__zero-label">
            no effect
          </text>
          {rows.map((r, i) => {
            const cy = i * ROW + ROW / 2 - 2;
            const tone = r.significant ? (r.estimate >= 0 ? "up" : "down") : "flat";
            return (
              <g key={r.label} className={`lift-chart__row lift-chart__row--${tone}`}>
                {rows.length > 1 ? (
                  <text x={0} y={cy - 14} className="chart__label">
                    {r.label}
                  </text>
                ) : null}
                <line x1={x(r.low)} x2={x(r.high)} y1={cy} y2={cy} className="lift-chart__interval" />
                <line x1={x(r.low)} x2={x(r.low)} y1={cy - 6} y2={cy + 6} className="lift-chart__interval" />
                <line x1={x(r.high)} x2={x(r.high)} y1={cy - 6} y2={cy + 6} className="lift-chart__interval" />
                <circle cx={x(r.estimate)} cy={cy} r={6} className="lift-chart__estimate" />
                <text x={x(r.estimate)} y={cy + 21} textAnchor="middle" className="chart__value">
                  {format(r.estimate)}
                </text>
                <title>{`${r.label}: ${format(r.estimate)}, 95% interval ${format(r.low)} to ${format(r.high)}`}</title>
              </g>
            );
          })}
        </g>
      </svg>
    </figure>
  );
}
