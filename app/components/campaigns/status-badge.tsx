import { STATUS_LABELS } from "./format";

export function CampaignStatusBadge({ status }: { status: string }) {
  return <span className={`badge badge--campaign-${status}`}>{STATUS_LABELS[status] ?? status}</span>;
}
