import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, NavLink, Outlet, useLocation } from "@remix-run/react";
import { PlusIcon } from "~/components/icons";
import { PageHeader } from "~/components/page-header";
import { requirePermission } from "~/lib/session.server";
import { useMe } from "~/lib/use-me";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Data · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, "data:read");
  return null;
}

function tabClass({ isActive }: { isActive: boolean }) {
  return `tabs__link${isActive ? " tabs__link--active" : ""}`;
}

export default function Data() {
  const me = useMe();
  const location = useLocation();
  const uploading = location.pathname === "/data/imports/new";
  return (
    <>
      <PageHeader
        title="Data"
        description={
          me.can("data:import")
            ? "Import customers and transactions, check their quality, and see the RFM baseline computed from them."
            : "The customers and transactions imported into this workspace, their quality and the RFM baseline. Owners, admins and analysts import data."
        }
        actions={
          me.can("data:import") && !uploading ? (
            <Link to="/data/imports/new" className="button button--primary">
              <PlusIcon width={16} height={16} />
              Upload a file
            </Link>
          ) : null
        }
      />
      <nav className="tabs tabs--scroll" aria-label="Data">
        <NavLink to="/data" end className={tabClass}>
          Overview
        </NavLink>
        <NavLink to="/data/imports" className={tabClass}>
          Imports
        </NavLink>
        <NavLink to="/data/customers" className={tabClass}>
          Customers
        </NavLink>
        <NavLink to="/data/merges" className={tabClass}>
          Merged duplicates
        </NavLink>
        <NavLink to="/data/settings" className={tabClass}>
          Settings
        </NavLink>
      </nav>
      <Outlet />
    </>
  );
}
