/**
 * `drift`: per column, how far a current CSV's distribution has moved from a reference CSV's.
 *
 * Columns are read by name from both files' header rows (values trimmed of surrounding spaces).
 * A column is numeric when every non-blank value in both files is a decimal number ("1.5",
 * "-2", "3e4"), otherwise categorical (each distinct trimmed text is a category). Blank values
 * are left out and counted as missing. The statistics, their bins and tie conventions are
 * defined in server/analytics/drift.ts.
 */
import {
  type CategoricalDrift,
  DEFAULT_DRIFT_THRESHOLDS,
  DriftInputError,
  type DriftThresholds,
  type NumericDrift,
  categoricalDrift,
  categoryCounts,
  numericDrift,
} from "../analytics/drift";
import { CsvError, openCsvFile, readCsvWithHeader } from "../lib/csv-reader";
import { type CliCommand, UsageError, fileCommand, parseOptions } from "./command";

export const DRIFT_USAGE = `Usage: npm run cli -- drift --reference <file.csv> --current <file.csv> --columns "<col>,<col>,..."
                        [--watch 0.1] [--act 0.25] [--json]

Compares each column's distribution in the current file with the reference file. Numeric
columns: PSI over 10 quantile bins fitted on the reference (right-closed, a value equal to an
edge goes to the lower bin, empty-bin share floored at 0.0001), Kolmogorov-Smirnov D and its
p-value (exact when n_ref * n_cur <= 10,000,000, otherwise asymptotic with Stephens's
correction), Jensen-Shannon distance (base 2) on the same bins and the Wasserstein-1 distance
divided by the reference's standard deviation. Categorical columns: PSI, chi-square and
Jensen-Shannon over the categories. The band is read from PSI: none below --watch, watch below
--act, act above. At large n every p-value is tiny: read the effect sizes first.

Options:
  --reference <path>  reference CSV with a header row, plain or gzip-compressed (required)
  --current <path>    current CSV with a header row, plain or gzip-compressed (required)
  --columns <names>   comma-separated columns to compare (required)
  --watch <psi>       PSI from which drift is "watch" (default 0.1)
  --act <psi>         PSI from which drift is "act" (default 0.25)
  --json              print a JSON array, one object per column: column, type, psi, ks, ks_p,
                      jensen_shannon, wasserstein_norm, drift, and n_reference, n_current,
                      missing_reference, missing_current, chi2, chi2_p, ks_method
  -h, --help          show this help
`;

export interface DriftArgs {
  reference: string;
  current: string;
  columns: string[];
  thresholds: DriftThresholds;
  json: boolean;
}

/** "a, b" → ["a", "b"]; throws UsageError for an empty or repeated name. */
export function parseColumnList(option: string, text: string): string[] {
  const names = text.split(",").map((c) => c.trim());
  if (names.some((c) => c === "")) throw new UsageError(`${option} has an empty column name in '${text}'`);
  const repeated = names.find((c, i) => names.indexOf(c) !== i);
  if (repeated !== undefined) throw new UsageError(`${option} names '${repeated}' twice`);
  return names;
}

function threshold(option: string, text: string): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${option} must be a positive number, got '${text}'`);
  }
  return value;
}

/** Parses the arguments after `drift`; null means help was asked for. Throws UsageError. */
export function parseDriftArgs(argv: string[]): DriftArgs | null {
  const values = parseOptions(argv, {
    reference: { type: "string" },
    current: { type: "string" },
    columns: { type: "string" },
    watch: { type: "string" },
    act: { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) return null;
  if (!values.reference) throw new UsageError("--reference <path> is required");
  if (!values.current) throw new UsageError("--current <path> is required");
  if (values.columns === undefined) throw new UsageError('--columns "<col>,<col>,..." is required');
  const watch = values.watch === undefined ? DEFAULT_DRIFT_THRESHOLDS.watch : threshold("--watch", values.watch);
  const act = values.act === undefined ? DEFAULT_DRIFT_THRESHOLDS.act : threshold("--act", values.act);
  if (act < watch) throw new UsageError(`--act (${act}) must not be below --watch (${watch})`);
  return {
    reference: values.reference,
    current: values.current,
    columns: parseColumnList("--columns", values.columns),
    thresholds: { watch, act },
    json: values.json ?? false,
  };
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** One column of one file: its non-blank values as text, and whether all of them are numbers. */
export interface ColumnSample {
  values: string[];
  missing: number;
  numeric: boolean;
}

/** Reads the named columns of a CSV file. Throws CsvError for malformed input. */
export async function readColumns(file: string, columns: readonly string[]): Promise<ColumnSample[]> {
  const table = await readCsvWithHeader(openCsvFile(file));
  let indexes: readonly number[];
  try {
    indexes = table.header.require(columns);
  } catch (error) {
    await table.close();
    throw error;
  }
  const samples: ColumnSample[] = columns.map(() => ({ values: [], missing: 0, numeric: true }));
  for await (const batch of table.batches()) {
    for (const { values } of batch) {
      for (let c = 0; c < indexes.length; c++) {
        const text = values[indexes[c]].trim();
        const sample = samples[c];
        if (text === "") {
          sample.missing++;
          continue;
        }
        if (sample.numeric && !NUMBER.test(text)) sample.numeric = false;
        sample.values.push(text);
      }
    }
  }
  return samples;
}

export type ColumnDrift = { column: string; missingReference: number; missingCurrent: number } & (
  | NumericDrift
  | CategoricalDrift
);

/** Drift of every column; throws DriftInputError naming a column with no values in a file. */
export function driftOfColumns(
  columns: readonly string[],
  reference: readonly ColumnSample[],
  current: readonly ColumnSample[],
  thresholds: DriftThresholds
): ColumnDrift[] {
  return columns.map((column, c) => {
    const ref = reference[c];
    const cur = current[c];
    if (ref.values.length === 0)
      throw new DriftInputError(
        `column '${column}' has no values in the reference file (all ${ref.missing} are blank)`
      );
    if (cur.values.length === 0)
      throw new DriftInputError(`column '${column}' has no values in the current file (all ${cur.missing} are blank)`);
    const where = { column, missingReference: ref.missing, missingCurrent: cur.missing };
    if (ref.numeric && cur.numeric) {
      return {
        ...where,
        ...numericDrift(Float64Array.from(ref.values, Number), Float64Array.from(cur.values, Number), thresholds),
      };
    }
    return { ...where, ...categoricalDrift(categoryCounts(ref.values), categoryCounts(cur.values), thresholds) };
  });
}

/** The documented `--json` object of one column. */
export function driftJson(d: ColumnDrift): Record<string, unknown> {
  const numeric = d.type === "numeric";
  return {
    column: d.column,
    type: d.type,
    psi: d.psi,
    ks: numeric ? d.ks : null,
    ks_p: numeric ? d.ksP : null,
    jensen_shannon: d.jensenShannon,
    wasserstein_norm: numeric ? d.wassersteinNorm : null,
    drift: d.band,
    n_reference: d.nReference,
    n_current: d.nCurrent,
    missing_reference: d.missingReference,
    missing_current: d.missingCurrent,
    chi2: numeric ? null : d.chi2,
    chi2_p: numeric ? null : d.chi2P,
    ks_method: numeric ? d.ksMethod : null,
  };
}

const fixed = (x: number | null, digits: number) => (x === null ? "-" : x.toFixed(digits));
const pValue = (p: number | null) => (p === null ? "-" : p < 1e-4 ? "<0.0001" : p.toFixed(4));

export function formatDriftSummary(results: readonly ColumnDrift[], args: DriftArgs): string {
  const header = ["column", "type", "n ref", "n cur", "PSI", "drift", "JS", "W1/sd", "KS D", "p"];
  const rows = results.map((d) => [
    d.column,
    d.type,
    String(d.nReference),
    String(d.nCurrent),
    d.psi.toFixed(4),
    d.band,
    d.jensenShannon.toFixed(4),
    d.type === "numeric" ? fixed(d.wassersteinNorm, 4) : "-",
    d.type === "numeric" ? d.ks.toFixed(4) : "-",
    d.type === "numeric" ? pValue(d.ksP) : `${pValue(d.chi2P)} (chi2)`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    `  ${cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ")}`;
  return [
    `Drift of ${args.current} against ${args.reference} (PSI bands: watch ≥ ${args.thresholds.watch}, act ≥ ${args.thresholds.act})`,
    "",
    line(header),
    ...rows.map(line),
    "",
    "Effect sizes (PSI, JS, W1/sd, KS D) say how much moved; with many rows every p-value is tiny.",
    "",
  ].join("\n");
}

export const driftCommand: CliCommand = fileCommand({
  name: "drift",
  summary: "PSI, Kolmogorov-Smirnov, Jensen-Shannon and Wasserstein drift per column between two CSVs",
  usage: DRIFT_USAGE,
  parse: parseDriftArgs,
  async compute(args, reading): Promise<ColumnDrift[]> {
    reading(args.reference);
    const reference = await readColumns(args.reference, args.columns);
    reading(args.current);
    const current = await readColumns(args.current, args.columns);
    return driftOfColumns(args.columns, reference, current, args.thresholds);
  },
  inputError: (error, file) =>
    error instanceof CsvError ? `${file}: ${error.message}` : error instanceof DriftInputError ? error.message : null,
  format: (results, args) => (args.json ? `${JSON.stringify(results.map(driftJson))}\n` : formatDriftSummary(results, args)),
});
