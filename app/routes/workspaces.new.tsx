import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { TextField } from "~/components/form-field";
import { Notice } from "~/components/notice";
import { SubmitButton } from "~/components/submit-button";
import { field, formFailure } from "~/lib/errors.server";
import { requireUser } from "~/lib/session.server";

export const meta: MetaFunction = () => [{ title: "Create a workspace · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requireUser(request, context);
  return { user: me.user, hasWorkspace: me.workspaces.length > 0 };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = { name: field(form, "name") };
  try {
    await context.trpc.workspace.create(values);
  } catch (error) {
    return { ...formFailure(error, request), values };
  }
  return redirect("/");
}

export default function NewWorkspace() {
  const { user, hasWorkspace } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <AuthCard
      title={hasWorkspace ? "Create another workspace" : "Create your first workspace"}
      subtitle={
        hasWorkspace
          ? "A workspace has its own members, regions, segments and audit log."
          : `Welcome, ${user.name}. A workspace holds your team's customers, segments and decisions. You will be its owner and can invite everyone else.`
      }
      footer={
        hasWorkspace ? (
          <Link to="/">Back to your workspace</Link>
        ) : (
          <>
            Expecting an invitation? Open the link you were sent; you can also{" "}
            <Form method="post" action="/logout" className="inline-form">
              <button type="submit" className="link-button">
                log out
              </button>
            </Form>
            .
          </>
        )
      }
    >
      <Form method="post" className="form" noValidate>
        {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
        <TextField
          label="Workspace name"
          name="name"
          required
          autoFocus
          placeholder="e.g. Northwind Retail"
          description="Usually your company or business unit. You can rename it later."
          defaultValue={result?.values.name}
          error={result?.fieldErrors.name}
        />
        <SubmitButton className="button--block" pendingLabel="Creating the workspace…">
          Create workspace
        </SubmitButton>
      </Form>
    </AuthCard>
  );
}
