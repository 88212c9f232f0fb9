import { format as d3format, max, min, scaleBand, scaleLinear } from "d3";
import { useId } from "react";
import { BottomAxis } from "./axes";
import { useChartWidth } from "./use-chart-width";

export interface ContributionRow {
  segmentId: string;
  name: string;
  revenue: number;
  costToServe: number;
  campaignCost: number;
  contribution: number;
}

const MARGIN = { top: 24, right: 96, bottom: 40, left: 150 };
const ROW = 44;
const compact = d3format("~s");
const whole = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });

/**
 * Revenue against cost to serve (and campaign cost) per segment: for each segment a revenue bar
 * over a cost bar, with the contribution (revenue × margin − costs) written at the row's end, red
 * when negative. Embeddable (the executive dashboard shows it): give it the rows of
 * `campaigns.contribution`.
 */
export function ContributionChart({ rows, title = "Revenue and cost to serve per segment" }: { rows: ContributionRow[]; title?: string }) {
  const { ref, width } = useChartWidth<HTMLDivElement>(640);
  const id = useId();
  const plotWidth = Math.max(120, width - MARGIN.left - MARGIN.right);
  const plotHeight = Math.max(1, rows.length) * ROW;
  const height = plotHeight + MARGIN.top + MARGIN.bottom;
  const y = scaleBand<string>()
    .domain(rows.map((r) => r.segmentId))
    .range([0, plotHeight])
    .paddingInner(0.3)
    .paddingOuter(0.15);
  const x = scaleLinear()
    .domain([Math.min(0, min(rows, (r) => r.revenue) ?? 0), max(rows, (r) => Math.max(r.revenue, r.costToServe + r.campaignCost)) || 1])
    .nice()
    .range([0, plotWidth]);
  const bar = y.bandwidth() / 2;
  const summary = rows
    .map((r) => `${r.name}: revenue ${whole.format(r.revenue)}, cost to serve ${whole.format(r.costToServe)}, campaigns ${whole.format(r.campaignCost)}, contribution ${whole.format(r.contribution)}`)
    .join("; ");
  return (
    <figure className="chart" ref={ref}>
      <div className="chart__legend" aria-hidden="true">
        <span className="chart__key chart__key--revenue">Revenue</span>
        <span className="chart__key contribution-key--cost">Cost to serve</span>
        <span className="chart__key contribution-key--campaign">Campaign cost</span>
        <span className="contribution-key__note">Contribution = revenue × margin − costs</span>
      </div>
      <svg width={width} height={height} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary || "No segments."}</desc>
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          <g transform={`translate(0,${plotHeight})`}>
            <BottomAxis scale={x} gridLength={plotHeight} format={compact} ticks={Math.max(3, Math.floor(plotWidth / 90))} />
          </g>
          {rows.map((r) => {
            const top = y(r.segmentId) ?? 0;
            const x0 = x(0);
            return (
              <g key={r.segmentId}>
                <text x={-10} y={top + y.bandwidth() / 2} dy="0.32em" textAnchor="end" className="chart__label">
                  {r.name.length > 22 ? `${r.name.slice(0, 21)}…` : r.name}
                  <title>{r.name}</title>
                </text>
                <rect x={Math.min(x0, x(r.revenue))} y={top} width={Math.abs(x(r.revenue) - x0)} height={bar} className="chart__bar--revenue">
                  <title>{`${r.name}: revenue ${whole.format(r.revenue)}`}</title>
                </rect>
                <rect x={x0} y={top + bar} width={x(r.costToServe) - x0} height={bar} className="contribution-bar--cost">
                  <title>{`${r.name}: cost to serve ${whole.format(r.costToServe)}`}</title>
                </rect>
                <rect x={x(r.costToServe)} y={top + bar} width={x(r.costToServe + r.campaignCost) - x(r.costToServe)} height={bar} className="contribution-bar--campaign">
                  <title>{`${r.name}: campaign cost ${whole.format(r.campaignCost)}`}</title>
                </rect>
                <text
                  x={plotWidth + 8}
                  y={top + y.bandwidth() / 2}
                  dy="0.32em"
                  className={`chart__value${r.contribution < 0 ? " chart__value--danger" : ""}`}
                >
                  {r.contribution < 0 ? "−" : ""}
                  {whole.format(Math.abs(r.contribution))}
                </text>
              </g>
            );
          })}
          <text x={plotWidth + 8} y={-8} className="chart__axis-title">
            Contribution
          </text>
        </g>
      </svg>
    </figure>
  );
}
