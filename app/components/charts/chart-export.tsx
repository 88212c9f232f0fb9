import { useRef, useState, type ReactNode } from "react";
import { csvLine } from "../../../server/lib/csv";
import { Menu } from "../menu";

/** A chart's data as a table: the CSV a person downloads next to the picture. */
export interface ChartData {
  columns: string[];
  rows: (string | number | null)[][];
}

/** The chart's data as CSV (RFC 4180, CRLF, formula-like cells neutralised), header first. */
export function chartCsv(data: ChartData): string {
  return [data.columns, ...data.rows].map(csvLine).join("");
}

/** A file name from a chart title: "Revenue by segment" → "revenue-by-segment". */
export function exportFileName(title: string): string {
  const slug = title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug || "chart";
}

/**
 * The presentation properties that the stylesheet gives SVG elements. A downloaded SVG has no
 * stylesheet, so each element carries its computed values inline.
 */
const INLINE_PROPERTIES = [
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-dasharray",
  "stroke-opacity",
  "stroke-linecap",
  "opacity",
  "font-family",
  "font-size",
  "font-weight",
  "font-variant-numeric",
  "text-anchor",
  "dominant-baseline",
  "visibility",
] as const;

/**
 * A standalone copy of a chart's SVG: computed styles inlined on every element, the namespace
 * and size set, a white background, and interactive-only parts (`data-export="skip"`) left out.
 */
export function serializeSvg(svg: SVGSVGElement): { markup: string; width: number; height: number } {
  const box = svg.getBoundingClientRect();
  const width = Math.ceil(Number(svg.getAttribute("width")) || box.width);
  const height = Math.ceil(Number(svg.getAttribute("height")) || box.height);
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const originals = [svg, ...Array.from(svg.querySelectorAll("*"))];
  const copies = [copy, ...Array.from(copy.querySelectorAll("*"))];
  originals.forEach((el, i) => {
    const target = copies[i];
    if (!(target instanceof SVGElement)) return;
    const computed = getComputedStyle(el);
    const style = INLINE_PROPERTIES.map((p) => `${p}:${computed.getPropertyValue(p)}`).join(";");
    target.setAttribute("style", style);
    target.removeAttribute("class");
  });
  for (const skip of Array.from(copy.querySelectorAll('[data-export="skip"]'))) skip.remove();
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  copy.setAttribute("width", String(width));
  copy.setAttribute("height", String(height));
  copy.setAttribute("viewBox", `0 0 ${width} ${height}`);
  copy.style.overflow = "visible";
  const background = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  background.setAttribute("width", "100%");
  background.setAttribute("height", "100%");
  background.setAttribute("fill", "#ffffff");
  copy.insertBefore(background, copy.firstChild);
  const markup = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}`;
  return { markup, width, height };
}

function download(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Draws the serialised SVG on a canvas at twice its size (sharp on slides) and encodes a PNG. */
async function svgToPng(markup: string, width: number, height: number): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([markup], { type: "image/svg+xml;charset=utf-8" }));
  try {
    const image = new Image();
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error("The chart could not be drawn as an image."));
      image.src = url;
    });
    const scale = 2;
    const canvas = document.createElement("canvas");
    canvas.width = width * scale;
    canvas.height = height * scale;
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("This browser cannot draw on a canvas.");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.scale(scale, scale);
    ctx.drawImage(image, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("The PNG could not be encoded."))), "image/png"),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

export type ExportFormat = "png" | "svg" | "csv";
const ALL_FORMATS: readonly ExportFormat[] = ["png", "svg", "csv"];
const FORMAT_LABELS: Record<ExportFormat, string> = { png: "Image (PNG)", svg: "Vector (SVG)", csv: "Data (CSV)" };

interface ChartCardProps {
  title: string;
  /** One line under the title: what the chart shows and how to read it. */
  subtitle?: ReactNode;
  /** The chart's data, for the CSV download (and the file names). */
  data: ChartData;
  /** Which downloads the Export menu offers (none: no menu, e.g. an empty chart). */
  formats?: readonly ExportFormat[];
  id?: string;
  className?: string;
  children: ReactNode;
}

/**
 * A dashboard card holding one chart, with an Export menu: the picture as PNG or SVG (styles
 * inlined, so it looks the same outside Quorum) and the data behind it as CSV.
 */
export function ChartCard({ title, subtitle, data, formats = ALL_FORMATS, id, className, children }: ChartCardProps) {
  const body = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const name = exportFileName(title);
  const svg = () => body.current?.querySelector<SVGSVGElement>("svg.chart__svg") ?? null;

  async function exportAs(kind: ExportFormat) {
    setError(null);
    try {
      if (kind === "csv") {
        download(new Blob([chartCsv(data)], { type: "text/csv;charset=utf-8" }), `${name}.csv`);
        return;
      }
      const el = svg();
      if (!el) throw new Error("There is no chart to export yet.");
      const { markup, width, height } = serializeSvg(el);
      if (kind === "svg") download(new Blob([markup], { type: "image/svg+xml;charset=utf-8" }), `${name}.svg`);
      else download(await svgToPng(markup, width, height), `${name}.png`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  const headingId = `${id ?? name}-title`;
  return (
    <section className={`card chart-card${className ? ` ${className}` : ""}`} aria-labelledby={headingId} id={id}>
      <div className="chart-card__header">
        <div>
          <h2 className="card__title" id={headingId}>
            {title}
          </h2>
          {subtitle ? <p className="card__subtitle">{subtitle}</p> : null}
        </div>
        {formats.length ? (
          <Menu summary="Export" label={`Export ${title}`} align="end" className="chart-card__export no-print">
            <ul className="menu__list">
              {formats.map((kind) => (
                <li key={kind}>
                  <button
                    type="button"
                    className="menu__item"
                    onClick={(e) => {
                      const menu = e.currentTarget.closest("details");
                      if (menu) menu.open = false;
                      void exportAs(kind);
                    }}
                  >
                    {FORMAT_LABELS[kind]}
                  </button>
                </li>
              ))}
            </ul>
          </Menu>
        ) : null}
      </div>
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
      <div ref={body} className="chart-card__body">
        {children}
      </div>
    </section>
  );
}
