import { useEffect, useState } from "react";
import { clock } from "./format";

/**
 * An agenda item's timer. The server says how long the item has run (`spentMs`, computed on
 * its clock when the page was read); while the item is current, the browser counts on from the
 * moment it received that figure, so a reload or a late joiner shows the same time.
 */
export function ItemTimer({ spentMs, running, timeBoxMinutes, receivedAt, compact = false }: { spentMs: number; running: boolean; timeBoxMinutes: number; receivedAt: number; compact?: boolean }) {
  const [now, setNow] = useState(receivedAt);
  useEffect(() => {
    setNow(Date.now());
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running, receivedAt]);
  const elapsed = spentMs + (running ? Math.max(0, now - receivedAt) : 0);
  const box = timeBoxMinutes * 60_000;
  const over = elapsed > box;
  const share = Math.min(1, elapsed / box);
  if (compact) {
    return (
      <span className={`item-timer item-timer--compact${over ? " item-timer--over" : ""}`}>
        {clock(elapsed)} / {timeBoxMinutes} min
      </span>
    );
  }
  return (
    <div className={`item-timer${over ? " item-timer--over" : ""}`} role="timer" aria-live="off" aria-label={`Time on this item: ${clock(elapsed)} of ${timeBoxMinutes} minutes`}>
      <div className="item-timer__figures">
        <span className="item-timer__elapsed">{clock(elapsed)}</span>
        <span className="item-timer__box">{over ? `over by ${clock(elapsed - box)}` : `of ${timeBoxMinutes} min`}</span>
      </div>
      <div className="item-timer__bar" aria-hidden="true">
        <div className="item-timer__fill" style={{ width: `${share * 100}%` }} />
      </div>
    </div>
  );
}
