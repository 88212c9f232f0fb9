import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { TextField } from "~/components/form-field";
import { Notice } from "~/components/notice";
import { SubmitButton } from "~/components/submit-button";
import { field, formFailure } from "~/lib/errors.server";
import { MIN_PASSWORD_LENGTH } from "~/lib/password-rules.server";
import { safeRedirect } from "~/lib/safe-redirect";

export const meta: MetaFunction = () => [{ title: "Create an account · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await context.trpc.auth.me();
  if (me.user) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return { minPasswordLength: MIN_PASSWORD_LENGTH };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = { name: field(form, "name"), email: field(form, "email") };
  try {
    await context.trpc.auth.signUp({ ...values, password: field(form, "password") });
  } catch (error) {
    return { ...formFailure(error, request, { signingIn: true }), values };
  }
  return redirect(safeRedirect(form.get("redirectTo"), "/workspaces/new"));
}

export default function Signup() {
  const { minPasswordLength } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const redirectTo = safeRedirect(params.get("redirectTo"), "");
  const loginHref = redirectTo ? `/login?redirectTo=${encodeURIComponent(redirectTo)}` : "/login";
  return (
    <AuthCard
      title="Create your account"
      subtitle="Then create a workspace for your team, or join one you were invited to."
      footer={
        <>
          Already have an account? <Link to={loginHref}>Log in</Link>
        </>
      }
    >
      <Form method="post" className="form" noValidate>
        {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
        <input type="hidden" name="redirectTo" value={redirectTo} />
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
          label="Work email"
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={result?.values.email}
          error={result?.fieldErrors.email}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={minPasswordLength}
          description={`At least ${minPasswordLength} characters. A short sentence works well.`}
          error={result?.fieldErrors.password}
        />
        <SubmitButton className="button--block" pendingLabel="Creating your account…">
          Create account
        </SubmitButton>
      </Form>
    </AuthCard>
  );
}
