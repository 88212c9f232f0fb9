import type { Direction } from "~/components/kpis/format";

/** The smallest of 1, 2, 2.5, 5 × 10ᵏ that is ≥ x (x > 0): a readable end for a scale. */
export function niceCeil(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const power = 10 ** Math.floor(Math.log10(x));
  for (const step of [1, 2, 2.5, 5, 10]) {
    // Tolerate floating-point noise: 3 × 0.1 must not round up to 0.5.
    if (step * power >= x * (1 - 1e-12)) return step * power;
  }
  return 10 * power;
}

export interface BulletInput {
  value: number | null;
  target: number | null;
  previous?: number | null;
  direction: Direction;
  /** Plot width in pixels. */
  width: number;
}

export interface BulletBand {
  from: number;
  to: number;
  /** Qualitative range: how good a value in it is. */
  quality: "poor" | "fair" | "good";
}

export interface BulletGeometry {
  /** The scale's end (its start is 0). */
  max: number;
  /** Pixels per unit. */
  x: (v: number) => number;
  valueWidth: number;
  targetX: number | null;
  previousX: number | null;
  bands: (BulletBand & { x: number; width: number })[];
}

/**
 * A bullet chart's layout (Stephen Few's design): a scale from 0 to a readable end 10% past the
 * largest of value, target and previous; a bar for the value; a tick at the target; a small
 * marker at the previous period. The qualitative bands are set by the target: with higher
 * better, under 80% of target is poor, 80–100% fair, beyond good; with lower better, up to the
 * target is good, to 120% fair, beyond poor. Without a target there are no bands. Negative
 * values are drawn at 0 (the scale starts there).
 */
export function bulletGeometry({ value, target, previous = null, direction, width }: BulletInput): BulletGeometry {
  const top = Math.max(value ?? 0, target ?? 0, previous ?? 0, direction === "lower" && target ? target * 1.2 : 0);
  const max = niceCeil(top * 1.1);
  const x = (v: number) => (Math.max(0, Math.min(max, v)) / max) * width;
  let bands: BulletBand[] = [];
  if (target !== null && target > 0) {
    bands =
      direction === "higher"
        ? [
            { from: 0, to: target * 0.8, quality: "poor" },
            { from: target * 0.8, to: target, quality: "fair" },
            { from: target, to: max, quality: "good" },
          ]
        : [
            { from: 0, to: target, quality: "good" },
            { from: target, to: target * 1.2, quality: "fair" },
            { from: target * 1.2, to: max, quality: "poor" },
          ];
  }
  return {
    max,
    x,
    valueWidth: value === null ? 0 : x(value),
    targetX: target === null ? null : x(target),
    previousX: previous === null ? null : x(previous),
    bands: bands.filter((b) => b.to > b.from).map((b) => ({ ...b, x: x(b.from), width: x(b.to) - x(b.from) })),
  };
}

interface BulletChartProps extends Omit<BulletInput, "width"> {
  width: number;
  /** Accessible name: what is measured and against what. */
  label: string;
  format: (v: number) => string;
}

const HEIGHT = 34;
const BAR = 10;
const BAND = 22;

/** A compact bullet chart for a KPI tile: value bar, target tick, previous marker, 0 and end labels. */
export function BulletChart({ value, target, previous = null, direction, width, label, format }: BulletChartProps) {
  const g = bulletGeometry({ value, target, previous, direction, width });
  const mid = BAND / 2;
  return (
    <svg width={width} height={HEIGHT} role="img" aria-label={label} className="chart__svg bullet">
      {g.bands.length ? (
        g.bands.map((b) => (
          <rect key={b.quality} x={b.x} y={0} width={b.width} height={BAND} className={`bullet__band bullet__band--${b.quality}`} />
        ))
      ) : (
        <rect x={0} y={0} width={width} height={BAND} className="bullet__band bullet__band--none" />
      )}
      <rect x={0} y={mid - BAR / 2} width={g.valueWidth} height={BAR} className="bullet__value" />
      {g.previousX !== null ? (
        <circle cx={g.previousX} cy={mid} r={3} className="bullet__previous" />
      ) : null}
      {g.targetX !== null ? (
        <line x1={g.targetX} x2={g.targetX} y1={2} y2={BAND - 2} className="bullet__target" />
      ) : null}
      <text x={0} y={HEIGHT - 1} className="bullet__tick">
        0
      </text>
      <text x={width} y={HEIGHT - 1} textAnchor="end" className="bullet__tick">
        {format(g.max)}
      </text>
    </svg>
  );
}
