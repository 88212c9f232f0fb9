export { BUILTIN_KPIS } from "./builtins";
export {
  createKpi,
  deleteKpi,
  ensureBuiltinKpis,
  listKpis,
  readDefinitions,
  setKpiOwner,
  setKpiTarget,
  updateKpi,
  ZCreateKpiInput,
  ZKpiIdInput,
  ZSetOwnerInput,
  ZSetTargetInput,
  ZUpdateKpiInput,
} from "./definitions";
export { dashboard, segmentSeries, ZDashboardInput, ZSegmentSeriesInput } from "./dashboard";
export { KPI_ROLLUP_QUEUE, ZKpiRollupJob } from "./queue";
export { computeRollups, type RollupScope } from "./rollup";
export {
  dashboardsTopic,
  failRollup,
  queueImportRollup,
  queuePublishRollup,
  queueRollup,
  requestRebuild,
  rollupStatus,
  runRollup,
} from "./runs";
export { ZCustomKpiSpec, type CustomKpiSpec } from "./spec";
