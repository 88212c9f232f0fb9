import { format, max, scaleLinear } from "d3";
import { useId } from "react";
import { BottomAxis, LeftAxis } from "./axes";
import { useChartWidth } from "./use-chart-width";

export interface HistogramBin {
  from: number;
  to: number;
  count: number;
}

const MARGIN = { top: 10, right: 16, bottom: 30, left: 52 };
const HEIGHT = 170;
const compact = format("~s");
const valueFormat = (v: number) => (Math.abs(v) >= 1000 ? format("~s")(v) : format("~r")(Number(v.toPrecision(3))));

/** The distribution of a numeric column between its 1st and 99th percentiles, as equal bins. */
export function HistogramChart({ bins, title }: { bins: HistogramBin[]; title: string }) {
  const { ref, width } = useChartWidth<HTMLDivElement>(320);
  const id = useId();
  const plotWidth = Math.max(60, width - MARGIN.left - MARGIN.right);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = scaleLinear()
    .domain([bins[0]?.from ?? 0, bins[bins.length - 1]?.to ?? 1])
    .range([0, plotWidth]);
  const y = scaleLinear()
    .domain([0, max(bins, (b) => b.count) || 1])
    .nice()
    .range([plotHeight, 0]);
  const peak = bins.reduce((best, b) => (b.count > best.count ? b : best), bins[0]);
  const summary = peak
    ? `${bins.length} bins from ${valueFormat(bins[0].from)} to ${valueFormat(
        bins[bins.length - 1].to
      )}; the most values (${peak.count}) fall between ${valueFormat(peak.from)} and ${valueFormat(peak.to)}.`
    : "No values.";

  return (
    <figure className="chart" ref={ref}>
      <svg width={width} height={HEIGHT} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          <LeftAxis scale={y} gridLength={plotWidth} format={compact} integer />
          <g transform={`translate(0,${plotHeight})`}>
            <BottomAxis scale={x} gridLength={0} format={valueFormat} ticks={Math.max(2, Math.floor(plotWidth / 80))} />
          </g>
          {bins.map((b) => (
            <rect
              key={b.from}
              x={x(b.from) + 0.5}
              y={y(b.count)}
              width={Math.max(0, x(b.to) - x(b.from) - 1)}
              height={plotHeight - y(b.count)}
              className="chart__bar--customers"
            >
              <title>{`${valueFormat(b.from)} – ${valueFormat(b.to)}: ${b.count.toLocaleString("en-GB")}`}</title>
            </rect>
          ))}
        </g>
      </svg>
    </figure>
  );
}
