import { extent, line, scaleLinear, scaleUtc } from "d3";
import { useId } from "react";
import { performance, type Direction } from "~/components/kpis/format";
import { TipBody, useChartTooltip } from "./chart-tooltip";
import { useChartWidth } from "./use-chart-width";

export interface MultiplePanel {
  key: string;
  name: string;
  direction: Direction;
  target: number | null;
  points: { period: string; value: number | null }[];
}

interface SmallMultiplesProps {
  title: string;
  panels: MultiplePanel[];
  /** Formats a panel's value (each KPI has its own unit). */
  format: (panelKey: string, v: number) => string;
  periodLabel: (period: string) => string;
}

const PANEL_HEIGHT = 132;
const GAP = 16;
const PAD = { top: 30, right: 14, bottom: 22, left: 12 };

/**
 * One small line chart per KPI over time, each on its own scale, with its target as a dashed
 * line: the last value is labelled and coloured by whether it meets the target. All panels
 * sit in one SVG (one export) in a grid of as many columns as fit.
 */
export function SmallMultiples({ title, panels, format, periodLabel }: SmallMultiplesProps) {
  const { ref: sizeRef, width } = useChartWidth<HTMLDivElement>(720);
  const { ref, tipProps, tooltip } = useChartTooltip<HTMLDivElement>();
  const id = useId();
  const columns = Math.max(1, Math.min(panels.length, Math.floor((width + GAP) / (240 + GAP))));
  const panelWidth = Math.floor((width - GAP * (columns - 1)) / columns);
  const rows = Math.ceil(panels.length / columns);
  const height = rows * PANEL_HEIGHT + (rows - 1) * GAP;
  const innerW = panelWidth - PAD.left - PAD.right;
  const innerH = PANEL_HEIGHT - PAD.top - PAD.bottom;
  const summary = panels
    .map((p) => {
      const last = [...p.points].reverse().find((q) => q.value !== null);
      return `${p.name}: ${last ? `${format(p.key, last.value ?? 0)} in ${periodLabel(last.period)}` : "no values"}${p.target !== null ? `, target ${format(p.key, p.target)}` : ""}`;
    })
    .join("; ");

  return (
    <div ref={sizeRef}>
      <div ref={ref} className="chart-wrap">
        <figure className="chart">
          <svg width={width} height={height} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
            <title id={`${id}-title`}>{title}</title>
            <desc id={`${id}-desc`}>{summary}</desc>
            {panels.map((p, i) => {
              const col = i % columns;
              const row = Math.floor(i / columns);
              const values = p.points.map((q) => q.value).filter((v): v is number => v !== null);
              const [lo, hi] = extent([...values, ...(p.target !== null ? [p.target] : [])]) as [number | undefined, number | undefined];
              const y = scaleLinear()
                .domain([Math.min(0, lo ?? 0), hi === undefined || hi === 0 ? 1 : hi])
                .nice(3)
                .range([innerH, 0]);
              const dates = p.points.map((q) => new Date(q.period));
              const x = scaleUtc()
                .domain(dates.length > 1 ? [dates[0], dates[dates.length - 1]] : [new Date(0), new Date(1)])
                .range(dates.length > 1 ? [0, innerW] : [innerW / 2, innerW / 2]);
              const path = line<{ period: string; value: number | null }>()
                .defined((q) => q.value !== null)
                .x((q) => x(new Date(q.period)))
                .y((q) => y(q.value ?? 0))(p.points);
              const last = [...p.points].reverse().find((q) => q.value !== null) ?? null;
              const perf = last ? performance(last.value, p.target, p.direction) : null;
              const tone = perf === null ? "none" : perf >= 0 ? "good" : "bad";
              const lastText = last ? format(p.key, last.value ?? 0) : "—";
              // The name gives way to the latest value on the panel's top line.
              const nameChars = Math.max(6, Math.floor((panelWidth - PAD.left - PAD.right - lastText.length * 7.5 - 12) / 7));
              const name = p.name.length > nameChars ? `${p.name.slice(0, nameChars - 1)}…` : p.name;
              const targetY = p.target === null ? 0 : y(p.target);
              return (
                <g key={p.key} transform={`translate(${col * (panelWidth + GAP)},${row * (PANEL_HEIGHT + GAP)})`} data-panel={p.name}>
                  <rect width={panelWidth} height={PANEL_HEIGHT} rx={8} className="multiples__panel" />
                  <text x={PAD.left} y={18} className="chart__label chart__label--strong">
                    {name}
                    <title>{p.name}</title>
                  </text>
                  <text x={panelWidth - PAD.right} y={18} textAnchor="end" className={`chart__value multiples__last multiples__last--${tone}`}>
                    {lastText}
                  </text>
                  <g transform={`translate(${PAD.left},${PAD.top})`}>
                    {p.target !== null ? (
                      <g>
                        <line x1={0} x2={innerW} y1={targetY} y2={targetY} className="multiples__target" />
                        <text x={innerW} y={targetY < 12 ? targetY + 12 : targetY - 4} textAnchor="end" className="multiples__target-label">
                          target {format(p.key, p.target)}
                        </text>
                      </g>
                    ) : null}
                    <path d={path ?? ""} className="multiples__line" />
                    {p.points.map((q) =>
                      q.value === null ? null : (
                        <circle
                          key={q.period}
                          cx={x(new Date(q.period))}
                          cy={y(q.value)}
                          r={3}
                          className="multiples__point"
                          {...tipProps(
                            <TipBody
                              title={`${p.name} · ${periodLabel(q.period)}`}
                              lines={[
                                ["Value", format(p.key, q.value)],
                                ["Target", p.target === null ? "none" : format(p.key, p.target)],
                              ]}
                            />,
                          )}
                        />
                      ),
                    )}
                    <text y={innerH + 15} className="multiples__axis">
                      {p.points[0] ? periodLabel(p.points[0].period) : ""}
                    </text>
                    <text x={innerW} y={innerH + 15} textAnchor="end" className="multiples__axis">
                      {p.points.length > 1 ? periodLabel(p.points[p.points.length - 1].period) : ""}
                    </text>
                  </g>
                </g>
              );
            })}
          </svg>
        </figure>
        {tooltip}
      </div>
    </div>
  );
}
