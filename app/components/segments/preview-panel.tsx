import { useFetcher } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import type * as Y from "yjs";
import { readDefinition } from "../../../server/services/segments/draft-doc";
import type { Preview } from "../../../server/services/segments/preview";
import { Notice } from "../notice";
import { ImpactView } from "./impact-view";

type PreviewResult = { impact: Preview } | { error: string };

const DEBOUNCE_MS = 300;

/**
 * The live preview of a draft: ~300 ms after the last change to its rules (or its parent and
 * region), asks the server who they select. Incomplete rules show the server's sentence
 * instead of numbers.
 */
export function PreviewPanel({
  doc,
  proposalId,
  segmentId,
  segmentName,
}: {
  doc: Y.Doc;
  proposalId: string;
  /** The segment, when it has a published version to compare with. */
  segmentId: string | null;
  segmentName: string;
}) {
  const fetcher = useFetcher<PreviewResult>();
  const { submit } = fetcher;
  const lastSent = useRef<string | null>(null);

  // A change is waiting for the debounce: the numbers shown are not the draft's any more.
  const [waiting, setWaiting] = useState(false);

  useEffect(() => {
    let timer = 0;
    const request = () => {
      const definition = readDefinition(doc);
      const body = {
        rules: definition.rules,
        segmentId,
        parentId: (definition.parentId as string | null) ?? null,
        regionId: definition.parentId ? ((definition.regionId as string | null) ?? null) : null,
      };
      return { body, key: JSON.stringify(body) };
    };
    const schedule = () => {
      window.clearTimeout(timer);
      if (request().key === lastSent.current) return;
      setWaiting(true);
      timer = window.setTimeout(() => {
        const { body, key } = request();
        setWaiting(false);
        if (key === lastSent.current) return;
        lastSent.current = key;
        submit(body as never, { method: "post", action: `/segments/proposals/${proposalId}/preview`, encType: "application/json" });
      }, DEBOUNCE_MS);
    };
    schedule();
    doc.on("update", schedule);
    return () => {
      window.clearTimeout(timer);
      doc.off("update", schedule);
    };
  }, [doc, proposalId, segmentId, submit]);

  const result = fetcher.data;
  const busy = waiting || fetcher.state !== "idle";
  return (
    <section className="card preview-panel" aria-labelledby="preview-title" aria-busy={busy}>
      <div className="card__header">
        <div>
          <h2 id="preview-title" className="card__title">
            Live preview
          </h2>
          <p className="card__subtitle">Who these rules select right now; it follows every edit.</p>
        </div>
        <span className={`preview-panel__state${busy ? " preview-panel__state--busy" : ""}`} aria-live="polite">
          {busy ? "Updating…" : result ? "Up to date" : ""}
        </span>
      </div>
      {!result ? (
        <p className="muted">Counting the customers these rules select…</p>
      ) : "error" in result ? (
        <Notice tone="warning" title="No numbers yet">
          {result.error}
        </Notice>
      ) : (
        <div className={busy ? "preview-panel__stale" : undefined}>
          <ImpactView impact={result.impact} segmentName={segmentName} />
        </div>
      )}
    </section>
  );
}
