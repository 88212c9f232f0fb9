import { and, eq, sql } from "drizzle-orm";
import type { Database, Tx } from "../../../db/client";
import { txClient } from "../../../db/client";
import { attributeDefinitions, dataQualityReports, imports, users, type ImportKind } from "../../../db/schema";
import { DomainError } from "../../errors";
import { CsvError, CsvParser, type CsvRecord } from "../../lib/csv-reader";
import { isDatabaseUnreachable } from "../../http/database-health";
import type { Logger } from "../../logger";
import { appendAudit } from "../audit";
import { recomputeFeatures } from "./features";
import { resolveIdentities } from "./identity";
import type { JobQueue } from "./imports";
import type { Mapping } from "./mapping";
import { queueImportRollup } from "../kpis/runs";
import { buildQualityReport } from "./quality-report";
import { decodeText, storedChunks } from "./raw-file";
import { rowConverter, STAGING, type RowError } from "./rows";
import { readDataSettings } from "./settings";

/** Arbitrary constants: first keys of the per-import and per-tenant locks of the import. */
const IMPORT_LOCK_CLASS = 727_003;
const TENANT_WRITE_LOCK_CLASS = 727_004;
const BATCH_ROWS = 5000;

class ImportCancelled extends Error {}

export type RunOutcome = "completed" | "cancelled" | "failed" | "skipped" | "busy";

interface Counters {
  bytesRead: number;
  rowsRead: number;
  rowsFailed: number;
}

interface ImportJob {
  tenantId: string;
  importId: string;
  kind: ImportKind;
  mapping: Mapping;
}

const ACTIVE = ["queued", "running"];

async function loadImportRow(db: Database, tenantId: string, importId: string) {
  const [row] = await db.withTenant(tenantId, (tx) =>
    tx.select().from(imports).where(and(eq(imports.tenantId, tenantId), eq(imports.id, importId))),
  );
  return row;
}

async function progress(db: Database, tenantId: string, importId: string, values: Partial<typeof imports.$inferInsert>) {
  return db.withTenant(tenantId, async (tx) => {
    const [row] = await tx
      .update(imports)
      .set(values)
      .where(and(eq(imports.tenantId, tenantId), eq(imports.id, importId)))
      .returning({ cancelRequested: imports.cancelRequested });
    return row?.cancelRequested ?? false;
  });
}

/**
 * Runs one import from its stored file, all-or-nothing: every valid row lands in the tenant's
 * tables and every invalid one in the error report, in one transaction that also recomputes the
 * features, writes the audit entry and queues the data-quality report. A cancel, a failure or a
 * crash rolls it all back; running it again (a retry, or the recovery after a crash) starts
 * afresh. A per-import lock makes a second runner of the same import skip it as busy.
 */
export async function runImport(db: Database, jobs: JobQueue, tenantId: string, importId: string, log?: Logger): Promise<RunOutcome> {
  const start = await loadImportRow(db, tenantId, importId);
  if (!start || !ACTIVE.includes(start.status)) return "skipped";
  if (start.cancelRequested) {
    await progress(db, tenantId, importId, { status: "cancelled", finishedAt: new Date() });
    return "cancelled";
  }
  const job: ImportJob = { tenantId, importId, kind: start.kind, mapping: start.mapping as Mapping };
  const counters: Counters = { bytesRead: 0, rowsRead: 0, rowsFailed: 0 };
  const checkCancel = async () => {
    if ((await loadImportRow(db, tenantId, importId))?.cancelRequested) throw new ImportCancelled();
  };
  try {
    return await db.withTenant(tenantId, async (tx) => {
      const locked = await tx.execute<{ ok: boolean }>(sql`select pg_try_advisory_xact_lock(${IMPORT_LOCK_CLASS}, hashtext(${importId})) as ok`);
      if (!locked.rows[0].ok) return "busy" as const;
      const [fresh] = await tx.select({ status: imports.status }).from(imports).where(and(eq(imports.tenantId, tenantId), eq(imports.id, importId)));
      if (!fresh || !ACTIVE.includes(fresh.status)) return "skipped" as const;
      await progress(db, tenantId, importId, { status: "running", startedAt: new Date(), ...counters, rowsImported: 0, rowsUnchanged: 0, error: null });
      await loadRows(tx, db, job, counters, { report: true });
      await checkCancel();
      await applyRows(tx, { ...job, createdBy: start.createdBy }, counters, checkCancel);
      await jobs.enqueueQuality(tx, { tenantId, importId });
      return "completed" as const;
    });
  } catch (error) {
    if (error instanceof ImportCancelled) {
      await progress(db, tenantId, importId, { status: "cancelled", finishedAt: new Date(), rowsImported: 0, rowsUnchanged: 0, rowsFailed: 0 });
      return "cancelled";
    }
    if (isDatabaseUnreachable(error)) {
      // The database went away (a cut connection, a pool that could not connect), not the file:
      // the transaction took everything it wrote with it. Thrown, so pg-boss retries the job;
      // an import left "running" is also resumed by the workers' recovery.
      log?.warn({ err: error, tenantId, importId }, "import interrupted by a lost database connection; it will be retried");
      throw error;
    }
    log?.error({ err: error, tenantId, importId }, "import failed");
    // What the file did wrong is for the person who imported it; anything else (SQL, a bug) stays in the log.
    const message =
      error instanceof CsvError || error instanceof DomainError ? error.message : `an unexpected error on our side (logged under import ${importId}); try again, and tell your admin if it keeps failing.`;
    await progress(db, tenantId, importId, {
      status: "failed",
      finishedAt: new Date(),
      rowsImported: 0,
      rowsUnchanged: 0,
      error: `The import stopped and nothing was imported: ${message}`,
    });
    return "failed";
  }
}

/**
 * Streams the stored file through the CSV parser and the row converter into the transaction's
 * staging table (`import_rows`); with `report`, invalid rows go to the error report and progress
 * is written as it goes (at most every half second; a cancel request stops the run).
 */
async function loadRows(tx: Tx, db: Database, job: ImportJob, counters: Counters, options: { report: boolean }) {
  const client = txClient(tx);
  const staging = STAGING[job.kind];
  // Sorts and hashes over a whole file (duplicates, distinct counts, features) stay in memory.
  await client.query("set local work_mem = '256MB'");
  await client.query(staging.create);
  const parser = new CsvParser({ delimiter: job.mapping.delimiter, checkFieldCount: false });
  let convert: ReturnType<typeof rowConverter> | null = null;
  let good: unknown[][] = [];
  let errors: RowError[] = [];
  // One bulk insert is in flight while the next batch is parsed. Its failure (a lost connection)
  // is seen at the next await of it; marked handled now, so that failing while something else is
  // awaited is no unhandled rejection, which would end a worker process.
  let inFlight: Promise<unknown> = Promise.resolve();
  const send = (query: Promise<unknown>) => {
    query.catch(() => {});
    return query;
  };
  let lastProgress = 0;

  const flush = async (final = false) => {
    await inFlight;
    if (good.length) {
      inFlight = send(client.query(staging.insert, staging.columnsOf(good)));
      good = [];
    }
    if (errors.length) {
      counters.rowsFailed += new Set(errors.map((e) => e.line)).size;
      const batch = errors;
      errors = [];
      if (options.report) {
        await inFlight;
        inFlight = send(
          client.query(
            `insert into import_errors (tenant_id, import_id, line, column_name, reason, value)
             select $1, $2, * from unnest($3::int[], $4::text[], $5::text[], $6::text[]) on conflict do nothing`,
            [job.tenantId, job.importId, batch.map((e) => e.line), batch.map((e) => e.column), batch.map((e) => e.reason), batch.map((e) => e.value)],
          ),
        );
      }
    }
    if (final) await inFlight;
    if (options.report && (final || Date.now() - lastProgress > 500)) {
      lastProgress = Date.now();
      if (await progress(db, job.tenantId, job.importId, { ...counters })) throw new ImportCancelled();
    }
  };

  const take = (records: CsvRecord[]) => {
    for (const record of records) {
      if (!convert) {
        convert = rowConverter(job.kind, record.values.map((v) => v.trim()), job.mapping);
        continue;
      }
      counters.rowsRead++;
      const result = convert(record);
      if (result.ok) good.push(result.row);
      else errors.push(...result.errors);
    }
  };

  const batch: CsvRecord[] = [];
  try {
    for await (const text of decodeText(storedChunks(db, job.tenantId, job.importId), (n) => (counters.bytesRead += n))) {
      parser.push(text, batch);
      take(batch.splice(0));
      if (good.length + errors.length >= BATCH_ROWS) await flush();
    }
  } catch (error) {
    // Malformed CSV the parser cannot resynchronise after, or a damaged compressed file: the
    // rows before it are kept; the problem and the unread rest are reported.
    const reason = error instanceof CsvError ? error.reason : error instanceof DomainError ? error.message : null;
    if (reason === null) throw error;
    take(batch.splice(0));
    const line = error instanceof CsvError ? error.line : parser.line;
    errors.push({ line, column: "*", reason: `${reason.replace(/\.$/, "")}; this line and the rest of the file were not read`, value: null });
    await flush(true);
    return;
  }
  try {
    parser.end(batch);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    errors.push({ line: error.line, column: "*", reason: `${error.reason} (the file may be truncated)`, value: null });
  }
  take(batch.splice(0));
  if (!convert) errors.push({ line: 1, column: "*", reason: "the file has no header row", value: null });
  await flush(true);
  // Temporary tables get no automatic statistics; the app role owns this one and may analyse it.
  await client.query("analyze import_rows");
}

/**
 * Gives each staged transaction its key (`keyed_rows`): the file's transaction id (the first row
 * of an id wins), else a hash of the row's content and which occurrence of that content it is
 * in the file, so identical lines stay separate and a re-import of the file gives the same keys.
 */
async function keyTransactions(tx: Tx, mapping: Mapping) {
  const byId = mapping.columns.some((c) => c.field === "transaction_id");
  await txClient(tx).query(
    `create temp table keyed_rows on commit drop as
     select r.*, row_number() over (partition by r.content order by r.line) as occurrence,
            ${byId ? "row_number() over (partition by r.transaction_id order by r.line) = 1 or r.transaction_id is null" : "true"} as first_of_key
     from (select i.*, md5(concat_ws(chr(31), invoice_no, stock_code, description, quantity::text, unit_price::text,
                                     occurred_at::text, customer_external_id, country)) as content
           from import_rows i) r`,
  );
}

/** Keys staged events like transactions: the file's event id, else a content hash and its occurrence. */
async function keyEvents(tx: Tx, mapping: Mapping) {
  const byId = mapping.columns.some((c) => c.field === "event_id");
  await txClient(tx).query(
    `create temp table keyed_rows on commit drop as
     select r.*, row_number() over (partition by r.content order by r.line) as occurrence,
            ${byId ? "row_number() over (partition by r.event_id order by r.line) = 1 or r.event_id is null" : "true"} as first_of_key
     from (select i.*, md5(concat_ws(chr(31), type, occurred_at::text, customer_external_id, value::text, channel, campaign)) as content
           from import_rows i) r`,
  );
}

/** Moves the staged rows into the tenant's tables and records what happened, all in `tx`. */
async function applyRows(tx: Tx, job: ImportJob & { createdBy: string | null }, counters: Counters, checkCancel: () => Promise<void>) {
  const client = txClient(tx);
  const settings = await readDataSettings(tx, job.tenantId);
  const [creator] = job.createdBy ? await tx.select({ email: users.email }).from(users).where(eq(users.id, job.createdBy)) : [];
  const audit = { tenantId: job.tenantId, actor: job.createdBy && creator ? { userId: job.createdBy, label: creator.email } : null };
  // Imports of one workspace apply one at a time, so that a key cannot be inserted twice.
  await tx.execute(sql`select pg_advisory_xact_lock(${TENANT_WRITE_LOCK_CLASS}, hashtext(${job.tenantId}))`);
  let imported = 0;
  let unchanged = 0;
  let merges = 0;
  if (job.kind === "transactions") {
    await keyTransactions(tx, job.mapping);
    const result = await client.query(
      `with k as (
         select *, coalesce(transaction_id, content || ':' || occurrence) as key from keyed_rows where first_of_key
       ), ins as (
         insert into transactions (tenant_id, id, customer_external_id, invoice_no, stock_code, description, quantity,
                                   unit_price, occurred_at, country, import_id)
         select $1, k.key, customer_external_id, invoice_no, stock_code, description, quantity, unit_price, occurred_at, country, $2
         from k
         where not exists (select 1 from transactions t where t.tenant_id = $1 and t.id = k.key)
         returning 1
       )
       select count(*)::int as n from ins`,
      [job.tenantId, job.importId],
    );
    const staged = Number((await client.query("select count(*)::int as n from import_rows")).rows[0].n);
    imported = result.rows[0].n;
    unchanged = staged - imported;
    await client.query(
      `insert into customers (tenant_id, external_id)
       select distinct $1::uuid, customer_external_id from import_rows where customer_external_id is not null
       on conflict do nothing`,
      [job.tenantId],
    );
  } else if (job.kind === "events") {
    await keyEvents(tx, job.mapping);
    const result = await client.query(
      `with k as (
         select *, coalesce(event_id, content || ':' || occurrence) as key from keyed_rows where first_of_key
       ), ins as (
         insert into events (tenant_id, id, customer_external_id, type, occurred_at, value, channel, campaign, import_id)
         select $1, k.key, customer_external_id, type, occurred_at, value, channel, campaign, $2
         from k
         where not exists (select 1 from events e where e.tenant_id = $1 and e.id = k.key)
         returning 1
       )
       select count(*)::int as n from ins`,
      [job.tenantId, job.importId],
    );
    const staged = Number((await client.query("select count(*)::int as n from import_rows")).rows[0].n);
    imported = result.rows[0].n;
    unchanged = staged - imported;
    // The customer is resolved when roll-ups are computed (by external id); events name customers
    // that may arrive in a later customers file, so no customer records are made here.
  } else {
    for (const c of job.mapping.columns) {
      if (c.field !== "attribute" || !c.attribute) continue;
      await tx
        .insert(attributeDefinitions)
        .values({ tenantId: job.tenantId, ...c.attribute })
        .onConflictDoUpdate({
          target: [attributeDefinitions.tenantId, attributeDefinitions.key],
          set: { label: c.attribute.label, type: c.attribute.type, sensitivity: c.attribute.sensitivity },
        });
    }
    // Within one file the last row of a customer id wins; earlier ones are reported as duplicate keys.
    // A file can opt a customer out but never back in: a withdrawn consent (the API, an earlier
    // file) is not undone by a stale export or a file without the column (decision 008).
    const result = await client.query(
      `with latest as (
         select distinct on (external_id) * from import_rows order by external_id, line desc
       ), up as (
         insert into customers as c (tenant_id, external_id, name, email, email_norm, phone, phone_norm, region, attributes, opted_out)
         select $1, external_id, name, email, email_norm, phone, phone_norm, region, attributes, coalesce(opted_out, false) from latest
         on conflict (tenant_id, external_id) do update set
           name = coalesce(excluded.name, c.name), email = coalesce(excluded.email, c.email),
           email_norm = coalesce(excluded.email_norm, c.email_norm), phone = coalesce(excluded.phone, c.phone),
           phone_norm = coalesce(excluded.phone_norm, c.phone_norm), region = coalesce(excluded.region, c.region),
           attributes = c.attributes || excluded.attributes, opted_out = c.opted_out or excluded.opted_out, updated_at = now()
         where (c.name, c.email, c.phone, c.region, c.opted_out) is distinct from
               (coalesce(excluded.name, c.name), coalesce(excluded.email, c.email), coalesce(excluded.phone, c.phone),
                coalesce(excluded.region, c.region), c.opted_out or excluded.opted_out)
            or c.attributes <> c.attributes || excluded.attributes
         returning c.id, c.external_id
       ), src as (
         insert into customer_sources (tenant_id, import_id, line, customer_id, external_id)
         select $1, $2, l.line, up.id, up.external_id from up join latest l using (external_id)
         on conflict do nothing
       )
       select count(*)::int as n from up`,
      [job.tenantId, job.importId],
    );
    const distinct = Number((await client.query("select count(distinct external_id)::int as n from import_rows")).rows[0].n);
    imported = result.rows[0].n;
    unchanged = distinct - imported;
    merges = await resolveIdentities(tx, audit);
  }
  await checkCancel();
  // Events do not change customer features; transactions and customers do.
  const featured = job.kind === "events" ? null : await recomputeFeatures(tx, job.tenantId, settings.preparation);
  await checkCancel();
  // KPI roll-ups of the periods the file's rows touch (all periods after a customers file, whose
  // regions may have changed), queued with the import's commit.
  const span =
    job.kind === "customers"
      ? null
      : (await client.query<{ from: Date | null; to: Date | null }>(`select min(occurred_at) as "from", max(occurred_at) as "to" from import_rows`)).rows[0];
  if (job.kind === "customers" || (span?.from && span.to)) {
    await queueImportRollup(tx, job.tenantId, job.importId, job.createdBy, span?.from && span.to ? { from: span.from, to: span.to } : null);
  }
  await tx
    .update(imports)
    .set({
      status: "completed",
      finishedAt: new Date(),
      bytesRead: counters.bytesRead,
      rowsRead: counters.rowsRead,
      rowsFailed: counters.rowsFailed,
      rowsImported: imported,
      rowsUnchanged: unchanged,
    })
    .where(and(eq(imports.tenantId, job.tenantId), eq(imports.id, job.importId)));
  await appendAudit(tx, audit, {
    action: "import.complete",
    objectType: "import",
    objectId: job.importId,
    after: { rowsRead: counters.rowsRead, imported, unchanged, failed: counters.rowsFailed, merges, customersWithFeatures: featured },
  });
}

/**
 * The data-quality report of a completed import, computed after it (a background job): the
 * stored file is read again into a staging table and profiled. Idempotent: a report that
 * exists is kept.
 */
export async function runQualityReport(db: Database, tenantId: string, importId: string): Promise<"written" | "skipped"> {
  const row = await loadImportRow(db, tenantId, importId);
  if (!row || row.status !== "completed") return "skipped";
  const job: ImportJob = { tenantId, importId, kind: row.kind, mapping: row.mapping as Mapping };
  return db.withTenant(tenantId, async (tx) => {
    const [existing] = await tx
      .select({ id: dataQualityReports.importId })
      .from(dataQualityReports)
      .where(and(eq(dataQualityReports.tenantId, tenantId), eq(dataQualityReports.importId, importId)));
    if (existing) return "skipped";
    const counters: Counters = { bytesRead: 0, rowsRead: 0, rowsFailed: 0 };
    await loadRows(tx, db, job, counters, { report: false });
    if (job.kind === "transactions") await keyTransactions(tx, job.mapping);
    if (job.kind === "events") await keyEvents(tx, job.mapping);
    const settings = await readDataSettings(tx, tenantId);
    const report = await buildQualityReport(tx, job.kind, job.mapping, {
      maxMissingShare: settings.maxMissingShare,
      rowsRead: counters.rowsRead,
      rowsFailed: counters.rowsFailed,
    });
    await tx.insert(dataQualityReports).values({ tenantId, importId, report: { ...report } }).onConflictDoNothing();
    await tx
      .update(imports)
      .set({ rowsDuplicate: report.duplicateRows })
      .where(and(eq(imports.tenantId, tenantId), eq(imports.id, importId)));
    return "written";
  });
}
