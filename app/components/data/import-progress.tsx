import { Form } from "@remix-run/react";
import { useState } from "react";
import { ProgressBar } from "~/components/progress-bar";
import { SubmitButton } from "~/components/submit-button";
import { formatBytes, formatCount, type ImportStatus } from "~/lib/data";
import { formatTime } from "~/lib/format";

interface ImportProgressProps {
  item: {
    fileName: string;
    status: ImportStatus;
    byteSize: number;
    bytesRead: number;
    rowsRead: number;
    rowsFailed: number;
    startedAt: Date | null;
  };
  canCancel: boolean;
  /** A cancel was asked for; the job stops at its next checkpoint. */
  cancelling: boolean;
  cancelError: string | null;
}

/**
 * A queued or running import, live: how much of the file has been read, rows so far, and a
 * Cancel button (with a confirmation) for those who may import.
 */
export function ImportProgress({ item, canCancel, cancelling, cancelError }: ImportProgressProps) {
  const [confirming, setConfirming] = useState(false);
  const allRead = item.status === "running" && item.byteSize > 0 && item.bytesRead >= item.byteSize;
  let bar;
  if (item.status === "queued") {
    bar = (
      <ProgressBar
        label="Waiting for a worker to pick the import up…"
        value={null}
        detail="Imports run in the background; this page updates by itself."
      />
    );
  } else if (allRead) {
    bar = (
      <ProgressBar
        label={`All ${formatCount(item.rowsRead)} rows read; saving them, checking quality and computing features…`}
        value={null}
        detail="The last step writes everything in one go, so nothing is half imported."
      />
    );
  } else {
    bar = (
      <ProgressBar
        label={`Reading ${item.fileName}`}
        value={item.byteSize ? item.bytesRead / item.byteSize : null}
        detail={`${formatCount(item.rowsRead)} rows read · ${formatBytes(item.bytesRead)} of ${formatBytes(
          item.byteSize
        )}`}
      />
    );
  }
  return (
    <section className="card" aria-labelledby="progress-title" aria-live="polite" aria-busy="true">
      <div className="card__header">
        <div>
          <h2 id="progress-title" className="card__title">
            {item.status === "queued" ? "Queued" : "Importing"}
          </h2>
          <p className="card__subtitle">
            {item.startedAt ? `Started at ${formatTime(item.startedAt)}. ` : ""}
            You can leave this page: the import carries on, and its results appear here when it is done.
          </p>
        </div>
      </div>
      {bar}
      {item.rowsFailed ? (
        <p className="small field__error progress__note">
          {formatCount(item.rowsFailed)} rows with problems so far; they go to the error report.
        </p>
      ) : null}
      {cancelling ? (
        <p className="progress__note" role="status">
          Cancelling: the import stops at its next checkpoint and keeps nothing.
        </p>
      ) : null}
      {canCancel && !cancelling ? (
        <div className="progress__actions">
          {cancelError ? (
            <p className="field__error" role="alert">
              {cancelError}
            </p>
          ) : null}
          {confirming ? (
            <Form
              method="post"
              className="inline-panel inline-panel--danger"
              onKeyDown={(e) => e.key === "Escape" && setConfirming(false)}
            >
              <p>Stop this import? Nothing from it is kept; you can upload the file again later.</p>
              <div className="inline-panel__actions">
                <SubmitButton intent="cancel" variant="danger" size="sm" pendingLabel="Cancelling…">
                  Cancel import
                </SubmitButton>
                <button
                  type="button"
                  className="button button--ghost button--sm"
                  autoFocus
                  onClick={() => setConfirming(false)}
                >
                  Keep importing
                </button>
              </div>
            </Form>
          ) : (
            <button type="button" className="button button--secondary" onClick={() => setConfirming(true)}>
              Cancel import…
            </button>
          )}
        </div>
      ) : null}
    </section>
  );
}
