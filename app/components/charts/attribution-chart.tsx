import { format as d3format, max, scaleBand, scaleLinear } from "d3";
import { useId } from "react";
import { LeftAxis } from "./axes";
import { useChartWidth } from "./use-chart-width";

export interface AttributionBar {
  channel: string;
  label: string;
  firstTouch: number;
  lastTouch: number;
  linear: number;
}

export const ATTRIBUTION_RULE_LABELS = { firstTouch: "First touch", lastTouch: "Last touch", linear: "Linear" } as const;
const RULES = Object.keys(ATTRIBUTION_RULE_LABELS) as (keyof typeof ATTRIBUTION_RULE_LABELS)[];

const MARGIN = { top: 16, right: 16, bottom: 40, left: 64 };
const HEIGHT = 260;
const compact = d3format("~s");

/** Revenue per channel under the three attribution rules, as grouped bars (one colour per rule). */
export function AttributionChart({ channels, title }: { channels: AttributionBar[]; title: string }) {
  const { ref, width } = useChartWidth<HTMLDivElement>(640);
  const id = useId();
  const plotWidth = Math.max(120, width - MARGIN.left - MARGIN.right);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = scaleBand<string>()
    .domain(channels.map((c) => c.channel))
    .range([0, plotWidth])
    .paddingInner(0.25)
    .paddingOuter(0.1);
  const inner = scaleBand<string>().domain(RULES).range([0, x.bandwidth()]).padding(0.08);
  const y = scaleLinear()
    .domain([0, max(channels, (c) => Math.max(c.firstTouch, c.lastTouch, c.linear)) || 1])
    .nice()
    .range([plotHeight, 0]);
  const summary = channels
    .map((c) => `${c.label}: first ${Math.round(c.firstTouch)}, last ${Math.round(c.lastTouch)}, linear ${Math.round(c.linear)}`)
    .join("; ");
  return (
    <figure className="chart" ref={ref}>
      <div className="chart__legend" aria-hidden="true">
        {RULES.map((r) => (
          <span key={r} className={`chart__key attribution-key--${r}`}>
            {ATTRIBUTION_RULE_LABELS[r]}
          </span>
        ))}
      </div>
      <svg width={width} height={HEIGHT} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary || "No attributed revenue."}</desc>
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          <LeftAxis scale={y} gridLength={plotWidth} format={compact} />
          <text className="chart__axis-title" transform={`translate(${-MARGIN.left + 14},${plotHeight / 2}) rotate(-90)`} textAnchor="middle">
            Revenue
          </text>
          <g className="chart__axis" aria-hidden="true" transform={`translate(0,${plotHeight})`}>
            <line x1={0} x2={plotWidth} className="chart__axis-line" />
            {channels.map((c) => (
              <text key={c.channel} x={(x(c.channel) ?? 0) + x.bandwidth() / 2} y={20} textAnchor="middle" className="chart__label">
                {c.label}
              </text>
            ))}
          </g>
          {channels.map((c) => (
            <g key={c.channel} transform={`translate(${x(c.channel) ?? 0},0)`}>
              {RULES.map((r) => (
                <rect
                  key={r}
                  x={inner(r)}
                  y={y(Math.max(0, c[r]))}
                  width={inner.bandwidth()}
                  height={Math.max(0, plotHeight - y(Math.max(0, c[r])))}
                  className={`attribution-bar attribution-bar--${r}`}
                >
                  <title>{`${c.label}, ${ATTRIBUTION_RULE_LABELS[r].toLowerCase()}: ${Math.round(c[r]).toLocaleString("en-GB")}`}</title>
                </rect>
              ))}
            </g>
          ))}
        </g>
      </svg>
    </figure>
  );
}
