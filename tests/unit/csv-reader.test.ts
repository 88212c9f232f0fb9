import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CsvError,
  type CsvOptions,
  CsvParser,
  type CsvRecord,
  decompressIfGzip,
  openCsvFile,
  readCsv,
  readCsvBatches,
  readCsvWithHeader,
} from "../../server/lib/csv-reader";

/** The bytes as a stream delivering `chunkSize` bytes at a time. */
function chunked(bytes: Uint8Array, chunkSize = bytes.length || 1): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(Buffer.from(bytes.subarray(i, i + chunkSize)));
  return Readable.from(chunks);
}

async function records(input: string | Uint8Array, options?: CsvOptions, chunkSize?: number): Promise<CsvRecord[]> {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  const out: CsvRecord[] = [];
  for await (const record of readCsv(chunked(bytes, chunkSize), options)) out.push(record);
  return out;
}

/** Runs the reader to the end and returns the records it yielded and the error it threw. */
async function recordsUntilError(input: string | Uint8Array, chunkSize?: number): Promise<{ got: CsvRecord[]; error: unknown }> {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  const got: CsvRecord[] = [];
  try {
    for await (const record of readCsv(chunked(bytes, chunkSize))) got.push(record);
  } catch (error) {
    return { got, error };
  }
  return { got, error: undefined };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "quorum-csv-reader-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readCsv: well-formed input", () => {
  it("yields each record with the 1-based line it starts on", async () => {
    expect(await records("a,b,c\n1,2,3\n4,5,6\n")).toEqual([
      { line: 1, values: ["a", "b", "c"] },
      { line: 2, values: ["1", "2", "3"] },
      { line: 3, values: ["4", "5", "6"] },
    ]);
  });

  it("reads quoted fields holding delimiters, doubled quotes and line breaks; later line numbers count those breaks", async () => {
    const text = 'id,text\n1,"a,b"\n2,"say ""hi"""\n3,"two\nlines"\n4,"three\r\nlines\r\nhere"\n5,""\n6,after\n';
    expect(await records(text)).toEqual([
      { line: 1, values: ["id", "text"] },
      { line: 2, values: ["1", "a,b"] },
      { line: 3, values: ["2", 'say "hi"'] },
      { line: 4, values: ["3", "two\nlines"] },
      { line: 6, values: ["4", "three\r\nlines\r\nhere"] },
      { line: 9, values: ["5", ""] },
      { line: 10, values: ["6", "after"] },
    ]);
  });

  it("accepts CRLF and lone CR line endings, mixed", async () => {
    expect(await records("a,b\r\n1,2\r3,4\n5,6\r\n")).toEqual([
      { line: 1, values: ["a", "b"] },
      { line: 2, values: ["1", "2"] },
      { line: 3, values: ["3", "4"] },
      { line: 4, values: ["5", "6"] },
    ]);
  });

  it("drops a UTF-8 byte-order mark and keeps other non-ASCII text", async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("name,city\nZoë,Zürich\n", "utf8")]);
    expect(await records(bytes)).toEqual([
      { line: 1, values: ["name", "city"] },
      { line: 2, values: ["Zoë", "Zürich"] },
    ]);
  });

  it("does not need a line break after the last record", async () => {
    expect(await records("a,b\n1,2")).toEqual([
      { line: 1, values: ["a", "b"] },
      { line: 2, values: ["1", "2"] },
    ]);
    expect(await records('a,b\n1,"2"')).toEqual([
      { line: 1, values: ["a", "b"] },
      { line: 2, values: ["1", "2"] },
    ]);
  });

  it("keeps empty fields, including a trailing one, and skips empty lines without losing count", async () => {
    expect(await records("a,b,c\n,,\n\n1,,3\r\n\r\nx,y,\n\n")).toEqual([
      { line: 1, values: ["a", "b", "c"] },
      { line: 2, values: ["", "", ""] },
      { line: 4, values: ["1", "", "3"] },
      { line: 6, values: ["x", "y", ""] },
    ]);
  });

  it("keeps a quote inside an unquoted field as an ordinary character", async () => {
    expect(await records('code,description\n1,RECORD FRAME 7" SINGLE\n')).toEqual([
      { line: 1, values: ["code", "description"] },
      { line: 2, values: ["1", 'RECORD FRAME 7" SINGLE'] },
    ]);
  });

  it("yields nothing for an empty input, or one made only of line breaks", async () => {
    expect(await records("")).toEqual([]);
    expect(await records("\n\r\n\n")).toEqual([]);
  });

  it("uses another delimiter when asked", async () => {
    expect(await records('a;b\n"1;2";3\n', { delimiter: ";" })).toEqual([
      { line: 1, values: ["a", "b"] },
      { line: 2, values: ["1;2", "3"] },
    ]);
  });

  it("gives the same result whatever the chunk boundaries, including inside a multi-byte character or a CRLF", async () => {
    const text = 'id,"na,me",note\r\n1,"Zoë ""Z""",é\r\n2,"multi\r\nline",€\r\n\r\n3,x,"end"';
    const whole = await records(text);
    expect(whole).toEqual([
      { line: 1, values: ["id", "na,me", "note"] },
      { line: 2, values: ["1", 'Zoë "Z"', "é"] },
      { line: 3, values: ["2", "multi\r\nline", "€"] },
      { line: 6, values: ["3", "x", "end"] },
    ]);
    const size = Buffer.byteLength(text);
    for (let chunkSize = 1; chunkSize <= size; chunkSize++) {
      expect(await records(text, undefined, chunkSize)).toEqual(whole);
    }
  });

  it("batches: the same records, grouped as they complete", async () => {
    const bytes = Buffer.from("a,b\n1,2\n3,4\n5,6\n");
    const batches: CsvRecord[][] = [];
    for await (const batch of readCsvBatches(chunked(bytes, 6))) batches.push(batch);
    expect(batches.every((b) => b.length > 0)).toBe(true);
    expect(batches.flat()).toEqual(await records(bytes));
  });
});

describe("readCsv: gzip", () => {
  const text = 'a,b\n1,"x,y"\n2,z\n';

  it("decompresses input that starts with the gzip magic number, whatever the file is called", async () => {
    const file = path.join(dir, "compressed-but-named.csv");
    await writeFile(file, gzipSync(Buffer.from(text)));
    const out: CsvRecord[] = [];
    for await (const record of readCsv(openCsvFile(file))) out.push(record);
    expect(out).toEqual(await records(text));
  });

  it("reads plain text as plain even when the file is called .gz", async () => {
    const file = path.join(dir, "plain-but-named.csv.gz");
    await writeFile(file, text);
    const out: CsvRecord[] = [];
    for await (const record of readCsv(openCsvFile(file))) out.push(record);
    expect(out.map((r) => r.values)).toEqual([["a", "b"], ["1", "x,y"], ["2", "z"]]);
  });

  it("detects gzip when the magic number is split over two chunks", async () => {
    expect(await records(gzipSync(Buffer.from(text)), undefined, 1)).toEqual(await records(text));
  });

  it("passes a one-byte input through untouched", async () => {
    const out: Uint8Array[] = [];
    for await (const chunk of decompressIfGzip(chunked(Buffer.from([0x1f])))) out.push(chunk);
    expect(Buffer.concat(out)).toEqual(Buffer.from([0x1f]));
  });

  it("reports truncated gzip data as an error, after the records it could read", async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `${i},row ${i}`).join("\n");
    const gz = gzipSync(Buffer.from(`n,name\n${lines}\n`));
    const { got, error } = await recordsUntilError(gz.subarray(0, gz.length - 20), 4096);
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).message).toMatch(/^line \d+: the gzip-compressed input is truncated or corrupt \(unexpected end of file\)$/);
    expect(got.length).toBeGreaterThan(1000);
    got.forEach((r, i) => expect(r).toEqual(i === 0 ? { line: 1, values: ["n", "name"] } : { line: i + 1, values: [String(i - 1), `row ${i - 1}`] }));
  });
});

describe("readCsv: malformed input", () => {
  it("reports an unterminated quoted field on the line where the quote opens", async () => {
    const { got, error } = await recordsUntilError('a,b\n1,2\n3,"never closed\n4,5\n6,7\n');
    expect(got.map((r) => r.line)).toEqual([1, 2]);
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).line).toBe(3);
    expect((error as CsvError).message).toBe(
      "line 3: unterminated quoted field (field 2 opens a quote that is never closed before the end of the input)",
    );
  });

  it("reports a truncated last line that stops inside a quoted field, with its line number", async () => {
    const { got, error } = await recordsUntilError('a,b,c\n1,2,3\n4,5,"partial val');
    expect(got.map((r) => r.values)).toEqual([["a", "b", "c"], ["1", "2", "3"]]);
    expect((error as CsvError).message).toMatch(/^line 3: unterminated quoted field/);
  });

  it("reports a record with the wrong number of fields, with its line number", async () => {
    const { got, error } = await recordsUntilError("a,b,c\n1,2,3\n4,5\n");
    expect(got).toHaveLength(2);
    expect((error as CsvError).message).toBe("line 3: expected 3 fields (as on line 1), found 2");
    const more = await recordsUntilError('a,b\n"x\ny",1\n1,2,3\n');
    expect((more.error as CsvError).message).toBe("line 4: expected 2 fields (as on line 1), found 3");
  });

  it("accepts ragged records when the field count check is off", async () => {
    expect((await records("a,b,c\n1\n", { checkFieldCount: false })).map((r) => r.values)).toEqual([["a", "b", "c"], ["1"]]);
  });

  it("reports text after a closing quote", async () => {
    const { error } = await recordsUntilError('a,b\n1,"x"y\n');
    expect((error as CsvError).message).toBe(
      'line 2: unexpected character "y" after the closing quote of field 2 (a quote inside a quoted field must be doubled: "")',
    );
  });

  it("reports bytes that are not UTF-8 on their line, however the input is split", async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('a,b\n1,"é\n€"\n3,', "utf8"),
      Buffer.from([0xe2, 0x82]), // the first two bytes of "€", then a line break: invalid
      Buffer.from("\n4,5\n"),
    ]);
    for (const chunkSize of [bytes.length, 1, 2, 3, 5, 7]) {
      const { got, error } = await recordsUntilError(bytes, chunkSize);
      expect(got).toEqual([
        { line: 1, values: ["a", "b"] },
        { line: 2, values: ["1", "é\n€"] },
      ]);
      expect((error as CsvError).message).toBe("line 4: the input is not valid UTF-8 (save the file as UTF-8 and try again)");
    }
  });

  it("reports an input that ends inside a multi-byte character", async () => {
    const { got, error } = await recordsUntilError(Buffer.concat([Buffer.from("a\nb\n"), Buffer.from([0xf0, 0x9f])]), 1);
    expect(got.map((r) => r.values)).toEqual([["a"], ["b"]]);
    expect((error as CsvError).message).toBe("line 3: the input is not valid UTF-8 (save the file as UTF-8 and try again)");
  });

  it("rejects options that cannot work", () => {
    expect(() => new CsvParser({ delimiter: ";;" })).toThrow(RangeError);
    expect(() => new CsvParser({ delimiter: "\n" })).toThrow(RangeError);
    expect(() => new CsvParser({ delimiter: '"' })).toThrow("delimiter and quote must differ");
  });
});

describe("readCsvWithHeader", () => {
  it("returns the header and the remaining records, in order, once", async () => {
    const table = await readCsvWithHeader(chunked(Buffer.from("x,y\n1,2\n3,4\n"), 5));
    expect(table.header.names).toEqual(["x", "y"]);
    expect(table.header.line).toBe(1);
    const out: CsvRecord[] = [];
    for await (const record of table.records()) out.push(record);
    expect(out).toEqual([
      { line: 2, values: ["1", "2"] },
      { line: 3, values: ["3", "4"] },
    ]);
    await expect(table.batches().next()).rejects.toThrow("already been read");
  });

  it("finds required columns by name in any order, ignoring spaces around names", async () => {
    const table = await readCsvWithHeader(chunked(Buffer.from("\uFEFFCountry, CustomerID ,InvoiceNo\nUK,1,A\n")));
    expect(table.header.require(["InvoiceNo", "CustomerID"] as const)).toEqual([2, 1]);
    expect(table.header.indexOf("Country")).toBe(0);
    expect(table.header.indexOf("Missing")).toBe(-1);
    await table.close();
  });

  it("names a missing required column", async () => {
    const table = await readCsvWithHeader(chunked(Buffer.from("InvoiceNo,Quantity\n1,2\n")));
    expect(() => table.header.require(["InvoiceNo", "CustomerID"])).toThrow(
      "line 1: missing required column 'CustomerID' (the header has: InvoiceNo, Quantity)",
    );
    await table.close();
  });

  it("refuses a required column that appears twice", async () => {
    const table = await readCsvWithHeader(chunked(Buffer.from("a,b,a\n1,2,3\n")));
    expect(() => table.header.require(["a"])).toThrow("line 1: column 'a' appears more than once (columns 1 and 3)");
    await table.close();
  });

  it("reports an empty input as having no header", async () => {
    await expect(readCsvWithHeader(chunked(Buffer.alloc(0)))).rejects.toThrow(
      "line 1: the input is empty; expected a header row naming the columns",
    );
  });

  it("releases the file when the caller stops early", async () => {
    const file = path.join(dir, "early.csv.gz");
    await writeFile(file, gzipSync(Buffer.from(`a\n${"1\n".repeat(200_000)}`)));
    const stream = openCsvFile(file);
    const table = await readCsvWithHeader(stream);
    for await (const record of table.records()) {
      if (record.line > 10) break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.destroyed).toBe(true);
  });
});

describe("readCsv: memory", () => {
  it("stays flat while reading 128 MB of CSV generated on the fly", async () => {
    const line = Buffer.from('12345,"a quoted, description",7,2011-12-09 12:50:00,2.55,17850,United Kingdom\n');
    const totalBytes = 128 * 1024 * 1024;
    const chunk = Buffer.concat(Array.from({ length: Math.floor(65536 / line.length) }, () => line));
    async function* generate(): AsyncGenerator<Uint8Array> {
      for (let sent = 0; sent < totalBytes; sent += chunk.length) yield chunk;
    }
    const before = process.memoryUsage().rss;
    let peak = before;
    let count = 0;
    for await (const batch of readCsvBatches(generate())) {
      count += batch.length;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(count).toBe(Math.ceil(totalBytes / chunk.length) * (chunk.length / line.length));
    // Holding the input, or the records, would take more than 128 MB.
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  });
});
