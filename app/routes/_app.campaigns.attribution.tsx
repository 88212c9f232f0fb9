import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { channelLabel, formatMoney, formatPercent } from "~/components/campaigns/format";
import { attributionQuery } from "~/components/campaigns/attribution-query";
import { AttributionChart } from "~/components/charts/attribution-chart";
import { SelectField, TextField } from "~/components/form-field";
import { Notice } from "~/components/notice";
import { loadOrFail } from "~/lib/errors.server";
import { requirePermission } from "~/lib/session.server";
import { DownloadButton } from "~/components/download-button";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Attribution · Campaigns · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, "dashboard:read");
  const url = new URL(request.url);
  return loadOrFail(request, async () => ({
    result: await context.trpc.campaigns.attribution(attributionQuery(url)),
    segmentId: url.searchParams.get("segment") ?? "",
    search: url.search,
  }));
}

export default function Attribution() {
  const { result, segmentId, search } = useLoaderData<typeof loader>();
  const chosen = result.segments.find((s) => s.segmentId === segmentId);
  const table = chosen ? chosen.table : result.overall;
  const scopeName = chosen ? chosen.name : "All customers";
  const channels = table?.channels ?? [];
  return (
    <div className="stack">
      <section className="card" aria-labelledby="attribution-filter">
        <h2 id="attribution-filter" className="visually-hidden">
          Period and rules
        </h2>
        <Form method="get" className="form-row form-row--end">
          <TextField name="from" type="date" label="Conversions from" defaultValue={result.from} />
          <TextField name="to" type="date" label="to" defaultValue={result.to} />
          <TextField name="lookback" inputMode="numeric" label="Lookback (days)" defaultValue={String(result.lookbackDays)} />
          <SelectField name="source" label="Conversions" defaultValue={result.source}>
            <option value="transactions">Invoices (transactions)</option>
            <option value="events">Conversion events (value)</option>
          </SelectField>
          <SelectField name="segment" label="Segment" defaultValue={segmentId}>
            <option value="">All customers</option>
            {result.segments.map((s) => (
              <option key={s.segmentId} value={s.segmentId}>
                {s.name}
              </option>
            ))}
          </SelectField>
          <button type="submit" className="button button--secondary">
            Show
          </button>
        </Form>
      </section>
      <section className="card" aria-labelledby="attribution-title">
        <div className="card__header">
          <div>
            <h2 id="attribution-title" className="card__title">
              Revenue by channel — {scopeName}
            </h2>
            <p className="card__subtitle">
              Each conversion&apos;s revenue goes to the touchpoints in the {result.lookbackDays} days before it: all to the first (first touch), all to the last (last touch), or split evenly
              (linear). Touches after a conversion never count.
            </p>
          </div>
          <DownloadButton href={`/campaigns/attribution.csv${search}`} small>CSV</DownloadButton>
        </div>
        {!table || table.conversions === 0 ? (
          <Notice tone="info" title="No conversions in this period">
            Choose another period, or import transactions and touchpoint events (type “touchpoint” with a channel) on the Data page.
          </Notice>
        ) : (
          <>
            {channels.length ? (
              <AttributionChart title={`Revenue by channel under three attribution rules, ${scopeName}`} channels={channels.map((c) => ({ ...c, label: channelLabel(c.channel) }))} />
            ) : (
              <Notice tone="info">No conversion in this period had a touchpoint within the lookback window.</Notice>
            )}
            <div className="table-wrap">
              <table className="table table--compact">
                <thead>
                  <tr>
                    <th scope="col">Channel</th>
                    <th scope="col" className="num">
                      First touch
                    </th>
                    <th scope="col" className="num">
                      Last touch
                    </th>
                    <th scope="col" className="num">
                      Linear
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {channels.map((c) => (
                    <tr key={c.channel}>
                      <th scope="row">{channelLabel(c.channel)}</th>
                      <td className="num">{formatMoney(c.firstTouch)}</td>
                      <td className="num">{formatMoney(c.lastTouch)}</td>
                      <td className="num">{formatMoney(c.linear)}</td>
                    </tr>
                  ))}
                  <tr className="table__row--muted">
                    <th scope="row">Unattributed (no touch in the window)</th>
                    <td className="num" colSpan={3}>
                      {formatMoney(table.unattributedRevenue)} of {formatMoney(table.totalRevenue)} ({formatPercent(table.totalRevenue ? table.unattributedRevenue / table.totalRevenue : 0)}),{" "}
                      {table.unattributedConversions.toLocaleString("en-GB")} of {table.conversions.toLocaleString("en-GB")} conversions
                    </td>
                  </tr>
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </div>
  );
}
