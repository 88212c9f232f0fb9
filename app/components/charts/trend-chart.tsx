import { bisector, line, max, min, scaleLinear, scaleUtc } from "d3";
import { useId, useState } from "react";
import { LeftAxis } from "./axes";
import { TipBody, useChartTooltip } from "./chart-tooltip";
import { useChartWidth } from "./use-chart-width";

export interface TrendSeries {
  key: string;
  name: string;
  colour: string;
  /** One point per period, oldest first; a null value is a gap. */
  points: { period: string; value: number | null }[];
}

interface TrendChartProps {
  series: TrendSeries[];
  title: string;
  /** The y axis's title, e.g. "Customers". */
  yLabel: string;
  format: (v: number) => string;
  /** Compact tick labels. */
  tickFormat: (v: number) => string;
  /** How a period is written on the axis ("4 Nov"). */
  periodLabel: (period: string) => string;
  /** How a period is written in the tooltip ("Week 45, 2011"); the axis label by default. */
  tooltipLabel?: (period: string) => string;
  height?: number;
}

const MARGIN = { top: 16, right: 24, bottom: 34, left: 64 };

/**
 * Several segments' values over time, one coloured line each (points at every period, gaps
 * where a period has no value), with a legend. Hovering (or focusing the chart and using the
 * arrow keys) shows every segment's value at the nearest period.
 */
export function TrendChart({ series, title, yLabel, format, tickFormat, periodLabel, tooltipLabel = periodLabel, height = 260 }: TrendChartProps) {
  const { ref: sizeRef, width } = useChartWidth<HTMLDivElement>(640);
  const { ref, showAt, tooltip, hide } = useChartTooltip<HTMLDivElement>();
  const id = useId();
  const [active, setActive] = useState<number | null>(null);
  const periods = [...new Set(series.flatMap((s) => s.points.map((p) => p.period)))].sort();
  const dates = periods.map((p) => new Date(p));
  const plotWidth = Math.max(120, width - MARGIN.left - MARGIN.right);
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const values = series.flatMap((s) => s.points.map((p) => p.value)).filter((v): v is number => v !== null);
  const lo = Math.min(0, min(values) ?? 0);
  const y = scaleLinear()
    .domain([lo, max(values) || 1])
    .nice()
    .range([plotHeight, 0]);
  const x = scaleUtc()
    .domain(dates.length > 1 ? [dates[0], dates[dates.length - 1]] : [new Date((dates[0]?.getTime() ?? 0) - 1), new Date((dates[0]?.getTime() ?? 0) + 1)])
    .range([0, plotWidth]);
  const draw = line<{ period: string; value: number | null }>()
    .defined((p) => p.value !== null)
    .x((p) => x(new Date(p.period)))
    .y((p) => y(p.value ?? 0));
  const tickEvery = Math.max(1, Math.ceil(periods.length / Math.max(2, Math.floor(plotWidth / 90))));
  const at = bisector((d: Date) => d.getTime()).center;
  const summary = series
    .map((s) => {
      const last = [...s.points].reverse().find((p) => p.value !== null);
      return `${s.name}: ${last ? `${format(last.value ?? 0)} in ${tooltipLabel(last.period)}` : "no values"}`;
    })
    .join("; ");

  function show(index: number, clientX: number, clientY: number) {
    setActive(index);
    const period = periods[index];
    const lines = series.map((s): [string, string] => {
      const v = s.points.find((p) => p.period === period)?.value;
      return [s.name, v === null || v === undefined ? "—" : format(v)];
    });
    showAt(clientX, clientY, <TipBody title={tooltipLabel(period)} lines={lines} />);
  }

  return (
    <div ref={sizeRef}>
      <ul className="chart__legend trend__legend" aria-label="Segments">
        {series.map((s) => (
          <li key={s.key} className="trend__key">
            <span className="trend__swatch" style={{ background: s.colour }} aria-hidden="true" />
            {s.name}
          </li>
        ))}
      </ul>
      <div ref={ref} className="chart-wrap">
        <figure className="chart">
          <svg
            width={width}
            height={height}
            role="img"
            aria-labelledby={`${id}-title ${id}-desc`}
            className="chart__svg"
            tabIndex={periods.length ? 0 : -1}
            onKeyDown={(e) => {
              if (!periods.length || (e.key !== "ArrowLeft" && e.key !== "ArrowRight")) return;
              e.preventDefault();
              const next = Math.max(0, Math.min(periods.length - 1, (active ?? periods.length) + (e.key === "ArrowLeft" ? -1 : 1)));
              const box = e.currentTarget.getBoundingClientRect();
              show(next, box.left + MARGIN.left + x(dates[next]), box.top + MARGIN.top + 8);
            }}
            onBlur={() => {
              setActive(null);
              hide();
            }}
          >
            <title id={`${id}-title`}>{title}</title>
            <desc id={`${id}-desc`}>{summary}</desc>
            <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
              <LeftAxis scale={y} gridLength={plotWidth} format={tickFormat} />
              <text
                className="chart__axis-title"
                transform={`translate(${-MARGIN.left + 12},${plotHeight / 2}) rotate(-90)`}
                textAnchor="middle"
              >
                {yLabel}
              </text>
              <g className="chart__axis" aria-hidden="true" transform={`translate(0,${plotHeight})`}>
                <line x1={0} x2={plotWidth} className="chart__axis-line" />
                {periods.map((p, i) =>
                  i % tickEvery === 0 ? (
                    <g key={p} transform={`translate(${x(dates[i])},0)`}>
                      <line y2={5} className="chart__axis-line" />
                      <text y={18} textAnchor="middle">
                        {periodLabel(p)}
                      </text>
                    </g>
                  ) : null,
                )}
              </g>
              {active !== null ? (
                <line
                  x1={x(dates[active])}
                  x2={x(dates[active])}
                  y1={0}
                  y2={plotHeight}
                  className="trend__crosshair"
                  data-export="skip"
                />
              ) : null}
              {series.map((s) => (
                <g key={s.key}>
                  <path d={draw(s.points) ?? ""} className="trend__line" stroke={s.colour} />
                  {s.points.map((p) =>
                    p.value === null ? null : (
                      <circle
                        key={p.period}
                        cx={x(new Date(p.period))}
                        cy={y(p.value)}
                        r={active !== null && periods[active] === p.period ? 4.5 : 2.5}
                        fill={s.colour}
                        className="trend__point"
                      />
                    ),
                  )}
                </g>
              ))}
              <rect
                width={plotWidth}
                height={plotHeight}
                fill="transparent"
                data-export="skip"
                onMouseMove={(e) => {
                  const box = e.currentTarget.getBoundingClientRect();
                  const i = at(dates, x.invert(e.clientX - box.left));
                  if (i >= 0 && i < periods.length) show(i, e.clientX, e.clientY);
                }}
                onMouseLeave={() => {
                  setActive(null);
                  hide();
                }}
              />
            </g>
          </svg>
        </figure>
        {tooltip}
      </div>
    </div>
  );
}
