/**
 * `bias`: a bias audit of one selection rule over a CSV of people, per protected attribute.
 *
 * Each row is a person. `--selected "<column><op><value>"` says who is selected (in the
 * segment); `--protected` names the attribute columns. Values are trimmed of surrounding spaces.
 * `>=`, `<=`, `>` and `<` compare numbers (a non-numeric value in the column is an error naming
 * its line); `=` and `!=` compare numbers numerically when both sides are numbers ("50" = "50.0")
 * and text exactly otherwise. A blank protected value leaves the person out of that attribute's
 * audit (counted as missing). The statistics are defined in server/analytics/bias.ts.
 */
import { type AttributeBias, BiasInputError, type GroupCounts, biasFromCounts } from "../analytics/bias";
import { CsvError, openCsvFile, readCsvBatches, readCsvWithHeader } from "../lib/csv-reader";
import { type CliCommand, UsageError, fileCommand, parseOptions } from "./command";
import { parseColumnList } from "./drift-command";

export const BIAS_USAGE = `Usage: npm run cli -- bias --input <file.csv> [--no-header] [--columns "<name>,..."]
                       --selected "<column><op><value>" --protected "<col>,<col>"
                       [--reference "<col>=<value>"]... [--json]

For each protected attribute and each of its groups: n, selected, selection rate, the group's
share of the selected, disparate impact against the most-selected group and against a
reference group, the four-fifths flag (a flag to look at, not a verdict), statistical parity
difference; for the attribute: the lowest disparate impact, demographic parity difference and
ratio (Fairlearn), and the chi-square test of independence of group and selection. Groups
with fewer than 30 people are flagged as small.

Options:
  --input <path>         CSV of people, plain or gzip-compressed (required)
  --no-header            the file has no header row: columns are named by --columns, or
                         by their 1-based position ("1", "2", ...)
  --columns <names>      comma-separated names of all the file's columns, in order (with a
                         header row they replace its names)
  --selected <rule>      who is selected: <column><op><value>, <op> one of >= <= > < = !=
                         (required), e.g. "spend>=500" or "segment=Champions"
  --protected <names>    comma-separated protected attribute columns (required)
  --reference <col=val>  the reference group of an attribute; repeat for several attributes
  --json                 print a JSON array, one object per attribute: attribute, reference,
                         n, selected, missing, groups (group, n, selected, rate,
                         share_of_selected, di_vs_max, di_vs_reference, fails_four_fifths,
                         statistical_parity_difference, small), min_di_vs_max,
                         statistical_parity_difference, demographic_parity_difference,
                         demographic_parity_ratio, chi2, chi2_df, chi2_p, small_groups
  -h, --help             show this help
`;

export const OPERATORS = [">=", "<=", "!=", ">", "<", "="] as const;
export type Operator = (typeof OPERATORS)[number];

export interface SelectionRule {
  column: string;
  op: Operator;
  value: string;
}

export interface BiasArgs {
  input: string;
  header: boolean;
  columns?: string[];
  selected: SelectionRule;
  protected: string[];
  references: Map<string, string>;
  json: boolean;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** "spend >= 500" → { column: "spend", op: ">=", value: "500" }: the first operator found splits it. */
export function parseSelectionRule(text: string): SelectionRule {
  const match = /^(.*?)(>=|<=|!=|>|<|=)(.*)$/s.exec(text);
  const column = match?.[1].trim() ?? "";
  if (!match || column === "") {
    throw new UsageError(
      `--selected must look like "<column><op><value>" with <op> one of ${OPERATORS.join(" ")}, got '${text}'`
    );
  }
  const op = match[2] as Operator;
  const value = match[3].trim();
  if ((op === ">=" || op === "<=" || op === ">" || op === "<") && !NUMBER.test(value)) {
    throw new UsageError(`--selected: '${op}' compares numbers, and '${value}' is not a number`);
  }
  return { column, op, value };
}

/** Parses the arguments after `bias`; null means help was asked for. Throws UsageError. */
export function parseBiasArgs(argv: string[]): BiasArgs | null {
  const values = parseOptions(argv, {
    input: { type: "string" },
    "no-header": { type: "boolean", default: false },
    columns: { type: "string" },
    selected: { type: "string" },
    protected: { type: "string" },
    reference: { type: "string", multiple: true },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) return null;
  if (!values.input) throw new UsageError("--input <path> is required");
  if (values.selected === undefined) throw new UsageError('--selected "<column><op><value>" is required');
  if (values.protected === undefined) throw new UsageError('--protected "<col>,<col>" is required');
  const selected = parseSelectionRule(values.selected);
  const protectedColumns = parseColumnList("--protected", values.protected);
  if (protectedColumns.includes(selected.column)) {
    throw new UsageError(`--protected column '${selected.column}' is also the --selected column`);
  }
  const references = new Map<string, string>();
  for (const text of values.reference ?? []) {
    const at = text.indexOf("=");
    const column = at < 0 ? "" : text.slice(0, at).trim();
    if (column === "" || text.slice(at + 1).trim() === "") {
      throw new UsageError(`--reference must look like "<column>=<value>", got '${text}'`);
    }
    if (!protectedColumns.includes(column)) {
      throw new UsageError(
        `--reference names '${column}', which is not one of the --protected columns (${protectedColumns.join(", ")})`
      );
    }
    if (references.has(column)) throw new UsageError(`--reference gives '${column}' twice`);
    references.set(column, text.slice(at + 1).trim());
  }
  return {
    input: values.input,
    header: !values["no-header"],
    columns: values.columns === undefined ? undefined : parseColumnList("--columns", values.columns),
    selected,
    protected: protectedColumns,
    references,
    json: values.json ?? false,
  };
}

/** Whether a (trimmed) cell satisfies the rule; throws CsvError for a non-number under an ordering operator. */
function matches(rule: SelectionRule, cell: string, line: number): boolean {
  const numeric = NUMBER.test(cell) && NUMBER.test(rule.value);
  if (rule.op === "=" || rule.op === "!=") {
    const equal = numeric ? Number(cell) === Number(rule.value) : cell === rule.value;
    return rule.op === "=" ? equal : !equal;
  }
  if (!NUMBER.test(cell)) {
    throw new CsvError(
      line,
      `'${rule.column}' must be a number to compare with '${rule.op} ${rule.value}', got '${cell}'`
    );
  }
  const x = Number(cell);
  const v = Number(rule.value);
  if (rule.op === ">=") return x >= v;
  if (rule.op === "<=") return x <= v;
  if (rule.op === ">") return x > v;
  return x < v;
}

function columnIndex(names: readonly string[], name: string, option: string): number {
  const found = names.flatMap((n, i) => (n.trim() === name ? [i] : []));
  if (found.length === 0)
    throw new UsageError(`${option} names '${name}', which is not a column (the columns are: ${names.join(", ")})`);
  if (found.length > 1) throw new UsageError(`${option} names '${name}', which is the name of more than one column`);
  return found[0];
}

export interface BiasAudit {
  rows: number;
  attributes: (AttributeBias & { missing: number })[];
}

/** Reads the file and audits every protected attribute. Throws CsvError, UsageError or BiasInputError. */
export async function auditFile(args: BiasArgs): Promise<BiasAudit> {
  const batches = readCsvBatches(openCsvFile(args.input));
  let names: readonly string[] | null = null;
  let selectedCol = -1;
  let protectedCols: number[] = [];
  const counts = args.protected.map(() => new Map<string, { n: number; selected: number }>());
  const missing = args.protected.map(() => 0);
  let rows = 0;
  let first = true;
  const resolve = (fileColumns: number, header: readonly string[] | null, line: number) => {
    if (args.columns && args.columns.length !== fileColumns) {
      throw new CsvError(line, `--columns names ${args.columns.length} columns, but the file has ${fileColumns}`);
    }
    names = args.columns ?? header ?? Array.from({ length: fileColumns }, (_, i) => String(i + 1));
    selectedCol = columnIndex(names, args.selected.column, "--selected");
    protectedCols = args.protected.map((p) => columnIndex(names as readonly string[], p, "--protected"));
  };
  try {
    for await (const batch of batches) {
      for (const { line, values } of batch) {
        if (first) {
          first = false;
          resolve(values.length, args.header ? values : null, line);
          if (args.header) continue;
        }
        rows++;
        const isSelected = matches(args.selected, values[selectedCol].trim(), line);
        for (let a = 0; a < protectedCols.length; a++) {
          const group = values[protectedCols[a]].trim();
          if (group === "") {
            missing[a]++;
            continue;
          }
          const entry = counts[a].get(group) ?? { n: 0, selected: 0 };
          entry.n++;
          if (isSelected) entry.selected++;
          counts[a].set(group, entry);
        }
      }
    }
  } finally {
    await batches.return(undefined);
  }
  if (rows === 0) throw new BiasInputError("the file has no rows of people to audit");
  return {
    rows,
    attributes: args.protected.map((attribute, a) => {
      const groups: GroupCounts[] = [...counts[a]]
        .map(([group, c]) => ({ group, ...c }))
        .sort((x, y) => x.group.localeCompare(y.group));
      if (groups.length === 0) throw new BiasInputError(`'${attribute}' is blank in every row`);
      return { ...biasFromCounts(attribute, groups, args.references.get(attribute)), missing: missing[a] };
    }),
  };
}

export function biasJson(a: BiasAudit["attributes"][number]): Record<string, unknown> {
  return {
    attribute: a.attribute,
    reference: a.referenceGroup,
    n: a.n,
    selected: a.selected,
    missing: a.missing,
    groups: a.groups.map((g) => ({
      group: g.group,
      n: g.n,
      selected: g.selected,
      rate: g.rate,
      share_of_selected: g.shareOfSelected,
      di_vs_max: g.diVsMax,
      di_vs_reference: g.diVsReference,
      fails_four_fifths: g.failsFourFifths,
      statistical_parity_difference: g.statisticalParityDifference,
      small: g.small,
    })),
    min_di_vs_max: a.minDiVsMax,
    statistical_parity_difference: a.statisticalParityDifference,
    demographic_parity_difference: a.demographicParityDifference,
    demographic_parity_ratio: a.demographicParityRatio,
    chi2: a.chi2?.chi2 ?? null,
    chi2_df: a.chi2?.df ?? null,
    chi2_p: a.chi2?.p ?? null,
    small_groups: a.smallGroups,
  };
}

const num = (x: number | null, digits: number) => (x === null ? "-" : x.toFixed(digits));

export function formatBiasSummary(audit: BiasAudit, args: BiasArgs): string {
  const out = [
    `Bias audit of ${args.input}: ${audit.rows} people; selected where ${args.selected.column} ${args.selected.op} ${args.selected.value}`,
    "",
  ];
  for (const a of audit.attributes) {
    out.push(
      `${a.attribute}: ${a.selected} of ${a.n} selected${a.missing ? ` (${a.missing} blank, left out)` : ""}; ` +
        `lowest DI ${num(a.minDiVsMax, 3)}; parity difference ${num(a.demographicParityDifference, 3)}; ` +
        `chi2 ${
          a.chi2
            ? `${a.chi2.chi2.toFixed(3)} (df ${a.chi2.df}, p ${a.chi2.p < 1e-4 ? "<0.0001" : a.chi2.p.toFixed(4)})`
            : "-"
        }`
    );
    const header = ["group", "n", "selected", "rate", "DI vs max", "DI vs ref", "4/5", "SPD"];
    const rows = a.groups.map((g) => [
      g.group + (g.small ? " (small)" : ""),
      String(g.n),
      String(g.selected),
      g.rate.toFixed(4),
      num(g.diVsMax, 3),
      num(g.diVsReference, 3),
      g.failsFourFifths ? "FLAG" : "ok",
      g.statisticalParityDifference.toFixed(4),
    ]);
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    const line = (cells: string[]) =>
      `  ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ")}`;
    out.push(line(header), ...rows.map(line), "");
  }
  out.push(
    "The four-fifths flag marks a group selected at under 0.8 times the top rate: a prompt to look, not a verdict.",
    ""
  );
  return out.join("\n");
}

export const biasCommand: CliCommand = fileCommand({
  name: "bias",
  summary: "selection rates, disparate impact, parity and chi-square per protected attribute",
  usage: BIAS_USAGE,
  parse: parseBiasArgs,
  compute(args, reading) {
    reading(args.input);
    return auditFile(args);
  },
  inputError: (error, file) =>
    error instanceof CsvError || error instanceof BiasInputError ? `${file}: ${error.message}` : null,
  format: (audit: BiasAudit, args) =>
    args.json ? `${JSON.stringify(audit.attributes.map(biasJson))}\n` : formatBiasSummary(audit, args),
});
