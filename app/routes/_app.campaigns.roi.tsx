import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatMoney, formatPercent, formatRoi, formatSignedMoney } from "~/components/campaigns/format";
import { CampaignStatusBadge } from "~/components/campaigns/status-badge";
import { Notice } from "~/components/notice";
import { loadOrFail } from "~/lib/errors.server";
import { requirePermission } from "~/lib/session.server";
import { DownloadButton } from "~/components/download-button";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "ROI by segment · Campaigns · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, "dashboard:read");
  return loadOrFail(request, () => context.trpc.campaigns.roi());
}

export default function RoiBySegment() {
  const { margin, campaigns, segments } = useLoaderData<typeof loader>();
  if (campaigns.length === 0) {
    return (
      <Notice tone="info" title="No launched campaigns yet">
        ROI needs a measured lift: launch a campaign with a holdout, and its segment appears here once it has results.
      </Notice>
    );
  }
  const best = segments.find((s) => s.roi !== null);
  const worst = [...segments].reverse().find((s) => s.roi !== null);
  return (
    <div className="stack">
      <section className="card card--flush" aria-labelledby="roi-segments-title">
        <div className="card__header card__header--padded">
          <div>
            <h2 id="roi-segments-title" className="card__title">
              ROI by segment
            </h2>
            <p className="card__subtitle">
              Sum of the segment&apos;s campaigns&apos; incremental contribution (revenue lift × treated customers × {formatPercent(margin, 0)} margin) ÷ their cost. Highest first.
            </p>
          </div>
          <DownloadButton href="/campaigns/roi.csv" small>CSV</DownloadButton>
        </div>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Segment</th>
                <th scope="col" className="num">
                  Campaigns
                </th>
                <th scope="col" className="num">
                  Cost
                </th>
                <th scope="col" className="num">
                  Incremental contribution
                </th>
                <th scope="col" className="num">
                  ROI
                </th>
              </tr>
            </thead>
            <tbody>
              {segments.map((s) => (
                <tr key={s.segmentId}>
                  <th scope="row">{s.segmentName}</th>
                  <td className="num">{s.campaigns}</td>
                  <td className="num">{formatMoney(s.cost)}</td>
                  <td className="num">{formatSignedMoney(s.incrementalContribution, 0)}</td>
                  <td className="num">
                    <strong>{formatRoi(s.roi)}</strong>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {best && worst && best.segmentId !== worst.segmentId ? (
          <p className="roi-hint">
            Move spend from low to high ROI: each unit spent on <strong>{worst.segmentName}</strong> returned {formatRoi(worst.roi)}, on <strong>{best.segmentName}</strong>{" "}
            {formatRoi(best.roi)}.
          </p>
        ) : null}
      </section>
      <section className="card card--flush" aria-labelledby="roi-campaigns-title">
        <div className="card__header card__header--padded">
          <div>
            <h2 id="roi-campaigns-title" className="card__title">
              Campaigns
            </h2>
            <p className="card__subtitle">Each launched campaign&apos;s ROI; “significant” when the revenue lift&apos;s 95% interval excludes zero.</p>
          </div>
        </div>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Campaign</th>
                <th scope="col">Segment</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Cost
                </th>
                <th scope="col" className="num">
                  Incremental contribution
                </th>
                <th scope="col" className="num">
                  ROI
                </th>
                <th scope="col">Revenue lift</th>
              </tr>
            </thead>
            <tbody>
              {campaigns.map((c) => (
                <tr key={c.campaignId}>
                  <td>
                    <Link to={`/campaigns/${c.campaignId}`} className="text-link">
                      {c.name}
                    </Link>
                  </td>
                  <td>{c.segmentName}</td>
                  <td>
                    <CampaignStatusBadge status={c.status} />
                  </td>
                  <td className="num">{formatMoney(c.cost)}</td>
                  <td className="num">{c.incrementalContribution === null ? "—" : formatSignedMoney(c.incrementalContribution, 0)}</td>
                  <td className="num">{formatRoi(c.roi)}</td>
                  <td>{c.incrementalContribution === null ? "not measurable" : c.significant ? "significant" : "not distinguishable from none"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
