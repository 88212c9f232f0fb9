import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { RfmSegmentsChart } from "~/components/charts/rfm-segments-chart";
import { ImportsTable } from "~/components/data/imports-table";
import { EmptyState } from "~/components/empty-state";
import { DataIcon, PlusIcon } from "~/components/icons";
import { StatCard } from "~/components/stat-card";
import { formatCount, formatDecimal, formatMoney, formatShare, isActive } from "~/lib/data";
import { loadOrFail } from "~/lib/errors.server";
import { formatDate } from "~/lib/format";
import { requirePermission } from "~/lib/session.server";
import { usePolling } from "~/lib/use-polling";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Data · Quorum" }];

const RECENT = 5;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "data:read");
  return loadOrFail(request, async () => {
    const [overview, imports] = await Promise.all([context.trpc.data.overview(), context.trpc.data.imports()]);
    return {
      overview,
      recentImports: imports.slice(0, RECENT),
      importCount: imports.length,
      canImport: me.permissions.includes("data:import"),
      canConfigure: me.permissions.includes("data:configure"),
    };
  });
}

function UploadLink({
  kind,
  label,
  primary,
}: {
  kind: "customers" | "transactions";
  label: string;
  primary?: boolean;
}) {
  return (
    <Link
      to={`/data/imports/new?kind=${kind}`}
      className={`button ${primary ? "button--primary" : "button--secondary"}`}
    >
      <PlusIcon width={16} height={16} />
      {label}
    </Link>
  );
}

type Preparation = ReturnType<typeof useLoaderData<typeof loader>>["overview"]["preparation"];

/** Which transactions RFM used: the usual preparation, step by step, with each rule's setting. */
function PreparationSteps({ preparation, canConfigure }: { preparation: Preparation; canConfigure: boolean }) {
  const { rules, dropped } = preparation;
  const steps = [
    { label: "no customer id", count: dropped.noCustomer, on: true },
    { label: "cancellations", count: dropped.cancelled, on: rules.dropCancellations },
    { label: "zero or negative amounts", count: dropped.nonPositive, on: rules.dropNonPositive },
  ];
  return (
    <div className="prep" aria-label="How transactions were prepared for RFM">
      <h3 className="section__title">Transactions used</h3>
      <ol className="prep__steps">
        <li className="prep__step">
          <span className="prep__count">{formatCount(preparation.rows)}</span>
          <span className="prep__label">imported</span>
        </li>
        {steps.map((step) => (
          <li key={step.label} className={`prep__step${step.on ? " prep__step--drop" : " prep__step--off"}`}>
            <span className="prep__count">{step.on ? `− ${formatCount(step.count)}` : "kept"}</span>
            <span className="prep__label">
              {step.label}
              {step.on ? "" : " (rule off)"}
            </span>
          </li>
        ))}
        <li className="prep__step prep__step--result">
          <span className="prep__count">{formatCount(preparation.used)}</span>
          <span className="prep__label">used for RFM</span>
        </li>
      </ol>
      {canConfigure ? (
        <p className="muted small">
          The two rules are <Link to="/data/settings">data settings</Link>.
        </p>
      ) : null}
    </div>
  );
}

export default function DataOverview() {
  const { overview, recentImports, importCount, canImport, canConfigure } = useLoaderData<typeof loader>();
  usePolling(recentImports.some((i) => isActive(i.status)));
  const segments = overview.rfmSegments;
  const revenue = segments.reduce((s, r) => s + Math.max(0, r.revenue), 0);

  if (!overview.customers && !overview.transactions && !importCount) {
    return (
      <EmptyState
        icon={DataIcon}
        title="No data imported yet"
        features={[
          "Customers: one row per customer with an id, and any attributes (tag them plain, PII or protected)",
          "Transactions: invoice, date, quantity and unit price per line, with the customer's id",
          "CSV with a header row, any delimiter, gzipped or not",
        ]}
        action={
          canImport ? (
            <div className="button-row">
              <UploadLink kind="customers" label="Upload customers" primary />
              <UploadLink kind="transactions" label="Upload transactions" />
            </div>
          ) : null
        }
      >
        {canImport
          ? "Start with your customer file, then add transactions: Quorum resolves duplicate customers, checks the data's quality and computes an RFM baseline segmentation from the transactions."
          : "Nobody has imported customers or transactions into this workspace yet. Owners, admins and analysts can import them."}
      </EmptyState>
    );
  }

  return (
    <div className="stack">
      <dl className="stat-grid">
        <StatCard
          label="Customers"
          value={formatCount(overview.customers)}
          to="/data/customers"
          hint={`${formatCount(overview.with_features)} with RFM features`}
        />
        <StatCard
          label="Transactions"
          value={formatCount(overview.transactions)}
          hint="Lines of invoices, as imported"
        />
        <StatCard
          label="Opted out"
          value={formatCount(overview.opted_out)}
          to="/data/customers?optedOut=yes"
          hint={overview.customers ? `${formatShare(overview.opted_out / overview.customers)} of customers` : undefined}
        />
        <StatCard
          label="Merged duplicates"
          value={formatCount(overview.merged)}
          to="/data/merges"
          hint="Same email or phone, folded into one customer"
        />
      </dl>

      <section className="card" aria-labelledby="rfm-title">
        <div className="card__header">
          <div>
            <h2 id="rfm-title" className="card__title">
              RFM baseline segmentation
            </h2>
            <p className="card__subtitle">
              {overview.referenceDate
                ? `Recency measured from ${formatDate(
                    overview.referenceDate
                  )}, the day after the last invoice. Scores 1–5 by quintile of recency, frequency (invoices) and monetary value.`
                : "Each customer's recency, frequency and monetary value, scored 1–5 by quintile and named by segment."}
            </p>
          </div>
        </div>
        {segments.length ? (
          <>
            <RfmSegmentsChart
              rows={segments}
              title={`Share of customers and of revenue per RFM segment, ${formatCount(
                overview.with_features
              )} customers`}
            />
            <PreparationSteps preparation={overview.preparation} canConfigure={canConfigure} />
            <div className="table-wrap table-wrap--inset">
              <table className="table table--compact">
                <thead>
                  <tr>
                    <th scope="col">Segment</th>
                    <th scope="col" className="num">
                      Customers
                    </th>
                    <th scope="col" className="num">
                      Avg recency (days)
                    </th>
                    <th scope="col" className="num">
                      Avg invoices
                    </th>
                    <th scope="col" className="num">
                      Avg spend
                    </th>
                    <th scope="col" className="num">
                      Revenue
                    </th>
                    <th scope="col" className="num">
                      Share
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {segments.map((s) => (
                    <tr key={s.segment}>
                      <td>
                        <Link to={`/data/customers?segment=${encodeURIComponent(s.segment)}`}>{s.segment}</Link>
                      </td>
                      <td className="num">{formatCount(s.customers)}</td>
                      <td className="num">{formatDecimal(s.recency)}</td>
                      <td className="num">{formatDecimal(s.frequency)}</td>
                      <td className="num">{formatMoney(s.monetary)}</td>
                      <td className="num">{formatMoney(s.revenue)}</td>
                      <td className="num">{revenue ? formatShare(Math.max(0, s.revenue) / revenue) : "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ) : (
          <div className="card-empty">
            <p className="muted">
              {overview.transactions
                ? "No customer has transactions with a customer id yet, so there is nothing to score."
                : "RFM needs transactions: import a transactions file with a customer id, invoice number, date, quantity and unit price per line."}
            </p>
            {canImport && !overview.transactions ? (
              <UploadLink kind="transactions" label="Upload transactions" />
            ) : null}
          </div>
        )}
      </section>

      <section className="card card--flush" aria-labelledby="recent-imports-title">
        <div className="card__header card__header--padded">
          <h2 id="recent-imports-title" className="card__title">
            Recent imports <span className="count">{importCount}</span>
          </h2>
          <Link to="/data/imports" className="text-link">
            All imports
          </Link>
        </div>
        {recentImports.length ? (
          <ImportsTable imports={recentImports} />
        ) : (
          <p className="card-empty muted">No files have been imported into this workspace yet.</p>
        )}
      </section>
    </div>
  );
}
