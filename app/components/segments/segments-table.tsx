import { Link } from "@remix-run/react";
import { formatDate } from "~/lib/format";
import { formatNumber } from "~/lib/segments";
import { SegmentStatusBadge } from "./badges";

export interface SegmentRow {
  id: string;
  name: string;
  parentId: string | null;
  region: string | null;
  owner: string | null;
  priority: number;
  status: string;
  currentVersion: number | null;
  memberCount: number | null;
  assigned: number | null;
  updatedAt: string | Date;
  openProposals: number;
  description: string | null;
}

interface TreeRow {
  segment: SegmentRow;
  depth: 0 | 1;
  /** 1-based rank in the priority order. */
  rank: number;
}

/**
 * Global segments in priority order, each followed by its regional variants (a variant whose
 * parent is hidden or missing stands on its own).
 */
export function segmentTree(segments: SegmentRow[]): TreeRow[] {
  const rank = new Map(segments.map((s, i) => [s.id, i + 1]));
  const shown = new Set(segments.map((s) => s.id));
  const rows: TreeRow[] = [];
  for (const s of segments) {
    if (s.parentId && shown.has(s.parentId)) continue;
    rows.push({ segment: s, depth: 0, rank: rank.get(s.id)! });
    for (const v of segments.filter((c) => c.parentId === s.id)) rows.push({ segment: v, depth: 1, rank: rank.get(v.id)! });
  }
  return rows;
}

/** Every segment with its published version, size, owner, region, status, last change and open proposals. */
export function SegmentsTable({ segments, exclusive }: { segments: SegmentRow[]; exclusive: boolean }) {
  const rows = segmentTree(segments);
  return (
    <div className="table-wrap">
      <table className="table segments-table">
        <thead>
          <tr>
            <th scope="col" className="num" title="Priority: under exclusive assignment a customer belongs to the first matching segment">
              #
            </th>
            <th scope="col">Segment</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Customers
            </th>
            {exclusive ? (
              <th scope="col" className="num" title="Customers this segment keeps once segments of higher priority have taken theirs">
                Assigned
              </th>
            ) : null}
            <th scope="col">Owner</th>
            <th scope="col">Last change</th>
            <th scope="col" className="num" title="Open proposals">
              Proposals
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ segment: s, depth, rank }) => (
            <tr key={s.id} className={depth ? "segments-table__variant" : undefined}>
              <td className="num muted">{rank}</td>
              <th scope="row" className="segments-table__name">
                <span className={depth ? "tree-child" : undefined}>
                  {depth ? (
                    <span className="tree-child__branch" aria-hidden="true">
                      ↳
                    </span>
                  ) : null}
                  <span className="cell-lines">
                    <Link to={`/segments/${s.id}`} className="segments-table__link">
                      {s.name}
                    </Link>
                    <span className="muted small">
                      {depth ? "Regional variant" : s.parentId ? "Regional variant of a hidden segment" : "Global"}
                      {s.region ? (
                        <>
                          {" · "}
                          <span className="segments-table__region">{s.region}</span>
                        </>
                      ) : null}
                    </span>
                    {s.description ? <span className="muted small segments-table__description">{s.description}</span> : null}
                  </span>
                </span>
              </th>
              <td className="nowrap">
                <SegmentStatusBadge status={s.status} />
                {s.currentVersion ? <span className="segments-table__version">v{s.currentVersion}</span> : null}
              </td>
              <td className="num">{s.memberCount === null ? <span className="muted">—</span> : formatNumber(s.memberCount)}</td>
              {exclusive ? (
                <td className="num">{s.assigned === null ? <span className="muted">—</span> : formatNumber(s.assigned)}</td>
              ) : null}
              <td className="nowrap">{s.owner ?? <span className="muted">No owner</span>}</td>
              <td className="nowrap">{formatDate(s.updatedAt)}</td>
              <td className="num">
                {s.openProposals ? (
                  <Link to={`/segments/${s.id}#proposals`} className="count count--link" aria-label={`${s.openProposals} open proposals for ${s.name}`}>
                    {s.openProposals}
                  </Link>
                ) : (
                  <span className="muted">0</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
