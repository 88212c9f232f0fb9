import { useFetcher } from "@remix-run/react";
import { formatDate, formatDateMinute } from "~/lib/format";
import type { Role } from "~/lib/roles";
import { RegionChips } from "./member-row";
import { RoleBadge } from "./role-badge";
import { StatusBadge, type InviteStatus } from "./status-badge";
import { SubmitButton } from "./submit-button";

export interface InviteView {
  id: string;
  email: string;
  role: Role;
  regionIds: string[];
  invitedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
  status: InviteStatus;
}

/** A pending (or expired) invitation, with its Revoke button. */
export function InviteRow({ invite, regions }: { invite: InviteView; regions: { id: string; name: string }[] }) {
  const fetcher = useFetcher<{ ok: boolean; formError?: string | null }>();
  const error = fetcher.state === "idle" && fetcher.data && !fetcher.data.ok ? fetcher.data.formError : null;
  return (
    <tr>
      <td>
        <span className="person__name">{invite.email}</span>
        {error ? (
          <span className="field__error" role="alert">
            {error}
          </span>
        ) : null}
      </td>
      <td>
        <RoleBadge role={invite.role} />
      </td>
      <td>
        <RegionChips ids={invite.regionIds} regions={regions} role={invite.role} />
      </td>
      <td className="nowrap">
        <span className="cell-lines">
          <span>{invite.invitedBy ?? "A former member"}</span>
          <span className="muted small">{formatDate(invite.createdAt)}</span>
        </span>
      </td>
      <td className="nowrap">
        <span className="cell-lines">
          <StatusBadge status={invite.status} />
          <span className="muted small">
            {invite.status === "expired" ? "Expired" : "Expires"} {formatDateMinute(invite.expiresAt)}
          </span>
        </span>
      </td>
      <td className="table__actions">
        <fetcher.Form method="post">
          <input type="hidden" name="inviteId" value={invite.id} />
          <SubmitButton
            intent="revoke"
            variant="ghost"
            size="sm"
            className="button--danger-text"
            pending={fetcher.state !== "idle"}
            pendingLabel="Revoking…"
            aria-label={`Revoke the invitation for ${invite.email}`}
          >
            Revoke
          </SubmitButton>
        </fetcher.Form>
      </td>
    </tr>
  );
}
