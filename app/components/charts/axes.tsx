import type { ScaleLinear } from "d3";

interface AxisProps {
  scale: ScaleLinear<number, number>;
  /** Length of the grid lines across the plot (0 for none). */
  gridLength: number;
  format: (value: number) => string;
  ticks?: number;
  /** Counts: only whole-number ticks. */
  integer?: boolean;
}

function tickValues(scale: ScaleLinear<number, number>, ticks: number, integer: boolean) {
  const values = scale.ticks(ticks);
  return integer ? values.filter((v) => Number.isInteger(v)) : values;
}

/** A bottom axis with vertical grid lines, drawn at y = 0 of its group (move it with a transform). */
export function BottomAxis({ scale, gridLength, format, ticks = 5, integer = false }: AxisProps) {
  const [start, end] = scale.range();
  return (
    <g className="chart__axis" aria-hidden="true">
      <line x1={start} x2={end} y1={0} y2={0} className="chart__axis-line" />
      {tickValues(scale, ticks, integer).map((t) => (
        <g key={t} transform={`translate(${scale(t)},0)`}>
          {gridLength ? <line y1={0} y2={-gridLength} className="chart__grid" /> : null}
          <line y1={0} y2={5} className="chart__axis-line" />
          <text y={18} textAnchor="middle">
            {format(t)}
          </text>
        </g>
      ))}
    </g>
  );
}

/** A left axis with horizontal grid lines, drawn at x = 0 of its group. */
export function LeftAxis({ scale, gridLength, format, ticks = 4, integer = false }: AxisProps) {
  const [start, end] = scale.range();
  return (
    <g className="chart__axis" aria-hidden="true">
      <line x1={0} x2={0} y1={start} y2={end} className="chart__axis-line" />
      {tickValues(scale, ticks, integer).map((t) => (
        <g key={t} transform={`translate(0,${scale(t)})`}>
          {gridLength ? <line x1={0} x2={gridLength} className="chart__grid" /> : null}
          <line x1={-5} x2={0} className="chart__axis-line" />
          <text x={-8} dy="0.32em" textAnchor="end">
            {format(t)}
          </text>
        </g>
      ))}
    </g>
  );
}
