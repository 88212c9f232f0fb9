/**
 * Holdout assignment (server/analytics/holdout.ts): draws pinned to SHA-256 digests computed
 * outside Node (`printf 'exp-1:c-1' | sha256sum`), balance at 10,000 customers, exact shares per
 * region when stratified, and the Online Retail customers stratified by country.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { assignHoldout, balanceByRegion, holdoutDraw } from "../../server/analytics/holdout";

const customers = Array.from({ length: 10_000 }, (_, i) => ({ id: `c-${i}`, region: ["North", "South", "East", null][i % 7 === 0 ? 3 : i % 3] }));

describe("holdout draws", () => {
  it("are the first 52 bits of SHA-256(experiment:customer) over 2^52", () => {
    // sha256("exp-1:c-1") = 138b0940aa8d34ad…; sha256("9f1c:customer-42") = 23ec8f967f9b15d1…
    expect(holdoutDraw("exp-1", "c-1")).toBe(parseInt("138b0940aa8d3", 16) / 2 ** 52);
    expect(holdoutDraw("9f1c", "customer-42")).toBe(parseInt("23ec8f967f9b1", 16) / 2 ** 52);
  });

  it("are the same on every run and independent of the other customers", () => {
    const once = assignHoldout("exp-7", customers, { holdoutPercent: 10, stratifyByRegion: false });
    const again = assignHoldout("exp-7", [...customers].reverse(), { holdoutPercent: 10, stratifyByRegion: false });
    const byId = new Map(again.map((a) => [a.id, a.holdout]));
    expect(once.every((a) => byId.get(a.id) === a.holdout)).toBe(true);
    const alone = assignHoldout("exp-7", customers.slice(0, 50), { holdoutPercent: 10, stratifyByRegion: false });
    expect(alone.map((a) => a.holdout)).toEqual(once.slice(0, 50).map((a) => a.holdout));
    // Another experiment draws afresh: about 10% of this one's holdout is held out there too.
    const other = new Map(assignHoldout("exp-8", customers, { holdoutPercent: 10, stratifyByRegion: false }).map((a) => [a.id, a.holdout]));
    const held = once.filter((a) => a.holdout);
    const overlap = held.filter((a) => other.get(a.id)).length / held.length;
    expect(overlap).toBeGreaterThan(0.05);
    expect(overlap).toBeLessThan(0.15);
  });

  it("hold out the chosen share within ±1 point at 10,000 customers", () => {
    for (const pct of [5, 10, 20, 50]) {
      const share = assignHoldout(`balance-${pct}`, customers, { holdoutPercent: pct, stratifyByRegion: false }).filter((a) => a.holdout).length / customers.length;
      expect(Math.abs(share * 100 - pct)).toBeLessThanOrEqual(1);
    }
  });

  it("are uniform: each tenth of [0, 1) holds 10% ± 1 point of 10,000 draws", () => {
    const deciles = new Array<number>(10).fill(0);
    for (const c of customers) deciles[Math.floor(holdoutDraw("uniform", c.id) * 10)]++;
    for (const d of deciles) expect(Math.abs(d - 1000)).toBeLessThanOrEqual(100);
  });
});

describe("stratified by region", () => {
  it("holds out round(p · n) in every region, customers without a region included", () => {
    const assigned = assignHoldout("strat", customers, { holdoutPercent: 15, stratifyByRegion: true });
    const rows = balanceByRegion(assigned);
    expect(rows.map((r) => r.region)).toEqual(["East", "North", "South", null]);
    for (const row of rows) {
      const n = customers.filter((c) => c.region === row.region).length;
      expect(row.treated + row.holdout).toBe(n);
      expect(row.holdout).toBe(Math.round(0.15 * n));
    }
  });

  it("holds out the customers with the smallest draws of their region", () => {
    const small = [
      { id: "a", region: "X" },
      { id: "b", region: "X" },
      { id: "c", region: "X" },
      { id: "d", region: "X" },
    ];
    const assigned = assignHoldout("tiny", small, { holdoutPercent: 50, stratifyByRegion: true });
    const lowest = [...assigned].sort((x, y) => x.u - y.u).slice(0, 2).map((a) => a.id).sort();
    expect(assigned.filter((a) => a.holdout).map((a) => a.id).sort()).toEqual(lowest);
  });

  it("balances the Online Retail customers exactly within each country", () => {
    const csv = gunzipSync(readFileSync(path.resolve(__dirname, "../../../shared/data/online_retail.csv.gz"))).toString("utf8");
    const countryOf = new Map<string, string>();
    for (const line of csv.split("\n").slice(1)) {
      const cols = line.split(",");
      const id = cols[cols.length - 2];
      if (id) countryOf.set(id, cols[cols.length - 1].trim());
    }
    // 4,372 customers with an id, in 37 countries (the usual count for this data set).
    expect(countryOf.size).toBe(4372);
    const retail = [...countryOf].map(([id, region]) => ({ id, region }));
    const rows = balanceByRegion(assignHoldout("retail", retail, { holdoutPercent: 10, stratifyByRegion: true }));
    expect(rows.length).toBeGreaterThan(30);
    for (const row of rows) expect(row.holdout).toBe(Math.round(0.1 * (row.treated + row.holdout)));
    const uk = rows.find((r) => r.region === "United Kingdom");
    expect(uk && uk.treated + uk.holdout).toBeGreaterThan(3900);
  });

  it("refuses a percentage outside 0..100", () => {
    expect(() => assignHoldout("x", customers, { holdoutPercent: 120, stratifyByRegion: false })).toThrow(/from 0 to 100, got 120/);
  });
});
