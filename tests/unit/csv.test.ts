import { describe, expect, it } from "vitest";
import { csvField, csvLine } from "../../server/lib/csv";

describe("csv", () => {
  it("quotes fields with commas, quotes and line breaks (RFC 4180)", () => {
    expect(csvLine(["plain", "a,b", 'say "hi"', "two\nlines", 42, null])).toBe('plain,"a,b","say ""hi""","two\nlines",42,\r\n');
  });

  it("writes dates as ISO 8601 and objects as JSON", () => {
    expect(csvField(new Date("2026-03-04T05:06:07.000Z"))).toBe("2026-03-04T05:06:07.000Z");
    expect(csvField({ a: 1 })).toBe('"{""a"":1}"');
  });

  it("neutralises cells a spreadsheet would run as formulas", () => {
    expect(csvField("=HYPERLINK(\"http://x\")")).toBe("\"'=HYPERLINK(\"\"http://x\"\")\"");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("-1+cmd|' /C calc'!A0")).toBe("'-1+cmd|' /C calc'!A0");
    expect(csvField("-")).toBe("'-");
  });

  it("keeps negative numbers numbers", () => {
    expect(csvField(-5)).toBe("-5");
    expect(csvField(-0.6667)).toBe("-0.6667");
    expect(csvField("-1.5e-3")).toBe("-1.5e-3");
  });
});
