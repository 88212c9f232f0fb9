import { useEffect, useRef, type ChangeEvent } from "react";
import type * as Y from "yjs";
import { minutesText } from "../../../server/services/sessions/minutes-doc";

/**
 * The session's shared minutes: a plain-text area bound to the Y.Text of the session's
 * document. A local edit becomes the smallest delete + insert that turns the old text into the
 * new one; a remote edit replaces the text and keeps the caret where it was relative to it.
 */
export function MinutesEditor({ doc, readOnly, status, pending, onFocus }: { doc: Y.Doc; readOnly: boolean; status: string; pending: number; onFocus?: (focused: boolean) => void }) {
  const area = useRef<HTMLTextAreaElement>(null);
  const text = minutesText(doc);

  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.value = text.toString();
    const observer = (event: Y.YTextEvent) => {
      if (event.transaction.local) return;
      const start = el.selectionStart;
      const end = el.selectionEnd;
      let index = 0;
      let shiftStart = 0;
      let shiftEnd = 0;
      for (const op of event.delta) {
        if (op.retain) index += op.retain;
        else if (typeof op.insert === "string") {
          if (index <= start) shiftStart += op.insert.length;
          if (index <= end) shiftEnd += op.insert.length;
          index += op.insert.length;
        } else if (op.delete) {
          if (index < start) shiftStart -= Math.min(op.delete, start - index);
          if (index < end) shiftEnd -= Math.min(op.delete, end - index);
        }
      }
      el.value = text.toString();
      if (document.activeElement === el) el.setSelectionRange(start + shiftStart, end + shiftEnd);
    };
    text.observe(observer);
    return () => text.unobserve(observer);
  }, [text]);

  const onChange = (e: ChangeEvent<HTMLTextAreaElement>) => {
    const next = e.target.value;
    const prev = text.toString();
    let start = 0;
    while (start < prev.length && start < next.length && prev[start] === next[start]) start++;
    let endPrev = prev.length;
    let endNext = next.length;
    while (endPrev > start && endNext > start && prev[endPrev - 1] === next[endNext - 1]) {
      endPrev--;
      endNext--;
    }
    doc.transact(() => {
      if (endPrev > start) text.delete(start, endPrev - start);
      if (endNext > start) text.insert(start, next.slice(start, endNext));
    });
  };

  return (
    <div className="minutes">
      <label className="visually-hidden" htmlFor="session-minutes">
        Minutes
      </label>
      <textarea
        id="session-minutes"
        ref={area}
        className="input textarea minutes__area"
        rows={12}
        readOnly={readOnly}
        aria-readonly={readOnly}
        placeholder={readOnly ? "The minutes appear here as they are taken." : "Take the minutes together: decisions, actions, owners…"}
        onChange={onChange}
        onFocus={() => onFocus?.(true)}
        onBlur={() => onFocus?.(false)}
      />
      <p className="minutes__status muted small" role="status">
        {status === "offline" ? "Offline: your changes are kept and sent when the connection is back." : status === "connecting" ? "Connecting…" : readOnly ? "Read only" : pending ? "Saving…" : "Saved"}
      </p>
    </div>
  );
}
