import { useFetcher } from "@remix-run/react";
import { useEffect, useId, useState } from "react";
import { Notice } from "../notice";
import { formatNumber } from "~/lib/segments";
import { DownloadButton } from "~/components/download-button";

type Change = "members" | "added" | "removed";

interface MembersPage {
  total: number;
  customers: { externalId: string; region: string | null }[];
}

const TITLES: Record<Change, (n: number) => string> = {
  members: (n) => `${formatNumber(n)} member${n === 1 ? "" : "s"}`,
  added: (n) => `+${formatNumber(n)} added`,
  removed: (n) => `−${formatNumber(n)} removed`,
};

const HEADINGS: Record<Change, string> = {
  members: "Members of version",
  added: "Customers added by version",
  removed: "Customers removed by version",
};

/**
 * A version's member counts as buttons (members, +added, −removed); each opens the list of
 * those customers, 100 at a time, with the whole list as a CSV download.
 */
export function VersionMembers({
  segmentId,
  version,
  counts,
}: {
  segmentId: string;
  version: number;
  counts: Record<Change, number>;
}) {
  const [open, setOpen] = useState<Change | null>(null);
  const [offset, setOffset] = useState(0);
  const fetcher = useFetcher<MembersPage | { error: string }>();
  const id = useId();
  const { load } = fetcher;

  useEffect(() => {
    if (open) load(`/segments/${segmentId}/members?version=${version}&change=${open}&offset=${offset}`);
  }, [open, offset, segmentId, version, load]);

  const page = fetcher.data && "total" in fetcher.data ? fetcher.data : null;
  const failure = fetcher.data && "error" in fetcher.data ? fetcher.data.error : null;
  const query = `version=${version}&change=${open ?? "members"}`;

  return (
    <div className="version-members">
      <div className="version-members__buttons" role="group" aria-label={`Customers of version ${version}`}>
        {(["members", "added", "removed"] as const).map((change) => (
          <button
            key={change}
            type="button"
            className={`button button--sm button--ghost version-members__button version-members__button--${change}`}
            aria-expanded={open === change}
            aria-controls={`${id}-panel`}
            disabled={counts[change] === 0}
            onClick={() => {
              setOffset(0);
              setOpen(open === change ? null : change);
            }}
          >
            {TITLES[change](counts[change])}
          </button>
        ))}
      </div>
      {open ? (
        <div className="version-members__panel" id={`${id}-panel`}>
          <div className="version-members__head">
            <h4 className="version-members__title">
              {HEADINGS[open]} {version}
            </h4>
            <DownloadButton href={`/segments/${segmentId}/members.csv?${query}`} small>Download CSV</DownloadButton>
          </div>
          {failure ? <Notice tone="error">{failure}</Notice> : null}
          {page ? (
            <>
              <div className="table-wrap table-wrap--inset" aria-busy={fetcher.state !== "idle"}>
                <table className="table table--compact">
                  <thead>
                    <tr>
                      <th scope="col">Customer</th>
                      <th scope="col">Region</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.customers.map((c) => (
                      <tr key={c.externalId}>
                        <td className="mono">{c.externalId}</td>
                        <td>{c.region ?? <span className="muted">—</span>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div className="version-members__pager">
                <span className="muted small">
                  {page.total
                    ? `${formatNumber(offset + 1)}–${formatNumber(offset + page.customers.length)} of ${formatNumber(page.total)}`
                    : "No customers."}
                </span>
                {page.total > 100 ? (
                  <span className="button-row">
                    <button
                      type="button"
                      className="button button--ghost button--sm"
                      disabled={offset === 0}
                      onClick={() => setOffset(Math.max(0, offset - 100))}
                    >
                      Previous 100
                    </button>
                    <button
                      type="button"
                      className="button button--ghost button--sm"
                      disabled={offset + 100 >= page.total}
                      onClick={() => setOffset(offset + 100)}
                    >
                      Next 100
                    </button>
                  </span>
                ) : null}
              </div>
            </>
          ) : fetcher.state !== "idle" ? (
            <p className="muted small">Loading…</p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
