import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { ApiKeyRow } from "~/components/api/api-key-row";
import { WebhookRow } from "~/components/api/webhook-row";
import { CopyField } from "~/components/copy-field";
import { EmptyState } from "~/components/empty-state";
import { CheckboxGroup, TextField } from "~/components/form-field";
import { LockIcon, MailIcon } from "~/components/icons";
import { Notice } from "~/components/notice";
import { SubmitButton } from "~/components/submit-button";
import { field, formFailure, loadOrFail } from "~/lib/errors.server";
import { requirePermission } from "~/lib/session.server";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "API · Settings · Quorum" }];

const SCOPES = [
  { value: "memberships:read", label: "memberships:read — a customer's segments, segments, members (JSON) and changes" },
  { value: "exports:read", label: "exports:read — every member of a segment as CSV" },
  { value: "consent:write", label: "consent:write — record that a customer opted out (or back in)" },
];
const EVENTS = [
  { value: "segment.published", label: "segment.published — a new version of a segment was published" },
  { value: "membership.changed", label: "membership.changed — customers joined or left a segment (publish or consent)" },
  { value: "alert.raised", label: "alert.raised — a monitor raised an alert" },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "apikey:manage");
  const logFor = new URL(request.url).searchParams.get("log");
  return loadOrFail(request, async () => {
    const [keys, webhooks] = await Promise.all([context.trpc.api.keys(), context.trpc.api.webhooks()]);
    const open = logFor && webhooks.some((w) => w.id === logFor) ? logFor : null;
    const deliveries = open ? await context.trpc.api.deliveries({ endpointId: open, limit: 50 }) : null;
    return { keys, webhooks, logFor: open, deliveries, canWebhooks: me.permissions.includes("webhook:manage") };
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const intent = field(form, "intent");
  const values = { name: field(form, "name"), url: field(form, "url"), description: field(form, "description") };
  try {
    switch (intent) {
      case "createKey": {
        const created = await context.trpc.api.createKey({ name: values.name, scopes: form.getAll("scopes").map(String) as never });
        return { intent, ok: true as const, key: created.key, name: created.name, secret: null };
      }
      case "revokeKey":
        await context.trpc.api.revokeKey({ keyId: field(form, "keyId") });
        return { intent, ok: true as const };
      case "createWebhook": {
        const created = await context.trpc.api.createWebhook({
          url: values.url,
          description: values.description,
          events: form.getAll("events").map(String) as never,
        });
        return { intent, ok: true as const, secret: created.secret, name: created.url, key: null };
      }
      case "toggleWebhook":
        await context.trpc.api.setWebhookEnabled({ endpointId: field(form, "endpointId"), enabled: field(form, "enabled") === "true" });
        return { intent, ok: true as const };
      case "deleteWebhook":
        await context.trpc.api.deleteWebhook({ endpointId: field(form, "endpointId") });
        return { intent, ok: true as const };
      default:
        return { intent, ok: false as const, formError: "Unknown action. Reload the page and try again.", fieldErrors: {} as Record<string, string>, values };
    }
  } catch (error) {
    return { intent, ok: false as const, ...formFailure(error, request), values };
  }
}

export default function ApiSettings() {
  const { keys, webhooks, logFor, deliveries, canWebhooks } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const keyFailure = result && !result.ok && result.intent === "createKey" ? result : null;
  const hookFailure = result && !result.ok && result.intent === "createWebhook" ? result : null;
  const newKey = result?.ok && result.intent === "createKey" ? result : null;
  const newHook = result?.ok && result.intent === "createWebhook" ? result : null;
  const active = keys.filter((k) => !k.revokedAt).length;
  return (
    <div className="stack">
      <Notice tone="info" title="Operational API">
        Downstream systems (CRM, email tool, website) read segment membership over REST under <code>/api/v1</code> with a key from
        this page, and receive signed webhooks. Read the <a href="/api/v1/docs">API reference</a> (OpenAPI 3.1 at{" "}
        <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>).
      </Notice>

      <section className="card" aria-labelledby="new-key-title">
        <h2 id="new-key-title" className="card__title">
          Create an API key
        </h2>
        <p className="card__subtitle">
          Give each system its own key with only the scopes it needs. The key is shown once; Quorum keeps only a fingerprint of it.
        </p>
        {newKey?.key ? (
          <div className="stack stack--tight">
            <Notice tone="success" title={`Key “${newKey.name}” created`}>
              Copy it now and store it in the other system's secrets: it will not be shown again.
            </Notice>
            <CopyField label="API key" value={newKey.key} copyLabel="Copy key" description="Send it as: Authorization: Bearer <key>" />
          </div>
        ) : null}
        <Form method="post" className="form" noValidate key={newKey?.key ?? "new-key"}>
          {keyFailure?.formError ? <Notice tone="error">{keyFailure.formError}</Notice> : null}
          <TextField
            label="Name"
            name="name"
            required
            maxLength={80}
            placeholder="e.g. Salesforce sync"
            defaultValue={keyFailure?.values.name}
            error={keyFailure?.fieldErrors.name}
          />
          <CheckboxGroup name="scopes" legend="Scopes" options={SCOPES} defaultValues={["memberships:read"]} error={keyFailure?.fieldErrors.scopes} />
          <div>
            <SubmitButton intent="createKey" pendingLabel="Creating…">
              Create key
            </SubmitButton>
          </div>
        </Form>
      </section>

      <section className="card card--flush" aria-labelledby="keys-title">
        <div className="card__header card__header--padded">
          <h2 id="keys-title" className="card__title">
            API keys <span className="count">{active}</span>
          </h2>
        </div>
        {keys.length ? (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="table__actions">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <ApiKeyRow key={k.id} apiKey={k} />
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <EmptyState icon={LockIcon} title="No API keys yet">
            Create a key for each system that should read segment membership or record consent. Keys can be revoked at any time.
          </EmptyState>
        )}
      </section>

      {canWebhooks ? (
        <>
          <section className="card" aria-labelledby="new-hook-title">
            <h2 id="new-hook-title" className="card__title">
              Add a webhook endpoint
            </h2>
            <p className="card__subtitle">
              Quorum POSTs each event as JSON, signed in the <code>X-Quorum-Signature</code> header (<code>t=…,v1=</code> HMAC-SHA256 of
              “t.body” with the endpoint's secret). Failed deliveries are retried with growing pauses; an endpoint failing for a day is
              switched off.
            </p>
            {newHook?.secret ? (
              <div className="stack stack--tight">
                <Notice tone="success" title="Endpoint added">
                  Copy the signing secret now and configure the receiver with it: it will not be shown again.
                </Notice>
                <CopyField label="Signing secret" value={newHook.secret} copyLabel="Copy secret" />
              </div>
            ) : null}
            <Form method="post" className="form" noValidate key={newHook?.secret ?? "new-hook"}>
              {hookFailure?.formError ? <Notice tone="error">{hookFailure.formError}</Notice> : null}
              <TextField
                label="URL"
                name="url"
                type="url"
                required
                placeholder="https://crm.example.com/quorum-hook"
                defaultValue={hookFailure?.values.url}
                error={hookFailure?.fieldErrors.url}
              />
              <TextField
                label="Description"
                name="description"
                maxLength={200}
                placeholder="Optional, e.g. Email tool audience sync"
                defaultValue={hookFailure?.values.description}
                error={hookFailure?.fieldErrors.description}
              />
              <CheckboxGroup name="events" legend="Events" options={EVENTS} defaultValues={["segment.published", "membership.changed"]} error={hookFailure?.fieldErrors.events} />
              <div>
                <SubmitButton intent="createWebhook" pendingLabel="Adding…">
                  Add endpoint
                </SubmitButton>
              </div>
            </Form>
          </section>

          <section className="card card--flush" aria-labelledby="hooks-title">
            <div className="card__header card__header--padded">
              <h2 id="hooks-title" className="card__title">
                Webhook endpoints <span className="count">{webhooks.length}</span>
              </h2>
            </div>
            {webhooks.length ? (
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Endpoint</th>
                      <th scope="col">Events</th>
                      <th scope="col">Status</th>
                      <th scope="col">Deliveries</th>
                      <th scope="col" className="table__actions">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {webhooks.map((w) => (
                      <WebhookRow key={w.id} endpoint={w} logOpen={logFor === w.id} deliveries={logFor === w.id ? deliveries : null} />
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <EmptyState icon={MailIcon} title="No webhook endpoints yet">
                Add an endpoint to be told when a segment is published or its members change, instead of polling the API.
              </EmptyState>
            )}
          </section>
        </>
      ) : null}
    </div>
  );
}
