import { useFetcher } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { Notice } from "../notice";
import { parseOrder } from "~/lib/segments";

interface PriorityItem {
  id: string;
  name: string;
  region: string | null;
  status: string;
}

interface ReorderResult {
  ok: boolean;
  formError?: string | null;
}

/**
 * The priority order for those who may configure segments: each segment moves up or down with
 * a button (keyboard and screen-reader friendly, no dragging needed); the focus follows the
 * moved segment so it can be moved again at once.
 */
export function PriorityList({ segments, exclusive }: { segments: PriorityItem[]; exclusive: boolean }) {
  const fetcher = useFetcher<ReorderResult>();
  const lastMove = useRef<{ id: string; direction: "up" | "down"; order: string } | null>(null);
  const buttons = useRef(new Map<string, HTMLButtonElement>());

  const pendingOrder = fetcher.formData?.get("order");
  const order = (typeof pendingOrder === "string" ? parseOrder(pendingOrder) : null) ?? segments.map((s) => s.id);
  const byId = new Map(segments.map((s) => [s.id, s]));
  const items = order.map((id) => byId.get(id)).filter((s): s is PriorityItem => !!s);

  useEffect(() => {
    const move = lastMove.current;
    if (!move || move.order !== order.join()) return;
    lastMove.current = null;
    const index = items.findIndex((s) => s.id === move.id);
    // At the top or bottom the other button is the one that still works.
    const direction = (move.direction === "up" && index === 0) || (move.direction === "down" && index === items.length - 1)
      ? (move.direction === "up" ? "down" : "up")
      : move.direction;
    buttons.current.get(`${move.id}:${direction}`)?.focus();
  });

  function move(id: string, direction: "up" | "down") {
    const index = order.indexOf(id);
    const target = direction === "up" ? index - 1 : index + 1;
    if (target < 0 || target >= order.length) return;
    const next = [...order];
    [next[index], next[target]] = [next[target], next[index]];
    lastMove.current = { id, direction, order: next.join() };
    fetcher.submit({ intent: "reorder", order: JSON.stringify(next) }, { method: "post" });
  }

  return (
    <section className="card" aria-labelledby="priority-title">
      <h2 id="priority-title" className="card__title">
        Priority order
      </h2>
      <p className="card__subtitle">
        {exclusive
          ? "Under exclusive assignment a customer belongs to the first segment in this order whose rules they match. Put regional variants above their global segment, or they keep no one."
          : "Segments overlap in this workspace, so the order only matters if you switch to exclusive assignment: a customer would then belong to the first matching segment."}
      </p>
      {fetcher.data && !fetcher.data.ok && fetcher.state === "idle" ? (
        <Notice tone="error">{fetcher.data.formError ?? "The order could not be saved. Reload the page and try again."}</Notice>
      ) : null}
      <ol className="priority-list" aria-busy={fetcher.state !== "idle"}>
        {items.map((s, i) => (
          <li key={s.id} className="priority-list__item">
            <span className="priority-list__rank" aria-hidden="true">
              {i + 1}
            </span>
            <span className="priority-list__name">
              {s.name}
              {s.region ? <span className="tag">{s.region}</span> : null}
              {s.status !== "active" ? <span className="muted small"> · {s.status}</span> : null}
            </span>
            <span className="priority-list__actions">
              <button
                type="button"
                className="button button--ghost button--sm"
                ref={(el) => {
                  if (el) buttons.current.set(`${s.id}:up`, el);
                  else buttons.current.delete(`${s.id}:up`);
                }}
                disabled={i === 0}
                aria-label={`Move ${s.name} up (now ${i + 1} of ${items.length})`}
                onClick={() => move(s.id, "up")}
              >
                ↑ Up
              </button>
              <button
                type="button"
                className="button button--ghost button--sm"
                ref={(el) => {
                  if (el) buttons.current.set(`${s.id}:down`, el);
                  else buttons.current.delete(`${s.id}:down`);
                }}
                disabled={i === items.length - 1}
                aria-label={`Move ${s.name} down (now ${i + 1} of ${items.length})`}
                onClick={() => move(s.id, "down")}
              >
                ↓ Down
              </button>
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
