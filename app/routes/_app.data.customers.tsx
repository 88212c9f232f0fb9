import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useFetcher, useLoaderData } from "@remix-run/react";
import { useEffect, useState } from "react";
import { RFM_SEGMENTS } from "../../server/analytics/rfm";
import { EmptyState } from "~/components/empty-state";
import { SelectField, TextField } from "~/components/form-field";
import { DataIcon, SearchIcon } from "~/components/icons";
import { Notice } from "~/components/notice";
import { formatCount, formatMoney, SENSITIVITY_LABELS, type Sensitivity } from "~/lib/data";
import { loadOrFail } from "~/lib/errors.server";
import { ROLE_LABELS } from "~/lib/roles";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Customers · Data · Quorum" }];

const PAGE_SIZE = 50;
const MAX_ATTRIBUTE_COLUMNS = 6;

function filterOf(params: URLSearchParams) {
  const optedOut = params.get("optedOut");
  return {
    q: params.get("q")?.trim() ?? "",
    segment: params.get("segment")?.trim() ?? "",
    optedOut: optedOut === "yes" || optedOut === "no" ? optedOut : "",
  };
}

type Filter = ReturnType<typeof filterOf>;

function filterSearch(filter: Filter, after?: string) {
  const params = new URLSearchParams();
  if (filter.q) params.set("q", filter.q);
  if (filter.segment) params.set("segment", filter.segment);
  if (filter.optedOut) params.set("optedOut", filter.optedOut);
  if (after) params.set("after", after);
  return params.toString();
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "data:read");
  const params = new URL(request.url).searchParams;
  const filter = filterOf(params);
  const after = params.get("after") ?? undefined;
  const page = await loadOrFail(request, () =>
    context.trpc.data.customers({
      search: filter.q || undefined,
      segment: filter.segment || undefined,
      optedOut: filter.optedOut ? filter.optedOut === "yes" : undefined,
      afterExternalId: after,
      limit: PAGE_SIZE,
    })
  );
  return { page, filter, after: after ?? null, segments: [...RFM_SEGMENTS], role: me.workspace.role };
}

type Page = ReturnType<typeof useLoaderData<typeof loader>>["page"];
type Customer = Page["customers"][number];

function Scores({ features }: { features: Customer["features"] }) {
  if (!features)
    return (
      <span className="muted" title="No transactions with this customer id yet">
        —
      </span>
    );
  return (
    <span className="rfm-scores" aria-label={`R ${features.r}, F ${features.f}, M ${features.m}`}>
      <span className={`rfm-score rfm-score--${features.r}`} title="Recency score">
        R{features.r}
      </span>
      <span className={`rfm-score rfm-score--${features.f}`} title="Frequency score">
        F{features.f}
      </span>
      <span className={`rfm-score rfm-score--${features.m}`} title="Monetary score">
        M{features.m}
      </span>
    </span>
  );
}

function attributeText(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return String(value);
}

interface Columns {
  contact: boolean;
  region: boolean;
  /** RFM scores, segment, recency, invoices and spend. */
  features: boolean;
  attributes: Page["attributes"];
}

function hasValue(value: unknown): boolean {
  return value !== null && value !== undefined && value !== "";
}

/** The columns worth showing for these customers: those with at least one value. */
function visibleColumns(customers: Customer[], attributes: Page["attributes"]): Columns {
  return {
    contact: customers.some((c) => c.name || c.email || c.phone),
    region: customers.some((c) => c.region),
    features: customers.some((c) => c.features),
    attributes: attributes.filter((a) => customers.some((c) => hasValue(c.attributes[a.key]))),
  };
}

function CustomerRows({ customers, columns }: { customers: Customer[]; columns: Columns }) {
  return (
    <>
      {customers.map((c) => (
        <tr key={c.id}>
          <th scope="row" className="customer__id">
            <span className="cell-lines">
              <span className="mono">{c.externalId}</span>
              {c.mergedCount ? (
                <span className="muted small">
                  +{c.mergedCount} merged {c.mergedCount === 1 ? "record" : "records"}
                </span>
              ) : null}
            </span>
          </th>
          {columns.contact ? (
            <td>
              <span className="cell-lines">
                <span>{c.name ?? <span className="muted">—</span>}</span>
                {c.email ? <span className="muted small">{c.email}</span> : null}
                {c.phone ? <span className="muted small">{c.phone}</span> : null}
              </span>
            </td>
          ) : null}
          {columns.region ? <td>{c.region ?? <span className="muted">—</span>}</td> : null}
          {columns.features ? (
            <>
              <td>
                <Scores features={c.features} />
              </td>
              <td className="nowrap">
                {c.features?.segment ? (
                  <span className="chip">{c.features.segment}</span>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td className="num">{c.features ? formatCount(c.features.recencyDays) : "—"}</td>
              <td className="num">{c.features ? formatCount(c.features.frequency) : "—"}</td>
              <td className="num">{c.features ? formatMoney(c.features.monetary) : "—"}</td>
            </>
          ) : null}
          {columns.attributes.map((a) => (
            <td key={a.key} className="nowrap">
              {attributeText(c.attributes[a.key])}
            </td>
          ))}
          <td>{c.optedOut ? <span className="badge badge--import-cancelled">Opted out</span> : null}</td>
        </tr>
      ))}
    </>
  );
}

/** The customers shown so far; "Load more" appends the next page (a plain link without JavaScript). */
function CustomerTable({ initial, filter }: { initial: Page; filter: Filter }) {
  const fetcher = useFetcher<typeof loader>();
  const [customers, setCustomers] = useState(initial.customers);
  const [next, setNext] = useState(initial.nextAfter);

  useEffect(() => {
    const data = fetcher.data;
    if (fetcher.state !== "idle" || !data) return;
    setCustomers((shown) => {
      const seen = new Set(shown.map((c) => c.id));
      return [...shown, ...data.page.customers.filter((c) => !seen.has(c.id))];
    });
    setNext(data.page.nextAfter);
  }, [fetcher.state, fetcher.data]);

  const moreHref = next ? `/data/customers?${filterSearch(filter, next)}` : null;
  const filled = visibleColumns(customers, initial.attributes);
  const columns = { ...filled, attributes: filled.attributes.slice(0, MAX_ATTRIBUTE_COLUMNS) };
  const someHidden =
    !filled.contact || !filled.region || !filled.features || filled.attributes.length < initial.attributes.length;
  const capped = filled.attributes.length - columns.attributes.length;
  return (
    <>
      <div className="table-wrap">
        <table className="table table--compact customers-table">
          <thead>
            <tr>
              <th scope="col">Customer id</th>
              {columns.contact ? <th scope="col">Name and contact</th> : null}
              {columns.region ? <th scope="col">Region</th> : null}
              {columns.features ? (
                <>
                  <th scope="col">RFM</th>
                  <th scope="col">Segment</th>
                  <th scope="col" className="num">
                    Recency (days)
                  </th>
                  <th scope="col" className="num">
                    Invoices
                  </th>
                  <th scope="col" className="num">
                    Spend
                  </th>
                </>
              ) : null}
              {columns.attributes.map((a) => (
                <th key={a.key} scope="col" title={SENSITIVITY_LABELS[a.sensitivity as Sensitivity]?.description}>
                  {a.label}
                  {a.sensitivity !== "plain" ? (
                    <span className={`tag tag--${a.sensitivity}`}>
                      {SENSITIVITY_LABELS[a.sensitivity as Sensitivity]?.label ?? a.sensitivity}
                    </span>
                  ) : null}
                </th>
              ))}
              <th scope="col">
                <span className="visually-hidden">Consent</span>
              </th>
            </tr>
          </thead>
          <tbody>
            <CustomerRows customers={customers} columns={columns} />
          </tbody>
        </table>
      </div>
      <div className="table-footer">
        <span className="muted small">
          Showing {formatCount(customers.length)} {customers.length === 1 ? "customer" : "customers"}, by customer id
          {moreHref ? "" : " (all of them)"}.{someHidden ? " Columns without values here are hidden." : ""}
          {capped ? ` ${capped} more ${capped === 1 ? "attribute is" : "attributes are"} not shown.` : ""}
        </span>
        {moreHref ? (
          <Link
            to={moreHref}
            className="button button--secondary button--sm"
            aria-disabled={fetcher.state !== "idle" || undefined}
            onClick={(event) => {
              event.preventDefault();
              if (fetcher.state === "idle") fetcher.load(moreHref);
            }}
          >
            {fetcher.state !== "idle" ? "Loading…" : "Load more"}
          </Link>
        ) : null}
      </div>
    </>
  );
}

export default function Customers() {
  const { page, filter, after, segments, role } = useLoaderData<typeof loader>();
  const filtered = Boolean(filter.q || filter.segment || filter.optedOut);
  const listKey = `${filterSearch(filter, after ?? undefined)}#${page.customers[0]?.id ?? ""}`;
  return (
    <div className="stack">
      {!page.piiVisible ? (
        <Notice tone="info" title="Personal data is hidden for your role">
          As {ROLE_LABELS[role].label.toLowerCase()}, you see names, emails, phones and PII or protected attributes as
          “•••”, and search by customer id only. Owners, admins and analysts see them.
        </Notice>
      ) : null}

      <section className="card filter-card" aria-labelledby="customer-filter-title">
        <h2 id="customer-filter-title" className="visually-hidden">
          Filter customers
        </h2>
        <Form method="get" className="filter-form" key={filterSearch(filter)}>
          <TextField
            label="Search"
            name="q"
            type="search"
            placeholder={page.piiVisible ? "id, name or email" : "customer id"}
            defaultValue={filter.q}
          />
          <SelectField label="RFM segment" name="segment" defaultValue={filter.segment}>
            <option value="">All segments</option>
            {segments.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </SelectField>
          <SelectField label="Consent" name="optedOut" defaultValue={filter.optedOut}>
            <option value="">Everyone</option>
            <option value="no">Not opted out</option>
            <option value="yes">Opted out</option>
          </SelectField>
          <div className="filter-form__actions">
            <button type="submit" className="button button--primary">
              <SearchIcon width={16} height={16} />
              Apply
            </button>
            {filtered || after ? (
              <Link to="/data/customers" className="button button--ghost">
                Clear
              </Link>
            ) : null}
          </div>
        </Form>
      </section>

      <section className="card card--flush" aria-label="Customers">
        {page.customers.length ? (
          <CustomerTable key={listKey} initial={page} filter={filter} />
        ) : (
          <EmptyState
            icon={filtered ? SearchIcon : DataIcon}
            title={filtered ? "No customers match this filter" : "No customers yet"}
          >
            {filtered
              ? page.piiVisible
                ? "Try another search or segment, or clear the filter."
                : "Search matches customer ids only for your role. Try another id or segment, or clear the filter."
              : "Customers appear here once a customers or transactions file has been imported."}
          </EmptyState>
        )}
      </section>
    </div>
  );
}
