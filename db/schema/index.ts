export * from "./accounts";
export * from "./workspaces";
export * from "./audit";
