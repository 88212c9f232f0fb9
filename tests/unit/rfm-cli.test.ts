/**
 * The `rfm` command run as a child process, as `npx tsx server/cli/main.ts rfm ...` would run it
 * (the tsx binary is called directly to keep npm's own notices out of stderr).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli";
import { rfmSegment } from "../../server/analytics/rfm";
import { RFM_USAGE } from "../../server/cli/rfm-command";

const REAL_DATA = "../shared/data/online_retail.csv.gz";


/*
 * The worked example of tests/unit/rfm.test.ts as an Online Retail-like file: columns in another
 * order plus ones the command ignores, CRLF line ends, quoted descriptions (a comma, a doubled
 * quote, a line break) and ids written "101.0" on some rows. Expected values are worked out
 * there: reference date 2011-03-06; 101 R1 F2 2.85 → 5/4/4 Champions; 102 R2 F2 0.02 → 4/5/1
 * Potential loyalist; 103 R6 F1 5.00 → 1/1/5 At risk; 104 R3 F1 2.00 → 2/2/2 Hibernating.
 */
const FIXTURE = [
  "Country,CustomerID,InvoiceDate,Description,UnitPrice,InvoiceNo,Quantity,StockCode",
  'United Kingdom,101.0,2011-03-01 09:00:00,"LANTERN, METAL",1.10,5001,2,A1',
  'United Kingdom,101,2011-03-01 09:00:00,"RECORD FRAME 7"" SINGLE",0.35,5001,1,A2',
  "United Kingdom,101,2011-03-05 23:59:00,PLAIN,0.1,5002,3,A3",
  "France,102,2011-03-04 10:00:00,PADS,0.001,5003,10,P",
  "France,102.0,2011-03-04 11:00:00,PADS,0.001,5004,5,P",
  "United Kingdom,101,2011-03-06 08:00:00,RETURN,1.10,C5005,-1,A1",
  "United Kingdom,,2011-03-07 08:00:00,X,2.00,5006,4,X",
  "United Kingdom,,2011-03-07 09:00:00,X,2.00,C5007,-2,X",
  "EIRE,103,2011-03-02 12:00:00,ZERO,2.50,5008,0,Z",
  'EIRE,103,2011-02-28 12:00:00,"multi\r\nline",2.50,5009,2,Z',
  "United Kingdom,104,2011-03-08 12:00:00,FREE,0,5010,1,F",
  "United Kingdom,104,2011-03-03 12:00:00,B,0.25,5011,4,B",
  "United Kingdom,104,2011-03-03 12:00:00,B,0.25,5011,4,B",
  "United Kingdom,103,2011-03-09 12:00:00,C,9.99,C5012,1,C",
  "",
].join("\r\n");

const EXPECTED = {
  rows_read: 14,
  rows_used: 8,
  dropped: { no_customer: 2, cancelled: 2, non_positive: 2 },
  reference_date: "2011-03-06",
  customers: [
    { id: "101", recency: 1, frequency: 2, monetary: 2.85, r: 5, f: 4, m: 4, segment: "Champions" },
    { id: "102", recency: 2, frequency: 2, monetary: 0.02, r: 4, f: 5, m: 1, segment: "Potential loyalist" },
    { id: "103", recency: 6, frequency: 1, monetary: 5, r: 1, f: 1, m: 5, segment: "At risk" },
    { id: "104", recency: 3, frequency: 1, monetary: 2, r: 2, f: 2, m: 2, segment: "Hibernating" },
  ],
};

let dir: string;
let fixture: string;
let fixtureGzip: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "quorum-rfm-cli-"));
  fixture = path.join(dir, "transactions.csv");
  fixtureGzip = path.join(dir, "transactions.dat");
  await writeFile(fixture, FIXTURE);
  await writeFile(fixtureGzip, gzipSync(Buffer.from(FIXTURE)));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeFixture(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

describe("rfm --json", () => {
  it("prints exactly one JSON object with the documented fields, in order", async () => {
    const run = await cli("rfm", "--input", fixture, "--json");
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout.endsWith("}\n")).toBe(true);
    expect(run.stdout.indexOf("\n")).toBe(run.stdout.length - 1);
    const parsed = JSON.parse(run.stdout);
    expect(parsed).toEqual(EXPECTED);
    expect(Object.keys(parsed)).toEqual(["rows_read", "rows_used", "dropped", "reference_date", "customers"]);
    expect(Object.keys(parsed.dropped)).toEqual(["no_customer", "cancelled", "non_positive"]);
    expect(Object.keys(parsed.customers[0])).toEqual(["id", "recency", "frequency", "monetary", "r", "f", "m", "segment"]);
  });

  it("reads gzip-compressed input whatever its name, with the same result", async () => {
    const plain = await cli("rfm", "--input", fixture, "--json");
    const compressed = await cli("rfm", "--json", "--input", fixtureGzip);
    expect(compressed).toEqual(plain);
  });

  it("measures recency to --reference-date", async () => {
    const run = await cli("rfm", "--input", fixture, "--json", "--reference-date", "2011-03-10");
    const parsed = JSON.parse(run.stdout);
    expect(parsed.reference_date).toBe("2011-03-10");
    expect(parsed.customers.map((c: { recency: number }) => c.recency)).toEqual([5, 6, 10, 7]);
  });

  it("runs on the real Online Retail file", async () => {
    const run = await cli("rfm", "--input", REAL_DATA, "--json");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const parsed = JSON.parse(run.stdout);
    expect([parsed.rows_read, parsed.rows_used, parsed.dropped, parsed.reference_date, parsed.customers.length]).toEqual([
      541_909,
      397_884,
      { no_customer: 135_080, cancelled: 8_905, non_positive: 40 },
      "2011-12-10",
      4_338,
    ]);
    // 12347: last bought 2011-12-07 on the 7th of its invoices, 4,310.00 in all (independent Python pass).
    const customer = parsed.customers.find((c: { id: string }) => c.id === "12347");
    expect(customer).toMatchObject({ id: "12347", recency: 3, frequency: 7, monetary: 4310 });
    expect(customer.segment).toBe(rfmSegment(customer.r, customer.f, customer.m));
    expect(parsed.customers[0].id).toBe("12346");
  });
});

describe("rfm summary", () => {
  it("prints counts and customers per segment", async () => {
    const run = await cli("rfm", "--input", fixture);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        `RFM of ${fixture}`,
        "  rows read        14",
        "  rows used        8",
        "  rows dropped     2 without a customer id, 2 cancelled, 2 with quantity or unit price <= 0",
        "  reference date   2011-03-06",
        "  customers        4",
        "",
        "  segment             customers",
        "  Champions                   1",
        "  Loyal                       0",
        "  Potential loyalist          1",
        "  New                         0",
        "  Promising                   0",
        "  Need attention              0",
        "  About to sleep              0",
        "  At risk                     1",
        "  Can't lose them             0",
        "  Hibernating                 1",
        "  Lost                        0",
        "",
      ].join("\n"),
    );
  });
});

describe("rfm: bad arguments", () => {
  it("prints the usage and exits with 2", async () => {
    const cases = [
      { args: ["rfm"], message: "error: --input <path> is required" },
      { args: ["rfm", "--json"], message: "error: --input <path> is required" },
      { args: ["rfm", "--input"], message: "error: Option '--input <value>' argument missing" },
      { args: ["rfm", "--input", "x.csv", "--bogus"], message: "error: Unknown option '--bogus'" },
      { args: ["rfm", "--input", "x.csv", "stray"], message: "error: Unexpected argument 'stray'" },
      {
        args: ["rfm", "--input", "x.csv", "--reference-date", "2011-13-01"],
        message: "error: --reference-date must be a calendar date like 2011-12-10, got '2011-13-01'",
      },
    ];
    const runs = await Promise.all(cases.map((c) => cli(...c.args)));
    runs.forEach((run, i) => {
      expect(run.code, cases[i].args.join(" ")).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr.startsWith(cases[i].message), run.stderr).toBe(true);
      expect(run.stderr.endsWith(`\n\n${RFM_USAGE}`)).toBe(true);
    });
  });

  it("lists the commands when none or an unknown one is given", async () => {
    const [none, unknown] = await Promise.all([cli(), cli("segmentize")]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: no command given\n\nUsage: npm run cli -- <command> \[options\]\n\nCommands:\n {2}rfm +RFM scores/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command 'segmentize'\n/);
  });

  it("prints help on stdout and exits with 0", async () => {
    const run = await cli("rfm", "--help");
    expect(run).toEqual({ code: 0, stdout: RFM_USAGE, stderr: "" });
  });
});

describe("rfm: bad input", () => {
  it("names a missing required column and exits with 1", async () => {
    const file = await writeFixture("no-customer-column.csv", "InvoiceNo,Quantity,InvoiceDate,UnitPrice\n1,1,2011-01-01 00:00:00,1\n");
    const run = await cli("rfm", "--input", file, "--json");
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: `rfm: ${file}: line 1: missing required column 'CustomerID' (the header has: InvoiceNo, Quantity, InvoiceDate, UnitPrice)\n`,
    });
  });

  it("reports a malformed value or record with its line number", async () => {
    const header = "InvoiceNo,Quantity,InvoiceDate,UnitPrice,CustomerID\n";
    const ok = "1,1,2011-01-01 00:00:00,1,7\n";
    const cases = [
      { text: `${header}${ok}2,abc,2011-01-01 00:00:00,1,7\n`, error: "line 3: 'Quantity' must be a number, got 'abc'" },
      { text: `${header}${ok}2,1,2011-01-01 00:00:00,,7\n`, error: "line 3: 'UnitPrice' must be a number, got ''" },
      {
        text: `${header}${ok}2,1,12/1/2010 8:26,1,7\n`,
        error: "line 3: 'InvoiceDate' must be a UTC date and time like 2011-12-09 12:50:00, got '12/1/2010 8:26'",
      },
      { text: `${header}${ok}${ok}2,1,2011-01-01 00:00:00,1\n`, error: "line 4: expected 5 fields (as on line 1), found 4" },
      {
        text: `${header}${ok}2,1,2011-01-01 00:00:00,"1,7\n${ok}`,
        error: "line 3: unterminated quoted field (field 4 opens a quote that is never closed before the end of the input)",
      },
      { text: "", error: "line 1: the input is empty; expected a header row naming the columns" },
    ];
    const files = await Promise.all(cases.map((c, i) => writeFixture(`bad-${i}.csv`, c.text)));
    const runs = await Promise.all(files.map((file) => cli("rfm", "--input", file, "--json")));
    runs.forEach((run, i) => {
      expect(run).toEqual({ code: 1, stdout: "", stderr: `rfm: ${files[i]}: ${cases[i].error}\n` });
    });
  });

  it("reports a file it cannot read", async () => {
    const missing = path.join(dir, "missing.csv");
    const [noFile, directory] = await Promise.all([cli("rfm", "--input", missing), cli("rfm", "--input", dir)]);
    expect(noFile).toEqual({ code: 1, stdout: "", stderr: `rfm: cannot read '${missing}': no such file\n` });
    expect(directory).toEqual({ code: 1, stdout: "", stderr: `rfm: cannot read '${dir}': it is a directory, not a file\n` });
  });

  it("refuses a reference date before the last used invoice", async () => {
    const run = await cli("rfm", "--input", fixture, "--reference-date", "2011-03-04");
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `rfm: ${fixture}: the reference date 2011-03-04 is before the last used invoice date 2011-03-05; ` +
        "recency would be negative (use a reference date on or after it)\n",
    });
  });
});
