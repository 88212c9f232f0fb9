/**
 * Streaming CSV reader (RFC 4180 plus the line endings found in the wild).
 *
 * - Input is a stream of bytes (a `Readable`, or any `AsyncIterable<Uint8Array>`). When the
 *   first two bytes are the gzip magic number 1f 8b the input is decompressed on the fly,
 *   whatever the file is called.
 * - Text is UTF-8; a leading byte-order mark is dropped; invalid UTF-8 is an error.
 * - Records end at LF, CRLF or a lone CR. A quoted field may hold delimiters, line breaks and
 *   doubled quotes (`""` stands for one `"`); its value keeps its line breaks as written.
 * - A quote inside an unquoted field is kept as an ordinary character (`7" SINGLE`), as Excel
 *   and Python's csv module do; text after a closing quote other than a delimiter or line end
 *   is an error.
 * - Completely empty lines are skipped (option `skipEmptyLines`); the last line needs no line
 *   break, but a quoted field still open at the end of the input is an error.
 * - Every record must have as many fields as the first one (option `checkFieldCount`).
 *
 * Each record carries the 1-based number of the physical line it starts on, so a record with
 * an embedded line break in a quoted field is followed by one whose line number jumps by two.
 * Memory use is bounded by one input chunk plus the record being read, whatever the file size.
 */
import { createReadStream } from "node:fs";
import { Readable, pipeline } from "node:stream";
import { createGunzip } from "node:zlib";

/** One record: the physical line it starts on (1-based) and its field values. */
export interface CsvRecord {
  line: number;
  values: string[];
}

export interface CsvOptions {
  /** Field separator, one character. Default ",". */
  delimiter?: string;
  /** Quote character, one character. Default '"'. */
  quote?: string;
  /** Skip lines with no characters at all. Default true. */
  skipEmptyLines?: boolean;
  /** Require every record to have as many fields as the first record. Default true. */
  checkFieldCount?: boolean;
}

/** Malformed input. `line` is the 1-based physical line the problem was found on. */
export class CsvError extends Error {
  readonly line: number;
  readonly reason: string;
  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = "CsvError";
    this.line = line;
    this.reason = reason;
  }
}

const LF = 10;
const CR = 13;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** Inside a quoted field, just after a quote: either the closing quote or the first of `""`. */
const QUOTE_IN_QUOTED = 3;

function singleChar(name: string, value: string): number {
  if (value.length !== 1 || value === "\n" || value === "\r") {
    throw new RangeError(`CSV ${name} must be a single character other than a line break, got ${JSON.stringify(value)}`);
  }
  return value.charCodeAt(0);
}

/**
 * The synchronous core: feed it text in pieces of any size with `push`, then call `end`.
 * Complete records are appended to the array passed in. Useful on its own for text that is
 * already in memory; `readCsv` wraps it for byte streams.
 */
export class CsvParser {
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly quoteChar: string;
  private readonly skipEmptyLines: boolean;
  private readonly checkFieldCount: boolean;

  private state = FIELD_START;
  private values: string[] = [];
  private field = "";
  /** Physical line of the current position (1-based). */
  private currentLine = 1;
  private recordLine = 1;
  private quoteLine = 1;
  /** The last character consumed was a CR, so an LF right after it belongs to the same line break. */
  private afterCR = false;
  private expectedFields = -1;
  private firstRecordLine = 0;

  constructor(options: CsvOptions = {}) {
    this.delimiter = singleChar("delimiter", options.delimiter ?? ",");
    this.quoteChar = options.quote ?? '"';
    this.quote = singleChar("quote", this.quoteChar);
    if (this.quote === this.delimiter) throw new RangeError("CSV delimiter and quote must differ");
    this.skipEmptyLines = options.skipEmptyLines ?? true;
    this.checkFieldCount = options.checkFieldCount ?? true;
  }

  /** The physical line the parser has reached (1-based). */
  get line(): number {
    return this.currentLine;
  }

  push(text: string, out: CsvRecord[]): void {
    const n = text.length;
    const delimiter = this.delimiter;
    const quote = this.quote;
    let i = 0;
    while (i < n) {
      const state = this.state;
      if (state === QUOTED) {
        let j = i;
        let afterCR = this.afterCR;
        let line = this.currentLine;
        for (; j < n; j++) {
          const c = text.charCodeAt(j);
          if (c === quote) break;
          if (c === LF) {
            if (!afterCR) line++;
            afterCR = false;
          } else if (c === CR) {
            line++;
            afterCR = true;
          } else {
            afterCR = false;
          }
        }
        this.currentLine = line;
        this.afterCR = afterCR;
        this.field += text.slice(i, j);
        if (j === n) return;
        this.afterCR = false;
        this.state = QUOTE_IN_QUOTED;
        i = j + 1;
        continue;
      }
      if (state === QUOTE_IN_QUOTED) {
        const c = text.charCodeAt(i);
        if (c === quote) {
          this.field += this.quoteChar;
          this.state = QUOTED;
          i++;
        } else if (c === delimiter) {
          this.values.push(this.field);
          this.field = "";
          this.state = FIELD_START;
          i++;
        } else if (c === LF || c === CR) {
          this.endRecord(c, out);
          i++;
        } else {
          throw new CsvError(
            this.currentLine,
            `unexpected character ${JSON.stringify(text[i])} after the closing quote of field ${this.values.length + 1}` +
              ` (a quote inside a quoted field must be doubled: "")`,
          );
        }
        continue;
      }
      if (state === FIELD_START) {
        const c = text.charCodeAt(i);
        if (c === LF && this.afterCR && this.values.length === 0) {
          // The LF of a CRLF whose CR ended the previous record (possibly in the previous chunk).
          this.afterCR = false;
          i++;
          continue;
        }
        this.afterCR = false;
        if (c === quote) {
          this.state = QUOTED;
          this.quoteLine = this.currentLine;
          i++;
          continue;
        }
        this.state = UNQUOTED;
      }
      // UNQUOTED: everything up to the next delimiter or line break is the value.
      let j = i;
      for (; j < n; j++) {
        const c = text.charCodeAt(j);
        if (c === delimiter || c === LF || c === CR) break;
      }
      this.field += text.slice(i, j);
      if (j === n) return;
      const c = text.charCodeAt(j);
      i = j + 1;
      if (c === delimiter) {
        this.values.push(this.field);
        this.field = "";
        this.state = FIELD_START;
      } else if (this.values.length === 0 && this.field === "" && this.skipEmptyLines) {
        this.currentLine++;
        this.recordLine = this.currentLine;
        this.afterCR = c === CR;
        this.state = FIELD_START;
      } else {
        this.endRecord(c, out);
      }
    }
  }

  /** Signals the end of the input; emits a last record that has no line break after it. */
  end(out: CsvRecord[]): void {
    if (this.state === QUOTED) {
      throw new CsvError(
        this.quoteLine,
        `unterminated quoted field (field ${this.values.length + 1} opens a quote that is never closed before the end of the input)`,
      );
    }
    if (this.state === FIELD_START && this.values.length === 0) return;
    this.values.push(this.field);
    this.field = "";
    this.emit(out);
    this.state = FIELD_START;
  }

  private endRecord(lineBreak: number, out: CsvRecord[]): void {
    this.values.push(this.field);
    this.field = "";
    this.emit(out);
    this.currentLine++;
    this.recordLine = this.currentLine;
    this.afterCR = lineBreak === CR;
    this.state = FIELD_START;
  }

  private emit(out: CsvRecord[]): void {
    const values = this.values;
    this.values = [];
    if (this.checkFieldCount) {
      if (this.expectedFields < 0) {
        this.expectedFields = values.length;
        this.firstRecordLine = this.recordLine;
      } else if (values.length !== this.expectedFields) {
        throw new CsvError(
          this.recordLine,
          `expected ${this.expectedFields} fields (as on line ${this.firstRecordLine}), found ${values.length}`,
        );
      }
    }
    out.push({ line: this.recordLine, values });
  }
}

/** A byte source: a Node `Readable` (without an encoding set) or any async iterable of bytes. */
export type ByteSource = AsyncIterable<Uint8Array>;

/**
 * Passes the bytes through, gunzipping them when they start with the gzip magic number 1f 8b.
 * Detection looks at the content, never at a file name.
 */
export async function* decompressIfGzip(source: ByteSource): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headLength = 0;
  while (headLength < 2) {
    const next = await iterator.next();
    if (next.done) break;
    if (next.value.length === 0) continue;
    head.push(next.value);
    headLength += next.value.length;
  }
  async function* rest(): AsyncGenerator<Uint8Array> {
    let finished = false;
    try {
      yield* head;
      for (;;) {
        const next = await iterator.next();
        if (next.done) {
          finished = true;
          return;
        }
        yield next.value;
      }
    } finally {
      // Stopped early (the consumer broke off, or a later stage failed): release the source.
      if (!finished) await iterator.return?.();
    }
  }
  const first = head.length ? Buffer.concat(head) : Buffer.alloc(0);
  if (first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b) {
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    // pipeline destroys the gunzip stream with any source error, which the loop below rethrows;
    // when the consumer stops early it destroys gunzip and the source, so its result is ignored.
    pipeline(Readable.from(rest()), gunzip, () => {});
    for await (const chunk of gunzip) yield chunk as Buffer;
  } else {
    yield* rest();
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * The trailing bytes of valid UTF-8 that start a character the bytes do not finish (0-3 bytes),
 * copied.
 */
function incompleteUtf8Tail(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back];
    if ((b & 0xc0) === 0x80) continue;
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > back ? bytes.slice(bytes.length - back) : new Uint8Array(0);
  }
  return new Uint8Array(0);
}

/**
 * The text of the longest prefix of `bytes` that is valid UTF-8 (found by bisection), without
 * a leading byte-order mark when the bytes start the input.
 */
function validUtf8Prefix(bytes: Uint8Array, atStart: boolean): string {
  const decodes = (length: number): boolean => {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, length), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let good = 0;
  let bad = bytes.length;
  while (bad - good > 1) {
    const mid = (good + bad) >>> 1;
    if (decodes(mid)) good = mid;
    else bad = mid;
  }
  return new TextDecoder("utf-8", { ignoreBOM: !atStart }).decode(bytes.subarray(0, good), { stream: true });
}

function isZlibError(error: unknown): error is Error & { code: string } {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("Z_");
}

function isDecodingError(error: unknown): boolean {
  return error instanceof TypeError && (error as { code?: unknown }).code === "ERR_ENCODING_INVALID_ENCODED_DATA";
}

/**
 * Reads CSV records from a byte stream (plain or gzip-compressed UTF-8), in batches: all the
 * records completed by one input chunk (tens to thousands). Faster than `readCsv` when the
 * consumer handles many records, and natural for batched inserts.
 * Throws `CsvError` for malformed input, after yielding every record before the problem.
 */
export async function* readCsvBatches(source: ByteSource, options: CsvOptions = {}): AsyncGenerator<CsvRecord[]> {
  const parser = new CsvParser(options);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  /** Bytes of a character split by the last chunk boundary, held inside the decoder. */
  let carry: Uint8Array = new Uint8Array(0);
  let atStart = true;
  /** Parses one chunk (or, without one, the end of the input); returns its records and any error. */
  const parse = (bytes: Uint8Array | undefined): { batch: CsvRecord[]; failure: unknown } => {
    const batch: CsvRecord[] = [];
    try {
      let text: string;
      try {
        text = bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
      } catch (error) {
        if (!isDecodingError(error)) throw error;
        // Parse the valid part so the error names the line holding the first invalid byte.
        const pending = bytes ? concatBytes(carry, bytes) : carry;
        parser.push(validUtf8Prefix(pending, atStart), batch);
        throw new CsvError(parser.line, "the input is not valid UTF-8 (save the file as UTF-8 and try again)");
      }
      if (bytes) carry = incompleteUtf8Tail(bytes.length >= 3 ? bytes : concatBytes(carry, bytes));
      if (bytes?.length) atStart = false;
      parser.push(text, batch);
      if (!bytes) parser.end(batch);
      return { batch, failure: undefined };
    } catch (error) {
      return { batch, failure: error };
    }
  };
  try {
    for await (const bytes of decompressIfGzip(source)) {
      const { batch, failure } = parse(bytes);
      if (batch.length) yield batch;
      if (failure !== undefined) throw failure;
    }
  } catch (error) {
    if (isZlibError(error)) {
      throw new CsvError(parser.line, `the gzip-compressed input is truncated or corrupt (${error.message})`);
    }
    throw error;
  }
  const { batch, failure } = parse(undefined);
  if (batch.length) yield batch;
  if (failure !== undefined) throw failure;
}

/**
 * Reads CSV records one at a time from a byte stream (plain or gzip-compressed UTF-8).
 * Throws `CsvError` for malformed input, after yielding every record before the problem.
 */
export async function* readCsv(source: ByteSource, options: CsvOptions = {}): AsyncGenerator<CsvRecord> {
  for await (const batch of readCsvBatches(source, options)) yield* batch;
}

/** The header row of a CSV file, with column lookup. */
export class CsvHeader {
  readonly names: readonly string[];
  readonly line: number;

  constructor(names: readonly string[], line: number) {
    this.names = names;
    this.line = line;
  }

  /** Index of the column whose name (surrounding spaces ignored) is `name`, or -1. */
  indexOf(name: string): number {
    return this.names.findIndex((n) => n.trim() === name);
  }

  /**
   * Indexes of the named columns, in the order asked, wherever they are in the file.
   * Throws `CsvError` naming a column that is missing or appears more than once.
   */
  require<const N extends readonly string[]>(names: N): { [K in keyof N]: number } {
    return names.map((name) => {
      const found: number[] = [];
      this.names.forEach((n, i) => {
        if (n.trim() === name) found.push(i + 1);
      });
      if (found.length === 0) {
        throw new CsvError(this.line, `missing required column '${name}' (the header has: ${this.names.join(", ")})`);
      }
      if (found.length > 1) {
        throw new CsvError(this.line, `column '${name}' appears more than once (columns ${found.join(" and ")})`);
      }
      return found[0] - 1;
    }) as { [K in keyof N]: number };
  }
}

/**
 * A CSV file's header and the records after it. Read the records once, either one at a time
 * with `records()` or in batches with `batches()`.
 */
export class CsvTable {
  readonly header: CsvHeader;
  private pending: CsvRecord[] | null;
  private readonly rest: AsyncGenerator<CsvRecord[]>;

  constructor(header: CsvHeader, firstBatchRest: CsvRecord[], rest: AsyncGenerator<CsvRecord[]>) {
    this.header = header;
    this.pending = firstBatchRest;
    this.rest = rest;
  }

  /** The records after the header, in batches (see `readCsvBatches`). */
  async *batches(): AsyncGenerator<CsvRecord[]> {
    const pending = this.pending;
    if (pending === null) throw new Error("the records of this CSV table have already been read");
    this.pending = null;
    if (pending.length) yield pending;
    yield* this.rest;
  }

  /** The records after the header, one at a time. */
  async *records(): AsyncGenerator<CsvRecord> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** Stops reading and releases the input, for a caller that will not read the records. */
  async close(): Promise<void> {
    this.pending = null;
    await this.rest.return(undefined);
  }
}

/**
 * Reads the first record as the header and returns it with the remaining records.
 * Throws `CsvError` when the input has no header row at all.
 */
export async function readCsvWithHeader(source: ByteSource, options: CsvOptions = {}): Promise<CsvTable> {
  const batches = readCsvBatches(source, options);
  const first = await batches.next();
  if (first.done) {
    throw new CsvError(1, "the input is empty; expected a header row naming the columns");
  }
  const [headerRecord, ...rest] = first.value;
  return new CsvTable(new CsvHeader(headerRecord.values, headerRecord.line), rest, batches);
}

/** Opens a file for `readCsv` / `readCsvWithHeader`; a gzip-compressed file is detected by content. */
export function openCsvFile(path: string): Readable {
  return createReadStream(path, { highWaterMark: 64 * 1024 });
}
