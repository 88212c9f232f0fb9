/**
 * Parsing of transaction fields as they appear in CSV exports (pure, no I/O): customer ids,
 * decimal numbers and UTC timestamps. Each parser returns null for text it does not accept so
 * the caller can name the row and column in its error.
 */

/**
 * A customer id as text, or null when blank. Surrounding spaces are removed, and an integer
 * written with a zero fraction ("12346.0", which spreadsheet and pandas exports produce when a
 * column with blanks is read as floating point) becomes the integer ("12346"). Anything else,
 * including leading zeros ("0042"), is kept exactly: ids are labels, not numbers.
 */
export function normaliseCustomerId(raw: string): string | null {
  const id = raw.trim();
  if (id === "") return null;
  const zeroFraction = /^(\d+)\.0+$/.exec(id);
  return zeroFraction ? zeroFraction[1] : id;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;

/** A plain decimal number ("12", "-3", "2.55", ".5"); null for anything else (blank, "1e3", "abc"). */
export function parseDecimal(raw: string): number | null {
  const text = raw.trim();
  return DECIMAL.test(text) ? Number(text) : null;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Milliseconds since the epoch of "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.fff]]" or the same with
 * a "T" separator, read as UTC unless it ends with "Z" or an offset such as "+01:00".
 * Null when the text has another shape or names an impossible date or time.
 */
export function parseUtcTimestamp(raw: string): number | null {
  const m = TIMESTAMP.exec(raw.trim());
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, does not map years 0-99 to 1900-1999
  date.setUTCHours(hour, minute, second, millis);
  if (date.getUTCDate() !== day) return null;
  const time = date.getTime();
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone !== "Z") {
    const digits = zone.replace(":", "");
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 23 || minutes > 59) return null;
    offsetMinutes = (digits[0] === "-" ? -1 : 1) * (hours * 60 + minutes);
  }
  return time - offsetMinutes * 60_000;
}
