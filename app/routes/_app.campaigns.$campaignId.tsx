import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { channelLabel, formatMoney, formatPercent, formatPoints, formatRoi, formatSignedMoney } from "~/components/campaigns/format";
import { CampaignStatusBadge } from "~/components/campaigns/status-badge";
import { LiftIntervalChart } from "~/components/charts/lift-interval-chart";
import { ConfirmActions } from "~/components/confirm-actions";
import { TextField } from "~/components/form-field";
import { Notice } from "~/components/notice";
import { StatCard } from "~/components/stat-card";
import { SubmitButton } from "~/components/submit-button";
import { errorPage, field, formFailure, loadOrFail } from "~/lib/errors.server";
import { formatDate } from "~/lib/format";
import { requirePermission } from "~/lib/session.server";
import { DownloadButton } from "~/components/download-button";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.view.campaign.name ?? "Campaign"} · Campaigns · Quorum` }];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "dashboard:read");
  const campaignId = params.campaignId ?? "";
  if (!UUID.test(campaignId)) throw errorPage(404, "There is no such campaign in this workspace.");
  return loadOrFail(request, async () => ({
    view: await context.trpc.campaigns.get({ campaignId }),
    canManage: me.permissions.includes("campaign:manage"),
  }));
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const campaignId = params.campaignId ?? "";
  const form = await request.formData();
  const intent = field(form, "intent");
  try {
    if (intent === "launch") await context.trpc.campaigns.launch({ campaignId });
    else if (intent === "finish") await context.trpc.campaigns.finish({ campaignId });
    else if (intent === "delete") {
      await context.trpc.campaigns.delete({ campaignId });
      return redirect("/campaigns");
    } else if (intent === "cost") {
      const raw = field(form, "actualCost").trim().replace(/,/g, "");
      await context.trpc.campaigns.update({ campaignId, actualCost: raw === "" ? null : Number(raw) });
    }
    return { ok: true as const, intent, formError: null, fieldErrors: {} as Record<string, string> };
  } catch (error) {
    return { ok: false as const, intent, ...formFailure(error, request) };
  }
}

export default function CampaignPage() {
  const { view, canManage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const { campaign, balance, outcomes, economics } = view;
  const treated = balance.reduce((s, b) => s + b.treated, 0);
  const held = balance.reduce((s, b) => s + b.holdout, 0);
  const conversion = economics?.conversion ?? null;
  const revenue = economics?.revenue ?? null;
  const lifts = [
    conversion ? { key: "conversion", verdict: conversion.verdict, significant: conversion.lift.significant, negative: conversion.lift.interval.high < 0, title: "Conversion" } : null,
    revenue ? { key: "revenue", verdict: revenue.verdict, significant: revenue.lift.significant, negative: revenue.lift.interval.high < 0, title: "Revenue per customer" } : null,
  ].filter((l) => l !== null);
  if (campaign.outcome === "revenue") lifts.reverse();
  const busy = navigation.state !== "idle";

  return (
    <div className="stack">
      <section className="card" aria-labelledby="campaign-title">
        <div className="card__header card__header--wrap">
          <div>
            <p className="breadcrumb">
              <Link to="/campaigns">Campaigns</Link>
            </p>
            <h2 id="campaign-title" className="card__title">
              {campaign.name} <CampaignStatusBadge status={campaign.status} />
            </h2>
            <p className="card__subtitle">
              {view.segmentName} · {formatDate(campaign.periodStart)} – {formatDate(campaign.periodEnd)} · {campaign.channels.map(channelLabel).join(", ")} · {campaign.holdoutPercent}% holdout
              {campaign.stratifyByRegion ? ", stratified by region" : ""}
              {campaign.frequencyCap ? ` · at most ${campaign.frequencyCap} contacts a week` : ""}
            </p>
          </div>
          {canManage ? (
            <Form method="post" className="button-row">
              {campaign.status === "draft" ? (
                <SubmitButton intent="launch" pendingLabel="Launching…">
                  Launch
                </SubmitButton>
              ) : null}
              {campaign.status === "running" ? (
                <SubmitButton intent="finish" variant="secondary" pendingLabel="Finishing…">
                  Finish
                </SubmitButton>
              ) : null}
              {campaign.status !== "running" && !confirmDelete ? (
                <button type="button" className="button button--danger-text" onClick={() => setConfirmDelete(true)}>
                  Delete
                </button>
              ) : null}
              {confirmDelete ? (
                <div className="inline-panel inline-panel--danger">
                  <p className="inline-panel__text">Delete “{campaign.name}” and its frozen groups? Results can no longer be read.</p>
                  <ConfirmActions intent="delete" label="Delete campaign" pendingLabel="Deleting…" busy={busy} onCancel={() => setConfirmDelete(false)} />
                </div>
              ) : null}
            </Form>
          ) : null}
        </div>
        {result && !result.ok && result.formError ? <Notice tone="error">{result.formError}</Notice> : null}
        {result?.ok && result.intent === "launch" ? <Notice tone="success">Launched: the groups are frozen.</Notice> : null}
        {campaign.status === "draft" ? (
          <Notice tone="info" title="Not launched yet">
            Launching freezes the {view.segmentMembers?.toLocaleString("en-GB") ?? ""} current members of {view.segmentName} and holds out {campaign.holdoutPercent}% of them
            {campaign.stratifyByRegion ? " in every region" : ""}. Later publishes of the segment do not move them.
          </Notice>
        ) : null}
      </section>

      {outcomes && economics ? (
        <>
          <section className="card" aria-labelledby="lift-title">
            <h2 id="lift-title" className="card__title">
              Lift over the holdout
            </h2>
            <p className="card__subtitle">
              Treated minus holdout, {formatDate(outcomes.from)} – {formatDate(outcomes.to)}, with 95% confidence intervals (conversion: Newcombe hybrid score; revenue: Welch).
            </p>
            {lifts.length ? (
              lifts.map((l) => (
                <p key={l.key} className={`verdict-line${l.significant ? (l.negative ? " verdict-line--negative" : " verdict-line--significant") : ""}`}>
                  <strong>{l.title}:</strong> {l.verdict}
                </p>
              ))
            ) : (
              <Notice tone="warning">Each group needs at least two customers for an interval.</Notice>
            )}
            <div className="campaign-grid">
              {conversion ? (
                <LiftIntervalChart
                  title="Conversion lift in percentage points"
                  axisTitle="Percentage points (treated − holdout)"
                  format={(v) => `${v > 0 ? "+" : ""}${v.toFixed(1)}`}
                  rows={[
                    {
                      label: "Conversion",
                      estimate: conversion.lift.difference * 100,
                      low: conversion.lift.interval.low * 100,
                      high: conversion.lift.interval.high * 100,
                      significant: conversion.lift.significant,
                    },
                  ]}
                />
              ) : null}
              {revenue ? (
                <LiftIntervalChart
                  title="Revenue per customer lift"
                  axisTitle="Revenue per customer (treated − holdout)"
                  format={(v) => formatSignedMoney(v, Math.abs(v) >= 100 ? 0 : 2)}
                  rows={[{ label: "Revenue per customer", estimate: revenue.lift.difference, low: revenue.lift.interval.low, high: revenue.lift.interval.high, significant: revenue.lift.significant }]}
                />
              ) : null}
            </div>
            <div className="table-wrap">
              <table className="table table--compact">
                <thead>
                  <tr>
                    <th scope="col">Group</th>
                    <th scope="col" className="num">
                      Customers
                    </th>
                    <th scope="col" className="num">
                      Converted
                    </th>
                    <th scope="col" className="num">
                      Conversion rate
                    </th>
                    <th scope="col" className="num">
                      Revenue
                    </th>
                    <th scope="col" className="num">
                      Revenue per customer
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {(
                    [
                      ["Treated", outcomes.treated],
                      ["Holdout", outcomes.holdout],
                    ] as const
                  ).map(([label, g]) => (
                    <tr key={label}>
                      <th scope="row">{label}</th>
                      <td className="num">{g.n.toLocaleString("en-GB")}</td>
                      <td className="num">{g.conversions.toLocaleString("en-GB")}</td>
                      <td className="num">{g.n ? formatPercent(g.conversions / g.n) : "—"}</td>
                      <td className="num">{formatMoney(g.revenue)}</td>
                      <td className="num">{formatMoney(g.meanRevenue, 2)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {conversion ? (
              <p className="small muted">
                Difference {formatPoints(conversion.lift.difference)}; p = {conversion.lift.pValue < 0.001 ? "< 0.001" : conversion.lift.pValue.toFixed(3)} (two-proportion z-test). Wald interval for
                comparison: {formatPoints(conversion.lift.wald.low)} to {formatPoints(conversion.lift.wald.high)}.
              </p>
            ) : null}
          </section>

          <section className="card" aria-labelledby="roi-title">
            <h2 id="roi-title" className="card__title">
              Return on the campaign
            </h2>
            <p className="card__subtitle">
              Incremental contribution = revenue lift per customer × {outcomes.treated.n.toLocaleString("en-GB")} treated customers × {formatPercent(economics.margin, 0)} margin. ROI =
              incremental contribution ÷ cost; 1.00× pays the cost back.
            </p>
            <dl className="stat-grid stat-grid--five">
              <StatCard label={economics.costSource === "actual" ? "Actual cost" : "Cost (budget)"} value={formatMoney(economics.cost)} hint={economics.costSource === "budget" ? "Enter the actual cost when known" : undefined} />
              <StatCard label="Incremental revenue" value={economics.incrementalRevenue === null ? "—" : formatSignedMoney(economics.incrementalRevenue, 0)} />
              <StatCard
                label="Incremental contribution"
                value={economics.incrementalContribution === null ? "—" : formatSignedMoney(economics.incrementalContribution, 0)}
                hint={economics.contributionInterval ? `95% CI ${formatSignedMoney(economics.contributionInterval.low, 0)} to ${formatSignedMoney(economics.contributionInterval.high, 0)}` : undefined}
              />
              <StatCard
                label="ROI"
                value={formatRoi(economics.roi)}
                hint={economics.roiInterval ? `95% CI ${formatRoi(economics.roiInterval.low)} to ${formatRoi(economics.roiInterval.high)}` : undefined}
              />
            </dl>
            {canManage ? (
              <Form method="post" className="form-row form-row--end">
                <TextField
                  name="actualCost"
                  inputMode="decimal"
                  label="Actual cost"
                  defaultValue={campaign.actualCost ?? ""}
                  error={result && !result.ok && result.intent === "cost" ? (result.fieldErrors.actualCost ?? null) : null}
                  description="Leave blank to use the budget."
                />
                <SubmitButton intent="cost" variant="secondary" pendingLabel="Saving…">
                  Save cost
                </SubmitButton>
              </Form>
            ) : null}
          </section>

          <section className="card card--flush" aria-labelledby="groups-title">
            <div className="card__header card__header--padded">
              <div>
                <h2 id="groups-title" className="card__title">
                  Groups by region
                </h2>
                <p className="card__subtitle">
                  {treated.toLocaleString("en-GB")} treated and {held.toLocaleString("en-GB")} held out ({formatPercent(held / Math.max(1, treated + held))}), frozen at launch
                  {campaign.segmentVersion ? ` from version ${campaign.segmentVersion} of the segment` : ""}.
                </p>
              </div>
              <DownloadButton href={`/campaigns/${campaign.id}/groups.csv`} small>CSV</DownloadButton>
            </div>
            <div className="table-wrap">
              <table className="table table--compact">
                <thead>
                  <tr>
                    <th scope="col">Region</th>
                    <th scope="col" className="num">
                      Treated
                    </th>
                    <th scope="col" className="num">
                      Holdout
                    </th>
                    <th scope="col" className="num">
                      Holdout share
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {balance.map((b) => (
                    <tr key={b.region ?? "none"}>
                      <th scope="row">{b.region ?? <span className="muted">No region</span>}</th>
                      <td className="num">{b.treated.toLocaleString("en-GB")}</td>
                      <td className="num">{b.holdout.toLocaleString("en-GB")}</td>
                      <td className="num">{formatPercent(b.holdoutShare)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      ) : null}
    </div>
  );
}
