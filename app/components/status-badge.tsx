import { STATUS_LABELS, type ImportStatus } from "~/lib/data";

export type InviteStatus = "pending" | "expired" | "accepted" | "revoked";

const LABELS: Record<InviteStatus, string> = {
  pending: "Pending",
  expired: "Expired",
  accepted: "Accepted",
  revoked: "Revoked",
};

export function StatusBadge({ status }: { status: InviteStatus }) {
  return <span className={`badge badge--status badge--${status}`}>{LABELS[status]}</span>;
}

/** An import's status: awaiting mapping, queued, importing, completed, failed or cancelled. */
export function ImportStatusBadge({ status }: { status: ImportStatus }) {
  return <span className={`badge badge--status badge--import-${status}`}>{STATUS_LABELS[status]}</span>;
}
