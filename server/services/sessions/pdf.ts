import type { SummaryBlock } from "./export";

/**
 * A session summary as a PDF file, written directly (PDF 1.4, A4, the standard Helvetica fonts
 * every reader has, WinAnsi text): titles, headings, wrapped paragraphs, bullets and quotes
 * across as many pages as needed, with page numbers. About a hundred lines instead of a PDF
 * library, because the summary is text only.
 */

const PAGE = { width: 595.28, height: 841.89, margin: 56 };

/** Helvetica advance widths (per 1000 em) of the printable ASCII characters 32–126 (Adobe AFM). */
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584,
  556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278,
  469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260,
  334, 584,
];

/** Characters outside Latin-1 that WinAnsi encodes in 0x80–0x9F. */
const WIN_ANSI_EXTRA: Record<string, number> = { "€": 0x80, "…": 0x85, "‘": 0x91, "’": 0x92, "“": 0x93, "”": 0x94, "•": 0x95, "–": 0x96, "—": 0x97, "™": 0x99 };

/** The text's bytes in WinAnsi; what it cannot encode becomes "?". */
export function winAnsi(text: string): number[] {
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (WIN_ANSI_EXTRA[ch] !== undefined) bytes.push(WIN_ANSI_EXTRA[ch]);
    else if ((code >= 32 && code <= 126) || (code >= 160 && code <= 255)) bytes.push(code);
    else if (ch === "\t") bytes.push(32);
    else bytes.push(63);
  }
  return bytes;
}

function widthOf(bytes: number[], size: number, bold: boolean): number {
  let units = 0;
  for (const b of bytes) units += b >= 32 && b <= 126 ? HELVETICA[b - 32] : 556;
  return (units * size * (bold ? 1.06 : 1)) / 1000;
}

/** Splits a paragraph into lines no wider than `width` (a word longer than a line is cut). */
export function wrap(text: string, size: number, width: number, bold = false): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (widthOf(winAnsi(candidate), size, bold) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    let rest = word;
    while (widthOf(winAnsi(rest), size, bold) > width) {
      let cut = rest.length - 1;
      while (cut > 1 && widthOf(winAnsi(rest.slice(0, cut)), size, bold) > width) cut--;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    line = rest;
  }
  if (line || !lines.length) lines.push(line);
  return lines;
}

const STYLE: Record<SummaryBlock["kind"], { size: number; bold: boolean; indent: number; before: number; prefix: string }> = {
  title: { size: 20, bold: true, indent: 0, before: 0, prefix: "" },
  heading: { size: 13, bold: true, indent: 0, before: 14, prefix: "" },
  text: { size: 10.5, bold: false, indent: 0, before: 2, prefix: "" },
  minutes: { size: 10.5, bold: false, indent: 0, before: 0, prefix: "" },
  bullet: { size: 10.5, bold: false, indent: 12, before: 3, prefix: "• " },
  quote: { size: 9.5, bold: false, indent: 28, before: 1, prefix: "" },
};

function hex(bytes: number[]): string {
  return `<${bytes.map((b) => b.toString(16).padStart(2, "0")).join("")}>`;
}

/** The summary as the bytes of a PDF file. */
export function summaryPdf(blocks: SummaryBlock[], footer: string): Buffer {
  const pages: string[][] = [[]];
  let y = PAGE.height - PAGE.margin;
  const usable = PAGE.width - 2 * PAGE.margin;
  for (const block of blocks) {
    const style = STYLE[block.kind];
    const lead = style.size * 1.35;
    const lines = wrap(style.prefix + block.text, style.size, usable - style.indent, style.bold);
    y -= style.before;
    for (const [i, line] of lines.entries()) {
      if (y - lead < PAGE.margin + 20) {
        pages.push([]);
        y = PAGE.height - PAGE.margin;
      }
      y -= lead;
      const x = PAGE.margin + style.indent + (i > 0 && style.prefix ? widthOf(winAnsi(style.prefix), style.size, false) : 0);
      const gray = block.kind === "quote" ? "0.35 g " : "0 g ";
      pages[pages.length - 1].push(`BT ${gray}/${style.bold ? "F2" : "F1"} ${style.size} Tf ${x.toFixed(2)} ${y.toFixed(2)} Td ${hex(winAnsi(line))} Tj ET`);
    }
  }
  const objects: string[] = [];
  // Returns the object's number (1-based).
  const add = (body: string) => objects.push(body);
  const catalog = add("<< /Type /Catalog /Pages 2 0 R >>");
  add(""); // the page tree, written once the pages are known
  const regular = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  const bold = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>");
  const kids: number[] = [];
  for (const [n, page] of pages.entries()) {
    const foot = `BT 0.45 g /F1 8.5 Tf ${PAGE.margin} ${(PAGE.margin / 2).toFixed(2)} Td ${hex(winAnsi(`${footer} · page ${n + 1} of ${pages.length}`))} Tj ET`;
    const stream = [...page, foot].join("\n");
    const content = add(`<< /Length ${Buffer.byteLength(stream, "latin1")} >>\nstream\n${stream}\nendstream`);
    kids.push(add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE.width} ${PAGE.height}] /Resources << /Font << /F1 ${regular} 0 R /F2 ${bold} 0 R >> >> /Contents ${content} 0 R >>`));
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(" ")}] /Count ${kids.length} >>`;
  let out = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  for (const [i, body] of objects.entries()) {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}
