import { resolveScope } from "../auth/scope";
import { AUDIT_CSV_HEADER, auditExportRows, ZAuditFilter } from "../services/audit";
import { sendCsv } from "./csv-response";
import { scopedRoute } from "./scoped-route";

/** GET /audit/export.csv?actor=&action=&objectType=&objectId=&from=&to= — streamed, newest first. */
export const auditExportHandler = scopedRoute(async (ctx, req, res) => {
  const scope = resolveScope(ctx, "audit:read");
  const filter = ZAuditFilter.parse(req.query);
  const stamp = new Date().toISOString().slice(0, 10);
  await sendCsv(res, `audit-log-${ctx.workspace?.slug}-${stamp}.csv`, AUDIT_CSV_HEADER, auditExportRows(scope, filter));
});
