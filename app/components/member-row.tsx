import { useFetcher } from "@remix-run/react";
import { useEffect, useState, type KeyboardEvent } from "react";
import { formatDate, initials } from "~/lib/format";
import { assignableRoles, ROLE_LABELS, type Role } from "~/lib/roles";
import { CheckboxGroup, SelectField } from "./form-field";
import { Notice } from "./notice";
import { RoleBadge } from "./role-badge";
import { SubmitButton } from "./submit-button";
import { ConfirmActions } from "./confirm-actions";

export interface MemberView {
  userId: string;
  name: string;
  email: string;
  role: Role;
  regionIds: string[];
  joinedAt: Date;
}

interface RowResult {
  ok: boolean;
  formError?: string | null;
  fieldErrors?: Record<string, string>;
}

interface MemberRowProps {
  member: MemberView;
  regions: { id: string; name: string }[];
  isSelf: boolean;
  canManage: boolean;
  myRole: Role;
  columns: number;
}

export function RegionChips({
  ids,
  regions,
  role,
}: {
  ids: string[];
  regions: { id: string; name: string }[];
  role: Role;
}) {
  if (role !== "contributor") return <span className="muted">—</span>;
  if (!ids.length) return <span className="muted">All regions</span>;
  return (
    <span className="chips">
      {ids.map((id) => (
        <span key={id} className="chip">
          {regions.find((r) => r.id === id)?.name ?? "Deleted region"}
        </span>
      ))}
    </span>
  );
}

/** One member: who, role, regions; owners and admins can change the role or remove them. */
export function MemberRow({ member, regions, isSelf, canManage, myRole, columns }: MemberRowProps) {
  const fetcher = useFetcher<RowResult>();
  const [mode, setMode] = useState<"view" | "edit" | "remove">("view");
  const [role, setRole] = useState<Role>(member.role);
  const busy = fetcher.state !== "idle";
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  const protectedOwner = member.role === "owner" && myRole !== "owner";

  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) setMode("view");
  }, [fetcher.state, fetcher.data]);

  function closeOnEscape(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key === "Escape") setMode("view");
  }

  const locked = isSelf
    ? "You cannot change your own membership here; ask another admin."
    : protectedOwner
    ? "Only an owner can change an owner."
    : null;

  return (
    <>
      <tr>
        <td>
          <div className="person">
            <span className="avatar avatar--sm" aria-hidden="true">
              {initials(member.name)}
            </span>
            <span className="person__text">
              <span className="person__name">
                {member.name}
                {isSelf ? <span className="tag">You</span> : null}
              </span>
              <span className="person__email">{member.email}</span>
            </span>
          </div>
        </td>
        <td>
          <RoleBadge role={member.role} />
        </td>
        <td>
          <RegionChips ids={member.regionIds} regions={regions} role={member.role} />
        </td>
        <td className="nowrap">{formatDate(member.joinedAt)}</td>
        {canManage ? (
          <td className="table__actions">
            {locked ? (
              isSelf ? null : (
                <span className="muted small" title={locked}>
                  Owner only
                </span>
              )
            ) : (
              <>
                <button
                  type="button"
                  className="button button--ghost button--sm"
                  aria-expanded={mode === "edit"}
                  onClick={() => setMode(mode === "edit" ? "view" : "edit")}
                >
                  Edit<span className="visually-hidden"> {member.name}</span>
                </button>
                <button
                  type="button"
                  className="button button--ghost button--sm button--danger-text"
                  aria-expanded={mode === "remove"}
                  onClick={() => setMode(mode === "remove" ? "view" : "remove")}
                >
                  Remove<span className="visually-hidden"> {member.name}</span>
                </button>
              </>
            )}
          </td>
        ) : null}
      </tr>
      {mode === "edit" ? (
        <tr className="table__subrow">
          <td colSpan={columns}>
            <fetcher.Form
              method="post"
              className="inline-panel"
              onKeyDown={closeOnEscape}
              aria-label={`Change ${member.name}'s role`}
            >
              <input type="hidden" name="userId" value={member.userId} />
              {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
              <div className="inline-panel__fields">
                <SelectField
                  label="Role"
                  name="role"
                  autoFocus
                  value={role}
                  onChange={(e) => setRole(e.currentTarget.value as Role)}
                  description={ROLE_LABELS[role].description}
                  error={result?.fieldErrors?.role}
                >
                  {assignableRoles(myRole).map((r) => (
                    <option key={r} value={r}>
                      {ROLE_LABELS[r].label}
                    </option>
                  ))}
                </SelectField>
                {role === "contributor" ? (
                  <CheckboxGroup
                    name="regionIds"
                    legend="Regions"
                    options={regions.map((r) => ({ value: r.id, label: r.name }))}
                    defaultValues={member.regionIds}
                    description="Limit this contributor to these regions. None checked means all regions."
                    emptyText="This workspace has no regions yet; the contributor works on all of them."
                    error={result?.fieldErrors?.regionIds}
                  />
                ) : null}
              </div>
              <p className="small muted">
                A new role takes effect at once: {member.name} is signed out of this workspace and signs back in.
              </p>
              <div className="inline-panel__actions">
                <SubmitButton intent="update" pending={busy} size="sm" pendingLabel="Saving…">
                  Save changes
                </SubmitButton>
                <button type="button" className="button button--ghost button--sm" onClick={() => setMode("view")}>
                  Cancel
                </button>
              </div>
            </fetcher.Form>
          </td>
        </tr>
      ) : null}
      {mode === "remove" ? (
        <tr className="table__subrow">
          <td colSpan={columns}>
            <fetcher.Form
              method="post"
              className="inline-panel inline-panel--danger"
              onKeyDown={closeOnEscape}
              aria-label={`Remove ${member.name}`}
            >
              <input type="hidden" name="userId" value={member.userId} />
              {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
              <p>
                Remove <strong>{member.name}</strong> ({member.email}) from this workspace? They lose access at once;
                their past changes stay in the audit log.
              </p>
              <ConfirmActions intent="remove" label="Remove member" pendingLabel="Removing…" busy={busy} onCancel={() => setMode("view")} />
            </fetcher.Form>
          </td>
        </tr>
      ) : null}
    </>
  );
}
