import { scaleLinear } from "d3";
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

const ROW = 56;
const BAR = 10;
const AXIS = 28;
/** Roughly how wide a character of the labels is, to shorten long names. */
const CHAR = 7;

/**
 * How the customers a definition selects overlap with every other active segment, one row per
 * segment (largest overlap first): its name and the count in both, then a bar whose length is
 * the share of this selection also in that segment; the share of the other segment it covers
 * is written next to the count.
 */
export function OverlapChart({ overlap, matching, title }: { overlap: Overlap[]; matching: number; title: string }) {
  const { ref, width } = useChartWidth<HTMLDivElement>(320);
  const id = useId();
  const rows = [...overlap].sort((a, b) => b.overlap - a.overlap || a.name.localeCompare(b.name));
  const plotWidth = Math.max(120, width - 16);
  const height = rows.length * ROW + AXIS;
  const x = scaleLinear().domain([0, 1]).range([0, plotWidth]);
  const ofThese = (r: Overlap) => (matching ? r.overlap / matching : 0);
  const ofTheirs = (r: Overlap) => (r.members ? r.overlap / r.members : 0);
  const count = (r: Overlap) => `${r.overlap.toLocaleString("en-GB")} in both`;
  const shares = (r: Overlap) => `${formatShare(ofThese(r))} of these · ${formatShare(ofTheirs(r))} of theirs`;
  const summary = rows.map((r) => `${r.name}: ${count(r)}, ${shares(r)}`).join("; ");

  return (
    <figure className="chart" ref={ref}>
      <svg width={width} height={height} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <g transform="translate(8,0)">
          <g transform={`translate(0,${rows.length * ROW})`}>
            <BottomAxis scale={x} gridLength={0} format={(v) => `${Math.round(v * 100)}%`} ticks={4} />
          </g>
          {rows.map((r, i) => {
            const room = Math.max(6, Math.floor((plotWidth - count(r).length * CHAR - 16) / CHAR));
            const name = r.name.length > room ? `${r.name.slice(0, room - 1)}…` : r.name;
            return (
              <g key={r.segmentId} transform={`translate(0,${i * ROW + 4})`}>
                <text y={10} className="chart__label chart__label--strong">
                  {name}
                </text>
                <text x={plotWidth} y={10} textAnchor="end" className="chart__value">
                  {count(r)}
                </text>
                <rect y={17} width={plotWidth} height={BAR} rx={3} className="chart__track" />
                <rect y={17} width={Math.max(r.overlap ? 3 : 0, x(ofThese(r)))} height={BAR} rx={3} className="chart__bar--customers" />
                <text y={41} className="chart__value chart__value--muted">
                  {shares(r)}
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
