import type { CollabStatus } from "./provider";

/**
 * The connection and saving state of a co-edited document, in words: "Saved" once the server
 * has stored every local edit, "Saving…" while some are unacknowledged, "Live" for read-only
 * watchers, "Reconnecting…" while the connection is being made again by itself (a server
 * restarted or an instance went away), and what happens to edits while offline. `offlineNote`
 * overrides the offline wording.
 */
export function SaveStatus({
  status,
  pending,
  watching,
  reconnecting = false,
  offlineNote,
}: {
  status: CollabStatus;
  pending: number;
  watching: boolean;
  reconnecting?: boolean;
  offlineNote?: string;
}) {
  const [label, tone] =
    status === "offline" && reconnecting
      ? [watching ? "Reconnecting…" : pending > 0 ? `Reconnecting… ${pending === 1 ? "1 unsaved edit" : `${pending} unsaved edits`} kept until the connection is back` : "Reconnecting…", "offline"]
      : status === "offline"
      ? [offlineNote ?? (watching ? "Offline — reconnecting" : "Offline — your edits sync when the connection returns"), "offline"]
      : status === "connecting"
        ? ["Connecting…", "busy"]
        : watching
          ? ["Live", "saved"]
          : pending > 0
            ? ["Saving…", "busy"]
            : ["Saved", "saved"];
  return (
    <span className={`save-status save-status--${tone}`} role="status" aria-live="polite">
      <span className="save-status__dot" aria-hidden="true" />
      {label}
    </span>
  );
}
