import { Link, useFetcher } from "@remix-run/react";
import { useEffect, useState } from "react";
import { formatDateMinute, plural } from "~/lib/format";
import { ConfirmActions } from "../confirm-actions";
import { Notice } from "../notice";
import { SubmitButton } from "../submit-button";

export interface WebhookView {
  id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  failingSince: Date | string | null;
  delivered: number;
  failed: number;
  pending: number;
  lastStatus: string | null;
  lastAttemptAt: Date | string | null;
}

export interface DeliveryView {
  id: string;
  event: string;
  status: string;
  attempts: number;
  createdAt: Date | string;
  lastAttemptAt: Date | string | null;
  nextAttemptAt: Date | string | null;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
}

const DELIVERY_BADGE: Record<string, string> = {
  succeeded: "badge--import-completed",
  pending: "badge--import-queued",
  retrying: "badge--import-running",
  failed: "badge--import-failed",
};

/** A webhook endpoint: events, health, delivery counts; switch off/on, delete, open its delivery log. */
export function WebhookRow({ endpoint, logOpen, deliveries }: { endpoint: WebhookView; logOpen: boolean; deliveries: DeliveryView[] | null }) {
  const fetcher = useFetcher<{ ok: boolean; formError?: string | null }>();
  const [confirming, setConfirming] = useState(false);
  const busy = fetcher.state !== "idle";
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) setConfirming(false);
  }, [fetcher.state, fetcher.data]);
  return (
    <>
      <tr className={endpoint.enabled ? undefined : "table__row--muted"}>
        <td className="webhook-url">
          <span className="mono">{endpoint.url}</span>
          {endpoint.description ? <div className="muted">{endpoint.description}</div> : null}
        </td>
        <td>
          <div className="scope-list">
            {endpoint.events.map((e) => (
              <code key={e} className="scope">
                {e}
              </code>
            ))}
          </div>
        </td>
        <td>
          {!endpoint.enabled ? (
            <span className="badge badge--revoked">Off</span>
          ) : endpoint.failingSince ? (
            <span className="badge badge--sev-warning" title={`Failing since ${formatDateMinute(endpoint.failingSince)}`}>
              Failing
            </span>
          ) : (
            <span className="badge badge--accepted">On</span>
          )}
        </td>
        <td className="nowrap">
          {plural(endpoint.delivered, "delivered", "delivered")}
          {endpoint.pending || endpoint.failed ? (
            <div className="muted">
              {endpoint.pending ? `${endpoint.pending} waiting` : null}
              {endpoint.pending && endpoint.failed ? " · " : null}
              {endpoint.failed ? `${endpoint.failed} failed` : null}
            </div>
          ) : null}
        </td>
        <td className="table__actions">
          <Link className="button button--ghost button--sm" to={logOpen ? "." : `?log=${endpoint.id}`} preventScrollReset aria-expanded={logOpen}>
            {logOpen ? "Hide log" : "Delivery log"}
          </Link>
          <fetcher.Form method="post" className="inline-form">
            <input type="hidden" name="endpointId" value={endpoint.id} />
            <input type="hidden" name="enabled" value={endpoint.enabled ? "false" : "true"} />
            <SubmitButton intent="toggleWebhook" variant="ghost" size="sm" pending={busy && fetcher.formData?.get("intent") === "toggleWebhook"}>
              {endpoint.enabled ? "Switch off" : "Switch on"}
            </SubmitButton>
          </fetcher.Form>
          <button
            type="button"
            className="button button--ghost button--sm button--danger-text"
            aria-expanded={confirming}
            onClick={() => setConfirming(!confirming)}
          >
            Delete<span className="visually-hidden"> {endpoint.url}</span>
          </button>
        </td>
      </tr>
      {!endpoint.enabled && endpoint.disabledReason ? (
        <tr className="table__subrow">
          <td colSpan={5}>
            <Notice tone="warning">{endpoint.disabledReason}. Fix the receiver, then switch the endpoint on again.</Notice>
          </td>
        </tr>
      ) : null}
      {result?.formError && !confirming ? (
        <tr className="table__subrow">
          <td colSpan={5}>
            <Notice tone="error">{result.formError}</Notice>
          </td>
        </tr>
      ) : null}
      {confirming ? (
        <tr className="table__subrow">
          <td colSpan={5}>
            <fetcher.Form method="post" className="inline-panel" onKeyDown={(e) => e.key === "Escape" && setConfirming(false)} aria-label={`Delete ${endpoint.url}`}>
              <input type="hidden" name="endpointId" value={endpoint.id} />
              {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
              <p className="inline-panel__text">Delete this endpoint and its delivery log? Deliveries still waiting are dropped.</p>
              <ConfirmActions intent="deleteWebhook" label="Delete endpoint" pendingLabel="Deleting…" busy={busy} onCancel={() => setConfirming(false)} />
            </fetcher.Form>
          </td>
        </tr>
      ) : null}
      {logOpen && deliveries ? (
        <tr className="table__subrow">
          <td colSpan={5}>
            {deliveries.length ? (
              <table className="table table--compact" aria-label={`Deliveries to ${endpoint.url}`}>
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Status</th>
                    <th scope="col">Attempts</th>
                    <th scope="col">Last attempt</th>
                    <th scope="col">Response</th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries.map((d) => (
                    <tr key={d.id}>
                      <td>
                        <code className="scope">{d.event}</code>
                        <div className="muted">{formatDateMinute(d.createdAt)}</div>
                      </td>
                      <td>
                        <span className={`badge ${DELIVERY_BADGE[d.status] ?? ""}`}>{d.status}</span>
                        {d.status === "retrying" && d.nextAttemptAt ? <div className="muted">next {formatDateMinute(d.nextAttemptAt)}</div> : null}
                      </td>
                      <td>{d.attempts}</td>
                      <td className="nowrap">{d.lastAttemptAt ? formatDateMinute(d.lastAttemptAt) : <span className="muted">Not yet</span>}</td>
                      <td className="delivery-response">
                        {d.responseStatus !== null ? <span className="mono">HTTP {d.responseStatus}</span> : null}
                        {d.error && d.responseStatus === null ? <span>{d.error}</span> : null}
                        {d.responseBody ? <div className="muted mono delivery-response__body">{d.responseBody.slice(0, 200)}</div> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted">No deliveries yet. Events are sent when a segment is published or its membership changes.</p>
            )}
          </td>
        </tr>
      ) : null}
    </>
  );
}
