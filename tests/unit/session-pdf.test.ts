import { describe, expect, it } from "vitest";
import type { SummaryBlock } from "../../server/services/sessions/export";
import { summaryPdf, winAnsi, wrap } from "../../server/services/sessions/pdf";

/** Every hex string shown with Tj, decoded from WinAnsi (Latin-1 plus the quotes and dashes used). */
function shownText(pdf: Buffer): string[] {
  const text = pdf.toString("latin1");
  const back: Record<number, string> = { 0x93: "“", 0x94: "”", 0x95: "•", 0x96: "–", 0x97: "—", 0x85: "…" };
  return [...text.matchAll(/<([0-9a-f]*)> Tj/g)].map((m) =>
    (m[1].match(/../g) ?? []).map((h) => back[parseInt(h, 16)] ?? String.fromCharCode(parseInt(h, 16))).join(""),
  );
}

describe("the session summary PDF", () => {
  const blocks: SummaryBlock[] = [
    { kind: "title", text: "December steering committee" },
    { kind: "heading", text: "Decisions" },
    { kind: "bullet", text: "New segment “Loyal regulars”: Approved — 1 approval, 0 rejections of 2 eligible" },
    { kind: "quote", text: "Maya voted to approve: “Regulars deserve their own offer”" },
    ...Array.from({ length: 120 }, (_, i): SummaryBlock => ({ kind: "minutes", text: `Minute line ${i + 1}: Zürich office follows up.` })),
  ];
  const pdf = summaryPdf(blocks, "December steering committee · Quorum");
  const text = pdf.toString("latin1");

  it("is a PDF whose cross-reference table points at every object", () => {
    expect(text.startsWith("%PDF-1.4\n")).toBe(true);
    expect(text.endsWith("%%EOF\n")).toBe(true);
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)![1]);
    expect(text.slice(startxref, startxref + 5)).toBe("xref\n");
    const table = text.slice(startxref).split("\n");
    const count = Number(table[1].split(" ")[1]);
    for (let n = 1; n < count; n++) {
      const offset = Number(table[2 + n].slice(0, 10));
      expect(text.slice(offset, offset + `${n} 0 obj`.length)).toBe(`${n} 0 obj`);
    }
    for (const m of text.matchAll(/<< \/Length (\d+) >>\nstream\n/g)) {
      const start = m.index! + m[0].length;
      expect(text.slice(start + Number(m[1]), start + Number(m[1]) + "\nendstream".length)).toBe("\nendstream");
    }
  });

  it("flows onto as many pages as the text needs, numbered", () => {
    const pages = Number(/\/Type \/Pages \/Kids \[[^\]]*\] \/Count (\d+)/.exec(text)![1]);
    // 124 lines of about 14 pt leading on the 710 points between the margins and the footer: 50 a page.
    expect(pages).toBe(3);
    const shown = shownText(pdf);
    expect(shown).toContain("December steering committee · Quorum · page 3 of 3");
    expect(shown).toContain("Minute line 120: Zürich office follows up.");
    expect(shown.some((s) => s.startsWith("• New segment “Loyal regulars”: Approved —"))).toBe(true);
  });

  it("measures Helvetica as its metrics say and wraps within the width", () => {
    // Helvetica AFM: H 722, e 556, l 222, o 556 → "Hello" is 2,278/1000 em.
    expect(wrap("Hello Hello", 10, 22.78 * 2 + 2.78)).toEqual(["Hello Hello"]);
    expect(wrap("Hello Hello", 10, 22.78 * 2 + 2.77)).toEqual(["Hello", "Hello"]);
    expect(wrap("Supercalifragilistic", 10, 40).join("")).toBe("Supercalifragilistic");
    expect(winAnsi("a€“b”—✓")).toEqual([0x61, 0x80, 0x93, 0x62, 0x94, 0x97, 0x3f]);
  });
});
