import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { CopyField } from "~/components/copy-field";
import { EmptyState } from "~/components/empty-state";
import { MailIcon } from "~/components/icons";
import { InviteForm } from "~/components/invite-form";
import { InviteRow } from "~/components/invite-row";
import { MemberRow } from "~/components/member-row";
import { Notice } from "~/components/notice";
import { RoleBadge } from "~/components/role-badge";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { formatDateMinute, plural } from "~/lib/format";
import { allStrings, collapseFieldErrors } from "~/lib/form-values";
import { isRole } from "~/lib/roles";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Members · Settings · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "member:read");
  const canManage = me.permissions.includes("member:manage");
  return loadOrFail(request, async () => {
    const [members, regions, invites] = await Promise.all([
      context.trpc.members.list(),
      context.trpc.regions.list(),
      canManage ? context.trpc.invites.list() : Promise.resolve([]),
    ]);
    return { members, regions, invites, canManage, myRole: me.workspace.role, myUserId: me.user.id };
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const intent = field(form, "intent");
  const regionIds = allStrings(form, "regionIds");
  if (intent === "invite") {
    const values = { email: field(form, "email"), role: field(form, "role"), regionIds };
    try {
      const role = values.role;
      const invite = await context.trpc.invites.create({
        email: values.email,
        role: isRole(role) ? role : "viewer",
        regionIds,
      });
      const link = `${new URL(request.url).origin}/invite/${encodeURIComponent(invite.token)}`;
      return {
        intent,
        ok: true as const,
        created: { link, email: invite.email, role: invite.role, expiresAt: invite.expiresAt },
      };
    } catch (error) {
      const failure = formFailure(error, request);
      return { intent, ok: false as const, ...failure, fieldErrors: collapseFieldErrors(failure.fieldErrors), values };
    }
  }
  try {
    if (intent === "update") {
      const role = field(form, "role");
      if (!isRole(role))
        return { intent, ok: false as const, formError: "Choose a role.", fieldErrors: { role: "Choose a role." } };
      await context.trpc.members.update({ userId: field(form, "userId"), role, regionIds });
    } else if (intent === "remove") {
      await context.trpc.members.remove({ userId: field(form, "userId") });
    } else if (intent === "revoke") {
      await context.trpc.invites.revoke({ inviteId: field(form, "inviteId") });
    } else {
      return {
        intent,
        ok: false as const,
        formError: "Unknown action. Reload the page and try again.",
        fieldErrors: {},
      };
    }
    return { intent, ok: true as const };
  } catch (error) {
    const failure = formFailure(error, request);
    return { intent, ok: false as const, ...failure, fieldErrors: collapseFieldErrors(failure.fieldErrors) };
  }
}

export default function Members() {
  const { members, regions, invites, canManage, myRole, myUserId } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const created = result?.created ?? null;
  const failure = result && result.intent === "invite" && !result.ok && "values" in result ? result : undefined;
  const memberColumns = canManage ? 5 : 4;

  return (
    <div className="stack">
      {canManage ? (
        <section className="card" aria-labelledby="invite-title">
          <div className="card__header">
            <div>
              <h2 id="invite-title" className="card__title">
                Invite someone
              </h2>
              <p className="card__subtitle">
                Quorum sends no email: you get a link to pass on. It works once, for that address only.
              </p>
            </div>
          </div>
          {created ? (
            <div className="invite-created">
              <Notice tone="success" title={`Invitation created for ${created.email}`}>
                They join as <RoleBadge role={created.role} />. Copy the link now: it is shown only once, and expires on{" "}
                {formatDateMinute(created.expiresAt)}.
              </Notice>
              <CopyField label={`Invitation link for ${created.email}`} value={created.link} />
            </div>
          ) : null}
          <InviteForm key={created?.link ?? "invite"} regions={regions} myRole={myRole} failure={failure} />
        </section>
      ) : null}

      <section className="card card--flush" aria-labelledby="members-title">
        <div className="card__header card__header--padded">
          <h2 id="members-title" className="card__title">
            Members <span className="count">{members.length}</span>
          </h2>
        </div>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Role</th>
                <th scope="col">Regions</th>
                <th scope="col">Joined</th>
                {canManage ? (
                  <th scope="col" className="table__actions">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <MemberRow
                  key={m.userId}
                  member={m}
                  regions={regions}
                  isSelf={m.userId === myUserId}
                  canManage={canManage}
                  myRole={myRole}
                  columns={memberColumns}
                />
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {canManage ? (
        <section className="card card--flush" aria-labelledby="invites-title">
          <div className="card__header card__header--padded">
            <h2 id="invites-title" className="card__title">
              Pending invitations <span className="count">{invites.length}</span>
            </h2>
          </div>
          {invites.length ? (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Regions</th>
                    <th scope="col">Invited by</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="table__actions">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {invites.map((i) => (
                    <InviteRow key={i.id} invite={i} regions={regions} />
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <EmptyState icon={MailIcon} title="No pending invitations">
              Invitations you create appear here until they are accepted, so you can see who has not joined yet and
              revoke a link you no longer want used.
            </EmptyState>
          )}
        </section>
      ) : (
        <p className="muted small">
          {plural(members.length, "member", "members")}. Owners and admins invite people and change roles.
        </p>
      )}
    </div>
  );
}
