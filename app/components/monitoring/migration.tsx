import { arc, chord, descending, ribbon, schemeTableau10 } from "d3";
import { useChartWidth } from "~/components/charts/use-chart-width";

export interface MigrationData {
  from: string;
  to: string;
  segments: { id: string; name: string }[];
  cells: { from: string | null; to: string | null; customers: number }[];
  decay: { segmentId: string; members: number; moved: number; share: number }[];
  days: number;
}

const NONE = "__none__";

function labels(m: MigrationData) {
  const ids = [...m.segments.map((s) => s.id), NONE];
  const name = new Map(m.segments.map((s) => [s.id, s.name]));
  name.set(NONE, "In no segment");
  return { ids, name };
}

function counts(m: MigrationData, ids: string[]): number[][] {
  const index = new Map(ids.map((id, i) => [id, i]));
  const matrix = ids.map(() => ids.map(() => 0));
  for (const c of m.cells) matrix[index.get(c.from ?? NONE)!][index.get(c.to ?? NONE)!] += c.customers;
  return matrix;
}

/** Rows: the segment a customer was in at `from`; columns: where they are at `to`. */
export function MigrationTable({ m }: { m: MigrationData }) {
  const { ids, name } = labels(m);
  const matrix = counts(m, ids);
  const decay = new Map(m.decay.map((d) => [d.segmentId, d]));
  return (
    <div className="table-wrap">
      <table className="table monitor-table migration-table">
        <caption className="visually-hidden">
          Customers by segment at the first date (rows) and the second date (columns)
        </caption>
        <thead>
          <tr>
            <th scope="col">From ↓ / to →</th>
            {ids.map((id) => (
              <th key={id} scope="col" className="num">
                {name.get(id)}
              </th>
            ))}
            <th
              scope="col"
              className="num"
              title="Share of the segment's members at the first date who are elsewhere at the second"
            >
              Moved out
            </th>
          </tr>
        </thead>
        <tbody>
          {ids.map((row, i) => (
            <tr key={row}>
              <th scope="row">{name.get(row)}</th>
              {ids.map((col, j) => (
                <td
                  key={col}
                  className={`num${i === j ? " migration-table__stay" : ""}${matrix[i][j] === 0 ? " muted" : ""}`}
                >
                  {matrix[i][j].toLocaleString("en")}
                </td>
              ))}
              <td className="num">
                {row === NONE ? "—" : decay.get(row) ? `${(decay.get(row)!.share * 100).toFixed(1)}%` : "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A d3 chord diagram of the same matrix: ribbons from each segment to where its customers went. */
export function MigrationChord({ m }: { m: MigrationData }) {
  const { ref, width } = useChartWidth<HTMLDivElement>(420);
  const { ids, name } = labels(m);
  const matrix = counts(m, ids);
  const size = Math.min(420, Math.max(260, width));
  const outer = size / 2 - 70;
  const inner = outer - 12;
  const chords = chord().padAngle(0.04).sortSubgroups(descending)(matrix);
  const arcPath = arc<{ startAngle: number; endAngle: number }>().innerRadius(inner).outerRadius(outer);
  const ribbonPath = ribbon<unknown, { startAngle: number; endAngle: number; radius: number }>().radius(inner - 1);
  const color = (i: number) => (ids[i] === NONE ? "#9aa3af" : schemeTableau10[i % 10]);
  const total = matrix.flat().reduce((s, v) => s + v, 0);
  if (total === 0) return null;
  return (
    <div ref={ref} className="migration-chord">
      <svg
        width={size}
        height={size}
        viewBox={`${-size / 2} ${-size / 2} ${size} ${size}`}
        role="img"
        aria-label="Chord diagram of customers moving between segments"
      >
        {chords.map((c, k) => (
          <path
            key={k}
            d={
              ribbonPath({
                source: { ...c.source, radius: inner - 1 },
                target: { ...c.target, radius: inner - 1 },
              }) as unknown as string
            }
            fill={color(c.source.index)}
            fillOpacity={c.source.index === c.target.index ? 0.25 : 0.65}
            stroke="white"
            strokeWidth={0.5}
          >
            <title>{`${name.get(ids[c.source.index])} → ${name.get(ids[c.target.index])}: ${matrix[c.source.index][
              c.target.index
            ].toLocaleString("en")}`}</title>
          </path>
        ))}
        {chords.groups.map((g) => {
          const angle = (g.startAngle + g.endAngle) / 2;
          const flip = angle > Math.PI;
          const wide = g.endAngle - g.startAngle > 0.12;
          return (
            <g key={g.index}>
              <path d={arcPath(g) ?? undefined} fill={color(g.index)}>
                <title>{`${name.get(ids[g.index])}: ${g.value.toLocaleString("en")}`}</title>
              </path>
              {wide ? (
                <text
                  transform={`rotate(${(angle * 180) / Math.PI - 90}) translate(${outer + 6}) ${
                    flip ? "rotate(180)" : ""
                  }`}
                  textAnchor={flip ? "end" : "start"}
                  dominantBaseline="middle"
                  className="migration-chord__label"
                >
                  {name.get(ids[g.index])}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
