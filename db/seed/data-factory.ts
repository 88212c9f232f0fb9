import type { Database } from "../client";
import { runImport, runQualityReport, startImport, uploadFile, type JobQueue, type Mapping } from "../../server/services/data";
import type { TenantScope } from "../../server/services/scope";

export interface ImportedFile {
  importId: string;
  outcome: Awaited<ReturnType<typeof runImport>>;
}

/**
 * Imports a file through the same path a person takes (upload, proposed mapping, start, the
 * job's runner), with optional changes to the proposed mapping.
 */
export async function importFile(
  db: Database,
  scope: TenantScope,
  jobs: JobQueue,
  file: { kind: "customers" | "transactions" | "events"; fileName: string; body: AsyncIterable<Buffer | string> | Buffer | string },
  adjust: (mapping: Mapping) => Mapping = (m) => m,
): Promise<ImportedFile> {
  const body = typeof file.body === "string" || Buffer.isBuffer(file.body) ? [file.body] : file.body;
  const uploaded = await uploadFile(scope, { kind: file.kind, fileName: file.fileName }, body, 1 << 30);
  await startImport(scope, { importId: uploaded.importId, mapping: adjust(uploaded.mapping) }, jobs);
  const outcome = await runImport(db, jobs, scope.tenantId, uploaded.importId);
  // What the quality job does after the import, run here directly.
  await runQualityReport(db, scope.tenantId, uploaded.importId);
  return { importId: uploaded.importId, outcome };
}

export const SAMPLE_CUSTOMERS_CSV = [
  "customer_id,email,phone,name,region,gender,age,plan,opted_out",
  "C001,ana@example.test,+44 20 7946 0001,Ana Lima,EMEA,F,34,gold,no",
  "C002,ben@example.test,,Ben Okafor,North America,M,51,silver,no",
  "C003,chloe@example.test,+1 415 555 0103,Chloé Martin,EMEA,F,27,gold,yes",
  "C004,ANA@example.test,,Ana L.,EMEA,F,34,gold,no",
  "C005,dev@example.test,+1 415 555 0103,Dev Patel,APAC,M,45,bronze,no",
].join("\n");

export const SAMPLE_TRANSACTIONS_CSV = [
  "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country",
  "536365,85123A,WHITE HANGING HEART,6,2011-01-10 08:26:00,2.55,C001,United Kingdom",
  "536366,71053,WHITE METAL LANTERN,2,2011-03-01 09:00:00,3.39,C001,United Kingdom",
  "536367,84406B,CREAM CUPID HEARTS,8,2011-02-01 10:00:00,2.75,C002,France",
  "C536368,84406B,CREAM CUPID HEARTS,-1,2011-02-02 10:00:00,2.75,C002,France",
  "536369,22752,SET 7 BABUSHKA,1,2011-03-05 12:00:00,7.65,C003,Germany",
  "536370,21730,GLASS STAR,4,2011-03-06 12:00:00,4.25,C005,Spain",
  "536371,22633,HAND WARMER,3,2011-03-07 12:00:00,1.85,,United Kingdom",
].join("\n");
