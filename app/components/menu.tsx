import { useLocation } from "@remix-run/react";
import { useEffect, useRef, type ReactNode } from "react";

interface MenuProps {
  /** The button's content. */
  summary: ReactNode;
  /** An accessible name for the button when its content alone does not say it. */
  label: string;
  children: ReactNode;
  align?: "start" | "end";
  className?: string;
}

/**
 * A disclosure menu built on <details>: it opens and closes without JavaScript, and with it
 * closes on Escape, on a click outside and after navigating.
 */
export function Menu({ summary, label, children, align = "start", className }: MenuProps) {
  const ref = useRef<HTMLDetailsElement>(null);
  const location = useLocation();

  useEffect(() => {
    if (ref.current) ref.current.open = false;
  }, [location.key]);

  useEffect(() => {
    function onPointer(event: PointerEvent) {
      const el = ref.current;
      if (el?.open && event.target instanceof Node && !el.contains(event.target)) el.open = false;
    }
    function onKey(event: KeyboardEvent) {
      const el = ref.current;
      if (event.key === "Escape" && el?.open) {
        el.open = false;
        el.querySelector("summary")?.focus();
      }
    }
    document.addEventListener("pointerdown", onPointer);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      document.removeEventListener("keydown", onKey);
    };
  }, []);

  return (
    <details ref={ref} className={`menu menu--${align}${className ? ` ${className}` : ""}`}>
      <summary className="menu__button" aria-label={label}>
        {summary}
      </summary>
      <div className="menu__panel">{children}</div>
    </details>
  );
}
