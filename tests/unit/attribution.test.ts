/**
 * Rule-based attribution (server/analytics/attribution.ts) on cases worked by hand.
 */
import { describe, expect, it } from "vitest";
import { attributeRevenue, type Touchpoint } from "../../server/analytics/attribution";

const DAY = 86_400_000;
const t0 = Date.UTC(2026, 0, 31);

describe("attribution rules", () => {
  // Customer A: email 40 days before (outside 30 days), paid 20 days before, web 5 days before,
  // sales 1 day AFTER the conversion; converts 300 at t0.
  // Customer B: paid 10 days before, paid 2 days before; converts 100 at t0.
  // Customer C: no touches; converts 50. Customer D: only a touch after; converts 25.
  const touches: Touchpoint[] = [
    { customerId: "A", at: t0 - 40 * DAY, channel: "email" },
    { customerId: "A", at: t0 - 20 * DAY, channel: "paid_media" },
    { customerId: "A", at: t0 - 5 * DAY, channel: "web" },
    { customerId: "A", at: t0 + DAY, channel: "sales" },
    { customerId: "B", at: t0 - 10 * DAY, channel: "paid_media" },
    { customerId: "B", at: t0 - 2 * DAY, channel: "paid_media" },
    { customerId: "D", at: t0 + 3 * DAY, channel: "email" },
  ];
  const conversions = [
    { customerId: "A", at: t0, revenue: 300, groups: ["Loyal"] },
    { customerId: "B", at: t0, revenue: 100, groups: ["Loyal", "New"] },
    { customerId: "C", at: t0, revenue: 50, groups: ["New"] },
    { customerId: "D", at: t0, revenue: 25 },
  ];

  it("credits first touch, last touch and linear by hand", () => {
    const { overall } = attributeRevenue(touches, conversions);
    // A: first = paid 300, last = web 300, linear 150/150. B: paid under every rule (100).
    expect(overall.channels).toEqual([
      { channel: "paid_media", firstTouch: 400, lastTouch: 100, linear: 250 },
      { channel: "web", firstTouch: 0, lastTouch: 300, linear: 150 },
    ]);
    expect(overall.totalRevenue).toBe(475);
    expect(overall.attributedRevenue).toBe(400);
    expect(overall.unattributedRevenue).toBe(75);
    expect([overall.conversions, overall.unattributedConversions]).toEqual([4, 2]);
  });

  it("each rule's channel totals equal the attributed revenue", () => {
    const odd = [
      { customerId: "A", at: t0, revenue: 100 },
      { customerId: "B", at: t0 - 3 * DAY, revenue: 7 },
    ];
    const tp: Touchpoint[] = [
      { customerId: "A", at: t0 - DAY, channel: "email" },
      { customerId: "A", at: t0 - 2 * DAY, channel: "web" },
      { customerId: "A", at: t0 - 3 * DAY, channel: "sales" },
      { customerId: "B", at: t0 - 4 * DAY, channel: "email" },
    ];
    const { overall } = attributeRevenue(tp, odd);
    for (const rule of ["firstTouch", "lastTouch", "linear"] as const) {
      expect(overall.channels.reduce((s, c) => s + c[rule], 0)).toBeCloseTo(overall.attributedRevenue, 10);
    }
    // Linear: 100/3 to each of A's three channels, plus B's 7 to email.
    expect(overall.channels.find((c) => c.channel === "email")?.linear).toBeCloseTo(100 / 3 + 7, 10);
  });

  it("a longer lookback reaches the email touch 40 days back", () => {
    const { overall } = attributeRevenue(touches, conversions.slice(0, 1), { lookbackDays: 45 });
    expect(overall.channels).toEqual([
      { channel: "email", firstTouch: 300, lastTouch: 0, linear: 100 },
      { channel: "paid_media", firstTouch: 0, lastTouch: 0, linear: 100 },
      { channel: "web", firstTouch: 0, lastTouch: 300, linear: 100 },
    ]);
  });

  it("counts a touch exactly at the window's start and at the conversion, and orders simultaneous touches by channel", () => {
    const tp: Touchpoint[] = [
      { customerId: "X", at: t0, channel: "web" },
      { customerId: "X", at: t0 - 30 * DAY, channel: "sales" },
      { customerId: "X", at: t0 - 30 * DAY, channel: "email" },
    ];
    const { overall } = attributeRevenue(tp, [{ customerId: "X", at: t0, revenue: 90 }]);
    expect(overall.channels).toEqual([
      { channel: "email", firstTouch: 90, lastTouch: 0, linear: 30 },
      { channel: "sales", firstTouch: 0, lastTouch: 0, linear: 30 },
      { channel: "web", firstTouch: 0, lastTouch: 90, linear: 30 },
    ]);
  });

  it("splits by group (segment) with the same rules", () => {
    const { byGroup } = attributeRevenue(touches, conversions);
    expect(byGroup.get("Loyal")?.channels).toEqual([
      { channel: "paid_media", firstTouch: 400, lastTouch: 100, linear: 250 },
      { channel: "web", firstTouch: 0, lastTouch: 300, linear: 150 },
    ]);
    const fresh = byGroup.get("New");
    expect(fresh?.channels).toEqual([{ channel: "paid_media", firstTouch: 100, lastTouch: 100, linear: 100 }]);
    expect(fresh?.unattributedRevenue).toBe(50);
  });

  it("names a conversion without a valid time", () => {
    expect(() => attributeRevenue([], [{ customerId: "Q", at: Number.NaN, revenue: 1 }])).toThrow(/customer Q has no valid time/);
  });
});
