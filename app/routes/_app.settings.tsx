import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { PageHeader } from "~/components/page-header";
import { requirePermission } from "~/lib/session.server";
import { useMe } from "~/lib/use-me";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Settings · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, "member:read");
  return null;
}

function tabClass({ isActive }: { isActive: boolean }) {
  return `tabs__link${isActive ? " tabs__link--active" : ""}`;
}

export default function Settings() {
  const me = useMe();
  return (
    <>
      <PageHeader
        title="Settings"
        description={
          me.can("member:manage")
            ? `Who works in ${me.workspace.name}, with which role, and the regions your teams cover.`
            : `Who works in ${me.workspace.name} and the regions your teams cover. Only owners and admins can change them.`
        }
      />
      <nav className="tabs" aria-label="Settings">
        <NavLink to="/settings/members" className={tabClass}>
          Members
        </NavLink>
        <NavLink to="/settings/regions" className={tabClass}>
          Regions
        </NavLink>
        <NavLink to="/settings/workspace" className={tabClass}>
          Workspace
        </NavLink>
        {me.can("apikey:manage") ? (
          <NavLink to="/settings/api" className={tabClass}>
            API
          </NavLink>
        ) : null}
      </nav>
      <Outlet />
    </>
  );
}
