import { sql, type SQL } from "drizzle-orm";
import type { Tx } from "../../../db/client";

/** A column of the rows under report, as a SQL expression over alias `r`. */
export interface QualityColumn {
  name: string;
  type: "number" | "text" | "date" | "boolean" | "category";
  expr: SQL;
}

export interface NumberProfile {
  min: number | null;
  max: number | null;
  mean: number | null;
  quantiles: Record<"p01" | "p05" | "p25" | "p50" | "p75" | "p95" | "p99", number | null>;
  /** Values outside [Q1 - 1.5 IQR, Q3 + 1.5 IQR]: flagged, not removed. */
  iqrOutliers: number;
  /** |x - median| / (1.4826 MAD) > 3.5 (Iglewicz & Hoaglin): flagged, not removed. */
  robustZOutliers: number;
  /** Values flagged by either rule. */
  outliers: number;
  negative: number;
  zero: number;
  histogram: { from: number; to: number; count: number }[];
}

export interface ColumnQuality {
  name: string;
  type: QualityColumn["type"];
  missing: number;
  missingShare: number;
  distinct: number;
  number?: NumberProfile;
  date?: { min: string | null; max: string | null; future: number };
  topValues?: { value: string; count: number }[];
  blocksModelling: boolean;
}

export interface QualityReport {
  rows: number;
  columns: ColumnQuality[];
  duplicateRows: number;
  duplicateKeys: number;
  checks: { id: string; label: string; count: number; severity: "info" | "warning" | "error" }[];
  thresholds: { maxMissingShare: number };
  generatedAt: string;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

async function profileNumber(tx: Tx, from: SQL, expr: SQL): Promise<NumberProfile> {
  const stats = await tx.execute<Record<string, string | null>>(sql`
    with v as (select (${expr})::float8 as x from ${from} where (${expr}) is not null),
    q as (
      select min(x) mn, max(x) mx, avg(x) mean,
             percentile_cont(array[0.01,0.05,0.25,0.5,0.75,0.95,0.99]) within group (order by x) qs
      from v
    ),
    mad as (select percentile_cont(0.5) within group (order by abs(v.x - q.qs[4])) m from v, q)
    select q.mn, q.mx, q.mean, q.qs[1] p01, q.qs[2] p05, q.qs[3] p25, q.qs[4] p50, q.qs[5] p75, q.qs[6] p95, q.qs[7] p99,
      (select count(*) from v where v.x < q.qs[3] - 1.5 * (q.qs[5] - q.qs[3]) or v.x > q.qs[5] + 1.5 * (q.qs[5] - q.qs[3])) iqr_out,
      (select count(*) from v, mad where mad.m > 0 and abs(v.x - q.qs[4]) / (1.4826 * mad.m) > 3.5) rz_out,
      (select count(*) from v, mad where v.x < q.qs[3] - 1.5 * (q.qs[5] - q.qs[3]) or v.x > q.qs[5] + 1.5 * (q.qs[5] - q.qs[3])
                                  or (mad.m > 0 and abs(v.x - q.qs[4]) / (1.4826 * mad.m) > 3.5)) any_out,
      (select count(*) from v where v.x < 0) neg,
      (select count(*) from v where v.x = 0) zero
    from q`);
  const s = stats.rows[0];
  const p01 = num(s.p01);
  const p99 = num(s.p99);
  let histogram: NumberProfile["histogram"] = [];
  // 20 equal bins over the 1st to 99th percentile, so that a few outliers do not flatten the chart.
  if (p01 !== null && p99 !== null && p99 > p01) {
    const width = (p99 - p01) / 20;
    const bins = await tx.execute<{ b: number; n: string }>(sql`
      select least(19, greatest(0, floor(((${expr})::float8 - ${p01}) / ${width})))::int as b, count(*) as n
      from ${from} where (${expr}) is not null and (${expr})::float8 between ${p01} and ${p99}
      group by 1 order by 1`);
    histogram = Array.from({ length: 20 }, (_, i) => ({
      from: p01 + i * width,
      to: p01 + (i + 1) * width,
      count: Number(bins.rows.find((r) => r.b === i)?.n ?? 0),
    }));
  }
  return {
    min: num(s.mn),
    max: num(s.mx),
    mean: num(s.mean),
    quantiles: { p01, p05: num(s.p05), p25: num(s.p25), p50: num(s.p50), p75: num(s.p75), p95: num(s.p95), p99 },
    iqrOutliers: Number(s.iqr_out),
    robustZOutliers: Number(s.rz_out),
    outliers: Number(s.any_out),
    negative: Number(s.neg),
    zero: Number(s.zero),
    histogram,
  };
}

/**
 * Profiles the rows of one import (any relation aliased `r`): per column missingness, distinct
 * counts, numeric distribution with IQR and robust z-score outliers, date range and future dates,
 * the most frequent values of categories; the caller adds kind-specific checks.
 */
export async function profileRows(
  tx: Tx,
  from: SQL,
  columns: QualityColumn[],
  options: { maxMissingShare: number; now: Date },
): Promise<Pick<QualityReport, "rows" | "columns">> {
  // Missing values of every column in one pass; distinct values by hash aggregation per column.
  const counts = await tx.execute<Record<string, string>>(
    sql`select count(*) as total, ${sql.join(
      columns.map((c, i) => sql`count(*) filter (where (${c.expr}) is null) as ${sql.identifier(`m${i}`)}`),
      sql`, `,
    )} from ${from}`,
  );
  const total = Number(counts.rows[0].total);
  const result: ColumnQuality[] = [];
  for (const [i, c] of columns.entries()) {
    const distinct = await tx.execute<{ n: string }>(
      sql`select count(*) as n from (select (${c.expr}) as v from ${from} where (${c.expr}) is not null group by 1) d`,
    );
    const missing = Number(counts.rows[0][`m${i}`]);
    const q: ColumnQuality = {
      name: c.name,
      type: c.type,
      missing,
      missingShare: total ? missing / total : 0,
      distinct: Number(distinct.rows[0].n),
      blocksModelling: total > 0 && missing / total > options.maxMissingShare,
    };
    if (c.type === "number") q.number = await profileNumber(tx, from, c.expr);
    if (c.type === "date") {
      const d = await tx.execute<{ mn: Date | null; mx: Date | null; future: string }>(
        sql`select min((${c.expr})::timestamptz) mn, max((${c.expr})::timestamptz) mx,
                   count(*) filter (where (${c.expr})::timestamptz > ${options.now.toISOString()}::timestamptz) future from ${from}`,
      );
      const row = d.rows[0];
      q.date = {
        min: row.mn ? new Date(row.mn).toISOString() : null,
        max: row.mx ? new Date(row.mx).toISOString() : null,
        future: Number(row.future),
      };
    }
    if (c.type === "category" || c.type === "boolean" || (c.type === "text" && q.distinct <= 50)) {
      const top = await tx.execute<{ value: string; n: string }>(
        sql`select (${c.expr})::text as value, count(*) as n from ${from} where (${c.expr}) is not null group by 1 order by 2 desc, 1 limit 10`,
      );
      q.topValues = top.rows.map((r) => ({ value: r.value, count: Number(r.n) }));
    }
    result.push(q);
  }
  return { rows: total, columns: result };
}
