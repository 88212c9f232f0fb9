export * from "./imports";
export * from "./customers";
export * from "./settings";
export { listMerges, undoMerge, ZMergeIdInput } from "./identity";
export { FIELDS, FIELD_LABELS, REQUIRED_FIELDS, ZMapping, type Mapping } from "./mapping";
export { runImport, runQualityReport } from "./import-runner";
