import { describe, expect, it } from "vitest";
import { bulletGeometry, niceCeil } from "../../app/components/charts/bullet-chart";
import { chartCsv, exportFileName } from "../../app/components/charts/chart-export";
import { formatLift, liftOf } from "../../app/components/charts/lift-chart";
import {
  changeVsPrevious,
  compactNumber,
  formatChange,
  formatKpiValue,
  formatPerformance,
  heatColour,
  heatTextIsLight,
  performance,
} from "../../app/components/kpis/format";

/**
 * The dashboard's pure helpers against hand-worked values: number formatting, change and
 * performance signs by KPI direction, the heat map's diverging colours (ColorBrewer RdBu as
 * d3 interpolates it), bullet-chart geometry and the CSV behind every chart.
 */

describe("KPI values", () => {
  it("writes each unit the way an executive reads it", () => {
    expect(formatKpiValue(12480, "count")).toBe("12,480");
    expect(formatKpiValue(1_234_567, "count", { compact: true })).toBe("1.2M");
    expect(formatKpiValue(0.125, "percent")).toBe("12.5%");
    expect(formatKpiValue(1234.5, "currency")).toBe("1,234.50");
    expect(formatKpiValue(2_500_000, "currency", { compact: true })).toBe("2.5M");
    expect(formatKpiValue(2_500_000, "currency", { compact: true, currency: "£" })).toBe("£2.5M");
    expect(formatKpiValue(9_999.5, "currency", { compact: true })).toBe("9,999.50");
    expect(formatKpiValue(42, "score")).toBe("42.0");
    expect(formatKpiValue(-3, "count")).toBe("−3");
    expect(formatKpiValue(2.345, "number")).toBe("2.35");
    expect(formatKpiValue(null, "count")).toBe("—");
    expect(formatKpiValue(Number.NaN, "percent")).toBe("—");
  });

  it("abbreviates large numbers with one decimal, dropping a whole one", () => {
    expect(compactNumber(1234)).toBe("1.2k");
    expect(compactNumber(3000)).toBe("3k");
    expect(compactNumber(999)).toBe("999");
    expect(compactNumber(154_000)).toBe("154k");
    expect(compactNumber(2_000_000_000)).toBe("2bn");
    expect(compactNumber(-45_600)).toBe("−45.6k");
  });
});

describe("change against the previous period", () => {
  it("colours a move by whether it is good news for the KPI's direction", () => {
    expect(changeVsPrevious(110, 100, "higher")).toEqual({ delta: 10, relative: 0.1, arrow: "up", tone: "good" });
    expect(changeVsPrevious(110, 100, "lower")).toEqual({ delta: 10, relative: 0.1, arrow: "up", tone: "bad" });
    expect(changeVsPrevious(90, 100, "lower")).toEqual({ delta: -10, relative: -0.1, arrow: "down", tone: "good" });
    expect(changeVsPrevious(90, 100, "higher")?.tone).toBe("bad");
  });

  it("calls a move under half a percent flat, and has no relative change from zero", () => {
    expect(changeVsPrevious(100.4, 100, "higher")).toMatchObject({ arrow: "flat", tone: "flat" });
    expect(changeVsPrevious(5, 0, "higher")).toEqual({ delta: 5, relative: null, arrow: "up", tone: "good" });
    expect(changeVsPrevious(0, 0, "higher")).toMatchObject({ arrow: "flat", tone: "flat" });
    expect(changeVsPrevious(null, 100, "higher")).toBeNull();
    expect(changeVsPrevious(100, null, "higher")).toBeNull();
  });

  it("writes relative changes in percent, and changes of a percentage in points", () => {
    expect(formatChange(changeVsPrevious(110, 100, "higher")!, "count")).toBe("+10.0%");
    expect(formatChange(changeVsPrevious(75, 100, "higher")!, "currency")).toBe("−25.0%");
    // 20% → 25% is +5 points (and +25% relative, which would mislead).
    expect(formatChange(changeVsPrevious(0.25, 0.2, "higher")!, "percent")).toBe("+5.0 pts");
    expect(formatChange(changeVsPrevious(42, 0, "higher")!, "count")).toBe("+42");
  });
});

describe("performance against a reference and the heat map's colours", () => {
  it("is the relative difference, positive when better in the KPI's direction", () => {
    expect(performance(120, 100, "higher")).toBeCloseTo(0.2, 12);
    expect(performance(120, 100, "lower")).toBeCloseTo(-0.2, 12);
    expect(performance(0.03, 0.04, "lower")).toBeCloseTo(0.25, 12);
    // A negative reference (an NPS of −20): 10 is 30 points better, 150% of |−20|.
    expect(performance(10, -20, "higher")).toBeCloseTo(1.5, 12);
    expect(performance(5, 0, "higher")).toBeNull();
    expect(performance(null, 10, "higher")).toBeNull();
    expect(performance(10, null, "higher")).toBeNull();
    expect(formatPerformance(0.2)).toBe("+20%");
    expect(formatPerformance(-0.404)).toBe("−40%");
    expect(formatPerformance(0.001)).toBe("±0%");
    expect(formatPerformance(null)).toBe("—");
  });

  it("diverges from red (worse) through near-white to blue (better), saturating at ±50%", () => {
    // ColorBrewer RdBu's ends are #67001f and #053061; d3's basis spline passes through them.
    expect(heatColour(-0.5)).toBe("rgb(103, 0, 31)");
    expect(heatColour(-2)).toBe("rgb(103, 0, 31)");
    expect(heatColour(0.5)).toBe("rgb(5, 48, 97)");
    expect(heatColour(9)).toBe("rgb(5, 48, 97)");
    // At the middle knot a uniform cubic B-spline gives (prev + 4·mid + next) / 6 of the
    // scheme's #fddbc7, #f7f7f7, #d1e5f0: (253+988+209)/6 = 241.7, (219+988+229)/6 = 239.3,
    // (199+988+240)/6 = 237.8.
    expect(heatColour(0)).toBe("rgb(242, 239, 238)");
    expect(heatColour(null)).toBe("#f2f4f7");
    expect(heatTextIsLight(0.4)).toBe(true);
    expect(heatTextIsLight(-0.4)).toBe(true);
    expect(heatTextIsLight(0.2)).toBe(false);
    expect(heatTextIsLight(null)).toBe(false);
  });
});

describe("bullet chart geometry", () => {
  it("ends the scale at a readable number 10% past the largest mark", () => {
    expect(niceCeil(110)).toBe(200);
    expect(niceCeil(33)).toBe(50);
    expect(niceCeil(0.3)).toBe(0.5);
    expect(niceCeil(250)).toBe(250);
    expect(niceCeil(1)).toBe(1);
    expect(niceCeil(0)).toBe(1);
  });

  it("lays out value, target, previous and the bands for a higher-is-better KPI", () => {
    const g = bulletGeometry({ value: 50, target: 100, previous: 80, direction: "higher", width: 200 });
    // top = max(50, 100, 80) = 100; 110 rounds up to 200: one unit is one pixel.
    expect(g.max).toBe(200);
    expect(g.valueWidth).toBe(50);
    expect(g.targetX).toBe(100);
    expect(g.previousX).toBe(80);
    expect(g.bands.map((b) => [b.quality, b.x, b.width])).toEqual([
      ["poor", 0, 80],
      ["fair", 80, 20],
      ["good", 100, 100],
    ]);
  });

  it("puts the good band first when lower is better and leaves room for 120% of target", () => {
    const g = bulletGeometry({ value: 30, target: 25, direction: "lower", width: 300 });
    // top = max(30, 25, 1.2 × 25 = 30) = 30; 33 rounds up to 50; 6 px per unit.
    expect(g.max).toBe(50);
    expect(g.valueWidth).toBe(180);
    expect(g.targetX).toBe(150);
    expect(g.previousX).toBeNull();
    expect(g.bands.map((b) => [b.quality, b.x, b.width])).toEqual([
      ["good", 0, 150],
      ["fair", 150, 30],
      ["poor", 180, 120],
    ]);
  });

  it("has no bands without a target and draws a negative value at zero", () => {
    const g = bulletGeometry({ value: -5, target: null, direction: "higher", width: 100 });
    expect(g.bands).toEqual([]);
    expect(g.targetX).toBeNull();
    expect(g.valueWidth).toBe(0);
  });
});

describe("chart exports", () => {
  it("writes a chart's data as RFC 4180 CSV with formula-like cells neutralised", () => {
    const csv = chartCsv({
      columns: ["segment", "value"],
      rows: [
        ["North, big", 1.5],
        ["=SUM(A1)", null],
        [-3, 'say "hi"'],
      ],
    });
    expect(csv).toBe('segment,value\r\n"North, big",1.5\r\n\'=SUM(A1),\r\n-3,"say ""hi"""\r\n');
  });

  it("names files after the chart", () => {
    expect(exportFileName("Segments × KPIs")).toBe("segments-kpis");
    expect(exportFileName("KPIs · Café owners")).toBe("kpis-cafe-owners");
    expect(exportFileName("×")).toBe("chart");
  });

  it("computes lift as actual over expected", () => {
    expect(liftOf(150, 100)).toBe(1.5);
    expect(liftOf(150, 0)).toBeNull();
    expect(liftOf(null, 10)).toBeNull();
    expect(formatLift(1.8366)).toBe("×1.84");
    expect(formatLift(null)).toBe("—");
  });
});
