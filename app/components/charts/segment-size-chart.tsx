import { extent, format, line, max, scaleLinear, scalePoint, scaleTime, timeFormat } from "d3";
import { useId } from "react";
import { LeftAxis } from "./axes";
import { useChartWidth } from "./use-chart-width";

export interface SizePoint {
  version: number;
  publishedAt: string | Date;
  memberCount: number;
}

const MARGIN = { top: 22, right: 28, bottom: 44, left: 56 };
const HEIGHT = 220;
const DAY = 86_400_000;
const compact = format("~s");
const dayLabel = timeFormat("%-d %b %Y");

/**
 * A segment's size at each published version, by publish date: a step line (the size holds
 * until the next version) with a labelled point per version. Versions published within a day
 * of each other are spread evenly instead, so that they stay readable.
 */
export function SegmentSizeChart({ points, title }: { points: SizePoint[]; title: string }) {
  const { ref, width } = useChartWidth<HTMLDivElement>(560);
  const id = useId();
  const data = points
    .map((p) => ({ ...p, at: new Date(p.publishedAt) }))
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.version - b.version);
  const plotWidth = Math.max(80, width - MARGIN.left - MARGIN.right);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const [first, last] = extent(data, (d) => d.at.getTime()) as [number, number];
  const byTime = data.length > 1 && last - first >= DAY;
  const time = scaleTime().domain([new Date(first), new Date(last)]).range([0, plotWidth]);
  const evenly = scalePoint<number>()
    .domain(data.map((d) => d.version))
    .range([0, plotWidth])
    .padding(data.length === 1 ? 0.5 : 0.1);
  const x = (d: (typeof data)[number]) => (byTime ? time(d.at) : (evenly(d.version) ?? 0));
  const y = scaleLinear()
    .domain([0, max(data, (d) => d.memberCount) || 1])
    .nice()
    .range([plotHeight, 0]);
  // The size holds until the next version: a step after each point, up to the right edge.
  const steps: [number, number][] = data.flatMap((d, i) => {
    const next = data[i + 1];
    const end = next ? x(next) : byTime ? plotWidth : x(d);
    return [
      [x(d), y(d.memberCount)],
      [end, y(d.memberCount)],
    ];
  });
  const path = line()(steps) ?? "";
  const ticks = byTime ? time.ticks(Math.max(2, Math.floor(plotWidth / 110))) : [];
  const summary = data.map((d) => `version ${d.version} (${dayLabel(d.at)}): ${d.memberCount.toLocaleString("en-GB")}`).join("; ");

  return (
    <figure className="chart" ref={ref}>
      <svg width={width} height={HEIGHT} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary || "No published version yet."}</desc>
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          <LeftAxis scale={y} gridLength={plotWidth} format={compact} integer />
          <text className="chart__axis-title" transform={`translate(${-MARGIN.left + 12},${plotHeight / 2}) rotate(-90)`} textAnchor="middle">
            Customers
          </text>
          <g className="chart__axis" aria-hidden="true" transform={`translate(0,${plotHeight})`}>
            <line x1={0} x2={plotWidth} className="chart__axis-line" />
            {byTime
              ? ticks.map((t) => (
                  <g key={t.getTime()} transform={`translate(${time(t)},0)`}>
                    <line y2={5} className="chart__axis-line" />
                    <text y={18} textAnchor="middle">
                      {dayLabel(t)}
                    </text>
                  </g>
                ))
              : data.map((d) => (
                  <g key={d.version} transform={`translate(${x(d)},0)`}>
                    <line y2={5} className="chart__axis-line" />
                    <text y={18} textAnchor="middle">
                      {dayLabel(d.at)}
                    </text>
                  </g>
                ))}
            <text y={38} x={plotWidth / 2} textAnchor="middle" className="chart__axis-title">
              Published
            </text>
          </g>
          <path d={path} className="chart__line" />
          {data.map((d) => (
            <g key={d.version} transform={`translate(${x(d)},${y(d.memberCount)})`}>
              <circle r={4.5} className="chart__point" />
              <text y={-10} textAnchor="middle" className="chart__value">
                v{d.version} · {d.memberCount.toLocaleString("en-GB")}
              </text>
              <title>{`Version ${d.version}, ${dayLabel(d.at)}: ${d.memberCount.toLocaleString("en-GB")} customers`}</title>
            </g>
          ))}
        </g>
      </svg>
    </figure>
  );
}
