import { useFetcher } from "@remix-run/react";
import { useEffect, useState } from "react";
import { formatDate, formatDateMinute, formatTime } from "~/lib/format";
import { ConfirmActions } from "~/components/confirm-actions";

export interface MergeView {
  id: string;
  matchedOn: string;
  createdAt: Date;
  undoneAt: Date | null;
  survivor: { externalId: string };
  merged: { externalId: string };
}

const MATCHED_ON: Record<string, string> = { email: "Same email", phone: "Same phone" };

/** One identity-resolution merge; with data:configure, "Undo merge" after a confirmation. */
export function MergeRow({ merge, canUndo, columns }: { merge: MergeView; canUndo: boolean; columns: number }) {
  const fetcher = useFetcher<{ ok: boolean; formError?: string | null }>();
  const [confirming, setConfirming] = useState(false);
  const busy = fetcher.state !== "idle";
  const error = fetcher.state === "idle" && fetcher.data && !fetcher.data.ok ? fetcher.data.formError : null;

  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) setConfirming(false);
  }, [fetcher.state, fetcher.data]);

  return (
    <>
      <tr>
        <td>
          <span className="mono">{merge.survivor.externalId}</span>
        </td>
        <td>
          <span className="mono">{merge.merged.externalId}</span>
        </td>
        <td>{MATCHED_ON[merge.matchedOn] ?? merge.matchedOn}</td>
        <td className="nowrap">
          <time dateTime={new Date(merge.createdAt).toISOString()} className="cell-lines">
            <span>{formatDate(merge.createdAt)}</span>
            <span className="muted small">{formatTime(merge.createdAt)}</span>
          </time>
        </td>
        <td>
          {merge.undoneAt ? (
            <span className="cell-lines">
              <span className="badge badge--import-cancelled">Undone</span>
              <span className="muted small">{formatDateMinute(merge.undoneAt)}</span>
            </span>
          ) : (
            <span className="badge badge--import-completed">Merged</span>
          )}
        </td>
        {canUndo ? (
          <td className="table__actions">
            {merge.undoneAt ? null : (
              <button
                type="button"
                className="button button--ghost button--sm"
                aria-expanded={confirming}
                onClick={() => setConfirming(!confirming)}
              >
                Undo merge<span className="visually-hidden"> of {merge.merged.externalId}</span>
              </button>
            )}
          </td>
        ) : null}
      </tr>
      {confirming ? (
        <tr className="table__subrow">
          <td colSpan={columns}>
            <fetcher.Form
              method="post"
              className="inline-panel inline-panel--danger"
              onKeyDown={(event) => event.key === "Escape" && setConfirming(false)}
              aria-label={`Undo the merge of ${merge.merged.externalId}`}
            >
              <input type="hidden" name="mergeId" value={merge.id} />
              {error ? (
                <p className="field__error" role="alert">
                  {error}
                </p>
              ) : null}
              <p>
                Split <strong className="mono">{merge.merged.externalId}</strong> back out of{" "}
                <strong className="mono">{merge.survivor.externalId}</strong>? Both become separate customers again,
                with their own transactions, and this pair is never merged automatically again.
              </p>
              <ConfirmActions intent="undo" label="Undo merge" pendingLabel="Undoing…" busy={busy} onCancel={() => setConfirming(false)} cancelLabel="Keep merged" />
            </fetcher.Form>
          </td>
        </tr>
      ) : null}
    </>
  );
}
