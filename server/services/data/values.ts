/**
 * Parsing of one cell into a typed value. Each parser returns the value or an error phrase that
 * completes "<column>: …" in the error report ("expected a number, got 'abc'").
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

function shown(raw: string): string {
  return raw.length > 40 ? `'${raw.slice(0, 40)}…'` : `'${raw}'`;
}

export function parseNumber(raw: string): Parsed<number> {
  const text = raw.trim();
  if (NUMBER.test(text)) {
    const value = Number(text);
    if (Number.isFinite(value)) return { ok: true, value };
  }
  return { ok: false, reason: `expected a number, got ${shown(raw)}` };
}

/** ISO 8601 dates and date-times; without a zone they are read as UTC. */
export function parseDate(raw: string): Parsed<Date> {
  const m = ISO_DATE.exec(raw.trim());
  if (m) {
    const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "0", zone] = m;
    const month = Number(mo);
    const day = Number(d);
    const utc = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s), Math.round(Number(`0.${frac}`) * 1000));
    const check = new Date(utc);
    if (check.getUTCMonth() === month - 1 && check.getUTCDate() === day && Number(h) < 24 && Number(mi) < 60 && Number(s) < 61) {
      let offsetMs = 0;
      if (zone && zone !== "Z") {
        const sign = zone[0] === "-" ? -1 : 1;
        const digits = zone.slice(1).replace(":", "");
        offsetMs = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
      }
      return { ok: true, value: new Date(utc - offsetMs) };
    }
  }
  return { ok: false, reason: `expected a date such as 2011-12-09 or 2011-12-09 08:50:00, got ${shown(raw)}` };
}

const TRUE = new Set(["true", "yes", "y", "1", "t", "opted out", "opted-out", "optout"]);
const FALSE = new Set(["false", "no", "n", "0", "f", ""]);

export function parseBoolean(raw: string): Parsed<boolean> {
  const text = raw.trim().toLowerCase();
  if (TRUE.has(text)) return { ok: true, value: true };
  if (FALSE.has(text)) return { ok: true, value: false };
  return { ok: false, reason: `expected yes/no or true/false, got ${shown(raw)}` };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Lower-cased, trimmed; for Gmail-style "+tag" the tag is dropped. */
export function normaliseEmail(raw: string): Parsed<string> {
  const text = raw.trim().toLowerCase();
  if (!EMAIL.test(text)) return { ok: false, reason: `expected an email address, got ${shown(raw)}` };
  const [local, domain] = text.split("@");
  return { ok: true, value: `${local.split("+")[0]}@${domain}` };
}

/** Digits only, with a leading + kept; "00" international prefix becomes "+". 7 to 15 digits. */
export function normalisePhone(raw: string): Parsed<string> {
  const text = raw.trim();
  const plus = text.startsWith("+") || text.startsWith("00");
  const digits = text.replace(/\D/g, "").replace(/^00/, "");
  if (digits.length < 7 || digits.length > 15) return { ok: false, reason: `expected a phone number of 7 to 15 digits, got ${shown(raw)}` };
  return { ok: true, value: plus ? `+${digits}` : digits };
}

/** Customer ids as keys: trimmed; a float rendering of an integer id ("12346.0") is folded to "12346". */
export function normaliseExternalId(raw: string): string {
  const text = raw.trim();
  return /^\d+\.0+$/.test(text) ? text.slice(0, text.indexOf(".")) : text;
}
