import { RUN_STATUS_LABELS, type ModelRunStatus } from "~/lib/models";

/** A model run's status: queued, running, completed, failed or cancelled. */
export function RunStatusBadge({ status }: { status: ModelRunStatus }) {
  return <span className={`badge badge--status badge--run-${status}`}>{RUN_STATUS_LABELS[status]}</span>;
}
