import { max, scaleLinear } from "d3";
import { useId } from "react";
import { BottomAxis } from "./axes";
import { TipBody, useChartTooltip } from "./chart-tooltip";
import { useChartWidth } from "./use-chart-width";

export interface LiftRow {
  key: string;
  name: string;
  colour: string;
  actual: number | null;
  expected: number | null;
}

interface LiftChartProps {
  title: string;
  rows: LiftRow[];
  /** What is measured, for the axis ("Revenue"). */
  measure: string;
  /** How "expected" was worked out, for the tooltip ("its share of customers × total"). */
  expectedMeans: string;
  format: (v: number) => string;
  tickFormat: (v: number) => string;
}

const ROW = 36;
const MARGIN = { top: 12, right: 86, bottom: 44 };

/** actual ÷ expected, null when either is missing or expected is 0. */
export function liftOf(actual: number | null, expected: number | null): number | null {
  return actual === null || expected === null || expected === 0 ? null : actual / expected;
}

/** "×1.84" */
export function formatLift(lift: number | null): string {
  return lift === null ? "—" : `×${lift.toFixed(2)}`;
}

/**
 * Actual against expected per segment (a dumbbell): a hollow mark at what the segment would
 * give if it were like everyone else, a filled one at what it gave, joined by a line that is
 * blue when actual beats expected and red when not; the lift (actual ÷ expected) on the right.
 */
export function LiftChart({ title, rows, measure, expectedMeans, format, tickFormat }: LiftChartProps) {
  const { ref: sizeRef, width } = useChartWidth<HTMLDivElement>(640);
  const { ref, tipProps, tooltip } = useChartTooltip<HTMLDivElement>();
  const id = useId();
  const labelWidth = Math.min(200, Math.max(100, ...rows.map((r) => Math.ceil(r.name.length * 7.2) + 24)));
  const plotWidth = Math.max(120, width - labelWidth - MARGIN.right);
  const height = MARGIN.top + rows.length * ROW + MARGIN.bottom;
  const top = max(rows.flatMap((r) => [r.actual ?? 0, r.expected ?? 0])) || 1;
  const x = scaleLinear().domain([0, top]).nice().range([0, plotWidth]);
  const summary = rows
    .map((r) => `${r.name}: actual ${r.actual === null ? "—" : format(r.actual)}, expected ${r.expected === null ? "—" : format(r.expected)}, lift ${formatLift(liftOf(r.actual, r.expected))}`)
    .join("; ");

  return (
    <div ref={sizeRef}>
      <ul className="chart__legend" aria-hidden="true">
        <li className="lift__key lift__key--expected">Expected</li>
        <li className="lift__key lift__key--actual">Actual</li>
      </ul>
      <div ref={ref} className="chart-wrap">
        <figure className="chart">
          <svg width={width} height={height} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
            <title id={`${id}-title`}>{title}</title>
            <desc id={`${id}-desc`}>{summary}</desc>
            <g transform={`translate(${labelWidth},${MARGIN.top})`}>
              <g transform={`translate(0,${rows.length * ROW})`}>
                <BottomAxis scale={x} gridLength={rows.length * ROW} format={tickFormat} />
                <text x={plotWidth / 2} y={36} textAnchor="middle" className="chart__axis-title">
                  {measure}
                </text>
              </g>
              {rows.map((r, i) => {
                const lift = liftOf(r.actual, r.expected);
                const better = lift !== null && lift >= 1;
                return (
                  <g
                    key={r.key}
                    transform={`translate(0,${i * ROW + ROW / 2})`}
                    data-segment={r.name}
                    {...tipProps(
                      <TipBody
                        title={r.name}
                        lines={[
                          ["Actual", r.actual === null ? "—" : format(r.actual)],
                          ["Expected", r.expected === null ? "—" : format(r.expected)],
                          ["Lift", formatLift(lift)],
                          ["Expected is", expectedMeans],
                        ]}
                      />,
                    )}
                  >
                    <rect x={-labelWidth} y={-ROW / 2} width={labelWidth + plotWidth + MARGIN.right} height={ROW} fill="transparent" />
                    <circle cx={-labelWidth + 8} cy={0} r={5} fill={r.colour} />
                    <text x={-labelWidth + 20} dy="0.32em" className="chart__label chart__label--strong">
                      {r.name.length * 7.2 + 24 > labelWidth ? `${r.name.slice(0, Math.floor((labelWidth - 32) / 7.2))}…` : r.name}
                    </text>
                    {r.actual !== null && r.expected !== null ? (
                      <line
                        x1={x(r.expected)}
                        x2={x(r.actual)}
                        className={`lift__link lift__link--${better ? "good" : "bad"}`}
                      />
                    ) : null}
                    {r.expected !== null ? <circle cx={x(r.expected)} r={5.5} className="lift__expected" /> : null}
                    {r.actual !== null ? (
                      <circle cx={x(r.actual)} r={6} className={`lift__actual lift__actual--${better ? "good" : "bad"}`} />
                    ) : null}
                    <text x={plotWidth + 12} dy="0.32em" className={`chart__value lift__value lift__value--${lift === null ? "none" : better ? "good" : "bad"}`}>
                      {formatLift(lift)}
                    </text>
                  </g>
                );
              })}
            </g>
          </svg>
        </figure>
        {tooltip}
      </div>
    </div>
  );
}
