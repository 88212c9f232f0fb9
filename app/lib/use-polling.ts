import { useRevalidator } from "@remix-run/react";
import { useEffect } from "react";

/**
 * Reloads the page's data `intervalMs` after each load while `active` (an import queued or
 * running), and stops by itself once the data says the work is finished. A hidden tab waits.
 */
export function usePolling(active: boolean, intervalMs = 1000) {
  const { revalidate, state } = useRevalidator();
  useEffect(() => {
    if (!active || state !== "idle") return;
    let timer = 0;
    const tick = () => {
      if (document.visibilityState === "visible") revalidate();
      else timer = window.setTimeout(tick, intervalMs);
    };
    timer = window.setTimeout(tick, intervalMs);
    return () => window.clearTimeout(timer);
  }, [active, intervalMs, revalidate, state]);
}
