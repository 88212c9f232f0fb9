import { Link } from "@remix-run/react";
import { formatDateMinute, plural } from "~/lib/format";
import type { ProposalKind, ProposalStatus } from "~/lib/segments";
import { ProposalKindTag, ProposalStatusBadge, StaleBadge } from "./badges";

export interface InboxProposal {
  id: string;
  segmentId: string;
  segmentName: string;
  kind: ProposalKind;
  status: ProposalStatus;
  title: string;
  createdBy: string | null;
  updatedAt: string | Date;
  approvals: number;
  rejections: number;
  comments: number;
  stale: boolean;
}

/** Open proposals first the submitted ones (waiting for the committee), then drafts; each newest first. */
export function openProposals<P extends InboxProposal>(proposals: P[]): P[] {
  const open = proposals.filter((p) => p.status === "submitted" || p.status === "draft");
  return [...open.filter((p) => p.status === "submitted"), ...open.filter((p) => p.status === "draft")];
}

/** The proposals waiting for someone: title, segment, kind, who, votes so far, comments; stale ones flagged. */
export function ProposalsInbox({
  proposals,
  showSegment = true,
  emptyText,
}: {
  proposals: InboxProposal[];
  showSegment?: boolean;
  emptyText: string;
}) {
  if (!proposals.length) return <p className="card-empty muted">{emptyText}</p>;
  return (
    <ul className="inbox">
      {proposals.map((p) => (
        <li key={p.id} className={`inbox__item${p.stale ? " inbox__item--stale" : ""}`}>
          <div className="inbox__main">
            <Link to={`/segments/proposals/${p.id}`} className="inbox__title">
              {p.title}
            </Link>
            <span className="inbox__meta">
              <ProposalKindTag kind={p.kind} />
              {showSegment ? <span>{p.segmentName}</span> : null}
              <span>
                by {p.createdBy ?? "a former member"} · updated {formatDateMinute(p.updatedAt)}
              </span>
            </span>
          </div>
          <div className="inbox__side">
            {p.stale ? <StaleBadge /> : null}
            <ProposalStatusBadge status={p.status} />
            {p.status === "submitted" ? (
              <span className="inbox__votes" aria-label={`${p.approvals} approvals, ${p.rejections} rejections`}>
                <span className="vote-count vote-count--approve">✓ {p.approvals}</span>
                <span className="vote-count vote-count--reject">✗ {p.rejections}</span>
              </span>
            ) : null}
            {p.comments ? (
              <span className="muted small">{plural(p.comments, "comment", "comments")}</span>
            ) : null}
          </div>
        </li>
      ))}
    </ul>
  );
}
