import { z } from "zod";
import * as data from "../../services/data";
import { ZMapping } from "../../services/data/mapping";
import { permissionProcedure, router } from "../init";

export const dataRouter = router({
  overview: permissionProcedure("data:read").query(({ ctx }) => data.dataOverview(ctx.scope)),
  imports: permissionProcedure("data:read").query(({ ctx }) => data.listImports(ctx.scope)),
  import: permissionProcedure("data:read").input(data.ZImportIdInput).query(({ ctx, input }) => data.getImport(ctx.scope, input)),
  preview: permissionProcedure("data:import")
    .input(data.ZImportIdInput.extend({ delimiter: ZMapping.shape.delimiter.unwrap().optional() }))
    .query(({ ctx, input }) => data.previewImport(ctx.scope, input)),
  startImport: permissionProcedure("data:import")
    .input(data.ZStartImportInput)
    .mutation(({ ctx, input }) => data.startImport(ctx.scope, input, ctx.jobs)),
  cancelImport: permissionProcedure("data:import")
    .input(data.ZImportIdInput)
    .mutation(({ ctx, input }) => data.cancelImport(ctx.scope, input)),
  customers: permissionProcedure("data:read").input(data.ZListCustomersInput).query(({ ctx, input }) => data.listCustomers(ctx.scope, input)),
  merges: permissionProcedure("data:read").query(({ ctx }) => data.listMerges(ctx.scope)),
  undoMerge: permissionProcedure("data:configure")
    .input(data.ZMergeIdInput)
    .mutation(({ ctx, input }) => data.undoMerge(ctx.scope, input)),
  settings: permissionProcedure("data:read").query(({ ctx }) => data.getDataSettings(ctx.scope)),
  updateSettings: permissionProcedure("data:configure")
    .input(data.ZDataSettings)
    .mutation(({ ctx, input }) => data.updateDataSettings(ctx.scope, input)),
  fields: permissionProcedure("data:read").input(z.object({ kind: data.ZImportKind })).query(({ input }) => ({
    fields: data.FIELDS[input.kind].map((f) => ({ field: f, label: data.FIELD_LABELS[f], required: data.REQUIRED_FIELDS[input.kind].includes(f) })),
  })),
});
