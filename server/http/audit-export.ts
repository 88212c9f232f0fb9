import type { Request, Response } from "express";
import { ZodError } from "zod";
import { resolveScope } from "../auth/scope";
import { DomainError, HTTP_STATUS } from "../errors";
import { csvLine } from "../lib/csv";
import { AUDIT_CSV_HEADER, auditExportRows, ZAuditFilter } from "../services/audit";
import { createRequestContext, type AppServices } from "../trpc/context";
import { describeZodError } from "../trpc/init";

/** GET /audit/export.csv?actor=&action=&objectType=&objectId=&from=&to= — streamed, newest first. */
export function auditExportHandler(services: AppServices) {
  return async (req: Request, res: Response) => {
    try {
      const ctx = await createRequestContext(services, req, res);
      const scope = resolveScope(ctx, "audit:read");
      const filter = ZAuditFilter.parse(req.query);
      const stamp = new Date().toISOString().slice(0, 10);
      res.status(200);
      res.setHeader("content-type", "text/csv; charset=utf-8");
      res.setHeader("content-disposition", `attachment; filename="audit-log-${ctx.workspace?.slug}-${stamp}.csv"`);
      res.setHeader("cache-control", "no-store");
      res.write(csvLine(AUDIT_CSV_HEADER));
      for await (const row of auditExportRows(scope, filter)) {
        if (!res.write(csvLine(row))) await new Promise((r) => res.once("drain", r));
      }
      res.end();
    } catch (error) {
      if (res.headersSent) {
        (res.locals.log ?? services.logger).error({ err: error }, "audit export failed mid-stream");
        res.destroy(error as Error);
        return;
      }
      if (error instanceof DomainError) {
        res.status(HTTP_STATUS[error.code]).type("text/plain").send(error.message);
      } else if (error instanceof ZodError) {
        res.status(400).type("text/plain").send(describeZodError(error));
      } else {
        throw error;
      }
    }
  };
}
