export * from "./accounts";
export * from "./workspaces";
export * from "./audit";
export * from "./customers";
export * from "./segments";
export * from "./collab";
export * from "./models";
export * from "./swot";
