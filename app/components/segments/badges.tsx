import {
  PROPOSAL_KIND_LABELS,
  PROPOSAL_STATUS_LABELS,
  SEGMENT_STATUS_LABELS,
  type ProposalKind,
  type ProposalStatus,
  type SegmentListStatus,
} from "~/lib/segments";

/** A segment's status: proposed, active, retired or not adopted; its meaning is the tooltip. */
export function SegmentStatusBadge({ status }: { status: string }) {
  const known = SEGMENT_STATUS_LABELS[status as SegmentListStatus];
  return (
    <span className={`badge badge--status badge--segment-${status.replace(/\s+/g, "-")}`} title={known?.description}>
      {known?.label ?? status}
    </span>
  );
}

export function ProposalStatusBadge({ status }: { status: ProposalStatus }) {
  return <span className={`badge badge--status badge--proposal-${status}`}>{PROPOSAL_STATUS_LABELS[status]}</span>;
}

export function ProposalKindTag({ kind }: { kind: ProposalKind }) {
  return <span className={`badge badge--kind badge--kind-${kind}`}>{PROPOSAL_KIND_LABELS[kind]}</span>;
}

/** A proposal based on a version that is no longer the published one. */
export function StaleBadge() {
  return (
    <span className="badge badge--stale" title="The segment was published again after this proposal was written: rebase it first.">
      Stale
    </span>
  );
}
