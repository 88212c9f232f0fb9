import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useLocation, useSubmit } from "@remix-run/react";
import { useEffect, useState } from "react";
import { AuditChanges } from "~/components/audit-changes";
import { EmptyState } from "~/components/empty-state";
import { TextField } from "~/components/form-field";
import { AuditIcon, SearchIcon } from "~/components/icons";
import { Notice } from "~/components/notice";
import { PageHeader } from "~/components/page-header";
import { SubmitButton } from "~/components/submit-button";
import { filterSearch, parseAuditFilter } from "~/lib/audit-filter";
import { formFailure, loadOrFail } from "~/lib/errors.server";
import { formatDate, formatTime, plural } from "~/lib/format";
import { requirePermission } from "~/lib/session.server";
import { DownloadButton } from "~/components/download-button";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Audit log · Quorum" }];

const PAGE_SIZE = 50;

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, "audit:read");
  const params = new URL(request.url).searchParams;
  const filter = parseAuditFilter(params);
  const beforeSeq = Number(params.get("beforeSeq"));
  const validBefore = Number.isInteger(beforeSeq) && beforeSeq > 0 ? beforeSeq : undefined;
  const hasErrors = Object.keys(filter.errors).length > 0;
  return loadOrFail(request, async () => {
    const [page, actions, regions, members] = await Promise.all([
      hasErrors
        ? Promise.resolve({ entries: [], nextBeforeSeq: null })
        : context.trpc.audit.list({ ...filter.query, beforeSeq: validBefore, limit: PAGE_SIZE }),
      context.trpc.audit.actions(),
      context.trpc.regions.list(),
      context.trpc.members.list(),
    ]);
    return {
      entries: page.entries,
      nextBeforeSeq: page.nextBeforeSeq,
      beforeSeq: validBefore ?? null,
      filter: filter.values,
      query: filter.query,
      errors: filter.errors,
      actions,
      objectTypes: [...new Set(actions.map((a) => a.split(".")[0]))],
      actors: members.map((m) => m.email),
      regionNames: Object.fromEntries(regions.map((r) => [r.id, r.name])),
    };
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  try {
    return { verdict: await context.trpc.audit.verify(), formError: null };
  } catch (error) {
    return { verdict: null, formError: formFailure(error, request).formError };
  }
}

type Entry = ReturnType<typeof useLoaderData<typeof loader>>["entries"][number];

function VerifyResult({
  verdict,
}: {
  verdict: NonNullable<ReturnType<typeof useActionData<typeof action>>>["verdict"];
}) {
  if (!verdict) return null;
  if (verdict.intact) {
    return (
      <Notice tone="success" title="The audit log is intact">
        All {plural(verdict.entries, "entry", "entries")} verified: each one links to the one before it and none was
        changed after it was written. Latest hash <code className="code-pill">{verdict.lastHash.slice(0, 16)}…</code>
      </Notice>
    );
  }
  return (
    <Notice tone="error" title={`The chain is broken at entry #${verdict.brokenAtSeq}`}>
      {verdict.reason.charAt(0).toUpperCase() + verdict.reason.slice(1)}.{" "}
      {verdict.entries > 0 ? `Entries #1–#${verdict.entries} are intact; ` : ""}
      entry #{verdict.brokenAtSeq} and everything after it cannot be trusted.{" "}
      <Link to={`/audit?beforeSeq=${verdict.brokenAtSeq + 1}#entry-${verdict.brokenAtSeq}`}>
        Show entry #{verdict.brokenAtSeq}
      </Link>
    </Notice>
  );
}

function AuditTable({
  entries,
  regionNames,
  highlightSeq,
}: {
  entries: Entry[];
  regionNames: Record<string, string>;
  highlightSeq: number | null;
}) {
  return (
    <div className="table-wrap">
      <table className="table table--audit">
        <thead>
          <tr>
            <th scope="col" className="num">
              #
            </th>
            <th scope="col">When</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Object</th>
            <th scope="col">Changes</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.seq} id={`entry-${e.seq}`} className={highlightSeq === e.seq ? "table__row--broken" : undefined}>
              <td className="num muted">{e.seq}</td>
              <td className="nowrap">
                <time dateTime={new Date(e.at).toISOString()} className="cell-lines">
                  <span>{formatDate(e.at)}</span>
                  <span className="muted small">{formatTime(e.at)}</span>
                </time>
              </td>
              <td className="table__actor">{e.actorLabel}</td>
              <td>
                <code className="code-pill">{e.action}</code>
              </td>
              <td>
                <span className="cell-lines">
                  <span>{e.objectType}</span>
                  {e.objectId ? (
                    <Link
                      to={`/audit?${filterSearch({ objectType: e.objectType, objectId: e.objectId })}`}
                      className="mono small muted"
                      title="Show every entry about this object"
                    >
                      {e.objectId.length > 13 ? `${e.objectId.slice(0, 8)}…` : e.objectId}
                    </Link>
                  ) : null}
                </span>
              </td>
              <td>
                <AuditChanges changes={e.changes} regionNames={regionNames} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The entries shown so far; "Load older" appends the next page (a plain link without JavaScript). */
function AuditEntries({
  initial,
  next,
  filter,
  regionNames,
  highlightSeq,
}: {
  initial: Entry[];
  next: number | null;
  filter: Record<string, string | undefined>;
  regionNames: Record<string, string>;
  highlightSeq: number | null;
}) {
  const fetcher = useFetcher<typeof loader>();
  const [entries, setEntries] = useState(initial);
  const [nextBefore, setNextBefore] = useState(next);

  useEffect(() => {
    const page = fetcher.data;
    if (fetcher.state !== "idle" || !page) return;
    setEntries((shown) => {
      const seen = new Set(shown.map((e) => e.seq));
      return [...shown, ...page.entries.filter((e) => !seen.has(e.seq))];
    });
    setNextBefore(page.nextBeforeSeq);
  }, [fetcher.state, fetcher.data]);

  const olderHref = nextBefore ? `/audit?${filterSearch(filter, { beforeSeq: nextBefore })}` : null;
  return (
    <>
      <AuditTable entries={entries} regionNames={regionNames} highlightSeq={highlightSeq} />
      <div className="table-footer">
        <span className="muted small">
          Showing {plural(entries.length, "entry", "entries")}
          {entries.length ? ` (#${entries[0].seq} to #${entries[entries.length - 1].seq})` : ""}
          {olderHref ? "" : " — there are no older entries."}
        </span>
        {olderHref ? (
          <Link
            to={olderHref}
            className="button button--secondary button--sm"
            aria-disabled={fetcher.state !== "idle" || undefined}
            onClick={(event) => {
              event.preventDefault();
              if (fetcher.state === "idle") fetcher.load(olderHref);
            }}
          >
            {fetcher.state !== "idle" ? "Loading…" : "Load older"}
          </Link>
        ) : null}
      </div>
    </>
  );
}

export default function AuditLog() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const filterKey = filterSearch(data.filter, data.beforeSeq ? { beforeSeq: data.beforeSeq } : {});
  const listKey = `${filterKey}#${data.entries[0]?.seq ?? 0}`;
  const exportHref = `/audit/export.csv${filterSearch(data.query) ? `?${filterSearch(data.query)}` : ""}`;
  const filtered = Object.keys(data.filter).length > 0;
  const location = useLocation();
  // The hash is known only in the browser: read it after hydration so both renders agree.
  const [linkedSeq, setLinkedSeq] = useState<number | null>(null);
  useEffect(() => {
    const match = /^#entry-(\d+)$/.exec(location.hash);
    setLinkedSeq(match ? Number(match[1]) : null);
  }, [location.hash]);
  const highlightSeq = result?.verdict && !result.verdict.intact ? result.verdict.brokenAtSeq : linkedSeq;
  const submit = useSubmit();

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change in this workspace, newest first. Each entry is chained to the one before it by a hash, so any later edit shows."
        actions={
          <>
            <DownloadButton href={exportHref}>Export CSV</DownloadButton>
            <Form method="post">
              <SubmitButton intent="verify" pendingLabel="Verifying…">
                <AuditIcon width={16} height={16} />
                Verify integrity
              </SubmitButton>
            </Form>
          </>
        }
      />
      <div aria-live="polite">
        {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
        <VerifyResult verdict={result?.verdict ?? null} />
      </div>

      <section className="card filter-card" aria-labelledby="filter-title">
        <h2 id="filter-title" className="visually-hidden">
          Filter
        </h2>
        <Form
          method="get"
          className="filter-form"
          key={filterKey}
          onSubmit={(event) => {
            event.preventDefault();
            const params = new URLSearchParams();
            for (const [name, value] of new FormData(event.currentTarget)) {
              if (typeof value === "string" && value.trim()) params.set(name, value.trim());
            }
            submit(params, { method: "get" });
          }}
        >
          <TextField
            label="Actor"
            name="actor"
            list="audit-actors"
            placeholder="email contains…"
            defaultValue={data.filter.actor}
          />
          <TextField
            label="Action"
            name="action"
            list="audit-actions"
            placeholder="starts with, e.g. invite."
            defaultValue={data.filter.action}
          />
          <TextField
            label="Object type"
            name="objectType"
            list="audit-object-types"
            placeholder="e.g. member"
            defaultValue={data.filter.objectType}
          />
          <TextField label="Object ID" name="objectId" placeholder="exact id" defaultValue={data.filter.objectId} />
          <TextField
            label="From (UTC)"
            name="from"
            type="date"
            defaultValue={data.filter.from}
            error={data.errors.from}
          />
          <TextField label="To (UTC)" name="to" type="date" defaultValue={data.filter.to} error={data.errors.to} />
          <div className="filter-form__actions">
            <button type="submit" className="button button--primary">
              <SearchIcon width={16} height={16} />
              Apply
            </button>
            {filtered || data.beforeSeq ? (
              <Link to="/audit" className="button button--ghost">
                Clear
              </Link>
            ) : null}
          </div>
          <datalist id="audit-actors">
            {data.actors.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          <datalist id="audit-actions">
            {data.actions.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          <datalist id="audit-object-types">
            {data.objectTypes.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </Form>
      </section>

      {data.beforeSeq ? (
        <Notice tone="info">
          Showing entries before #{data.beforeSeq}.{" "}
          <Link to={`/audit?${filterSearch(data.filter)}`}>Back to the newest</Link>
        </Notice>
      ) : null}

      <section className="card card--flush" aria-label="Entries">
        {data.entries.length ? (
          <AuditEntries
            key={listKey}
            initial={data.entries}
            next={data.nextBeforeSeq}
            filter={data.filter}
            regionNames={data.regionNames}
            highlightSeq={highlightSeq}
          />
        ) : (
          <EmptyState icon={AuditIcon} title={filtered ? "No entries match this filter" : "No entries yet"}>
            {filtered
              ? "Try a wider date range or fewer filters."
              : "Every change made in this workspace — members, invitations, regions, segments — will be recorded here."}
          </EmptyState>
        )}
      </section>
    </>
  );
}
