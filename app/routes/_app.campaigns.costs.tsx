import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { formatDate } from "~/lib/format";
import { formatMoney, formatPercent } from "~/components/campaigns/format";
import { ContributionChart } from "~/components/charts/contribution-chart";
import { SelectField, TextField } from "~/components/form-field";
import { Notice } from "~/components/notice";
import { SubmitButton } from "~/components/submit-button";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { requirePermission } from "~/lib/session.server";
import { DownloadButton } from "~/components/download-button";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Cost to serve · Campaigns · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "dashboard:read");
  const url = new URL(request.url);
  const period = { from: url.searchParams.get("from") || undefined, to: url.searchParams.get("to") || undefined };
  return loadOrFail(request, async () => {
    const [contribution, costs, { margin }] = await Promise.all([
      context.trpc.campaigns.contribution(period),
      context.trpc.campaigns.costs({ limit: 200 }),
      context.trpc.campaigns.margin(),
    ]);
    return { contribution, costs, margin, search: url.search, canManage: me.permissions.includes("campaign:manage") };
  });
}

function amount(value: string): number {
  const trimmed = value.trim().replace(/,/g, "");
  return trimmed === "" ? Number.NaN : Number(trimmed);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const intent = field(form, "intent");
  try {
    if (intent === "import") {
      const file = form.get("file");
      if (!(file instanceof File) || file.size === 0) return { intent, formError: "Choose a CSV file to import.", fieldErrors: {} as Record<string, string>, imported: null };
      const imported = await context.trpc.campaigns.importCosts({ fileName: file.name, csv: await file.text() });
      return { intent, formError: null, fieldErrors: {} as Record<string, string>, imported };
    }
    if (intent === "segment-cost") {
      await context.trpc.campaigns.setCost({
        scope: "segment",
        segmentId: field(form, "segmentId"),
        periodStart: field(form, "periodStart"),
        periodEnd: field(form, "periodEnd"),
        amount: amount(field(form, "amount")),
      });
    } else if (intent === "margin") {
      await context.trpc.campaigns.setMargin({ margin: amount(field(form, "marginPercent")) / 100 });
    } else if (intent === "delete") {
      await context.trpc.campaigns.deleteCost({ costId: field(form, "costId") });
    }
    return { intent, formError: null, fieldErrors: {} as Record<string, string>, imported: null };
  } catch (error) {
    return { intent, imported: null, ...formFailure(error, request) };
  }
}

export default function CostToServe() {
  const { contribution, costs, margin, search, canManage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errorFor = (intent: string) => (result?.intent === intent ? result : null);
  const imported = result?.imported ?? null;
  return (
    <div className="stack">
      <section className="card" aria-labelledby="contribution-title">
        <div className="card__header card__header--wrap">
          <div>
            <h2 id="contribution-title" className="card__title">
              Contribution per segment
            </h2>
            <p className="card__subtitle">
              {formatDate(contribution.from)} – {formatDate(contribution.to)}. Contribution = revenue × {formatPercent(margin, 0)} margin − cost to serve − campaign cost; costs whose period
              only partly overlaps count pro rata by days.
            </p>
          </div>
          <DownloadButton href={`/campaigns/contribution.csv${search}`} small>CSV</DownloadButton>
        </div>
        <Form method="get" className="form-row form-row--end campaign-period">
          <TextField name="from" type="date" label="From" defaultValue={contribution.from} />
          <TextField name="to" type="date" label="To" defaultValue={contribution.to} />
          <button type="submit" className="button button--secondary">
            Show
          </button>
        </Form>
        {contribution.segments.length ? (
          <>
            <ContributionChart rows={contribution.segments} />
            <div className="table-wrap">
              <table className="table table--compact">
                <thead>
                  <tr>
                    <th scope="col">Segment</th>
                    <th scope="col" className="num">
                      Customers
                    </th>
                    <th scope="col" className="num">
                      Revenue
                    </th>
                    <th scope="col" className="num">
                      Cost to serve
                    </th>
                    <th scope="col" className="num">
                      Campaign cost
                    </th>
                    <th scope="col" className="num">
                      Contribution
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {contribution.segments.map((s) => (
                    <tr key={s.segmentId}>
                      <th scope="row">{s.name}</th>
                      <td className="num">{s.customers.toLocaleString("en-GB")}</td>
                      <td className="num">{formatMoney(s.revenue)}</td>
                      <td className="num">{formatMoney(s.costToServe)}</td>
                      <td className="num">{formatMoney(s.campaignCost)}</td>
                      <td className="num">
                        <strong>{formatMoney(s.contribution)}</strong>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ) : (
          <Notice tone="info">No active segment yet: contribution is shown per published segment.</Notice>
        )}
      </section>

      {canManage ? (
        <div className="campaign-grid">
          <section className="card" aria-labelledby="import-costs-title">
            <h2 id="import-costs-title" className="card__title">
              Import costs
            </h2>
            <p className="card__subtitle">
              A CSV with <code>customer_id</code> (your customer id) or <code>segment</code> (a segment&apos;s name), <code>period_start</code>, <code>period_end</code> (YYYY-MM-DD) and{" "}
              <code>amount</code>. Bad rows are listed; every good row is saved, replacing an earlier amount for the same customer or segment and period.
            </p>
            {errorFor("import")?.formError ? <Notice tone="error">{errorFor("import")?.formError}</Notice> : null}
            {imported ? (
              <Notice tone={imported.failed ? "warning" : "success"} title={`${imported.imported.toLocaleString("en-GB")} of ${imported.rowsRead.toLocaleString("en-GB")} rows saved from ${imported.fileName}`}>
                {imported.failed ? (
                  <ul className="problem-list">
                    {imported.errors.map((e) => (
                      <li key={`${e.line}-${e.column}`}>{e.message}</li>
                    ))}
                    {imported.moreErrors ? <li>… and {imported.moreErrors.toLocaleString("en-GB")} more</li> : null}
                  </ul>
                ) : (
                  "No problems found."
                )}
              </Notice>
            ) : null}
            <Form method="post" encType="multipart/form-data" className="form-row form-row--end">
              <div className="field">
                <label className="field__label" htmlFor="cost-file">
                  CSV file
                </label>
                <input id="cost-file" className="input" type="file" name="file" accept=".csv,text/csv" required />
              </div>
              <SubmitButton intent="import" pendingLabel="Importing…">
                Import
              </SubmitButton>
            </Form>
          </section>

          <section className="card" aria-labelledby="segment-cost-title">
            <h2 id="segment-cost-title" className="card__title">
              Enter a segment&apos;s cost
            </h2>
            <p className="card__subtitle">Service, support and delivery costs of a whole segment for a period.</p>
            {errorFor("segment-cost")?.formError ? <Notice tone="error">{errorFor("segment-cost")?.formError}</Notice> : null}
            <Form method="post" className="stack stack--tight">
              <SelectField name="segmentId" label="Segment" defaultValue="" error={errorFor("segment-cost")?.fieldErrors.segmentId ?? null} required>
                <option value="" disabled>
                  Choose a segment…
                </option>
                {contribution.segments.map((s) => (
                  <option key={s.segmentId} value={s.segmentId}>
                    {s.name}
                  </option>
                ))}
              </SelectField>
              <div className="campaign-form__row">
                <TextField name="periodStart" type="date" label="From" required error={errorFor("segment-cost")?.fieldErrors.periodStart ?? null} />
                <TextField name="periodEnd" type="date" label="To" required error={errorFor("segment-cost")?.fieldErrors.periodEnd ?? null} />
                <TextField name="amount" inputMode="decimal" label="Amount" required error={errorFor("segment-cost")?.fieldErrors.amount ?? null} />
              </div>
              <div className="button-row">
                <SubmitButton intent="segment-cost" pendingLabel="Saving…">
                  Save cost
                </SubmitButton>
              </div>
            </Form>
          </section>

          <section className="card" aria-labelledby="margin-title">
            <h2 id="margin-title" className="card__title">
              Contribution margin
            </h2>
            <p className="card__subtitle">
              The share of revenue left after variable costs, used for contribution and ROI. Until you set it, Quorum counts 100% of revenue.
            </p>
            {errorFor("margin")?.formError ? <Notice tone="error">{errorFor("margin")?.formError}</Notice> : null}
            <Form method="post" className="form-row form-row--end">
              <TextField
                name="marginPercent"
                inputMode="decimal"
                label="Margin %"
                defaultValue={String(Math.round(margin * 1000) / 10)}
                error={errorFor("margin")?.fieldErrors.margin ?? null}
              />
              <SubmitButton intent="margin" variant="secondary" pendingLabel="Saving…">
                Save margin
              </SubmitButton>
            </Form>
          </section>
        </div>
      ) : null}

      <section className="card card--flush" aria-labelledby="costs-title">
        <div className="card__header card__header--padded">
          <div>
            <h2 id="costs-title" className="card__title">
              Cost entries <span className="count">{costs.total.toLocaleString("en-GB")}</span>
            </h2>
            <p className="card__subtitle">
              Total {formatMoney(costs.totalAmount)}. {costs.total > costs.rows.length ? `The latest ${costs.rows.length} are listed; the CSV has them all.` : ""}
            </p>
          </div>
          <DownloadButton href="/campaigns/costs.csv" small>CSV</DownloadButton>
        </div>
        {costs.rows.length === 0 ? (
          <p className="card-empty">No costs yet. {canManage ? "Import a CSV or enter a segment's cost above." : "Owners, admins and analysts enter them."}</p>
        ) : (
          <div className="table-wrap">
            <table className="table table--compact">
              <thead>
                <tr>
                  <th scope="col">For</th>
                  <th scope="col">Period</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                  <th scope="col">Source</th>
                  {canManage ? (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {costs.rows.map((c) => (
                  <tr key={c.id}>
                    <td>{c.scope === "segment" ? `Segment: ${c.segmentName ?? "—"}` : `Customer ${c.customerExternalId ?? "—"}`}</td>
                    <td className="nowrap">
                      {formatDate(c.periodStart)} – {formatDate(c.periodEnd)}
                    </td>
                    <td className="num">{formatMoney(c.amount, 2)}</td>
                    <td>{c.source === "import" ? "Imported" : "Entered"}</td>
                    {canManage ? (
                      <td className="table__actions">
                        <Form method="post">
                          <input type="hidden" name="costId" value={c.id} />
                          <SubmitButton intent="delete" variant="ghost" size="sm" pendingLabel="Removing…" aria-label={`Remove the cost of ${c.segmentName ?? c.customerExternalId}, ${c.periodStart} to ${c.periodEnd}`}>
                            Remove
                          </SubmitButton>
                        </Form>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
