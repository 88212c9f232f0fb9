import { interpolatePuOr, max, scaleDiverging } from "d3";
import { useId } from "react";
import { clusterColour, formatDiff } from "~/lib/models";
import { useChartWidth } from "./use-chart-width";

export interface HeatmapRow {
  /** Position in the run's list of clusters (its colour). */
  index: number;
  name: string;
  size: number;
  /** Standardised difference against the whole base, one per feature, in `features` order. */
  diffs: number[];
}

const CHAR = 7;
/** Row labels are bold: a little wider per character. */
const BOLD_CHAR = 7.6;
const ROW = 38;
const MIN_CELL = 56;
const LEGEND = 46;

/**
 * Clusters × features: how many standard deviations each cluster's mean sits above (purple) or
 * below (orange) the whole customer base, written in every cell. The colour scale is symmetric
 * around 0 and saturates at the largest difference (at least 1 sd, at most 3), so a pale cell is
 * a cluster close to the average. Too many features for the page scroll sideways.
 */
export function ProfileHeatmap({ features, rows, title }: { features: string[]; rows: HeatmapRow[]; title: string }) {
  const { ref, width } = useChartWidth<HTMLDivElement>(640);
  const id = useId();
  const labelWidth = Math.min(Math.max(140, Math.round(width * 0.34)), Math.max(110, ...rows.map((r) => Math.ceil(r.name.length * BOLD_CHAR) + 34)));
  const longest = Math.max(4, ...features.map((f) => f.length));
  const fitCell = Math.floor((width - labelWidth - 8) / Math.max(1, features.length));
  const cell = Math.max(MIN_CELL, Math.min(170, fitCell));
  const rotate = longest * CHAR > cell - 8;
  const headerHeight = rotate ? Math.min(140, Math.round(longest * CHAR * 0.72) + 18) : 28;
  const plotWidth = cell * features.length;
  const overhang = rotate ? Math.round(Math.min(22, longest) * CHAR * 0.77) : 8;
  const svgWidth = Math.max(width, labelWidth + plotWidth + overhang);
  const height = headerHeight + rows.length * ROW + LEGEND;
  const limit = Math.min(3, Math.max(1, max(rows, (r) => max(r.diffs, (d) => Math.abs(d))) ?? 1));
  const colour = scaleDiverging(interpolatePuOr).domain([limit, 0, -limit]).clamp(true);
  const summary = rows
    .map((r) => `${r.name}: ${features.map((f, j) => `${f} ${formatDiff(r.diffs[j] ?? 0)}`).join(", ")}`)
    .join(". ");
  const gradientId = `${id}-gradient`.replace(/:/g, "");
  const legendWidth = Math.min(280, Math.max(200, svgWidth - labelWidth - 8));

  return (
    <div className="heatmap-scroll" ref={ref}>
      <figure className="chart">
        <svg width={svgWidth} height={height} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
          <title id={`${id}-title`}>{title}</title>
          <desc id={`${id}-desc`}>{`Standardised difference from the base. ${summary}`}</desc>
          <defs>
            <linearGradient id={gradientId}>
              {[0, 0.25, 0.5, 0.75, 1].map((t) => (
                <stop key={t} offset={`${t * 100}%`} stopColor={colour(-limit + t * 2 * limit)} />
              ))}
            </linearGradient>
          </defs>
          <g transform={`translate(${labelWidth},${headerHeight})`}>
            {features.map((f, j) =>
              rotate ? (
                <text
                  key={f}
                  transform={`translate(${j * cell + cell / 2},-8) rotate(-40)`}
                  className="chart__label heatmap__feature"
                >
                  {f.length > 22 ? `${f.slice(0, 21)}…` : f}
                </text>
              ) : (
                <text key={f} x={j * cell + cell / 2} y={-10} textAnchor="middle" className="chart__label heatmap__feature">
                  {f}
                </text>
              )
            )}
            {rows.map((r, i) => (
              <g key={r.index} transform={`translate(0,${i * ROW})`}>
                <circle cx={-labelWidth + 8} cy={ROW / 2} r={5} fill={clusterColour(r.index)} />
                <text x={-labelWidth + 20} y={ROW / 2} dy="0.32em" className="chart__label chart__label--strong">
                  {Math.ceil(r.name.length * BOLD_CHAR) + 34 > labelWidth ? `${r.name.slice(0, Math.floor((labelWidth - 42) / BOLD_CHAR))}…` : r.name}
                  <title>{`${r.name} · ${r.size.toLocaleString("en-GB")} customers`}</title>
                </text>
                {features.map((f, j) => {
                  const d = r.diffs[j] ?? 0;
                  const strong = Math.abs(d) / limit > 0.55;
                  return (
                    <g key={f} transform={`translate(${j * cell},0)`}>
                      <rect width={cell - 2} height={ROW - 2} rx={3} fill={colour(d)} className="heatmap__cell" />
                      <text
                        x={(cell - 2) / 2}
                        y={(ROW - 2) / 2}
                        dy="0.32em"
                        textAnchor="middle"
                        className={`heatmap__value${strong ? " heatmap__value--light" : ""}`}
                      >
                        {formatDiff(d)}
                      </text>
                      <title>{`${r.name}, ${f}: ${formatDiff(d)} sd from the base`}</title>
                    </g>
                  );
                })}
              </g>
            ))}
            <g transform={`translate(0,${rows.length * ROW + 14})`} aria-hidden="true">
              <rect width={legendWidth} height={10} rx={3} fill={`url(#${gradientId})`} />
              <text y={24} className="chart__axis-title">
                {formatDiff(-limit)} sd, below
              </text>
              {legendWidth >= 260 ? (
                <text x={legendWidth / 2} y={24} textAnchor="middle" className="chart__axis-title">
                  0
                </text>
              ) : null}
              <text x={legendWidth} y={24} textAnchor="end" className="chart__axis-title">
                above, {formatDiff(limit)} sd
              </text>
            </g>
          </g>
        </svg>
      </figure>
    </div>
  );
}
