import type { AttributeType, ImportKind, ImportStatus, Sensitivity } from "../../db/schema";
import type { QualityReport } from "../../server/services/data/quality";

export type { AttributeType, ImportKind, ImportStatus, Sensitivity };

/** The quality report as the import runner stores it (server/services/data/quality-report.ts). */
export type ImportQualityReport = QualityReport & { rowsRead?: number; rowsFailed?: number };

/** The stored report is untyped JSON on the wire: it is read as the shape the runner writes. */
export function asQualityReport(value: unknown): ImportQualityReport | null {
  if (typeof value !== "object" || value === null || !("columns" in value) || !Array.isArray(value.columns))
    return null;
  return value as ImportQualityReport;
}

export const KIND_LABELS: Record<ImportKind, string> = { customers: "Customers", transactions: "Transactions", events: "Events" };

export const STATUS_LABELS: Record<ImportStatus, string> = {
  uploaded: "Awaiting mapping",
  queued: "Queued",
  running: "Importing",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** Statuses during which the import's row changes by itself and the page polls it. */
export function isActive(status: ImportStatus): boolean {
  return status === "queued" || status === "running";
}

export const ATTRIBUTE_TYPE_LABELS: Record<AttributeType, string> = {
  text: "Text",
  number: "Number",
  date: "Date",
  category: "Category",
  boolean: "Yes / no",
};

export const SENSITIVITY_LABELS: Record<Sensitivity, { label: string; description: string }> = {
  plain: { label: "Plain", description: "Visible to every role; usable as a model feature." },
  pii: { label: "PII", description: "Personal data: hidden from roles without PII access." },
  protected: {
    label: "Protected",
    description: "Never a model feature; available to bias audits. Hidden from roles without PII access.",
  },
};

export const DELIMITERS = [
  { value: ",", label: "Comma ( , )" },
  { value: ";", label: "Semicolon ( ; )" },
  { value: "\t", label: "Tab" },
  { value: "|", label: "Pipe ( | )" },
] as const;
export type Delimiter = (typeof DELIMITERS)[number]["value"];

export function isDelimiter(value: unknown): value is Delimiter {
  return DELIMITERS.some((d) => d.value === value);
}

/** A custom attribute's key from its column name, as the server proposes it (lower-case, digits and _). */
export function attributeKey(column: string): string {
  const key = column
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 60);
  return /^[a-z]/.test(key) ? key : `attr_${key || "column"}`;
}

export const ATTRIBUTE_KEY_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

const NUMBER = new Intl.NumberFormat("en-GB");
const DECIMAL = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 });
const MONEY = new Intl.NumberFormat("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** "12,345" */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : NUMBER.format(value);
}

/** "12.35" (at most two decimals) */
export function formatDecimal(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "—" : DECIMAL.format(value);
}

/** "1,234.50" */
export function formatMoney(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : MONEY.format(value);
}

/** "12.5%" for 0.125; small non-zero shares keep a decimal so they do not read as 0. */
export function formatShare(share: number): string {
  const pct = share * 100;
  if (pct === 0) return "0%";
  if (pct < 0.1) return "<0.1%";
  return `${pct < 10 ? pct.toFixed(1) : Math.round(pct)}%`;
}

/** "7.5 MB" */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** "3 min 20 s", "12 s" */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${seconds % 60} s`;
}
