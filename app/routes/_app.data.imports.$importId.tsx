import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { TRPCError } from "@trpc/server";
import { ImportProgress } from "~/components/data/import-progress";
import { ImportCounts, ImportErrors } from "~/components/data/import-results";
import { MappingStep, type MappingFailure } from "~/components/data/mapping-step";
import { QualityReport } from "~/components/data/quality-report";
import { Notice } from "~/components/notice";
import { ProgressBar } from "~/components/progress-bar";
import { ImportStatusBadge } from "~/components/status-badge";
import { SubmitButton } from "~/components/submit-button";
import {
  asQualityReport,
  formatBytes,
  formatCount,
  formatDuration,
  isActive,
  isDelimiter,
  KIND_LABELS,
  type ImportKind,
} from "~/lib/data";
import { errorPage, field, formFailure, loadOrFail } from "~/lib/errors.server";
import { formatDateMinute } from "~/lib/format";
import { requirePermission } from "~/lib/session.server";
import { usePolling } from "~/lib/use-polling";

export { RouteErrorBoundary as ErrorBoundary } from "~/components/route-error";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.item.fileName ?? "Import"} · Data · Quorum` },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type StartInput = Parameters<AppLoadContext["trpc"]["data"]["startImport"]>[0];

function importIdOf(params: { importId?: string }): string {
  const id = params.importId ?? "";
  if (!UUID.test(id)) throw errorPage(404, "That import was not found in this workspace.");
  return id;
}

/** The proposal for the mapping step, or why the file cannot be read as a table. */
async function loadPreview(
  context: AppLoadContext,
  importId: string,
  kind: ImportKind,
  delimiter: string | null
) {
  try {
    const [preview, fields] = await Promise.all([
      context.trpc.data.preview({ importId, delimiter: isDelimiter(delimiter) ? delimiter : undefined }),
      context.trpc.data.fields({ kind }),
    ]);
    return { preview, fields: fields.fields, previewError: null };
  } catch (error) {
    if (error instanceof TRPCError && error.code === "BAD_REQUEST")
      return { preview: null, fields: [], previewError: error.message };
    throw error;
  }
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const me = await requirePermission(request, context, "data:read");
  const importId = importIdOf(params);
  const canImport = me.permissions.includes("data:import");
  return loadOrFail(request, async () => {
    const { qualityReport, ...item } = await context.trpc.data.import({ importId });
    const mapping =
      item.status === "uploaded" && canImport
        ? await loadPreview(context, importId, item.kind, new URL(request.url).searchParams.get("delimiter"))
        : null;
    return {
      item,
      report: asQualityReport(qualityReport),
      mapping,
      canImport,
      canConfigure: me.permissions.includes("data:configure"),
    };
  });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  await requirePermission(request, context, "data:import");
  const importId = importIdOf(params);
  const form = await request.formData();
  const intent = field(form, "intent");
  if (intent === "cancel") {
    try {
      const result = await context.trpc.data.cancelImport({ importId });
      if (result.status === "cancelled") throw redirect(`/data/imports/${importId}`);
      return { intent, ok: true as const, failure: null };
    } catch (error) {
      if (error instanceof Response) throw error;
      const failure = formFailure(error, request);
      return { intent, ok: false as const, failure: { formError: failure.formError, problems: [], columnErrors: {} } };
    }
  }
  if (intent !== "start") {
    return {
      intent,
      ok: false as const,
      failure: { formError: "Unknown action. Reload the page and try again.", problems: [], columnErrors: {} },
    };
  }
  let mapping: StartInput["mapping"];
  try {
    // Parsed as the procedure's input type; the procedure validates it with zod.
    mapping = JSON.parse(field(form, "mapping")) as StartInput["mapping"];
  } catch {
    return {
      intent,
      ok: false as const,
      failure: {
        formError: "The column mapping could not be read. Reload the page and try again.",
        problems: [],
        columnErrors: {},
      },
    };
  }
  try {
    await context.trpc.data.startImport({ importId, mapping });
    return { intent, ok: true as const, failure: null };
  } catch (error) {
    return { intent, ok: false as const, failure: mappingFailure(error, request) };
  }
}

/** The server's reasons for refusing a mapping: its list of problems, or zod's per-column messages. */
function mappingFailure(error: unknown, request: Request): MappingFailure {
  const failure = formFailure(error, request);
  const cause = error instanceof TRPCError ? error.cause : null;
  const details = cause && "details" in cause ? (cause.details as Record<string, unknown> | undefined) : undefined;
  const problems = Array.isArray(details?.problems)
    ? details.problems.filter((p): p is string => typeof p === "string")
    : [];
  const columnErrors: Record<number, string> = {};
  for (const [path, message] of Object.entries(failure.fieldErrors)) {
    const match = /^mapping\.columns\.(\d+)\.(.+)$/.exec(path);
    if (match) columnErrors[Number(match[1])] ??= `${match[2].replace(/^attribute\./, "Attribute ")}: ${message}`;
  }
  const formError =
    failure.formError ??
    (Object.keys(columnErrors).length ? "Some columns need attention: see the messages in the table." : null);
  return { formError, problems, columnErrors };
}

/** The report job normally follows within seconds; an import finished long ago is not waited for. */
function recentlyFinished(finishedAt: Date | null): boolean {
  return finishedAt !== null && Date.now() - new Date(finishedAt).getTime() < 10 * 60_000;
}

function Facts({ item }: { item: ReturnType<typeof useLoaderData<typeof loader>>["item"] }) {
  const took =
    item.startedAt && item.finishedAt ? new Date(item.finishedAt).getTime() - new Date(item.startedAt).getTime() : null;
  return (
    <dl className="details-list details-list--inline">
      <div>
        <dt>Kind</dt>
        <dd>{KIND_LABELS[item.kind]}</dd>
      </div>
      <div>
        <dt>Size</dt>
        <dd>{formatBytes(item.byteSize)}</dd>
      </div>
      <div>
        <dt>Uploaded</dt>
        <dd>{formatDateMinute(item.createdAt)}</dd>
      </div>
      {item.finishedAt ? (
        <div>
          <dt>Finished</dt>
          <dd>
            {formatDateMinute(item.finishedAt)}
            {took !== null ? <span className="muted"> · took {formatDuration(took)}</span> : null}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

export default function ImportPage() {
  const { item, report, mapping, canImport, canConfigure } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const reportPending = item.status === "completed" && !report;
  const waitForReport = reportPending && recentlyFinished(item.finishedAt);
  usePolling(isActive(item.status) || waitForReport, reportPending ? 2000 : 1000);
  const cancelError = result?.intent === "cancel" && !result.ok ? result.failure.formError : null;
  const cancelling = result?.intent === "cancel" && result.ok;

  return (
    <div className="stack">
      <section className="import-head" aria-labelledby="import-title">
        <div className="import-head__title">
          <Link to="/data/imports" className="text-link">
            ← Imports
          </Link>
          <h2 id="import-title" className="import-head__name">
            {item.fileName} <ImportStatusBadge status={item.status} />
          </h2>
        </div>
        <Facts item={item} />
      </section>

      {item.status === "uploaded" ? (
        mapping?.preview ? (
          <MappingStep
            key={mapping.preview.mapping.delimiter}
            preview={mapping.preview}
            fields={mapping.fields}
            failure={result?.intent === "start" || result?.intent === "cancel" ? result.failure : null}
          />
        ) : mapping?.previewError ? (
          <Form method="post" className="stack">
            {cancelError ? <Notice tone="error">{cancelError}</Notice> : null}
            <Notice tone="error" title="This file cannot be read as a table">
              {mapping.previewError} Fix the file and{" "}
              <Link to={`/data/imports/new?kind=${item.kind}`}>upload it again</Link>.
            </Notice>
            <div>
              <SubmitButton intent="cancel" variant="secondary" pendingLabel="Discarding…">
                Discard this upload
              </SubmitButton>
            </div>
          </Form>
        ) : (
          <Notice tone="info" title="Waiting for someone to start this import">
            The file is uploaded, but nobody has reviewed its columns and started the import yet. Owners, admins and
            analysts can do that.
          </Notice>
        )
      ) : null}

      {isActive(item.status) ? (
        <ImportProgress item={item} canCancel={canImport} cancelling={cancelling} cancelError={cancelError} />
      ) : null}

      {item.status === "failed" ? (
        <Notice tone="error" title="The import failed: nothing was imported">
          {item.error ?? "The import stopped before it finished."} No rows from this file were kept; fix the problem and{" "}
          <Link to={`/data/imports/new?kind=${item.kind}`}>upload the file again</Link>.
        </Notice>
      ) : null}
      {item.status === "cancelled" ? (
        <Notice tone="warning" title="The import was cancelled: nothing was imported">
          {item.startedAt
            ? `It was stopped after reading ${formatCount(item.rowsRead)} rows; none of them were kept.`
            : "It was stopped before it started."}{" "}
          <Link to={`/data/imports/new?kind=${item.kind}`}>Upload a file</Link> to import again.
        </Notice>
      ) : null}

      {item.status === "completed" ? (
        <>
          <Notice tone={item.rowsFailed ? "warning" : "success"} title="Import completed">
            {formatCount(item.rowsRead)} rows read;{" "}
            {item.rowsFailed
              ? `${formatCount(
                  item.rowsFailed
                )} had problems and were left out (listed below); every other row was imported.`
              : "every row was valid."}
          </Notice>
          <ImportCounts
            kind={item.kind}
            rowsRead={item.rowsRead}
            rowsImported={item.rowsImported}
            rowsUnchanged={item.rowsUnchanged}
            rowsDuplicate={item.rowsDuplicate}
            rowsFailed={item.rowsFailed}
          />
        </>
      ) : null}

      {item.status === "completed" || item.status === "failed" ? (
        <ImportErrors importId={item.id} errors={item.firstErrors} rowsFailed={item.rowsFailed} />
      ) : null}

      {item.status === "completed" && report ? <QualityReport report={report} canConfigure={canConfigure} /> : null}
      {reportPending ? (
        <section className="card" aria-labelledby="quality-title" aria-live="polite">
          <h2 id="quality-title" className="card__title">
            Data quality
          </h2>
          <p className="card__subtitle">
            {waitForReport
              ? "The data-quality report is computed in the background after the import; it appears here when it is ready."
              : "No data-quality report was written for this import. Reload the page later; if it is still missing, tell your workspace admin (the report job may have failed)."}
          </p>
          {waitForReport ? <ProgressBar label="Profiling the imported rows…" value={null} /> : null}
        </section>
      ) : null}
    </div>
  );
}
