import { useCallback, useRef, useState, type FocusEvent, type MouseEvent, type ReactNode } from "react";

interface TipState {
  x: number;
  y: number;
  content: ReactNode;
}

/**
 * A hover (and keyboard focus) tooltip for a chart: put `ref` on a positioned wrapper around
 * the SVG, spread `tipProps(content)` on each mark and render `tooltip` inside the wrapper.
 * The tip follows the pointer, and sits over a focused mark; it stays inside the wrapper.
 * `showAt(clientX, clientY, content)` shows it from code (a crosshair, arrow keys).
 */
export function useChartTooltip<T extends HTMLElement = HTMLDivElement>() {
  const ref = useRef<T>(null);
  const [tip, setTip] = useState<TipState | null>(null);

  const place = useCallback((clientX: number, clientY: number, content: ReactNode) => {
    const box = ref.current?.getBoundingClientRect();
    if (!box) return;
    setTip({ x: clientX - box.left, y: clientY - box.top, content });
  }, []);

  const tipProps = useCallback(
    (content: ReactNode) => ({
      onMouseMove: (e: MouseEvent<Element>) => place(e.clientX, e.clientY, content),
      onMouseLeave: () => setTip(null),
      onFocus: (e: FocusEvent<Element>) => {
        const r = e.currentTarget.getBoundingClientRect();
        place(r.left + r.width / 2, r.top, content);
      },
      onBlur: () => setTip(null),
    }),
    [place],
  );

  const width = ref.current?.clientWidth ?? 0;
  const flip = tip !== null && width > 0 && tip.x > width - 220;
  const tooltip = tip ? (
    <div
      className={`chart-tip${flip ? " chart-tip--left" : ""}`}
      style={{ left: tip.x, top: tip.y }}
      role="status"
      aria-live="polite"
    >
      {tip.content}
    </div>
  ) : null;

  return { ref, tipProps, tooltip, showAt: place, hide: () => setTip(null) };
}

/** The usual body of a tooltip: a bold heading and label/value lines. */
export function TipBody({ title, lines }: { title: string; lines: [string, string][] }) {
  return (
    <>
      <strong className="chart-tip__title">{title}</strong>
      <dl className="chart-tip__lines">
        {lines.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}
