import { extent, format, line, scaleLinear } from "d3";
import { useId } from "react";
import { BIC_METRIC, formatMetric, K_METRICS, type KMetric, type KMetrics } from "~/lib/models";
import { BottomAxis, LeftAxis } from "./axes";
import { useChartWidth } from "./use-chart-width";

const MARGIN = { top: 24, right: 18, bottom: 40, left: 58 };
const HEIGHT = 210;
const compact = format("~s");
const small = (v: number) => (Math.abs(v) >= 1000 ? compact(v) : format("~r")(Number(v.toPrecision(3))));

/**
 * One k-selection metric across the k a run tried: a line through a point per k, with the
 * recommended k marked by a dashed line and a filled point. Which direction is better is
 * written under the title, since it differs between the four metrics.
 */
export function KSelectionChart({
  scores,
  metric,
  recommendedK,
}: {
  scores: KMetrics[];
  metric: KMetric;
  recommendedK: number | null;
}) {
  const { ref, width } = useChartWidth<HTMLDivElement>(320);
  const id = useId();
  const meta = [...K_METRICS, BIC_METRIC].find((m) => m.key === metric) ?? K_METRICS[0];
  const val = (s: KMetrics): number => s[metric] ?? Number.NaN;
  const data = scores.filter((s) => Number.isFinite(val(s))).sort((a, b) => a.k - b.k);
  const plotWidth = Math.max(80, width - MARGIN.left - MARGIN.right);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const [kMin, kMax] = (extent(data, (d) => d.k) as [number, number] | [undefined, undefined]).map((v) => v ?? 0);
  const x = scaleLinear()
    .domain(kMin === kMax ? [kMin - 1, kMax + 1] : [kMin, kMax])
    .range([0, plotWidth]);
  const [lo, hi] = extent(data, (d) => val(d)) as [number, number] | [undefined, undefined];
  const pad = lo === undefined || hi === undefined ? 1 : (hi - lo || Math.abs(hi) || 1) * 0.1;
  const domain: [number, number] =
    lo === undefined || hi === undefined ? [0, 1] : [metric === "silhouette" || metric === "bic" ? lo - pad : Math.max(0, lo - pad), hi + pad];
  const y = scaleLinear().domain(domain).nice().range([plotHeight, 0]);
  const path = line()(data.map((d) => [x(d.k), y(val(d))] as [number, number])) ?? "";
  const chosen = data.find((d) => d.k === recommendedK);
  const better = meta.better === "elbow" ? "look for the elbow" : `${meta.better} is better`;
  const summary = `${meta.label} for k = ${data.map((d) => `${d.k}: ${formatMetric(val(d), metric)}`).join("; ")}.${
    chosen ? ` Recommended k = ${chosen.k}.` : ""
  }`;
  const tickEvery = Math.max(1, Math.ceil((kMax - kMin + 1) / Math.max(2, Math.floor(plotWidth / 28))));

  return (
    <figure className="chart k-chart" ref={ref}>
      <figcaption className="k-chart__caption">
        <span className="k-chart__title">{meta.label}</span>
        <span className="k-chart__better">{better}</span>
      </figcaption>
      <svg width={width} height={HEIGHT} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart__svg">
        <title id={`${id}-title`}>{`${meta.label} by number of clusters`}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          <LeftAxis scale={y} gridLength={plotWidth} format={small} ticks={4} />
          <g className="chart__axis" aria-hidden="true" transform={`translate(0,${plotHeight})`}>
            <line x1={0} x2={plotWidth} className="chart__axis-line" />
            {data
              .filter((d) => (d.k - kMin) % tickEvery === 0 || d.k === recommendedK)
              .map((d) => (
                <g key={d.k} transform={`translate(${x(d.k)},0)`}>
                  <line y2={5} className="chart__axis-line" />
                  <text y={18} textAnchor="middle" className={d.k === recommendedK ? "k-chart__tick--chosen" : undefined}>
                    {d.k}
                  </text>
                </g>
              ))}
            <text y={34} x={plotWidth / 2} textAnchor="middle" className="chart__axis-title">
              k (clusters)
            </text>
          </g>
          {chosen ? (
            <g transform={`translate(${x(chosen.k)},0)`}>
              <line y1={-6} y2={plotHeight} className="k-chart__marker" />
              <text
                y={-10}
                textAnchor={x(chosen.k) > plotWidth - 50 ? "end" : x(chosen.k) < 50 ? "start" : "middle"}
                className="k-chart__marker-label"
              >
                recommended k = {chosen.k}
              </text>
            </g>
          ) : null}
          <path d={path} className="chart__line" />
          {data.map((d) => (
            <g key={d.k} transform={`translate(${x(d.k)},${y(val(d))})`}>
              <circle r={d.k === recommendedK ? 5.5 : 3.5} className={d.k === recommendedK ? "k-chart__point--chosen" : "chart__point"} />
              <title>{`k = ${d.k}: ${meta.label} ${formatMetric(val(d), metric)}`}</title>
            </g>
          ))}
        </g>
      </svg>
    </figure>
  );
}

/** The four metrics side by side (two by two on a wide page, one column on a narrow one). */
export function KSelectionCharts({ scores, recommendedK }: { scores: KMetrics[]; recommendedK: number | null }) {
  return (
    <div className="k-charts">
      {K_METRICS.map((m) => (
        <KSelectionChart key={m.key} scores={scores} metric={m.key} recommendedK={recommendedK} />
      ))}
      {scores.some((s) => s.bic !== undefined) ? <KSelectionChart scores={scores} metric="bic" recommendedK={recommendedK} /> : null}
    </div>
  );
}
