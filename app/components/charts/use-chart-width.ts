import { useEffect, useRef, useState } from "react";

/**
 * The width of a chart's container, kept up to date as it resizes. The server and the first
 * client render use `initial`, so both render the same markup; the measured width follows,
 * never less than `min`.
 */
export function useChartWidth<T extends HTMLElement>(initial = 640, min = 200) {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(initial);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(min, Math.floor(el.getBoundingClientRect().width)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [min]);
  return { ref, width };
}
