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
