import { Link } from "@remix-run/react";
import type { Area } from "~/lib/areas";
import type { Action } from "~/lib/roles";
import { useMe } from "~/lib/use-me";
import { EmptyState } from "./empty-state";
import { PageHeader } from "./page-header";

/** An area that later work fills in: its header and an empty state saying what will be here. */
export function AreaPage({ area, action }: { area: Area; action?: { to: string; label: string; permission: Action } }) {
  const me = useMe();
  return (
    <>
      <PageHeader title={area.label} description={area.summary} />
      <EmptyState
        icon={area.icon}
        title={area.emptyTitle}
        features={area.features}
        action={
          action && me.can(action.permission) ? (
            <Link to={action.to} className="button button--secondary">
              {action.label}
            </Link>
          ) : null
        }
      >
        {area.emptyText}
      </EmptyState>
    </>
  );
}
