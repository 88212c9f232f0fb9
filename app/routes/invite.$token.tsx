import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { TRPCError } from "@trpc/server";
import { AuthCard } from "~/components/auth-card";
import { TextField } from "~/components/form-field";
import { Notice } from "~/components/notice";
import { RoleBadge } from "~/components/role-badge";
import { StatusBadge } from "~/components/status-badge";
import { SubmitButton } from "~/components/submit-button";
import { field, formFailure } from "~/lib/errors.server";
import { formatDateMinute } from "~/lib/format";
import { MIN_PASSWORD_LENGTH } from "~/lib/password-rules.server";
import { ROLE_LABELS } from "~/lib/roles";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.invite ? `Join ${data.invite.workspaceName} · Quorum` : "Invitation · Quorum" },
];

async function describe(context: LoaderFunctionArgs["context"], token: string) {
  try {
    return await context.trpc.auth.describeInvite({ token });
  } catch (error) {
    if (error instanceof TRPCError && error.code === "BAD_REQUEST") return null;
    throw error;
  }
}

export async function loader({ params, context }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const [invite, me] = await Promise.all([describe(context, token), context.trpc.auth.me()]);
  const isMember = !!invite && me.workspaces.some((w) => w.tenantId === invite.tenantId);
  return {
    token,
    invite,
    user: me.user,
    isMember,
    minPasswordLength: MIN_PASSWORD_LENGTH,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const token = params.token ?? "";
  const form = await request.formData();
  const intent = field(form, "intent");
  if (intent === "join") {
    try {
      await context.trpc.auth.acceptInvite({ token });
    } catch (error) {
      return { intent, ...formFailure(error, request), values: { name: "" } };
    }
    return redirect("/");
  }
  const invite = await describe(context, token);
  const values = { name: field(form, "name") };
  if (!invite || invite.status !== "pending") {
    return { intent, formError: "This invitation can no longer be used.", fieldErrors: {}, values };
  }
  try {
    await context.trpc.auth.signUp({ email: invite.email, name: values.name, password: field(form, "password"), inviteToken: token });
  } catch (error) {
    return { intent, ...formFailure(error, request, { signingIn: true }), values };
  }
  return redirect("/");
}

const STATUS_TEXT = {
  expired: "This invitation has expired. Ask the person who invited you to send a new link.",
  accepted: "This invitation has already been used to join the workspace.",
  revoked: "This invitation was withdrawn by the workspace's admins. Ask them for a new one if you still need access.",
};

export default function Invitation() {
  const { token, invite, user, isMember, minPasswordLength } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const here = `/invite/${encodeURIComponent(token)}`;
  const loginHref = `/login?redirectTo=${encodeURIComponent(here)}`;

  if (!invite) {
    return (
      <AuthCard
        title="This invitation link is not valid"
        subtitle="Check that you copied the whole link, or ask for a new one."
      >
        <Link to="/" className="button button--secondary button--block">
          Go to Quorum
        </Link>
      </AuthCard>
    );
  }

  const details = (
    <dl className="invite-details">
      <div>
        <dt>Workspace</dt>
        <dd>{invite.workspaceName}</dd>
      </div>
      <div>
        <dt>Invited by</dt>
        <dd>{invite.invitedBy ?? "A former member"}</dd>
      </div>
      <div>
        <dt>Role</dt>
        <dd>
          <RoleBadge role={invite.role} /> <span className="muted">{ROLE_LABELS[invite.role].description}</span>
        </dd>
      </div>
      <div>
        <dt>For</dt>
        <dd>{invite.email}</dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={invite.status} />{" "}
          {invite.status === "pending" ? (
            <span className="muted">until {formatDateMinute(invite.expiresAt)}</span>
          ) : null}
        </dd>
      </div>
    </dl>
  );

  if (invite.status !== "pending") {
    return (
      <AuthCard title={`Invitation to ${invite.workspaceName}`}>
        {details}
        <Notice tone={invite.status === "accepted" ? "info" : "warning"}>{STATUS_TEXT[invite.status]}</Notice>
        {isMember ? (
          <Form method="post" action="/workspace/switch" className="form">
            <input type="hidden" name="tenantId" value={invite.tenantId} />
            <SubmitButton className="button--block">Open {invite.workspaceName}</SubmitButton>
          </Form>
        ) : user ? (
          <Link to="/" className="button button--secondary button--block">
            Go to Quorum
          </Link>
        ) : (
          <Link to={loginHref} className="button button--secondary button--block">
            Log in
          </Link>
        )}
      </AuthCard>
    );
  }

  if (user && user.email === invite.email) {
    return (
      <AuthCard
        title={`Join ${invite.workspaceName}`}
        subtitle={`${invite.invitedBy ?? "A member"} invited you to work on customer segments together.`}
      >
        {details}
        <Form method="post" className="form">
          {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
          <SubmitButton intent="join" className="button--block" pendingLabel="Joining…">
            Join workspace
          </SubmitButton>
        </Form>
      </AuthCard>
    );
  }

  if (user) {
    return (
      <AuthCard title={`Invitation to ${invite.workspaceName}`}>
        {details}
        <Notice tone="warning" title="This invitation is for someone else">
          It was sent to {invite.email}, but you are signed in as {user.email}. Log out, then sign in or sign up with
          the invited address.
        </Notice>
        <Form method="post" action="/logout" className="form">
          <input type="hidden" name="redirectTo" value={here} />
          <SubmitButton variant="secondary" className="button--block">
            Log out and continue
          </SubmitButton>
        </Form>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title={`Join ${invite.workspaceName}`}
      subtitle={`${invite.invitedBy ?? "A member"} invited you. Create your account to accept.`}
      footer={
        <>
          Already have an account with {invite.email}? <Link to={loginHref}>Log in to accept</Link>
        </>
      }
    >
      {details}
      <Form method="post" className="form" noValidate>
        {result?.formError ? (
          <Notice tone="error">
            {result.formError}
            {result.formError.includes("already exists") ? (
              <>
                {" "}
                <Link to={loginHref}>Log in</Link>
              </>
            ) : null}
          </Notice>
        ) : null}
        <TextField
          label="Email"
          name="email"
          type="email"
          value={invite.email}
          readOnly
          description="The invitation is for this address."
        />
        <TextField
          label="Your name"
          name="name"
          autoComplete="name"
          required
          autoFocus
          defaultValue={result?.values.name}
          error={result?.fieldErrors.name}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={minPasswordLength}
          description={`At least ${minPasswordLength} characters.`}
          error={result?.fieldErrors.password}
        />
        <SubmitButton intent="signup" className="button--block" pendingLabel="Creating your account…">
          Create account
        </SubmitButton>
      </Form>
    </AuthCard>
  );
}
