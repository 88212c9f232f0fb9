/**
 * RFM (recency, frequency, monetary) analysis: pure functions over transactions, no I/O.
 *
 * Pipeline: `RfmAccumulator.add` each transaction (preparation + per-customer aggregation in one
 * pass, so a caller can stream millions of rows) → `aggregates()` (per-customer R, F, M values)
 * → `scoreRfm` (quintile scores 1-5) → `rfmSegment` (named segment). `computeRfm` runs all of it
 * over an iterable. The pieces are exported separately for workers and tests.
 *
 * Definitions
 * - Preparation drops, checked in this order, each row counted under the FIRST reason that
 *   applies: `no_customer` (customer id missing or blank), then `cancelled` (invoice number
 *   starts with "C"), then `non_positive` (quantity <= 0 or unit price <= 0). A cancelled row
 *   without a customer therefore counts as `no_customer`. The last two checks can be turned off.
 * - Recency: whole calendar days from the UTC date of the customer's last used invoice to the
 *   reference date. The default reference date is the day after the latest used invoice date
 *   over all customers, so the most recent customers have recency 1.
 * - Frequency: number of distinct invoice numbers among the customer's used rows.
 * - Monetary: sum of quantity × unit price over the customer's used rows, reported rounded to
 *   cents (half away from zero). Each unit price is converted to an integer number of 1/10,000
 *   currency units and summed as integers, so the total is exact for prices with up to four
 *   decimals (the Online Retail data has at most three, e.g. 0.001) and integer quantities.
 * - Scores: see `quintiles`. Segments: see `rfmSegment`.
 */

export type DropReason = "no_customer" | "cancelled" | "non_positive";
export type DropCounts = Record<DropReason, number>;

/** One transaction line. */
export interface Transaction {
  invoiceNo: string;
  /** Missing when null or blank. */
  customerId: string | null;
  quantity: number;
  unitPrice: number;
  /** When the invoice was issued, in milliseconds since 1970-01-01T00:00:00Z. */
  invoiceTime: number;
}

export interface PreparationOptions {
  /** Drop cancellations (invoice number starting with `cancellationPrefix`). Default true. */
  dropCancelled?: boolean;
  /** Default "C", as in the UCI Online Retail data. */
  cancellationPrefix?: string;
  /** Drop rows whose quantity or unit price is zero or negative. Default true. */
  dropNonPositive?: boolean;
}

const MS_PER_DAY = 86_400_000;
/** Unit prices are summed as integers in 1/PRICE_SCALE of a currency unit. */
const PRICE_SCALE = 10_000;
const CENTS_PER_SCALED_UNIT = PRICE_SCALE / 100;

export function emptyDropCounts(): DropCounts {
  return { no_customer: 0, cancelled: 0, non_positive: 0 };
}

/**
 * Why a transaction is left out of RFM, or null when it is used. Checks in a fixed order:
 * no_customer, then cancelled, then non_positive (see the module comment).
 */
export function dropReason(tx: Transaction, options: PreparationOptions = {}): DropReason | null {
  if (tx.customerId === null || tx.customerId.trim() === "") return "no_customer";
  if ((options.dropCancelled ?? true) && tx.invoiceNo.startsWith(options.cancellationPrefix ?? "C")) return "cancelled";
  if ((options.dropNonPositive ?? true) && !(tx.quantity > 0 && tx.unitPrice > 0)) return "non_positive";
  return null;
}

export interface PreparedTransactions {
  used: Transaction[];
  rowsRead: number;
  dropped: DropCounts;
}

/** Splits transactions into those RFM uses and counts of the dropped ones by reason. */
export function prepareTransactions(transactions: Iterable<Transaction>, options: PreparationOptions = {}): PreparedTransactions {
  const used: Transaction[] = [];
  const dropped = emptyDropCounts();
  let rowsRead = 0;
  for (const tx of transactions) {
    rowsRead++;
    const reason = dropReason(tx, options);
    if (reason) dropped[reason]++;
    else used.push(tx);
  }
  return { used, rowsRead, dropped };
}

/** Days since 1970-01-01 of the UTC calendar date of an instant. */
export function utcDayNumber(timeMs: number): number {
  return Math.floor(timeMs / MS_PER_DAY);
}

/** "YYYY-MM-DD" of a day number. */
export function formatDayNumber(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Day number of a "YYYY-MM-DD" date, or null when it is not a real calendar date. */
export function parseDayNumber(date: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const day = utcDayNumber(time);
  return formatDayNumber(day) === date ? day : null;
}

/**
 * Total order on customer ids used for output and for breaking ties in scores: ids made only
 * of digits come first, in numeric order ("999" before "1000"; equal numbers such as "007" and
 * "7" by their text); all other ids follow in UTF-16 code-unit order (locale-independent).
 */
export function compareCustomerIds(a: string, b: string): number {
  const aDigits = /^\d+$/.test(a);
  const bDigits = /^\d+$/.test(b);
  if (aDigits !== bDigits) return aDigits ? -1 : 1;
  if (aDigits) {
    const aNum = a.replace(/^0+(?=\d)/, "");
    const bNum = b.replace(/^0+(?=\d)/, "");
    if (aNum.length !== bNum.length) return aNum.length - bNum.length;
    if (aNum !== bNum) return aNum < bNum ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Per-customer values, one entry per customer in `compareCustomerIds` order (columnar). */
export interface CustomerAggregates {
  ids: string[];
  /** Day number (see `utcDayNumber`) of each customer's last used invoice. */
  lastDay: Int32Array;
  recency: Int32Array;
  frequency: Int32Array;
  /** Monetary value in integer cents. */
  monetaryCents: Float64Array;
  /** The day recency is measured to; null when there are no customers and none was given. */
  referenceDay: number | null;
}

function grow<T extends Int32Array | Float64Array>(array: T, size: number): T {
  if (size <= array.length) return array;
  const bigger = new (array.constructor as new (length: number) => T)(Math.max(size, array.length * 2));
  bigger.set(array);
  return bigger;
}

/** Largest customer count before invoice/customer pair keys would leave the safe integer range. */
const MAX_CUSTOMERS = 2 ** 25;
const MAX_INVOICES = 2 ** 28;

/** Rounds an integer amount in 1/PRICE_SCALE units to integer cents, half away from zero. */
function scaledUnitsToCents(units: number): number {
  const remainder = units % CENTS_PER_SCALED_UNIT;
  const whole = (units - remainder) / CENTS_PER_SCALED_UNIT;
  if (Math.abs(remainder) * 2 >= CENTS_PER_SCALED_UNIT) return whole + Math.sign(remainder);
  return whole;
}

/**
 * One pass over transactions: applies the preparation rules, counts drops and accumulates
 * each used row into its customer. Memory grows with customers and invoices, not rows.
 */
export class RfmAccumulator {
  private readonly options: PreparationOptions;
  private readonly customerIndex = new Map<string, number>();
  private readonly customerIds: string[] = [];
  private readonly invoiceIndex = new Map<string, number>();
  /** Distinct (invoice, customer) pairs as invoice × MAX_CUSTOMERS + customer. */
  private readonly invoiceCustomerPairs = new Set<number>();
  private lastDay = new Int32Array(1024);
  private frequency = new Int32Array(1024);
  private amountUnits = new Float64Array(1024);
  private lastPair = -1;
  private maxDay = -Infinity;
  private read = 0;
  private used = 0;
  private readonly droppedCounts = emptyDropCounts();

  constructor(options: PreparationOptions = {}) {
    this.options = options;
  }

  /** Adds one transaction; returns why it was dropped, or null when it was used. */
  add(tx: Transaction): DropReason | null {
    this.read++;
    const reason = dropReason(tx, this.options);
    if (reason) {
      this.droppedCounts[reason]++;
      return reason;
    }
    if (!Number.isFinite(tx.quantity) || !Number.isFinite(tx.unitPrice) || !Number.isFinite(tx.invoiceTime)) {
      throw new RangeError(`transaction on invoice ${tx.invoiceNo} has a quantity, unit price or time that is not a finite number`);
    }
    this.used++;
    const id = (tx.customerId as string).trim();
    let c = this.customerIndex.get(id);
    if (c === undefined) {
      c = this.customerIds.length;
      if (c >= MAX_CUSTOMERS) throw new RangeError(`more than ${MAX_CUSTOMERS} customers`);
      this.customerIndex.set(id, c);
      this.customerIds.push(id);
      this.lastDay = grow(this.lastDay, c + 1);
      this.frequency = grow(this.frequency, c + 1);
      this.amountUnits = grow(this.amountUnits, c + 1);
      this.lastDay[c] = -2147483648;
    }
    let inv = this.invoiceIndex.get(tx.invoiceNo);
    if (inv === undefined) {
      inv = this.invoiceIndex.size;
      if (inv >= MAX_INVOICES) throw new RangeError(`more than ${MAX_INVOICES} invoices`);
      this.invoiceIndex.set(tx.invoiceNo, inv);
    }
    const pair = inv * MAX_CUSTOMERS + c;
    if (pair !== this.lastPair && !this.invoiceCustomerPairs.has(pair)) {
      this.invoiceCustomerPairs.add(pair);
      this.frequency[c]++;
    }
    this.lastPair = pair;
    const day = utcDayNumber(tx.invoiceTime);
    if (day > this.lastDay[c]) this.lastDay[c] = day;
    if (day > this.maxDay) this.maxDay = day;
    const amount = tx.quantity * Math.round(tx.unitPrice * PRICE_SCALE);
    const total = this.amountUnits[c] + (Number.isInteger(amount) ? amount : Math.round(amount));
    if (!Number.isSafeInteger(total)) throw new RangeError(`monetary total of customer ${id} is too large to add up exactly`);
    this.amountUnits[c] = total;
    return null;
  }

  get rowsRead(): number {
    return this.read;
  }

  get rowsUsed(): number {
    return this.used;
  }

  get dropped(): DropCounts {
    return { ...this.droppedCounts };
  }

  /** The latest used invoice date, as a day number; null before any row is used. */
  get lastInvoiceDay(): number | null {
    return this.used ? this.maxDay : null;
  }

  /**
   * Per-customer recency, frequency and monetary value, customers in `compareCustomerIds` order.
   * `referenceDay` defaults to the day after the latest used invoice date; a reference day
   * before that date is a RangeError (recency would be negative).
   */
  aggregates(referenceDay?: number): CustomerAggregates {
    const n = this.customerIds.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => compareCustomerIds(this.customerIds[a], this.customerIds[b]));
    const lastInvoiceDay = this.lastInvoiceDay;
    const reference = referenceDay ?? (lastInvoiceDay === null ? null : lastInvoiceDay + 1);
    if (reference !== null && lastInvoiceDay !== null && reference < lastInvoiceDay) {
      throw new RangeError(
        `the reference date ${formatDayNumber(reference)} is before the last used invoice date ${formatDayNumber(lastInvoiceDay)}; ` +
          "recency would be negative (use a reference date on or after it)",
      );
    }
    const result: CustomerAggregates = {
      ids: order.map((i) => this.customerIds[i]),
      lastDay: new Int32Array(n),
      recency: new Int32Array(n),
      frequency: new Int32Array(n),
      monetaryCents: new Float64Array(n),
      referenceDay: reference,
    };
    order.forEach((from, to) => {
      result.lastDay[to] = this.lastDay[from];
      result.recency[to] = (reference as number) - this.lastDay[from];
      result.frequency[to] = this.frequency[from];
      result.monetaryCents[to] = scaledUnitsToCents(this.amountUnits[from]);
    });
    return result;
  }
}

/**
 * Quintile scores 1-5 of `values`, defined as pandas'
 * `pd.qcut(values.rank(method="first"), 5, labels=[1, 2, 3, 4, 5])`:
 * 1. rank the values 1..n ascending; equal values are ranked in the order they appear in the
 *    array (for RFM: customer id order, see `compareCustomerIds`), so every rank is distinct;
 * 2. the quintile edges are the 0, 20, 40, 60, 80 and 100 % quantiles of the ranks with linear
 *    interpolation, 1 + k(n - 1)/5, and bins are right-closed with the lowest rank in bin 1, so
 *    score(rank) = max(1, ceil(5 (rank - 1) / (n - 1))), computed here in exact integers.
 * With n divisible by 5 each score holds exactly n/5 values. A single value scores 1.
 * Equal values can therefore get different scores (e.g. many customers with frequency 1 spread
 * over scores 1 and 2), which is what makes the scores split the customers into fifths.
 */
export function quintiles(values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  const scores = new Uint8Array(n);
  if (n === 0) return scores;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => values[a] - values[b] || a - b);
  for (let r = 0; r < n; r++) {
    // rank - 1 = r; ceil(5r / (n - 1)) without floating point.
    scores[order[r]] = n === 1 || r === 0 ? 1 : Math.floor((5 * r + n - 2) / (n - 1));
  }
  return scores;
}

export interface RfmScores {
  r: Uint8Array;
  f: Uint8Array;
  m: Uint8Array;
}

/**
 * R, F and M scores 1-5 by `quintiles`, in the order of `aggregates` (customer id order).
 * F and M: higher value, higher score. R: the quintile of recency with the labels reversed,
 * R = 6 - quintile(recency) (pandas: `qcut(recency.rank(method="first"), 5, labels=[5,4,3,2,1])`),
 * so the most recent customers score 5; among equal recencies the earlier id scores higher.
 */
export function scoreRfm(aggregates: Pick<CustomerAggregates, "recency" | "frequency" | "monetaryCents">): RfmScores {
  const r = quintiles(aggregates.recency);
  for (let i = 0; i < r.length; i++) r[i] = 6 - r[i];
  return { r, f: quintiles(aggregates.frequency), m: quintiles(aggregates.monetaryCents) };
}

export const RFM_SEGMENTS = [
  "Champions",
  "Loyal",
  "Potential loyalist",
  "New",
  "Promising",
  "Need attention",
  "About to sleep",
  "At risk",
  "Can't lose them",
  "Hibernating",
  "Lost",
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

/**
 * The segment grid: SEGMENT_GRID[fm - 1][r - 1].
 *
 * Source: the R-versus-F "segment map" of the widely used pandas RFM tutorials (the `seg_map`
 * regular expressions over the two-digit RF score: [1-2][1-2] hibernating, [1-2][3-4] at risk,
 * [1-2]5 can't lose, 3[1-2] about to sleep, 33 need attention, [3-4][4-5] loyal, 41 promising,
 * 51 new, [4-5][2-3] potential loyalists, 5[4-5] champions), read with the F/M average (FM) on
 * the vertical axis, as in Putler's R-vs-FM grid ("RFM Analysis For Successful Customer
 * Segmentation"). That map has ten segments; Putler's eleventh, Lost (lowest recency, low
 * frequency and spend), is the R = 1 half of the map's Hibernating block, which keeps R = 2.
 *
 *            R=1               R=2               R=3              R=4                  R=5
 *   FM=5     Can't lose them   Can't lose them   Loyal            Loyal                Champions
 *   FM=4     At risk           At risk           Loyal            Loyal                Champions
 *   FM=3     At risk           At risk           Need attention   Potential loyalist   Potential loyalist
 *   FM=2     Lost              Hibernating       About to sleep   Potential loyalist   Potential loyalist
 *   FM=1     Lost              Hibernating       About to sleep   Promising            New
 */
const SEGMENT_GRID: readonly (readonly RfmSegment[])[] = [
  ["Lost", "Hibernating", "About to sleep", "Promising", "New"],
  ["Lost", "Hibernating", "About to sleep", "Potential loyalist", "Potential loyalist"],
  ["At risk", "At risk", "Need attention", "Potential loyalist", "Potential loyalist"],
  ["At risk", "At risk", "Loyal", "Loyal", "Champions"],
  ["Can't lose them", "Can't lose them", "Loyal", "Loyal", "Champions"],
];

/** FM, the F/M average rounded half up to a whole score: (F + M) / 2, with 1.5 → 2 ... 4.5 → 5. */
export function fmScore(f: number, m: number): number {
  return Math.floor((f + m + 1) / 2);
}

function checkScore(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 5) throw new RangeError(`${name} score must be an integer from 1 to 5, got ${value}`);
}

/** The named segment of a customer's R, F and M scores (each 1-5); see SEGMENT_GRID. */
export function rfmSegment(r: number, f: number, m: number): RfmSegment {
  checkScore("R", r);
  checkScore("F", f);
  checkScore("M", m);
  return SEGMENT_GRID[fmScore(f, m) - 1][r - 1];
}

/** One customer's RFM values, scores and segment. */
export interface RfmCustomer {
  id: string;
  recency: number;
  frequency: number;
  /** Rounded to cents. */
  monetary: number;
  r: number;
  f: number;
  m: number;
  segment: RfmSegment;
}

export interface RfmResult {
  rowsRead: number;
  rowsUsed: number;
  dropped: DropCounts;
  /** "YYYY-MM-DD", or null when no row was used and no reference date was given. */
  referenceDate: string | null;
  /** Sorted by `compareCustomerIds`. */
  customers: RfmCustomer[];
}

/** Scores and segments the accumulated customers. `referenceDate` is "YYYY-MM-DD". */
export function rfmResult(accumulator: RfmAccumulator, referenceDate?: string): RfmResult {
  let referenceDay: number | undefined;
  if (referenceDate !== undefined) {
    const day = parseDayNumber(referenceDate);
    if (day === null) throw new RangeError(`reference date must be a calendar date like 2011-12-10, got '${referenceDate}'`);
    referenceDay = day;
  }
  const aggregates = accumulator.aggregates(referenceDay);
  const { r, f, m } = scoreRfm(aggregates);
  return {
    rowsRead: accumulator.rowsRead,
    rowsUsed: accumulator.rowsUsed,
    dropped: accumulator.dropped,
    referenceDate: aggregates.referenceDay === null ? null : formatDayNumber(aggregates.referenceDay),
    customers: aggregates.ids.map((id, i) => ({
      id,
      recency: aggregates.recency[i],
      frequency: aggregates.frequency[i],
      monetary: aggregates.monetaryCents[i] / 100,
      r: r[i],
      f: f[i],
      m: m[i],
      segment: rfmSegment(r[i], f[i], m[i]),
    })),
  };
}

export interface ComputeRfmOptions extends PreparationOptions {
  /** "YYYY-MM-DD"; default: the day after the latest used invoice date. */
  referenceDate?: string;
}

/** The whole RFM pipeline over in-memory transactions. */
export function computeRfm(transactions: Iterable<Transaction>, options: ComputeRfmOptions = {}): RfmResult {
  const accumulator = new RfmAccumulator(options);
  for (const tx of transactions) accumulator.add(tx);
  return rfmResult(accumulator, options.referenceDate);
}
