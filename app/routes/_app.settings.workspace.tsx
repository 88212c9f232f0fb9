import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { TextField } from "~/components/form-field";
import { Notice } from "~/components/notice";
import { SubmitButton } from "~/components/submit-button";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { formatDate } from "~/lib/format";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Workspace · Settings · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "workspace:read");
  const workspace = await loadOrFail(request, () => context.trpc.workspace.get());
  return { workspace, canUpdate: me.permissions.includes("workspace:update") };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = { name: field(form, "name") };
  try {
    await context.trpc.workspace.rename(values);
    return { ok: true as const, formError: null, fieldErrors: {} as Record<string, string>, values };
  } catch (error) {
    return { ok: false as const, ...formFailure(error, request), values };
  }
}

export default function WorkspaceSettings() {
  const { workspace, canUpdate } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="card" aria-labelledby="workspace-title">
      <h2 id="workspace-title" className="card__title">
        Workspace
      </h2>
      <dl className="details-list">
        <div>
          <dt>Address</dt>
          <dd>
            <code className="code-pill">{workspace.slug}</code>
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatDate(workspace.createdAt)}</dd>
        </div>
      </dl>
      {canUpdate ? (
        <Form method="post" className="form" noValidate>
          {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
          {result?.ok ? (
            <Notice tone="success">The workspace is now called “{result.values.name.trim()}”.</Notice>
          ) : null}
          <div className="form-row form-row--end">
            <TextField
              label="Name"
              name="name"
              required
              maxLength={80}
              defaultValue={result?.ok === false ? result.values.name : workspace.name}
              key={workspace.name}
              error={result?.fieldErrors.name}
              fieldClassName="form-row__grow"
            />
            <SubmitButton pendingLabel="Saving…">Rename workspace</SubmitButton>
          </div>
        </Form>
      ) : (
        <p className="muted">Name: {workspace.name}. Only owners and admins can rename the workspace.</p>
      )}
    </section>
  );
}
