import { Link, useFetcher } from "@remix-run/react";
import type { Role } from "~/lib/roles";
import { CheckIcon, ChevronDownIcon, PlusIcon } from "./icons";
import { Menu } from "./menu";
import { RoleBadge } from "./role-badge";

export interface WorkspaceSummary {
  tenantId: string;
  name: string;
  slug: string;
  role: Role;
}

function WorkspaceAvatar({ name }: { name: string }) {
  return (
    <span className="workspace-avatar" aria-hidden="true">
      {name.trim().charAt(0).toUpperCase()}
    </span>
  );
}

/** The active workspace; the menu lists the others (each a form that switches to it). */
export function WorkspaceSwitcher({
  current,
  workspaces,
}: {
  current: WorkspaceSummary;
  workspaces: WorkspaceSummary[];
}) {
  const fetcher = useFetcher<{ error: string }>();
  const error = fetcher.state === "idle" ? fetcher.data?.error : undefined;
  return (
    <Menu
      label={`Workspace: ${current.name}. Switch workspace`}
      className="workspace-switcher"
      summary={
        <>
          <WorkspaceAvatar name={current.name} />
          <span className="workspace-switcher__name">{current.name}</span>
          <ChevronDownIcon width={16} height={16} className="menu__chevron" />
        </>
      }
    >
      <p className="menu__heading">Your workspaces</p>
      {error ? (
        <p className="menu__error" role="alert">
          {error}
        </p>
      ) : null}
      <ul className="menu__list" aria-label="Your workspaces">
        {workspaces.map((w) => {
          const active = w.tenantId === current.tenantId;
          return (
            <li key={w.tenantId}>
              <fetcher.Form method="post" action="/workspace/switch">
                <input type="hidden" name="tenantId" value={w.tenantId} />
                <button
                  type="submit"
                  className="menu__item"
                  aria-current={active ? "true" : undefined}
                  disabled={active || fetcher.state !== "idle"}
                >
                  <WorkspaceAvatar name={w.name} />
                  <span className="menu__item-text">{w.name}</span>
                  <RoleBadge role={w.role} />
                  {active ? <CheckIcon width={16} height={16} className="menu__check" /> : null}
                </button>
              </fetcher.Form>
            </li>
          );
        })}
      </ul>
      <div className="menu__separator" />
      <Link to="/workspaces/new" className="menu__item">
        <PlusIcon width={16} height={16} />
        <span className="menu__item-text">Create a workspace</span>
      </Link>
    </Menu>
  );
}
