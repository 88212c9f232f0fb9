import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, NavLink, Outlet, useLocation } from "@remix-run/react";
import styles from "~/components/campaigns/campaigns.css?url";
import { PlusIcon } from "~/components/icons";
import { PageHeader } from "~/components/page-header";
import { requirePermission } from "~/lib/session.server";
import { useMe } from "~/lib/use-me";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: "Campaigns · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, "dashboard:read");
  return null;
}

function tabClass({ isActive }: { isActive: boolean }) {
  return `tabs__link${isActive ? " tabs__link--active" : ""}`;
}

export default function Campaigns() {
  const me = useMe();
  const location = useLocation();
  const creating = location.pathname === "/campaigns/new";
  return (
    <>
      <PageHeader
        title="Campaigns"
        description={
          me.can("campaign:manage")
            ? "Run campaigns on a segment with a holdout group, read their lift and ROI, compare attribution rules and weigh each segment's revenue against its cost to serve."
            : "Campaigns on the workspace's segments with their holdout experiments, lift, ROI, attribution and cost to serve. Owners, admins and analysts run campaigns."
        }
        actions={
          me.can("campaign:manage") && !creating ? (
            <Link to="/campaigns/new" className="button button--primary">
              <PlusIcon width={16} height={16} />
              New campaign
            </Link>
          ) : null
        }
      />
      <nav className="tabs tabs--scroll" aria-label="Campaigns">
        <NavLink to="/campaigns" end className={tabClass}>
          Campaigns
        </NavLink>
        <NavLink to="/campaigns/roi" className={tabClass}>
          ROI by segment
        </NavLink>
        <NavLink to="/campaigns/attribution" className={tabClass}>
          Attribution
        </NavLink>
        <NavLink to="/campaigns/costs" className={tabClass}>
          Cost to serve
        </NavLink>
      </nav>
      <Outlet />
    </>
  );
}
