import { resolveScope } from "../auth/scope";
import { IMPORT_ERROR_CSV_HEADER, importErrorRows, uploadFile, ZImportIdInput, ZUploadMeta } from "../services/data";
import { sendCsv } from "./csv-response";
import { scopedRoute } from "./scoped-route";

/**
 * POST /data/imports/upload?kind=customers|transactions&fileName=… with the file as the raw
 * request body (so the browser can show upload progress and nothing is buffered in memory).
 * Answers the stored import's id and the proposed column mapping.
 */
export const uploadHandler = scopedRoute(async (ctx, req, res) => {
  const scope = resolveScope(ctx, "data:import");
  const meta = ZUploadMeta.parse({ kind: req.query.kind, fileName: req.query.fileName });
  const result = await uploadFile(scope, meta, req, ctx.config.MAX_UPLOAD_MB * 1048576);
  res.status(201).json(result);
});

/** GET /data/imports/:importId/errors.csv — every row that was not imported, with its reason. */
export const importErrorsHandler = scopedRoute(async (ctx, req, res) => {
  const scope = resolveScope(ctx, "data:read");
  const { importId } = ZImportIdInput.parse({ importId: req.params.importId });
  await sendCsv(res, `import-errors-${importId}.csv`, IMPORT_ERROR_CSV_HEADER, await importErrorRows(scope, importId));
});
