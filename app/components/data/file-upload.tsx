import { useNavigate } from "@remix-run/react";
import { useEffect, useId, useRef, useState, type DragEvent } from "react";
import { Notice } from "~/components/notice";
import { ProgressBar } from "~/components/progress-bar";
import { formatBytes, type ImportKind } from "~/lib/data";

type UploadState =
  | { phase: "idle" }
  | { phase: "sending"; loaded: number; total: number }
  | { phase: "reading" }
  | { phase: "failed"; message: string; canRetry: boolean };

const KINDS: { value: ImportKind; label: string; description: string }[] = [
  {
    value: "customers",
    label: "Customers",
    description: "One row per customer: an id, and contact details, consent, region or any attributes.",
  },
  {
    value: "transactions",
    label: "Transactions",
    description: "One row per invoice line: invoice number, date, quantity, unit price and the customer's id.",
  },
  {
    value: "events",
    label: "Events",
    description: "One row per event: type (conversion, touchpoint, support_ticket, nps_response 0–10, …), date, and optionally the customer's id, a value, channel and campaign.",
  },
];

function uploadError(status: number, body: string): string {
  if (status === 401) return "Your session has ended. Sign in again, then upload the file once more.";
  if (status === 413) return "The file is larger than this server accepts. Split it, or gzip it, and try again.";
  if (body.trim() && body.length < 600) return body.trim();
  return `The upload failed (HTTP ${status}). Try again; if it keeps failing, tell your workspace admin.`;
}

/**
 * Choose the kind of file and the file (or drop it), then send it as the raw request body with
 * XMLHttpRequest so that the bar shows real upload progress; the server stores it, proposes a
 * column mapping, and the import's page takes over.
 */
export function FileUpload({ initialKind, maxMegabytes }: { initialKind: ImportKind; maxMegabytes: number }) {
  const navigate = useNavigate();
  const inputId = useId();
  const [kind, setKind] = useState<ImportKind>(initialKind);
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const [state, setState] = useState<UploadState>({ phase: "idle" });
  const xhr = useRef<XMLHttpRequest | null>(null);
  const busy = state.phase === "sending" || state.phase === "reading";

  useEffect(() => () => xhr.current?.abort(), []);

  function choose(chosen: File | null | undefined) {
    if (busy) return;
    setFile(chosen ?? null);
    if (!chosen) return setState({ phase: "idle" });
    if (chosen.size === 0) {
      setState({
        phase: "failed",
        message: `“${chosen.name}” is empty (0 bytes). Choose the file with your data.`,
        canRetry: false,
      });
    } else if (chosen.size > maxMegabytes * 1048576) {
      setState({
        phase: "failed",
        message: `“${chosen.name}” is ${formatBytes(
          chosen.size
        )}; this server accepts files up to ${maxMegabytes} MB. Gzip it, or split it into several files.`,
        canRetry: false,
      });
    } else setState({ phase: "idle" });
  }

  function onDrop(event: DragEvent<HTMLElement>) {
    event.preventDefault();
    setDragging(false);
    const files = event.dataTransfer.files;
    if (files.length > 1) {
      setState({ phase: "failed", message: "Drop one file at a time: each file is its own import.", canRetry: !!file });
      return;
    }
    choose(files[0]);
  }

  function upload() {
    if (!file || busy) return;
    const request = new XMLHttpRequest();
    xhr.current = request;
    const params = new URLSearchParams({ kind, fileName: file.name });
    request.open("POST", `/data/imports/upload?${params}`);
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.onprogress = (event) => {
      const total = event.lengthComputable ? event.total : file.size;
      setState(event.loaded >= total ? { phase: "reading" } : { phase: "sending", loaded: event.loaded, total });
    };
    request.upload.onload = () => setState({ phase: "reading" });
    request.onload = () => {
      xhr.current = null;
      if (request.status === 201) {
        try {
          const result = JSON.parse(request.responseText) as { importId: string };
          navigate(`/data/imports/${result.importId}`);
          return;
        } catch {
          setState({
            phase: "failed",
            message: "The server's answer could not be read. Reload the page and look for the file under Imports.",
            canRetry: false,
          });
          return;
        }
      }
      setState({ phase: "failed", message: uploadError(request.status, request.responseText), canRetry: true });
    };
    request.onerror = () => {
      xhr.current = null;
      setState({
        phase: "failed",
        message: "The connection was lost during the upload. Check your network and try again.",
        canRetry: true,
      });
    };
    request.onabort = () => {
      xhr.current = null;
      setState({ phase: "idle" });
    };
    setState({ phase: "sending", loaded: 0, total: file.size });
    request.send(file);
  }

  return (
    <div className="form">
      <fieldset className="field choice-group" disabled={busy}>
        <legend className="field__label">What does the file hold?</legend>
        <div className="choice-group__options">
          {KINDS.map((k) => (
            <label key={k.value} className="choice">
              <input
                type="radio"
                name="kind"
                value={k.value}
                checked={kind === k.value}
                onChange={() => setKind(k.value)}
              />
              <span className="choice__text">
                <span className="choice__label">{k.label}</span>
                <span className="choice__description">{k.description}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>

      <div
        className={`dropzone${dragging ? " dropzone--active" : ""}${file ? " dropzone--chosen" : ""}`}
        onDragOver={(event) => {
          event.preventDefault();
          if (!busy) setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <input
          id={inputId}
          type="file"
          className="dropzone__input"
          accept=".csv,.tsv,.txt,.gz,text/csv,text/plain,application/gzip"
          disabled={busy}
          onChange={(event) => choose(event.currentTarget.files?.[0])}
        />
        <label htmlFor={inputId} className="dropzone__label">
          {file ? (
            <>
              <span className="dropzone__title">{file.name}</span>
              <span className="dropzone__hint">
                {formatBytes(file.size)} · <span className="link-like">choose another file</span>
              </span>
            </>
          ) : (
            <>
              <span className="dropzone__title">Drop a CSV file here, or choose one</span>
              <span className="dropzone__hint">
                A header row naming the columns; comma, semicolon, tab or pipe separated; gzipped files too. Up to{" "}
                {maxMegabytes} MB.
              </span>
            </>
          )}
        </label>
      </div>

      {state.phase === "sending" ? (
        <ProgressBar
          label={`Uploading ${file?.name ?? "the file"}`}
          value={state.total ? state.loaded / state.total : null}
          detail={`${formatBytes(state.loaded)} of ${formatBytes(state.total)}`}
        />
      ) : null}
      {state.phase === "reading" ? (
        <ProgressBar
          label="Reading the header and the first rows…"
          value={null}
          detail="The file is stored as it is; Quorum now proposes which column feeds which field."
        />
      ) : null}
      {state.phase === "failed" ? <Notice tone="error">{state.message}</Notice> : null}

      <div className="button-row">
        <button
          type="button"
          className="button button--primary"
          disabled={!file || busy || (state.phase === "failed" && !state.canRetry)}
          onClick={upload}
        >
          {busy ? "Uploading…" : "Upload and review columns"}
        </button>
        {state.phase === "sending" ? (
          <button type="button" className="button button--ghost" onClick={() => xhr.current?.abort()}>
            Cancel upload
          </button>
        ) : null}
      </div>
    </div>
  );
}
