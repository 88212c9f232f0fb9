import { Form, Link } from "@remix-run/react";
import type { DefinitionDiff } from "../../../server/services/segments/diff";
import { SubmitButton } from "../submit-button";
import { formatDateMinute } from "~/lib/format";
import type { ProposalKind } from "~/lib/segments";
import { ProposalKindTag } from "./badges";
import { DiffView } from "./diff-view";
import { VersionMembers } from "./version-members";

export interface HistoryEntry {
  version: number;
  kind: ProposalKind;
  restoredFrom: number | null;
  diff: DefinitionDiff;
  memberCount: number;
  added: number;
  removed: number;
  proposedBy: string | null;
  publishedBy: string | null;
  publishedAt: string | Date;
  proposalId: string | null;
  overridden: boolean;
  decisionReason: string | null;
  approvals: { name: string; reason: string }[];
}

/** Who decided a version: the committee's approvals with their reasons, or an admin's override. */
function Decision({ entry }: { entry: HistoryEntry }) {
  if (entry.overridden) {
    return (
      <p className="history__decision">
        <span className="badge badge--override">Override</span> Approved by <strong>{entry.publishedBy ?? "an admin"}</strong>
        {entry.decisionReason ? <> — “{entry.decisionReason}”</> : null}
      </p>
    );
  }
  if (!entry.approvals.length) {
    return <p className="history__decision">Published by {entry.publishedBy ?? "a former member"}</p>;
  }
  return (
    <div className="history__decision">
      <p>Approved by the committee:</p>
      <ul className="history__approvals">
        {entry.approvals.map((a) => (
          <li key={a.name}>
            <strong>{a.name}</strong> — “{a.reason}”
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Every version, newest first: when and how it was published, who proposed and who approved it
 * (or overrode the vote, and why), what it changed and whom it added or removed.
 */
export function VersionHistory({
  segmentId,
  history,
  currentVersion,
  canRestore,
}: {
  segmentId: string;
  history: HistoryEntry[];
  currentVersion: number | null;
  canRestore: boolean;
}) {
  return (
    <ol className="history">
      {history.map((entry) => (
        <li key={entry.version} className="history__item" id={`v${entry.version}`}>
          <div className="history__marker" aria-hidden="true">
            v{entry.version}
          </div>
          <div className="history__body">
            <div className="history__head">
              <h3 className="history__title">
                Version {entry.version}
                {entry.version === currentVersion ? <span className="badge badge--current">Published</span> : null}
              </h3>
              <ProposalKindTag kind={entry.kind} />
              {entry.restoredFrom ? <span className="muted small">restores version {entry.restoredFrom}</span> : null}
              <span className="history__when">{formatDateMinute(entry.publishedAt)}</span>
            </div>
            <p className="history__who">
              Proposed by <strong>{entry.proposedBy ?? "a former member"}</strong>
              {entry.proposalId ? (
                <>
                  {" · "}
                  <Link to={`/segments/proposals/${entry.proposalId}`} className="text-link">
                    Proposal and discussion
                  </Link>
                </>
              ) : null}
            </p>
            <Decision entry={entry} />
            <DiffView diff={entry.diff} emptyText="The definition did not change." />
            <VersionMembers
              segmentId={segmentId}
              version={entry.version}
              counts={{ members: entry.memberCount, added: entry.added, removed: entry.removed }}
            />
            {canRestore && entry.version !== currentVersion && entry.kind !== "retire" ? (
              <Form method="post" className="history__restore">
                <input type="hidden" name="version" value={entry.version} />
                <SubmitButton intent={`restore-${entry.version}`} variant="secondary" size="sm" pendingLabel="Creating the proposal…">
                  Propose restoring version {entry.version}
                </SubmitButton>
              </Form>
            ) : null}
          </div>
        </li>
      ))}
    </ol>
  );
}
