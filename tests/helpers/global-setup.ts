import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../db/embedded";

declare module "vitest" {
  export interface ProvidedContext {
    /** A PostgreSQL server URL (superuser) on which each test file creates its own database. */
    adminDatabaseUrl: string;
  }
}

/**
 * DATABASE_URL's server when set (CI: the machine's PostgreSQL), else an embedded PostgreSQL
 * started for this run in a temporary folder and removed afterwards.
 */
export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide("adminDatabaseUrl", process.env.DATABASE_URL);
    return;
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "quorum-test-pg-"));
  const pg = await startEmbeddedPostgres({ dataDir });
  project.provide("adminDatabaseUrl", pg.url);
  return async () => {
    await pg.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
