import {
  changeVsPrevious,
  compactNumber,
  formatChange,
  formatKpiValue,
  formatPerformance,
  performance,
  type Direction,
  type ValueKind,
} from "~/components/kpis/format";
import { BulletChart } from "./bullet-chart";
import { useChartWidth } from "./use-chart-width";

export interface KpiTileProps {
  name: string;
  kind: ValueKind;
  direction: Direction;
  value: number | null;
  previous: number | null;
  target: number | null;
  /** "Week of 4 Nov 2011": what the value covers. */
  periodLabel: string;
  previousLabel: string;
  owner?: string | null;
}

const ARROW = { up: "▲", down: "▼", flat: "■" } as const;

/**
 * One KPI at a glance: its value for the period, the change against the previous period (arrow
 * and colour by whether the move is good news for this KPI) and a bullet chart against target.
 */
export function KpiTile({ name, kind, direction, value, previous, target, periodLabel, previousLabel, owner }: KpiTileProps) {
  const { ref, width } = useChartWidth<HTMLDivElement>(220, 80);
  const change = changeVsPrevious(value, previous, direction);
  const vsTarget = performance(value, target, direction);
  const fmt = (v: number | null) => formatKpiValue(v, kind, { compact: true });
  const changeText = change ? formatChange(change, kind) : null;
  const spoken = [
    `${name}: ${fmt(value)} for ${periodLabel}`,
    change ? `${changeText} against ${previousLabel} (${fmt(previous)}), ${change.tone === "good" ? "better" : change.tone === "bad" ? "worse" : "unchanged"}` : "no previous period",
    target !== null ? `target ${fmt(target)}, ${formatPerformance(vsTarget)}` : "no target",
  ].join("; ");
  return (
    <article className="kpi-tile" aria-label={spoken} data-kpi={name}>
      <header className="kpi-tile__head">
        <h3 className="kpi-tile__name">{name}</h3>
        <span className="kpi-tile__direction" title={direction === "higher" ? "Higher is better" : "Lower is better"}>
          {direction === "higher" ? "↑ better" : "↓ better"}
        </span>
      </header>
      <p className="kpi-tile__value" data-testid="kpi-value">
        {formatKpiValue(value, kind, { compact: true })}
      </p>
      <p className={`kpi-tile__change kpi-tile__change--${change?.tone ?? "none"}`}>
        {change ? (
          <>
            <span aria-hidden="true">{ARROW[change.arrow]}</span> {changeText}{" "}
            <span className="kpi-tile__muted">vs {previousLabel}</span>
          </>
        ) : (
          <span className="kpi-tile__muted">No value for {previousLabel}</span>
        )}
      </p>
      <div ref={ref} className="kpi-tile__bullet">
        <BulletChart
          value={value}
          target={target}
          previous={previous}
          direction={direction}
          width={width}
          format={(v) => (kind === "percent" ? formatKpiValue(v, kind) : compactNumber(v))}
          label={target === null ? `${name}: no target set` : `${name} ${fmt(value)} against target ${fmt(target)}`}
        />
      </div>
      <p className="kpi-tile__target">
        {target === null ? (
          <span className="kpi-tile__muted">No target</span>
        ) : (
          <>
            Target {fmt(target)}{" "}
            <span className={`kpi-tile__perf kpi-tile__perf--${vsTarget === null ? "none" : vsTarget >= 0 ? "good" : "bad"}`}>
              {formatPerformance(vsTarget)}
            </span>
          </>
        )}
        {owner ? <span className="kpi-tile__owner"> · {owner}</span> : null}
      </p>
    </article>
  );
}
