import { useFetcher } from "@remix-run/react";
import { useEffect, useState } from "react";
import { formatDate, formatDateMinute } from "~/lib/format";
import { ConfirmActions } from "../confirm-actions";
import { Notice } from "../notice";

export interface ApiKeyView {
  id: string;
  name: string;
  scopes: string[];
  hint: string;
  createdAt: Date | string;
  createdBy: string;
  lastUsedAt: Date | string | null;
  revokedAt: Date | string | null;
}

/** One API key: its scopes, who made it, when it was last used; revoke with a confirmation. */
export function ApiKeyRow({ apiKey }: { apiKey: ApiKeyView }) {
  const fetcher = useFetcher<{ ok: boolean; formError?: string | null }>();
  const [confirming, setConfirming] = useState(false);
  const busy = fetcher.state !== "idle";
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) setConfirming(false);
  }, [fetcher.state, fetcher.data]);
  const revoked = apiKey.revokedAt !== null;
  return (
    <>
      <tr className={revoked ? "table__row--muted" : undefined}>
        <td>
          <span className="person__name">{apiKey.name}</span>
          <div className="muted mono">qk_…_{apiKey.hint}…</div>
        </td>
        <td>
          <div className="scope-list">
            {apiKey.scopes.map((s) => (
              <code key={s} className="scope">
                {s}
              </code>
            ))}
          </div>
        </td>
        <td className="nowrap">
          {formatDate(apiKey.createdAt)}
          <div className="muted">by {apiKey.createdBy}</div>
        </td>
        <td className="nowrap">{apiKey.lastUsedAt ? formatDateMinute(apiKey.lastUsedAt) : <span className="muted">Never</span>}</td>
        <td>
          {revoked ? (
            <span className="badge badge--revoked" title={`Revoked ${formatDateMinute(apiKey.revokedAt!)}`}>
              Revoked
            </span>
          ) : (
            <span className="badge badge--accepted">Active</span>
          )}
        </td>
        <td className="table__actions">
          {revoked ? null : (
            <button
              type="button"
              className="button button--ghost button--sm button--danger-text"
              aria-expanded={confirming}
              onClick={() => setConfirming(!confirming)}
            >
              Revoke<span className="visually-hidden"> {apiKey.name}</span>
            </button>
          )}
        </td>
      </tr>
      {confirming ? (
        <tr className="table__subrow">
          <td colSpan={6}>
            <fetcher.Form method="post" className="inline-panel" onKeyDown={(e) => e.key === "Escape" && setConfirming(false)} aria-label={`Revoke ${apiKey.name}`}>
              <input type="hidden" name="keyId" value={apiKey.id} />
              {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
              <p className="inline-panel__text">
                Revoke “{apiKey.name}”? Systems using it are refused from the next request (within 5 seconds on every server). This cannot be
                undone; create a new key to replace it.
              </p>
              <ConfirmActions intent="revokeKey" label="Revoke key" pendingLabel="Revoking…" busy={busy} onCancel={() => setConfirming(false)} />
            </fetcher.Form>
          </td>
        </tr>
      ) : null}
    </>
  );
}
