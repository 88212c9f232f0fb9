import { Link, NavLink } from "@remix-run/react";
import type { ReactNode } from "react";
import { visibleAreas } from "~/lib/areas";
import { HomeIcon, QuorumMark } from "./icons";
import { UserMenu } from "./user-menu";
import { WorkspaceSwitcher, type WorkspaceSummary } from "./workspace-switcher";

interface AppShellProps {
  user: { name: string; email: string };
  workspace: WorkspaceSummary;
  workspaces: WorkspaceSummary[];
  permissions: readonly string[];
  children: ReactNode;
}

function navClass({ isActive }: { isActive: boolean }) {
  return `nav__link${isActive ? " nav__link--active" : ""}`;
}

/** Sidebar with the areas this role may see, a top bar with the workspace and the user. */
export function AppShell({ user, workspace, workspaces, permissions, children }: AppShellProps) {
  const areas = visibleAreas(permissions);
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <aside className="sidebar">
        <Link to="/" className="sidebar__brand">
          <QuorumMark />
          <span>Quorum</span>
        </Link>
        <nav className="nav" aria-label="Main">
          <ul>
            <li>
              <NavLink to="/" end className={navClass}>
                <HomeIcon />
                <span>Overview</span>
              </NavLink>
            </li>
            {areas.map((area) => (
              <li key={area.path}>
                <NavLink to={area.path} className={navClass} prefetch="intent">
                  <area.icon />
                  <span>{area.label}</span>
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <p className="sidebar__footer">Signed in as {user.email}</p>
      </aside>
      <div className="shell__main">
        <header className="topbar">
          <WorkspaceSwitcher current={workspace} workspaces={workspaces} />
          <UserMenu user={user} role={workspace.role} />
        </header>
        <main id="main" className="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
