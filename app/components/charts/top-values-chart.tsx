import { max, scaleBand, scaleLinear } from "d3";
import { useId } from "react";
import { useChartWidth } from "./use-chart-width";

export interface TopValue {
  value: string;
  count: number;
}

const ROW = 24;
const VALUE_WIDTH = 96;

/** The most frequent values of a category column, as horizontal bars with their count and share. */
export function TopValuesChart({ values, total, title }: { values: TopValue[]; total: number; title: string }) {
  const { ref, width } = useChartWidth<HTMLDivElement>(320);
  const id = useId();
  const labelWidth = Math.min(150, Math.max(48, ...values.map((v) => v.value.length * 7 + 12)));
  const plotWidth = Math.max(40, width - labelWidth - VALUE_WIDTH);
  const height = values.length * ROW + 4;
  const x = scaleLinear()
    .domain([0, max(values, (v) => v.count) || 1])
    .range([0, plotWidth]);
  const y = scaleBand<string>()
    .domain(values.map((v) => v.value))
    .range([2, 2 + values.length * ROW])
    .paddingInner(0.25);
  const share = (count: number) => (total ? `${Math.round((count / total) * 100)}%` : "");
  const summary = values.map((v) => `${v.value}: ${v.count} (${share(v.count)})`).join("; ");

  return (
    <figure className="chart" ref={ref}>
      <svg width={width} height={height} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <g transform={`translate(${labelWidth},0)`}>
          {values.map((v) => {
            const top = y(v.value) ?? 0;
            const h = y.bandwidth();
            const label = v.value.length > 20 ? `${v.value.slice(0, 19)}…` : v.value;
            return (
              <g key={v.value} transform={`translate(0,${top})`}>
                <text x={-8} y={h / 2} dy="0.32em" textAnchor="end" className="chart__label">
                  {label}
                </text>
                <rect width={Math.max(1, x(v.count))} height={h} rx={2} className="chart__bar--revenue" />
                <text x={x(v.count) + 6} y={h / 2} dy="0.32em" className="chart__value">
                  {v.count.toLocaleString("en-GB")} · {share(v.count)}
                </text>
              </g>
            );
          })}
        </g>
      </svg>
    </figure>
  );
}
