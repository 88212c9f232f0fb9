import { useFetcher } from "@remix-run/react";
import { useEffect, useState, type KeyboardEvent } from "react";
import { formatDate, plural } from "~/lib/format";
import { TextField } from "./form-field";
import { Notice } from "./notice";
import { SubmitButton } from "./submit-button";
import { ConfirmActions } from "./confirm-actions";

interface RowResult {
  ok: boolean;
  formError?: string | null;
  fieldErrors?: Record<string, string>;
}

interface RegionRowProps {
  region: { id: string; name: string; createdAt: Date };
  contributors: number;
  canManage: boolean;
}

/** A region with the number of contributors limited to it; managers rename or delete it. */
export function RegionRow({ region, contributors, canManage }: RegionRowProps) {
  const fetcher = useFetcher<RowResult>();
  const [mode, setMode] = useState<"view" | "rename" | "delete">("view");
  const busy = fetcher.state !== "idle";
  const result = fetcher.state === "idle" ? fetcher.data : undefined;

  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) setMode("view");
  }, [fetcher.state, fetcher.data]);

  function closeOnEscape(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key === "Escape") setMode("view");
  }

  return (
    <>
      <tr>
        <td>
          <span className="person__name">{region.name}</span>
        </td>
        <td>
          {contributors ? plural(contributors, "contributor", "contributors") : <span className="muted">None</span>}
        </td>
        <td className="nowrap">{formatDate(region.createdAt)}</td>
        {canManage ? (
          <td className="table__actions">
            <button
              type="button"
              className="button button--ghost button--sm"
              aria-expanded={mode === "rename"}
              onClick={() => setMode(mode === "rename" ? "view" : "rename")}
            >
              Rename<span className="visually-hidden"> {region.name}</span>
            </button>
            <button
              type="button"
              className="button button--ghost button--sm button--danger-text"
              aria-expanded={mode === "delete"}
              onClick={() => setMode(mode === "delete" ? "view" : "delete")}
            >
              Delete<span className="visually-hidden"> {region.name}</span>
            </button>
          </td>
        ) : null}
      </tr>
      {mode === "rename" ? (
        <tr className="table__subrow">
          <td colSpan={4}>
            <fetcher.Form
              method="post"
              className="inline-panel"
              onKeyDown={closeOnEscape}
              aria-label={`Rename ${region.name}`}
            >
              <input type="hidden" name="regionId" value={region.id} />
              {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
              <div className="form-row">
                <TextField
                  label="New name"
                  name="name"
                  defaultValue={region.name}
                  required
                  autoFocus
                  maxLength={60}
                  error={result?.fieldErrors?.name}
                  fieldClassName="form-row__grow"
                />
              </div>
              <div className="inline-panel__actions">
                <SubmitButton intent="rename" pending={busy} size="sm" pendingLabel="Saving…">
                  Save name
                </SubmitButton>
                <button type="button" className="button button--ghost button--sm" onClick={() => setMode("view")}>
                  Cancel
                </button>
              </div>
            </fetcher.Form>
          </td>
        </tr>
      ) : null}
      {mode === "delete" ? (
        <tr className="table__subrow">
          <td colSpan={4}>
            <fetcher.Form
              method="post"
              className="inline-panel inline-panel--danger"
              onKeyDown={closeOnEscape}
              aria-label={`Delete ${region.name}`}
            >
              <input type="hidden" name="regionId" value={region.id} />
              {result?.formError ? <Notice tone="error">{result.formError}</Notice> : null}
              <p>
                Delete <strong>{region.name}</strong>?{" "}
                {contributors
                  ? `${plural(contributors, "contributor is", "contributors are")} limited to it and will no longer be.`
                  : "No contributor is limited to it."}
              </p>
              <ConfirmActions intent="delete" label="Delete region" pendingLabel="Deleting…" busy={busy} onCancel={() => setMode("view")} />
            </fetcher.Form>
          </td>
        </tr>
      ) : null}
    </>
  );
}
