import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CheckIcon, MailIcon, MapPinIcon } from "~/components/icons";
import { PageHeader } from "~/components/page-header";
import { RoleBadge } from "~/components/role-badge";
import { visibleAreas } from "~/lib/areas";
import { loadOrFail } from "~/lib/errors.server";
import { formatDateMinute, plural } from "~/lib/format";
import { ROLE_LABELS } from "~/lib/roles";
import { requireWorkspace } from "~/lib/session.server";
import { useMe } from "~/lib/use-me";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Overview · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requireWorkspace(request, context);
  const can = (a: (typeof me.permissions)[number]) => me.permissions.includes(a);
  return loadOrFail(request, async () => {
    const [members, regions, invites, activity] = await Promise.all([
      context.trpc.members.list(),
      context.trpc.regions.list(),
      can("member:manage") ? context.trpc.invites.list() : Promise.resolve(null),
      can("audit:read") ? context.trpc.audit.list({ limit: 5 }) : Promise.resolve(null),
    ]);
    return {
      memberCount: members.length,
      regionCount: regions.length,
      pendingInvites: invites?.filter((i) => i.status === "pending").length ?? null,
      activity: activity?.entries ?? null,
      canManage: can("member:manage"),
      canManageRegions: can("region:manage"),
    };
  });
}

function greeting(name: string) {
  const first = name.trim().split(/\s+/)[0] ?? name;
  return `Welcome, ${first}`;
}

export default function Overview() {
  const data = useLoaderData<typeof loader>();
  const { user, workspace, permissions } = useMe();
  const areas = visibleAreas(permissions).filter((a) => a.path !== "/settings" && a.path !== "/audit");
  const setupSteps = [
    {
      done: data.regionCount > 0,
      icon: MapPinIcon,
      title: "Add your regions",
      text:
        data.regionCount > 0
          ? `${plural(data.regionCount, "region", "regions")} so far.`
          : "Regional teams propose segment variants for their regions.",
      to: "/settings/regions",
      show: data.canManageRegions,
    },
    {
      done: data.memberCount > 1,
      icon: MailIcon,
      title: "Invite your team",
      text:
        data.memberCount > 1
          ? `${plural(data.memberCount, "member", "members")}${
              data.pendingInvites ? `, ${plural(data.pendingInvites, "invitation", "invitations")} pending` : ""
            }.`
          : "Committee members, analysts, regional contributors and executives.",
      to: "/settings/members",
      show: data.canManage,
    },
  ].filter((s) => s.show);

  return (
    <>
      <PageHeader
        title={greeting(user.name)}
        description={
          <>
            You are <RoleBadge role={workspace.role} /> in <strong>{workspace.name}</strong>:{" "}
            {ROLE_LABELS[workspace.role].description.toLowerCase()}.
          </>
        }
      />

      {setupSteps.length ? (
        <section className="card" aria-labelledby="setup-title">
          <h2 id="setup-title" className="card__title">
            Set up {workspace.name}
          </h2>
          <ol className="setup-steps">
            {setupSteps.map((step) => (
              <li key={step.title} className={`setup-step${step.done ? " setup-step--done" : ""}`}>
                <span className="setup-step__icon">
                  {step.done ? <CheckIcon width={18} height={18} /> : <step.icon width={18} height={18} />}
                </span>
                <span className="setup-step__body">
                  <span className="setup-step__title">{step.title}</span>
                  <span className="setup-step__text">{step.text}</span>
                </span>
                <Link to={step.to} className="button button--secondary button--sm">
                  {step.done ? "Manage" : "Start"}
                </Link>
              </li>
            ))}
          </ol>
        </section>
      ) : null}

      <section aria-labelledby="areas-title" className="section">
        <h2 id="areas-title" className="section__title">
          Your areas
        </h2>
        <ul className="area-grid">
          {areas.map((area) => (
            <li key={area.path}>
              <Link to={area.path} className="area-card">
                <span className="area-card__icon">
                  <area.icon />
                </span>
                <span className="area-card__label">{area.label}</span>
                <span className="area-card__summary">{area.summary}</span>
              </Link>
            </li>
          ))}
        </ul>
      </section>

      {data.activity ? (
        <section className="card" aria-labelledby="activity-title">
          <div className="card__header">
            <h2 id="activity-title" className="card__title">
              Recent activity
            </h2>
            <Link to="/audit" className="text-link">
              Open the audit log
            </Link>
          </div>
          {data.activity.length ? (
            <ul className="activity">
              {data.activity.map((e) => (
                <li key={e.seq} className="activity__item">
                  <span className="activity__who">{e.actorLabel}</span>
                  <code className="code-pill">{e.action}</code>
                  <time className="activity__when" dateTime={new Date(e.at).toISOString()}>
                    {formatDateMinute(e.at)}
                  </time>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">Nothing has happened here yet.</p>
          )}
        </section>
      ) : null}
    </>
  );
}
