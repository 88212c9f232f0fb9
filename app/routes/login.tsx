import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { TextField } from "~/components/form-field";
import { Notice } from "~/components/notice";
import { SubmitButton } from "~/components/submit-button";
import { field, formFailure } from "~/lib/errors.server";
import { safeRedirect } from "~/lib/safe-redirect";

export const meta: MetaFunction = () => [{ title: "Log in · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await context.trpc.auth.me();
  if (me.user) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const email = field(form, "email");
  const redirectTo = safeRedirect(form.get("redirectTo"));
  try {
    await context.trpc.auth.logIn({ email, password: field(form, "password") });
  } catch (error) {
    return { ...formFailure(error, request, { signingIn: true }), values: { email } };
  }
  return redirect(redirectTo);
}

export default function Login() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const redirectTo = safeRedirect(params.get("redirectTo"), "");
  const signupHref = redirectTo ? `/signup?redirectTo=${encodeURIComponent(redirectTo)}` : "/signup";
  return (
    <AuthCard
      title="Log in to Quorum"
      subtitle={
        redirectTo.startsWith("/invite/")
          ? "Log in to accept your invitation."
          : "Welcome back. Pick up where your team left off."
      }
      footer={
        <>
          New to Quorum? <Link to={signupHref}>Create an account</Link>
        </>
      }
    >
      <Form method="post" className="form" noValidate>
        {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          autoFocus
          defaultValue={result?.values.email}
          error={result?.fieldErrors.email}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={result?.fieldErrors.password}
        />
        <SubmitButton className="button--block" pendingLabel="Logging in…">
          Log in
        </SubmitButton>
      </Form>
    </AuthCard>
  );
}
