import { useId } from "react";
import { formatPerformance, HEAT_LIMIT, heatColour, heatTextIsLight } from "~/components/kpis/format";
import { TipBody, useChartTooltip } from "./chart-tooltip";
import { useChartWidth } from "./use-chart-width";

export interface HeatCell {
  /** The value as written in the cell ("£12.4k"). */
  text: string;
  /** Performance against the reference, positive = better (see `performance`); null = not comparable. */
  perf: number | null;
  /** The reference as written ("target £10k"), for the tooltip. */
  referenceText: string;
}

interface HeatMapProps {
  title: string;
  rows: { key: string; name: string; colour: string }[];
  columns: { key: string; name: string }[];
  /** cells[row][column] */
  cells: HeatCell[][];
  /** What the colour compares with, for the legend: "target" or "all customers". */
  referenceName: string;
}

const ROW = 40;
const HEADER = 62;
const LEGEND = 50;
const MIN_CELL = 66;
const CHAR = 7.2;
/** Header text is 11px semibold: about this wide per character. */
const HEAD_CHAR = 6.3;

/** A column name in at most three lines of `chars` characters (by words; the rest elided). */
export function headerLines(name: string, chars: number): string[] {
  const words = name.split(/\s+/);
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    const next = line ? `${line} ${w}` : w;
    if (next.length <= chars || !line) line = next;
    else {
      lines.push(line);
      line = w;
    }
  }
  if (line) lines.push(line);
  const fit = (t: string) => (t.length > chars ? `${t.slice(0, Math.max(1, chars - 1))}…` : t);
  if (lines.length <= 3) return lines.map(fit);
  return [fit(lines[0]), fit(lines[1]), fit(lines.slice(2).join(" "))];
}

/**
 * Segments × KPIs. Each cell shows the segment's value; its colour is how far that is from the
 * reference (the segment's target, or the all-customers value), blue better and red worse,
 * white at the reference, full colour from ±50%. Grey: no reference. Wide tables scroll.
 */
export function HeatMap({ title, rows, columns, cells, referenceName }: HeatMapProps) {
  const { ref: sizeRef, width } = useChartWidth<HTMLDivElement>(720);
  const { ref, tipProps, tooltip } = useChartTooltip<HTMLDivElement>();
  const id = useId();
  const labelWidth = Math.min(220, Math.max(110, ...rows.map((r) => Math.ceil(r.name.length * CHAR) + 26)));
  const cell = Math.max(MIN_CELL, Math.min(180, Math.floor((width - labelWidth) / Math.max(1, columns.length))));
  const svgWidth = Math.max(width, labelWidth + cell * columns.length);
  const height = HEADER + rows.length * ROW + LEGEND;
  const legendWidth = 360;
  const gradientId = `${id}-heat`.replace(/:/g, "");
  const maxChars = Math.max(4, Math.floor((cell - 8) / HEAD_CHAR));
  const summary = rows
    .map((r, i) => `${r.name}: ${columns.map((c, j) => `${c.name} ${cells[i]?.[j]?.text ?? "—"} (${formatPerformance(cells[i]?.[j]?.perf ?? null)})`).join(", ")}`)
    .join(". ");

  return (
    <div ref={sizeRef}>
      <div ref={ref} className="chart-wrap heatmap-scroll">
        <figure className="chart">
          <svg width={svgWidth} height={height} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
            <title id={`${id}-title`}>{title}</title>
            <desc id={`${id}-desc`}>{`Colour: performance against ${referenceName}. ${summary}`}</desc>
            <defs>
              <linearGradient id={gradientId}>
                {[0, 0.25, 0.5, 0.75, 1].map((t) => (
                  <stop key={t} offset={`${t * 100}%`} stopColor={heatColour(-HEAT_LIMIT + t * 2 * HEAT_LIMIT)} />
                ))}
              </linearGradient>
            </defs>
            <g transform={`translate(${labelWidth},${HEADER})`}>
              {columns.map((c, j) => {
                const lines = headerLines(c.name, maxChars);
                return (
                  <text key={c.key} x={j * cell + cell / 2} y={-10 - (lines.length - 1) * 13} textAnchor="middle" className="heatmap__head">
                    {lines.map((l, k) => (
                      <tspan key={k} x={j * cell + cell / 2} dy={k === 0 ? 0 : 13}>
                        {l}
                      </tspan>
                    ))}
                    <title>{c.name}</title>
                  </text>
                );
              })}
              {rows.map((r, i) => (
                <g key={r.key} transform={`translate(0,${i * ROW})`}>
                  <circle cx={-labelWidth + 8} cy={ROW / 2} r={5} fill={r.colour} />
                  <text x={-labelWidth + 20} y={ROW / 2} dy="0.32em" className="chart__label chart__label--strong">
                    {r.name.length * CHAR + 26 > labelWidth ? `${r.name.slice(0, Math.floor((labelWidth - 34) / CHAR))}…` : r.name}
                  </text>
                  {columns.map((c, j) => {
                    const v = cells[i]?.[j] ?? { text: "—", perf: null, referenceText: "no value" };
                    return (
                      <g
                        key={c.key}
                        transform={`translate(${j * cell},0)`}
                        {...tipProps(
                          <TipBody
                            title={`${r.name} · ${c.name}`}
                            lines={[
                              ["Value", v.text],
                              [`Against ${referenceName}`, v.perf === null ? "not comparable" : formatPerformance(v.perf)],
                              ["Reference", v.referenceText],
                            ]}
                          />,
                        )}
                        data-cell={`${r.name}|${c.name}`}
                      >
                        <rect width={cell - 3} height={ROW - 3} rx={4} fill={heatColour(v.perf)} className="heatmap__cell" />
                        <text
                          x={(cell - 3) / 2}
                          y={(ROW - 3) / 2}
                          dy="0.32em"
                          textAnchor="middle"
                          className={`heatmap__value${heatTextIsLight(v.perf) ? " heatmap__value--light" : ""}`}
                        >
                          {v.text}
                        </text>
                      </g>
                    );
                  })}
                </g>
              ))}
              <g transform={`translate(0,${rows.length * ROW + 14})`} aria-hidden="true">
                <rect width={legendWidth} height={10} rx={3} fill={`url(#${gradientId})`} />
                <text y={26} className="chart__axis-title">
                  {formatPerformance(-HEAT_LIMIT)} or worse
                </text>
                <text x={legendWidth / 2} y={26} textAnchor="middle" className="chart__axis-title">
                  {referenceName === "target" ? "at target" : `like ${referenceName}`}
                </text>
                <text x={legendWidth} y={26} textAnchor="end" className="chart__axis-title">
                  {formatPerformance(HEAT_LIMIT)} or better
                </text>
                <rect x={legendWidth + 24} width={14} height={10} rx={3} fill={heatColour(null)} stroke="#d0d5dd" />
                <text x={legendWidth + 44} y={9} className="chart__axis-title">
                  not comparable
                </text>
              </g>
            </g>
          </svg>
        </figure>
        {tooltip}
      </div>
    </div>
  );
}
