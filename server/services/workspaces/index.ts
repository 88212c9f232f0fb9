export * from "./workspaces";
export * from "./members";
export * from "./invites";
export * from "./regions";
