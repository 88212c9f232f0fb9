import { and, asc, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { dataQualityReports, importErrors, imports, IMPORT_KINDS, type ImportKind } from "../../../db/schema";
import { CsvParser, type CsvRecord } from "../../lib/csv-reader";
import { conflict, DomainError, invalid, notFound } from "../../errors";
import { can } from "../../auth/permissions";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { inferMapping, validateMapping, ZMapping, type Mapping } from "./mapping";
import { decodeText, storedChunks, storeChunks } from "./raw-file";

/** Enqueues background work inside the caller's transaction (pg-boss in production). */
export interface JobQueue {
  enqueueImport(tx: Tx, job: { tenantId: string; importId: string }): Promise<void>;
  enqueueQuality(tx: Tx, job: { tenantId: string; importId: string }): Promise<void>;
  enqueueModelRun(tx: Tx, job: { tenantId: string; runId: string }): Promise<void>;
}

export const ZImportKind = z.enum(IMPORT_KINDS, { message: "kind must be customers, transactions or events" });
export const ZUploadMeta = z.object({
  kind: ZImportKind,
  fileName: z
    .string()
    .trim()
    .min(1, { message: "The file needs a name." })
    .max(255)
    .transform((name) => name.replace(/[\\/]/g, "_")),
});
export const ZImportIdInput = z.object({ importId: z.uuid() });
export const ZStartImportInput = z.object({ importId: z.uuid(), mapping: ZMapping });

const SAMPLE_ROWS = 500;
const DELIMITERS = [",", ";", "\t", "|"] as const;

/** The delimiter that splits the first lines into the most columns, consistently. */
export function sniffDelimiter(text: string): Mapping["delimiter"] {
  const lines = text.split(/\r\n|\n|\r/).filter((l) => l.trim()).slice(0, 20);
  let best: Mapping["delimiter"] = ",";
  let bestScore = 0;
  for (const d of DELIMITERS) {
    const counts = lines.map((l) => l.split(d).length);
    const consistent = counts.every((c) => c === counts[0]);
    const score = counts[0] > 1 ? counts[0] * (consistent ? 2 : 1) : 0;
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

const SAMPLE_CHARS = 256 * 1024;

/** The header and the first rows of a file's bytes, read without loading all of it. */
async function sampleOf(chunks: AsyncIterable<Buffer>, delimiter?: Mapping["delimiter"]) {
  let text = "";
  let complete = true;
  try {
    for await (const piece of decodeText(chunks)) {
      text += piece;
      if (text.length > SAMPLE_CHARS) {
        complete = false;
        break;
      }
    }
  } catch (error) {
    // A damaged file can still show its first rows; the import reports where it breaks.
    if (!(error instanceof DomainError) || !text) throw error;
    complete = false;
  }
  const chosen = delimiter ?? sniffDelimiter(text);
  const parser = new CsvParser({ delimiter: chosen, checkFieldCount: false });
  const records: CsvRecord[] = [];
  try {
    parser.push(text, records);
    // The whole file was read: its last line counts even without a line break after it.
    if (complete) parser.end(records);
  } catch {
    // A malformed line in the sample: the import itself reports it with its line number.
  }
  const [header, ...rows] = records;
  if (!header || header.values.every((v) => !v.trim())) throw invalid("The file has no header row. The first line must name the columns.");
  const names = header.values.map((v) => v.trim());
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw invalid(`The header names the column '${dup}' twice; column names must be unique.`);
  return { header: names, rows: rows.slice(0, SAMPLE_ROWS).map((r) => r.values), delimiter: chosen };
}

/** The header and the first rows of a stored file. */
export function readSample(scope: TenantScope, importId: string, delimiter?: Mapping["delimiter"]) {
  return sampleOf(storedChunks(scope.db, scope.tenantId, importId), delimiter);
}

function propose(kind: ImportKind, sample: Awaited<ReturnType<typeof sampleOf>>) {
  const { mapping, profiles } = inferMapping(kind, sample.header, sample.rows, sample.delimiter);
  return { header: sample.header, mapping, profiles };
}

export interface UploadResult {
  importId: string;
  header: string[];
  mapping: Mapping;
  profiles: ReturnType<typeof inferMapping>["profiles"];
}

/**
 * Stores an uploaded file as it is (the raw file is kept) and proposes a column mapping from
 * its header and first rows, for the user to review before the import starts.
 */
export async function uploadFile(
  scope: TenantScope,
  meta: z.input<typeof ZUploadMeta>,
  body: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>,
  maxBytes: number,
): Promise<UploadResult> {
  const { kind, fileName } = ZUploadMeta.parse(meta);
  // One transaction: a file whose header cannot be read leaves nothing behind.
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const [row] = await tx
      .insert(imports)
      .values({ tenantId: scope.tenantId, kind, fileName, byteSize: 0, sha256: "", mapping: {}, createdBy: scope.actor.userId })
      .returning({ id: imports.id });
    const stored = await storeChunks(tx, { tenantId: scope.tenantId, importId: row.id }, body, maxBytes);
    // The first stored chunk (1 MiB, or the whole file) is plenty for the header and sample.
    const proposal = propose(kind, await sampleOf((async function* () {
      yield stored.head;
    })()));
    await tx
      .update(imports)
      .set({ byteSize: stored.byteSize, sha256: stored.sha256, mapping: proposal.mapping })
      .where(and(eq(imports.tenantId, scope.tenantId), eq(imports.id, row.id)));
    await appendAudit(tx, scope, {
      action: "import.upload",
      objectType: "import",
      objectId: row.id,
      after: { kind, fileName, byteSize: stored.byteSize, sha256: stored.sha256 },
    });
    return { importId: row.id, ...proposal };
  });
}

async function loadImport(tx: Tx, tenantId: string, importId: string) {
  const [row] = await tx.select().from(imports).where(and(eq(imports.tenantId, tenantId), eq(imports.id, importId)));
  if (!row) throw notFound("That import");
  return row;
}

/** The mapping proposal again (e.g. with another delimiter), for an import not yet started. */
export async function previewImport(scope: TenantScope, input: { importId: string; delimiter?: Mapping["delimiter"] }) {
  const row = await scope.db.withTenant(scope.tenantId, (tx) => loadImport(tx, scope.tenantId, input.importId));
  const sample = await readSample(scope, row.id, input.delimiter);
  const proposal = propose(row.kind, sample);
  return { ...proposal, kind: row.kind, fileName: row.fileName, status: row.status, sampleRows: sample.rows.slice(0, 10) };
}

/** Confirms the mapping and queues the import, in one transaction with its job. */
export async function startImport(scope: TenantScope, input: z.input<typeof ZStartImportInput>, queue: JobQueue) {
  const { importId, mapping } = ZStartImportInput.parse(input);
  await scope.db.withTenant(scope.tenantId, (tx) => loadImport(tx, scope.tenantId, importId));
  const sample = await readSample(scope, importId, mapping.delimiter);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const row = await loadImport(tx, scope.tenantId, importId);
    if (row.status !== "uploaded") throw conflict(`This import was already started (it is ${row.status}).`);
    const problems = validateMapping(row.kind, sample.header, mapping);
    if (problems.length) throw invalid(problems.join(" "), { problems });
    await tx
      .update(imports)
      .set({ mapping, status: "queued" })
      .where(and(eq(imports.tenantId, scope.tenantId), eq(imports.id, importId)));
    await queue.enqueueImport(tx, { tenantId: scope.tenantId, importId });
    await appendAudit(tx, scope, { action: "import.start", objectType: "import", objectId: importId, after: { mapping } });
    return { importId, status: "queued" as const };
  });
}

/** Asks a queued or running import to stop; it then leaves no rows behind. */
export async function cancelImport(scope: TenantScope, input: z.input<typeof ZImportIdInput>) {
  const { importId } = ZImportIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const row = await loadImport(tx, scope.tenantId, importId);
    if (!["uploaded", "queued", "running"].includes(row.status)) throw conflict(`This import is ${row.status}; there is nothing to cancel.`);
    const immediate = row.status !== "running";
    await tx
      .update(imports)
      .set(immediate ? { status: "cancelled", cancelRequested: true, finishedAt: new Date() } : { cancelRequested: true })
      .where(and(eq(imports.tenantId, scope.tenantId), eq(imports.id, importId)));
    await appendAudit(tx, scope, { action: "import.cancel", objectType: "import", objectId: importId, before: { status: row.status } });
    return { importId, status: immediate ? ("cancelled" as const) : ("running" as const) };
  });
}

const LIST_COLUMNS = {
  id: imports.id,
  kind: imports.kind,
  fileName: imports.fileName,
  byteSize: imports.byteSize,
  status: imports.status,
  bytesRead: imports.bytesRead,
  rowsRead: imports.rowsRead,
  rowsImported: imports.rowsImported,
  rowsUnchanged: imports.rowsUnchanged,
  rowsDuplicate: imports.rowsDuplicate,
  rowsFailed: imports.rowsFailed,
  error: imports.error,
  cancelRequested: imports.cancelRequested,
  createdAt: imports.createdAt,
  startedAt: imports.startedAt,
  finishedAt: imports.finishedAt,
};

export async function listImports(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, (tx) =>
    tx.select(LIST_COLUMNS).from(imports).where(eq(imports.tenantId, scope.tenantId)).orderBy(desc(imports.createdAt)).limit(200),
  );
}

export async function getImport(scope: TenantScope, input: z.input<typeof ZImportIdInput>) {
  const { importId } = ZImportIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const [row] = await tx
      .select({ ...LIST_COLUMNS, mapping: imports.mapping, sha256: imports.sha256 })
      .from(imports)
      .where(and(eq(imports.tenantId, scope.tenantId), eq(imports.id, importId)));
    if (!row) throw notFound("That import");
    const [report] = await tx
      .select({ report: dataQualityReports.report })
      .from(dataQualityReports)
      .where(and(eq(dataQualityReports.tenantId, scope.tenantId), eq(dataQualityReports.importId, importId)));
    const errors = await tx
      .select({ line: importErrors.line, column: importErrors.column, reason: importErrors.reason, value: importErrors.value })
      .from(importErrors)
      .where(and(eq(importErrors.tenantId, scope.tenantId), eq(importErrors.importId, importId)))
      .orderBy(asc(importErrors.line), asc(importErrors.column))
      .limit(50);
    // A rejected cell may hold personal data (a malformed email): shown only to roles with pii:read.
    const pii = can(scope.role, "pii:read");
    return { ...row, qualityReport: report?.report ?? null, firstErrors: errors.map((e) => ({ ...e, value: pii ? e.value : null })) };
  });
}

/**
 * Every row that was not imported, in line order, in batches: for the downloadable error report.
 * Checks that the import exists in this workspace before any row is streamed. The rejected
 * values are left out for roles without pii:read.
 */
export async function importErrorRows(scope: TenantScope, importId: string, batchSize = 5000) {
  await scope.db.withTenant(scope.tenantId, (tx) => loadImport(tx, scope.tenantId, importId));
  const pii = can(scope.role, "pii:read");
  return (async function* () {
    let after = { line: 0, column: "" };
    for (;;) {
      const rows = await scope.db.withTenant(scope.tenantId, (tx) =>
        tx
          .select({ line: importErrors.line, column: importErrors.column, reason: importErrors.reason, value: importErrors.value })
          .from(importErrors)
          .where(
            and(
              eq(importErrors.tenantId, scope.tenantId),
              eq(importErrors.importId, importId),
              sql`(${importErrors.line}, ${importErrors.column}) > (${after.line}, ${after.column})`,
            ),
          )
          .orderBy(asc(importErrors.line), asc(importErrors.column))
          .limit(batchSize),
      );
      for (const r of rows) yield [r.line, r.column, r.reason, pii ? r.value : null];
      if (rows.length < batchSize) return;
      after = rows[rows.length - 1];
    }
  })();
}

export const IMPORT_ERROR_CSV_HEADER = ["line", "column", "reason", "value"];

