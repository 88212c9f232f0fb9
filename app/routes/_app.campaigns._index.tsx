import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { channelLabel, formatMoney } from "~/components/campaigns/format";
import { CampaignStatusBadge } from "~/components/campaigns/status-badge";
import { EmptyState } from "~/components/empty-state";
import { CampaignIcon, PlusIcon } from "~/components/icons";
import { loadOrFail } from "~/lib/errors.server";
import { formatDate } from "~/lib/format";
import { requirePermission } from "~/lib/session.server";
import { DownloadButton } from "~/components/download-button";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "dashboard:read");
  return loadOrFail(request, async () => ({
    campaigns: await context.trpc.campaigns.list(),
    canManage: me.permissions.includes("campaign:manage"),
  }));
}

export default function CampaignList() {
  const { campaigns, canManage } = useLoaderData<typeof loader>();
  if (campaigns.length === 0) {
    return (
      <EmptyState
        icon={CampaignIcon}
        title="No campaigns yet"
        features={[
          "A campaign targets one published segment through email, paid media, sales or web",
          "Launching holds out a share of the segment (stratified by region if you like), so the lift is measured, not assumed",
          "Conversion and revenue lift with 95% intervals, ROI per campaign and per segment",
        ]}
        action={
          canManage ? (
            <Link to="/campaigns/new" className="button button--primary">
              <PlusIcon width={16} height={16} />
              New campaign
            </Link>
          ) : null
        }
      >
        Campaigns are experiments: each one keeps a random holdout group of its segment out of the campaign, and the difference between the groups is the campaign&apos;s effect.
        {canManage ? "" : " Owners, admins and analysts create campaigns; you can read them here."}
      </EmptyState>
    );
  }
  return (
    <section className="card card--flush" aria-labelledby="campaigns-title">
      <div className="card__header card__header--padded">
        <div>
          <h2 id="campaigns-title" className="card__title">
            Campaigns <span className="count">{campaigns.length}</span>
          </h2>
          <p className="card__subtitle">Newest period first. Groups are frozen when a campaign is launched.</p>
        </div>
        <DownloadButton href="/campaigns/list.csv" small>CSV</DownloadButton>
      </div>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Campaign</th>
              <th scope="col">Segment</th>
              <th scope="col">Status</th>
              <th scope="col">Period</th>
              <th scope="col">Channels</th>
              <th scope="col" className="num">
                Treated / holdout
              </th>
              <th scope="col" className="num">
                Budget
              </th>
              <th scope="col" className="num">
                Actual cost
              </th>
            </tr>
          </thead>
          <tbody>
            {campaigns.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/campaigns/${c.id}`} className="text-link">
                    {c.name}
                  </Link>
                </td>
                <td>{c.segmentName}</td>
                <td>
                  <CampaignStatusBadge status={c.status} />
                </td>
                <td className="nowrap">
                  {formatDate(c.periodStart)} – {formatDate(c.periodEnd)}
                </td>
                <td>{c.channels.map(channelLabel).join(", ")}</td>
                <td className="num">{c.members ? `${(c.members - c.holdoutMembers).toLocaleString("en-GB")} / ${c.holdoutMembers.toLocaleString("en-GB")}` : `— (${c.holdoutPercent}% at launch)`}</td>
                <td className="num">{formatMoney(c.budget)}</td>
                <td className="num">{c.actualCost === null ? "—" : formatMoney(c.actualCost)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
