import { describe, expect, it } from "vitest";
import {
  RFM_SEGMENTS,
  RfmAccumulator,
  type Transaction,
  compareCustomerIds,
  computeRfm,
  dropReason,
  fmScore,
  formatDayNumber,
  parseDayNumber,
  prepareTransactions,
  quintiles,
  rfmSegment,
  scoreRfm,
} from "../../server/analytics/rfm";
import { normaliseCustomerId, parseDecimal, parseUtcTimestamp } from "../../server/analytics/transaction-fields";

function tx(invoiceNo: string, customerId: string | null, quantity: number, unitPrice: number, when: string): Transaction {
  return { invoiceNo, customerId, quantity, unitPrice, invoiceTime: Date.parse(`${when}Z`) };
}

/*
 * The worked example. Amounts are quantity × unit price.
 *
 *  #  invoice  customer  qty  price  date (UTC)        fate
 *  1  5001     101         2  1.10   2011-03-01 09:00  used, 2.20
 *  2  5001     101         1  0.35   2011-03-01 09:00  used, 0.35
 *  3  5002     101         3  0.10   2011-03-05 23:59  used, 0.30 (3 × 0.1 is 0.30000000000000004 in floating point)
 *  4  5003     102        10  0.001  2011-03-04 10:00  used, 0.010
 *  5  5004     102         5  0.001  2011-03-04 11:00  used, 0.005
 *  6  C5005    101        -1  1.10   2011-03-06 08:00  cancelled
 *  7  5006     (blank)     4  2.00   2011-03-07 08:00  no_customer
 *  8  C5007    (none)     -2  2.00   2011-03-07 09:00  no_customer (checked before cancelled)
 *  9  5008     103         0  2.50   2011-03-02 12:00  non_positive (quantity)
 * 10  5009     103         2  2.50   2011-02-28 12:00  used, 5.00
 * 11  5010     104         1  0      2011-03-08 12:00  non_positive (price); the latest date of all, but not used
 * 12  5011     104         4  0.25   2011-03-03 12:00  used, 1.00
 * 13  5011     104         4  0.25   2011-03-03 12:00  used, 1.00 (same invoice again)
 * 14  C5012    103         1  9.99   2011-03-09 12:00  cancelled (positive quantity, still a cancellation)
 *
 * rows read 14, used 8; dropped: no_customer 2 (#7, #8), cancelled 2 (#6, #14), non_positive 2 (#9, #11).
 * Latest used invoice date: 2011-03-05 (#3, 23:59 is still the 5th in UTC) → reference date 2011-03-06.
 *
 * customer  last used   recency  invoices     frequency  monetary
 * 101       2011-03-05  1        5001, 5002   2          2.20 + 0.35 + 0.30 = 2.85
 * 102       2011-03-04  2        5003, 5004   2          0.010 + 0.005 = 0.015 → 0.02 (half away from zero)
 * 103       2011-02-28  6        5009         1          5.00   (Feb 28 → Mar 6 in 2011, not a leap year: 6 days)
 * 104       2011-03-03  3        5011         1          2.00
 *
 * Scores, n = 4: score(rank) = max(1, ceil(5 (rank − 1) / 3)) → ranks 1, 2, 3, 4 score 1, 2, 4, 5.
 * R: recency ascending 101 (1), 102 (2), 104 (3), 103 (6) → quintiles 1, 2, 4, 5 → R = 6 − q: 5, 4, 2, 1.
 * F: values in id order 2, 2, 1, 1; ties ranked in id order → 103 rank 1, 104 rank 2, 101 rank 3,
 *    102 rank 4 → F: 101 4, 102 5, 103 1, 104 2.
 * M: 102 (0.02) rank 1, 104 (2.00) rank 2, 101 (2.85) rank 3, 103 (5.00) rank 4 → M: 101 4, 102 1, 103 5, 104 2.
 * FM = (F + M) / 2 rounded half up: 101 (4+4)/2 = 4; 102 (5+1)/2 = 3; 103 (1+5)/2 = 3; 104 (2+2)/2 = 2.
 * Segments (grid in rfm.ts): 101 R5 FM4 Champions; 102 R4 FM3 Potential loyalist;
 *    103 R1 FM3 At risk; 104 R2 FM2 Hibernating.
 */
const example: Transaction[] = [
  tx("5001", "101", 2, 1.1, "2011-03-01T09:00:00"),
  tx("5001", "101", 1, 0.35, "2011-03-01T09:00:00"),
  tx("5002", "101", 3, 0.1, "2011-03-05T23:59:00"),
  tx("5003", "102", 10, 0.001, "2011-03-04T10:00:00"),
  tx("5004", "102", 5, 0.001, "2011-03-04T11:00:00"),
  tx("C5005", "101", -1, 1.1, "2011-03-06T08:00:00"),
  tx("5006", " ", 4, 2, "2011-03-07T08:00:00"),
  tx("C5007", null, -2, 2, "2011-03-07T09:00:00"),
  tx("5008", "103", 0, 2.5, "2011-03-02T12:00:00"),
  tx("5009", "103", 2, 2.5, "2011-02-28T12:00:00"),
  tx("5010", "104", 1, 0, "2011-03-08T12:00:00"),
  tx("5011", "104", 4, 0.25, "2011-03-03T12:00:00"),
  tx("5011", "104", 4, 0.25, "2011-03-03T12:00:00"),
  tx("C5012", "103", 1, 9.99, "2011-03-09T12:00:00"),
];

describe("preparation", () => {
  it("counts each dropped row under the first reason that applies: no_customer, cancelled, non_positive", () => {
    const prepared = prepareTransactions(example);
    expect(prepared.rowsRead).toBe(14);
    expect(prepared.dropped).toEqual({ no_customer: 2, cancelled: 2, non_positive: 2 });
    expect(prepared.used.map((t) => t.invoiceNo)).toEqual(["5001", "5001", "5002", "5003", "5004", "5009", "5011", "5011"]);
    expect(example.map((t) => dropReason(t))).toEqual([
      null, null, null, null, null, "cancelled", "no_customer", "no_customer", "non_positive", null, "non_positive", null, null, "cancelled",
    ]);
  });

  it("can keep cancellations, which then fall to the non-positive check when their quantity is negative", () => {
    // #6 (C5005, quantity -1) becomes non_positive; #14 (C5012, quantity 1) is used.
    const prepared = prepareTransactions(example, { dropCancelled: false });
    expect(prepared.dropped).toEqual({ no_customer: 2, cancelled: 0, non_positive: 3 });
    expect(prepared.used).toHaveLength(9);
  });

  it("can keep non-positive rows and use another cancellation prefix", () => {
    expect(prepareTransactions(example, { dropNonPositive: false }).dropped).toEqual({ no_customer: 2, cancelled: 2, non_positive: 0 });
    expect(dropReason(tx("X1", "1", 1, 1, "2011-01-01T00:00:00"), { cancellationPrefix: "X" })).toBe("cancelled");
    expect(dropReason(tx("C1", "1", 1, 1, "2011-01-01T00:00:00"), { cancellationPrefix: "X" })).toBeNull();
  });
});

describe("aggregation", () => {
  it("computes recency, frequency and monetary of the worked example", () => {
    const accumulator = new RfmAccumulator();
    for (const t of example) accumulator.add(t);
    expect(accumulator.rowsRead).toBe(14);
    expect(accumulator.rowsUsed).toBe(8);
    expect(formatDayNumber(accumulator.lastInvoiceDay as number)).toBe("2011-03-05");
    const a = accumulator.aggregates();
    expect(formatDayNumber(a.referenceDay as number)).toBe("2011-03-06");
    expect(a.ids).toEqual(["101", "102", "103", "104"]);
    expect([...a.recency]).toEqual([1, 2, 6, 3]);
    expect([...a.frequency]).toEqual([2, 2, 1, 1]);
    expect([...a.monetaryCents]).toEqual([285, 2, 500, 200]);
    expect([...a.lastDay].map(formatDayNumber)).toEqual(["2011-03-05", "2011-03-04", "2011-02-28", "2011-03-03"]);
  });

  it("measures recency to a given reference date, which may be the last invoice date but not before it", () => {
    const accumulator = new RfmAccumulator();
    for (const t of example) accumulator.add(t);
    expect([...accumulator.aggregates(parseDayNumber("2011-03-10") as number).recency]).toEqual([5, 6, 10, 7]);
    expect([...accumulator.aggregates(parseDayNumber("2011-03-05") as number).recency]).toEqual([0, 1, 5, 2]);
    expect(() => accumulator.aggregates(parseDayNumber("2011-03-04") as number)).toThrow(
      "the reference date 2011-03-04 is before the last used invoice date 2011-03-05",
    );
  });

  it("adds money exactly: a thousand 0.10 lines make 100.00, and 0.015 rounds to 0.02", () => {
    const rows = Array.from({ length: 1000 }, (_, i) => tx(`${i}`, "1", 1, 0.1, "2011-01-01T00:00:00"));
    let naive = 0;
    for (const r of rows) naive += r.quantity * r.unitPrice;
    expect(naive).not.toBe(100); // the trap the integer arithmetic avoids
    expect(computeRfm(rows).customers[0].monetary).toBe(100);
    expect(computeRfm([tx("1", "1", 3, 0.005, "2011-01-01T00:00:00")]).customers[0].monetary).toBe(0.02);
    expect(computeRfm([tx("1", "1", 1, 0.004, "2011-01-01T00:00:00")]).customers[0].monetary).toBe(0);
  });

  it("counts an invoice once per customer even when its lines are interleaved with other invoices", () => {
    const rows = [
      tx("A", "1", 1, 1, "2011-01-01T00:00:00"),
      tx("B", "1", 1, 1, "2011-01-01T00:00:00"),
      tx("A", "1", 1, 1, "2011-01-01T00:00:00"),
      tx("A", "2", 1, 1, "2011-01-01T00:00:00"),
    ];
    expect(computeRfm(rows).customers.map((c) => [c.id, c.frequency])).toEqual([["1", 2], ["2", 1]]);
  });

  it("uses the UTC calendar date, not the elapsed time", () => {
    // 23:59 on the 1st to 00:01 on the 2nd is two minutes but one calendar day.
    const rows = [tx("1", "a", 1, 1, "2011-01-01T23:59:00"), tx("2", "b", 1, 1, "2011-01-02T00:01:00")];
    const result = computeRfm(rows);
    expect(result.referenceDate).toBe("2011-01-03");
    expect(result.customers.map((c) => c.recency)).toEqual([2, 1]);
  });

  it("returns no customers and no reference date when no row is used", () => {
    const result = computeRfm([tx("C1", "1", 1, 1, "2011-01-01T00:00:00")]);
    expect(result).toEqual({ rowsRead: 1, rowsUsed: 0, dropped: { no_customer: 0, cancelled: 1, non_positive: 0 }, referenceDate: null, customers: [] });
    expect(computeRfm([], { referenceDate: "2011-01-01" }).referenceDate).toBe("2011-01-01");
  });

  it("rejects a reference date that is not a calendar date", () => {
    expect(() => computeRfm(example, { referenceDate: "2011-02-29" })).toThrow("reference date must be a calendar date");
  });
});

describe("quintile scores", () => {
  it("splits ten distinct values two per score", () => {
    expect([...quintiles([50, 10, 40, 20, 30, 100, 90, 60, 80, 70])]).toEqual([3, 1, 2, 1, 2, 5, 5, 3, 4, 4]);
  });

  it("matches pandas qcut of rank(method='first') for n = 7", () => {
    // Ranks 1..7; edges 1 + k·6/5 = 1, 2.2, 3.4, 4.6, 5.8, 7; right-closed bins, lowest included:
    // ranks 1, 2 → 1; 3 → 2; 4 → 3; 5 → 4; 6, 7 → 5.
    expect([...quintiles([1, 2, 3, 4, 5, 6, 7])]).toEqual([1, 1, 2, 3, 4, 5, 5]);
  });

  it("breaks ties by position, so equal values can score differently", () => {
    // Eight 1s take ranks 1-8 in array order: scores 1,1,2,2,3,3,4,4; then 2 and 3 score 5.
    expect([...quintiles([1, 1, 1, 1, 1, 1, 1, 1, 2, 3])]).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect([...quintiles([3, 1, 1, 1, 1, 1, 1, 1, 1, 2])]).toEqual([5, 1, 1, 2, 2, 3, 3, 4, 4, 5]);
  });

  it("handles tiny inputs: none, one, five", () => {
    expect([...quintiles([])]).toEqual([]);
    expect([...quintiles([42])]).toEqual([1]);
    expect([...quintiles([5, 4, 3, 2, 1])]).toEqual([5, 4, 3, 2, 1]);
  });

  it("scores recency reversed: the most recent scores 5, and among equal recencies the earlier id scores higher", () => {
    const { r, f, m } = scoreRfm({
      recency: Int32Array.from([10, 1, 1, 30, 20]),
      frequency: Int32Array.from([1, 2, 3, 4, 5]),
      monetaryCents: Float64Array.from([500, 400, 300, 200, 100]),
    });
    // recency ascending with ties in order: index 1 (1), 2 (1), 0 (10), 4 (20), 3 (30) → q 1,2,3,4,5 → R 5,4,3,2,1.
    expect([...r]).toEqual([3, 5, 4, 1, 2]);
    expect([...f]).toEqual([1, 2, 3, 4, 5]);
    expect([...m]).toEqual([5, 4, 3, 2, 1]);
  });
});

describe("segments", () => {
  /*
   * The same map written as the regular expressions it is published as, over "<R><FM>":
   * the pandas tutorials' seg_map plus Lost carved out of Hibernating at R = 1.
   */
  const published: [RegExp, string][] = [
    [/^1[1-2]$/, "Lost"],
    [/^2[1-2]$/, "Hibernating"],
    [/^[1-2][3-4]$/, "At risk"],
    [/^[1-2]5$/, "Can't lose them"],
    [/^3[1-2]$/, "About to sleep"],
    [/^33$/, "Need attention"],
    [/^[3-4][4-5]$/, "Loyal"],
    [/^41$/, "Promising"],
    [/^51$/, "New"],
    [/^[4-5][2-3]$/, "Potential loyalist"],
    [/^5[4-5]$/, "Champions"],
  ];

  it("maps every (R, F, M) in 1..5 to exactly one published region, and rfmSegment agrees", () => {
    const seen = new Set<string>();
    for (let r = 1; r <= 5; r++) {
      for (let f = 1; f <= 5; f++) {
        for (let m = 1; m <= 5; m++) {
          const fm = Math.round((f + m) / 2); // half up for positive numbers: 1.5 → 2, 4.5 → 5
          const matches = published.filter(([re]) => re.test(`${r}${fm}`));
          expect(matches, `R${r} F${f} M${m}`).toHaveLength(1);
          expect(rfmSegment(r, f, m)).toBe(matches[0][1]);
          seen.add(rfmSegment(r, f, m));
        }
      }
    }
    expect([...seen].sort()).toEqual([...RFM_SEGMENTS].sort());
    expect(RFM_SEGMENTS).toHaveLength(11);
  });

  it("averages F and M rounding half up", () => {
    expect([fmScore(1, 1), fmScore(1, 2), fmScore(2, 3), fmScore(4, 5), fmScore(5, 1), fmScore(5, 5)]).toEqual([1, 2, 3, 5, 3, 5]);
  });

  it("rejects scores outside 1..5", () => {
    expect(() => rfmSegment(0, 3, 3)).toThrow("R score must be an integer from 1 to 5, got 0");
    expect(() => rfmSegment(3, 6, 3)).toThrow(RangeError);
    expect(() => rfmSegment(3, 3, 2.5)).toThrow(RangeError);
  });
});

describe("computeRfm on the worked example", () => {
  it("gives the hand-computed result", () => {
    expect(computeRfm(example)).toEqual({
      rowsRead: 14,
      rowsUsed: 8,
      dropped: { no_customer: 2, cancelled: 2, non_positive: 2 },
      referenceDate: "2011-03-06",
      customers: [
        { id: "101", recency: 1, frequency: 2, monetary: 2.85, r: 5, f: 4, m: 4, segment: "Champions" },
        { id: "102", recency: 2, frequency: 2, monetary: 0.02, r: 4, f: 5, m: 1, segment: "Potential loyalist" },
        { id: "103", recency: 6, frequency: 1, monetary: 5, r: 1, f: 1, m: 5, segment: "At risk" },
        { id: "104", recency: 3, frequency: 1, monetary: 2, r: 2, f: 2, m: 2, segment: "Hibernating" },
      ],
    });
  });

  it("does not depend on the order of the rows", () => {
    expect(computeRfm([...example].reverse())).toEqual(computeRfm(example));
  });
});

describe("customer ids", () => {
  it("orders numeric ids numerically before other ids, deterministically", () => {
    const ids = ["b", "1000", "999", "A", "007", "7", "12346", "a"];
    expect([...ids].sort(compareCustomerIds)).toEqual(["007", "7", "999", "1000", "12346", "A", "a", "b"]);
  });

  it("normalises blanks to missing and a zero fraction away, keeping leading zeros", () => {
    expect(["12346", "12346.0", " 12346.00 ", "", "  ", "0042", "12346.5", "AB-1"].map(normaliseCustomerId)).toEqual([
      "12346", "12346", "12346", null, null, "0042", "12346.5", "AB-1",
    ]);
  });
});

describe("field parsing", () => {
  it("parses plain decimals only", () => {
    expect(["2.55", "-3", "0.001", ".5", "+7", " 6 "].map(parseDecimal)).toEqual([2.55, -3, 0.001, 0.5, 7, 6]);
    expect(["", "abc", "1e3", "0x10", "Infinity", "1,5", "1.2.3"].map(parseDecimal)).toEqual([null, null, null, null, null, null, null]);
  });

  it("parses UTC timestamps, with or without time, offset or fraction", () => {
    expect(parseUtcTimestamp("2011-12-09 12:50:00")).toBe(Date.UTC(2011, 11, 9, 12, 50));
    expect(parseUtcTimestamp("2011-12-09")).toBe(Date.UTC(2011, 11, 9));
    expect(parseUtcTimestamp("2011-12-09T12:50")).toBe(Date.UTC(2011, 11, 9, 12, 50));
    expect(parseUtcTimestamp("2011-12-09T12:50:01.250Z")).toBe(Date.UTC(2011, 11, 9, 12, 50, 1, 250));
    expect(parseUtcTimestamp("2011-12-09T23:30:00-05:00")).toBe(Date.UTC(2011, 11, 10, 4, 30));
    expect(parseUtcTimestamp("0099-01-01")).toBe(Date.parse("0099-01-01T00:00:00Z"));
  });

  it("rejects other shapes and impossible dates", () => {
    expect(["12/1/2010 8:26", "2011-02-29", "2011-13-01", "2011-12-09 24:00", "2011-12-09 12:60", "", "2011-12-09 12:50:00+25:00"].map(parseUtcTimestamp)).toEqual([
      null, null, null, null, null, null, null,
    ]);
  });

  it("round-trips calendar dates and rejects impossible ones", () => {
    expect(formatDayNumber(parseDayNumber("2011-12-10") as number)).toBe("2011-12-10");
    expect(parseDayNumber("1970-01-02")).toBe(1);
    expect([parseDayNumber("2011-02-29"), parseDayNumber("2011-12-1"), parseDayNumber("20111210")]).toEqual([null, null, null]);
  });
});
