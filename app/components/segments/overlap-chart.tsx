import { scaleBand, scaleLinear } from "d3";
import { useId } from "react";
import { formatShare } from "~/lib/data";
import { BottomAxis } from "../charts/axes";
import { useChartWidth } from "../charts/use-chart-width";

export interface Overlap {
  segmentId: string;
  name: string;
  members: number;
  overlap: number;
}

const ROW = 30;
const VALUE_WIDTH = 190;
const AXIS = 30;

/**
 * How the customers a definition selects overlap with every other active segment: one bar per
 * segment, its length the share of this selection also in that segment, labelled with the
 * count, that share, and the share of the other segment it covers.
 */
export function OverlapChart({ overlap, matching, title }: { overlap: Overlap[]; matching: number; title: string }) {
  const { ref, width } = useChartWidth<HTMLDivElement>(420);
  const id = useId();
  const rows = [...overlap].sort((a, b) => b.overlap - a.overlap || a.name.localeCompare(b.name));
  const labelWidth = Math.min(170, Math.max(60, ...rows.map((r) => Math.min(r.name.length, 22) * 7 + 14)));
  const plotWidth = Math.max(60, width - labelWidth - VALUE_WIDTH);
  const height = rows.length * ROW + AXIS;
  const x = scaleLinear().domain([0, 1]).range([0, plotWidth]);
  const y = scaleBand<string>()
    .domain(rows.map((r) => r.segmentId))
    .range([0, rows.length * ROW])
    .paddingInner(0.3);
  const ofThese = (r: Overlap) => (matching ? r.overlap / matching : 0);
  const ofTheirs = (r: Overlap) => (r.members ? r.overlap / r.members : 0);
  const summary = rows
    .map((r) => `${r.name}: ${r.overlap.toLocaleString("en-GB")} shared, ${formatShare(ofThese(r))} of these, ${formatShare(ofTheirs(r))} of theirs`)
    .join("; ");

  return (
    <figure className="chart" ref={ref}>
      <svg width={width} height={height} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <g transform={`translate(${labelWidth},0)`}>
          <g transform={`translate(0,${rows.length * ROW})`}>
            <BottomAxis scale={x} gridLength={rows.length * ROW} format={(v) => `${Math.round(v * 100)}%`} ticks={4} />
          </g>
          {rows.map((r) => {
            const top = y(r.segmentId) ?? 0;
            const h = y.bandwidth();
            const name = r.name.length > 22 ? `${r.name.slice(0, 21)}…` : r.name;
            return (
              <g key={r.segmentId} transform={`translate(0,${top})`}>
                <text x={-8} y={h / 2} dy="0.32em" textAnchor="end" className="chart__label">
                  {name}
                </text>
                <rect width={plotWidth} height={h} rx={2} className="chart__track" />
                <rect width={Math.max(r.overlap ? 2 : 0, x(ofThese(r)))} height={h} rx={2} className="chart__bar--customers" />
                <text x={plotWidth + 8} y={h / 2} dy="0.32em" className="chart__value">
                  {r.overlap.toLocaleString("en-GB")}
                  <tspan className="chart__value--muted">
                    {" "}
                    · {formatShare(ofThese(r))} of these · {formatShare(ofTheirs(r))} of theirs
                  </tspan>
                </text>
                <title>{`${r.name}: ${r.overlap.toLocaleString("en-GB")} customers in both (${formatShare(ofThese(r))} of this selection, ${formatShare(ofTheirs(r))} of its ${r.members.toLocaleString("en-GB")} members)`}</title>
              </g>
            );
          })}
        </g>
      </svg>
    </figure>
  );
}
