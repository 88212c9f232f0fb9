import { format, max, scaleBand, scaleLinear } from "d3";
import { useId } from "react";
import { BottomAxis } from "./axes";
import { useChartWidth } from "./use-chart-width";

export interface RfmSegmentRow {
  segment: string;
  customers: number;
  revenue: number;
}

const ROW = 40;
const TOP = 6;
const AXIS = 28;
const percent = format(".0%");

/**
 * Customers per RFM segment next to the segment's share of revenue, as paired horizontal bars
 * on one percentage axis: a segment whose revenue bar outgrows its customer bar is worth more
 * than its size.
 */
export function RfmSegmentsChart({ rows, title }: { rows: RfmSegmentRow[]; title: string }) {
  const { ref, width } = useChartWidth<HTMLDivElement>();
  const id = useId();
  const totalCustomers = rows.reduce((s, r) => s + r.customers, 0) || 1;
  const totalRevenue = rows.reduce((s, r) => s + Math.max(0, r.revenue), 0) || 1;
  const data = rows.map((r) => ({
    ...r,
    customerShare: r.customers / totalCustomers,
    revenueShare: Math.max(0, r.revenue) / totalRevenue,
  }));
  const narrow = width < 520;
  const labelWidth = narrow ? 126 : 140;
  const plotWidth = Math.max(80, width - labelWidth - (narrow ? 56 : 118));
  const height = TOP + data.length * ROW + AXIS;
  const x = scaleLinear()
    .domain([0, max(data, (d) => Math.max(d.customerShare, d.revenueShare)) || 1])
    .nice()
    .range([0, plotWidth]);
  const y = scaleBand<string>()
    .domain(data.map((d) => d.segment))
    .range([TOP, TOP + data.length * ROW])
    .paddingInner(0.2);
  const bar = y.bandwidth() / 2;
  const summary = data
    .map((d) => `${d.segment}: ${percent(d.customerShare)} of customers, ${percent(d.revenueShare)} of revenue`)
    .join("; ");

  return (
    <figure className="chart" ref={ref}>
      <div className="chart__legend" aria-hidden="true">
        <span className="chart__key chart__key--customers">Share of customers</span>
        <span className="chart__key chart__key--revenue">Share of revenue</span>
      </div>
      <svg width={width} height={height} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <g transform={`translate(${labelWidth},0)`}>
          <g transform={`translate(0,${TOP + data.length * ROW})`}>
            <BottomAxis scale={x} gridLength={data.length * ROW} format={percent} ticks={narrow ? 3 : 5} />
          </g>
          {data.map((d) => {
            const top = y(d.segment) ?? 0;
            return (
              <g key={d.segment} transform={`translate(0,${top})`}>
                <text x={-10} y={bar} dy="0.32em" textAnchor="end" className="chart__label">
                  {d.segment}
                </text>
                <rect
                  width={Math.max(1, x(d.customerShare))}
                  height={bar - 1}
                  className="chart__bar--customers"
                  rx={2}
                />
                <rect
                  y={bar}
                  width={Math.max(1, x(d.revenueShare))}
                  height={bar - 1}
                  className="chart__bar--revenue"
                  rx={2}
                />
                <text x={x(d.customerShare) + 6} y={bar / 2} dy="0.32em" className="chart__value">
                  {narrow
                    ? percent(d.customerShare)
                    : `${percent(d.customerShare)} · ${d.customers.toLocaleString("en-GB")}`}
                </text>
                <text x={x(d.revenueShare) + 6} y={bar * 1.5} dy="0.32em" className="chart__value chart__value--muted">
                  {percent(d.revenueShare)}
                </text>
              </g>
            );
          })}
        </g>
      </svg>
    </figure>
  );
}
