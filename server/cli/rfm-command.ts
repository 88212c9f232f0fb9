/**
 * `rfm`: RFM scores and segments of every customer in a transactions CSV (plain or gzip).
 *
 * Reads the UCI Online Retail columns InvoiceNo, Quantity, InvoiceDate, UnitPrice and
 * CustomerID by name, in any order; other columns are ignored. Customer ids are normalised by
 * `normaliseCustomerId` ("12346.0" → "12346"); InvoiceDate is UTC (see `parseUtcTimestamp`).
 * The computation and its definitions are in server/analytics/rfm.ts.
 */
import { RFM_SEGMENTS, RfmAccumulator, type RfmResult, parseDayNumber, rfmResult } from "../analytics/rfm";
import { normaliseCustomerId, parseDecimal, parseUtcTimestamp } from "../analytics/transaction-fields";
import { CsvError, openCsvFile, readCsvWithHeader } from "../lib/csv-reader";
import { type CliCommand, UsageError, fileCommand, parseOptions } from "./command";

export const RFM_USAGE = `Usage: npm run cli -- rfm --input <file.csv | file.csv.gz> [--reference-date YYYY-MM-DD] [--json]

Computes recency, frequency and monetary value per customer, their 1-5 quintile scores and
named segments, from transactions with the columns InvoiceNo, Quantity, InvoiceDate (UTC),
UnitPrice and CustomerID (any order; other columns are ignored). Rows without a customer id,
cancelled invoices (InvoiceNo starting with "C") and rows with Quantity <= 0 or UnitPrice <= 0
are left out and counted. Gzip-compressed input is detected from its content.

Options:
  --input <path>               transactions CSV, plain or gzip-compressed (required)
  --reference-date YYYY-MM-DD  date recency is measured to
                               (default: the day after the last used invoice)
  --json                       print one JSON object instead of a summary
  -h, --help                   show this help
`;

export const REQUIRED_COLUMNS = ["InvoiceNo", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"] as const;

export interface RfmArgs {
  input: string;
  referenceDate?: string;
  json: boolean;
}

/** Parses the arguments after `rfm`; null means help was asked for. Throws UsageError. */
export function parseRfmArgs(argv: string[]): RfmArgs | null {
  const values = parseOptions(argv, {
    input: { type: "string" },
    "reference-date": { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) return null;
  if (values.input === undefined || values.input === "") throw new UsageError("--input <path> is required");
  const referenceDate = values["reference-date"];
  if (referenceDate !== undefined && parseDayNumber(referenceDate) === null) {
    throw new UsageError(`--reference-date must be a calendar date like 2011-12-10, got '${referenceDate}'`);
  }
  return { input: values.input, referenceDate, json: values.json ?? false };
}

/** Reads the transactions file and computes RFM. Throws CsvError for malformed input. */
export async function computeRfmFromFile(input: string, referenceDate?: string): Promise<RfmResult> {
  const table = await readCsvWithHeader(openCsvFile(input));
  let columns: readonly number[];
  try {
    columns = table.header.require(REQUIRED_COLUMNS);
  } catch (error) {
    await table.close();
    throw error;
  }
  const [invoiceCol, quantityCol, dateCol, priceCol, customerCol] = columns;
  const accumulator = new RfmAccumulator();
  // Timestamps repeat on every line of an invoice: parse each distinct run once.
  let lastDateText = "";
  let lastTime = 0;
  for await (const batch of table.batches()) {
    for (const { line, values } of batch) {
      const quantity = parseDecimal(values[quantityCol]);
      if (quantity === null) throw new CsvError(line, `'Quantity' must be a number, got '${values[quantityCol]}'`);
      const unitPrice = parseDecimal(values[priceCol]);
      if (unitPrice === null) throw new CsvError(line, `'UnitPrice' must be a number, got '${values[priceCol]}'`);
      const dateText = values[dateCol];
      if (dateText !== lastDateText) {
        const time = parseUtcTimestamp(dateText);
        if (time === null) {
          throw new CsvError(line, `'InvoiceDate' must be a UTC date and time like 2011-12-09 12:50:00, got '${dateText}'`);
        }
        lastDateText = dateText;
        lastTime = time;
      }
      accumulator.add({
        invoiceNo: values[invoiceCol].trim(),
        customerId: normaliseCustomerId(values[customerCol]),
        quantity,
        unitPrice,
        invoiceTime: lastTime,
      });
    }
  }
  return rfmResult(accumulator, referenceDate);
}

/** The `--json` output: one object, field names as in the documented format. */
export function formatRfmJson(result: RfmResult): string {
  return `${JSON.stringify({
    rows_read: result.rowsRead,
    rows_used: result.rowsUsed,
    dropped: {
      no_customer: result.dropped.no_customer,
      cancelled: result.dropped.cancelled,
      non_positive: result.dropped.non_positive,
    },
    reference_date: result.referenceDate,
    customers: result.customers.map((c) => ({
      id: c.id,
      recency: c.recency,
      frequency: c.frequency,
      monetary: c.monetary,
      r: c.r,
      f: c.f,
      m: c.m,
      segment: c.segment,
    })),
  })}\n`;
}

function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** The human-readable output: counts, then customers per segment. */
export function formatRfmSummary(result: RfmResult, input: string): string {
  const perSegment = new Map<string, number>(RFM_SEGMENTS.map((s) => [s, 0]));
  for (const c of result.customers) perSegment.set(c.segment, (perSegment.get(c.segment) ?? 0) + 1);
  const width = Math.max(...RFM_SEGMENTS.map((s) => s.length));
  const countWidth = Math.max(9, thousands(result.customers.length).length);
  const { no_customer, cancelled, non_positive } = result.dropped;
  return [
    `RFM of ${input}`,
    `  rows read        ${thousands(result.rowsRead)}`,
    `  rows used        ${thousands(result.rowsUsed)}`,
    `  rows dropped     ${thousands(no_customer)} without a customer id, ${thousands(cancelled)} cancelled, ` +
      `${thousands(non_positive)} with quantity or unit price <= 0`,
    `  reference date   ${result.referenceDate ?? "none (no rows used)"}`,
    `  customers        ${thousands(result.customers.length)}`,
    "",
    `  ${"segment".padEnd(width)}  ${"customers".padStart(countWidth)}`,
    ...RFM_SEGMENTS.map((s) => `  ${s.padEnd(width)}  ${thousands(perSegment.get(s) ?? 0).padStart(countWidth)}`),
    "",
  ].join("\n");
}

export const rfmCommand: CliCommand = fileCommand({
  name: "rfm",
  summary: "RFM scores and segments per customer from a transactions CSV",
  usage: RFM_USAGE,
  parse: parseRfmArgs,
  compute(args, reading): Promise<RfmResult> {
    reading(args.input);
    return computeRfmFromFile(args.input, args.referenceDate);
  },
  inputError: (error, file) => (error instanceof CsvError || error instanceof RangeError ? `${file}: ${error.message}` : null),
  format: (result, args) => (args.json ? formatRfmJson(result) : formatRfmSummary(result, args.input)),
});
