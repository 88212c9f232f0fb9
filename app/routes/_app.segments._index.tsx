import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { PlusIcon, SegmentsIcon, SettingsIcon } from "~/components/icons";
import { PageHeader } from "~/components/page-header";
import { PriorityList } from "~/components/segments/priority-list";
import { openProposals, ProposalsInbox } from "~/components/segments/proposals-inbox";
import { SegmentsTable } from "~/components/segments/segments-table";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { plural } from "~/lib/format";
import { requirePermission } from "~/lib/session.server";
import { parseOrder } from "~/lib/segments";
import { useMe } from "~/lib/use-me";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Segments · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, "segment:read");
  return loadOrFail(request, async () => {
    const [list, proposals] = await Promise.all([context.trpc.segments.list(), context.trpc.segments.proposals({})]);
    return { ...list, proposals: openProposals(proposals) };
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  if (field(form, "intent") !== "reorder") {
    return { ok: false as const, formError: "Unknown action. Reload the page and try again." };
  }
  const order = parseOrder(field(form, "order"));
  if (!order) return { ok: false as const, formError: "The order could not be read. Reload the page and try again." };
  try {
    await context.trpc.segments.reorder({ order });
    return { ok: true as const, formError: null };
  } catch (error) {
    return { ok: false as const, formError: formFailure(error, request).formError ?? "The order could not be saved." };
  }
}

export default function Segments() {
  const { segments, assignment, proposals } = useLoaderData<typeof loader>();
  const me = useMe();
  const [params] = useSearchParams();
  const showNotAdopted = params.get("notAdopted") === "show";
  const notAdopted = segments.filter((s) => s.status === "not adopted");
  const listed = showNotAdopted ? segments : segments.filter((s) => s.status !== "not adopted");
  const exclusive = assignment === "exclusive";
  const canPropose = me.can("segment:propose");

  return (
    <>
      <PageHeader
        title="Segments"
        description={
          canPropose
            ? "Who your customers are, as the committee agreed it: every segment's published definition, the proposals under review and their history. Propose a new segment or a change; the committee approves it."
            : "Every segment's published definition, the proposals under review and their history. You can read them; members who propose or approve segments change them."
        }
        actions={
          <>
            {me.can("segment:configure") ? (
              <Link to="/segments/settings" className="button button--secondary">
                <SettingsIcon width={16} height={16} />
                Settings
              </Link>
            ) : null}
            {canPropose ? (
              <Link to="/segments/new" className="button button--primary">
                <PlusIcon width={16} height={16} />
                New segment
              </Link>
            ) : null}
          </>
        }
      />

      {segments.length === 0 ? (
        <EmptyState
          icon={SegmentsIcon}
          title="No segments yet"
          features={[
            "A rule tree over RFM scores, purchase features, region and your own attributes",
            "Proposed by anyone who builds segments, with its size and overlap shown before submitting",
            "Approved by the committee, then published with its members; every version is kept",
          ]}
          action={
            canPropose ? (
              <Link to="/segments/new" className="button button--primary">
                <PlusIcon width={16} height={16} />
                Create the first segment
              </Link>
            ) : null
          }
        >
          A segment is a named group of customers — such as “Loyal big spenders” — defined by rules everyone can read.
          {canPropose
            ? " Start one: you describe it, build its rules with colleagues live, and submit it to the committee."
            : " Members who build segments propose them here and the committee approves them."}
        </EmptyState>
      ) : (
        <>
          <section className="card card--flush" aria-labelledby="inbox-title">
            <div className="card__header card__header--padded">
              <div>
                <h2 id="inbox-title" className="card__title">
                  Open proposals <span className="count">{proposals.length}</span>
                </h2>
                <p className="card__subtitle">Submitted proposals wait for the committee; drafts are still being written.</p>
              </div>
            </div>
            <ProposalsInbox proposals={proposals} emptyText="No proposal is open. New segments and changes appear here while they are drafted and reviewed." />
          </section>

          <section className="card card--flush" aria-labelledby="segments-title">
            <div className="card__header card__header--padded">
              <div>
                <h2 id="segments-title" className="card__title">
                  All segments <span className="count">{listed.length}</span>
                </h2>
                <p className="card__subtitle">
                  {exclusive
                    ? "Exclusive assignment: each customer belongs to the first matching segment in priority order; “Assigned” is how many each one keeps."
                    : "Overlapping segments: a customer belongs to every segment whose rules they match."}
                </p>
              </div>
              {notAdopted.length ? (
                <Link
                  to={showNotAdopted ? "/segments" : "/segments?notAdopted=show"}
                  className="button button--ghost button--sm"
                  preventScrollReset
                  replace
                >
                  {showNotAdopted
                    ? `Hide ${plural(notAdopted.length, "not adopted segment", "not adopted segments")}`
                    : `Show ${plural(notAdopted.length, "not adopted segment", "not adopted segments")}`}
                </Link>
              ) : null}
            </div>
            {listed.length ? (
              <SegmentsTable segments={listed} exclusive={exclusive} />
            ) : (
              <p className="card-empty muted">Every segment so far was not adopted. Show them above, or propose a new one.</p>
            )}
          </section>

          {me.can("segment:configure") && segments.length > 1 ? (
            <PriorityList segments={segments} exclusive={exclusive} />
          ) : null}
        </>
      )}
    </>
  );
}
