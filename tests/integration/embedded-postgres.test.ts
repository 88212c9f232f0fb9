import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../../db/embedded";

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "quorum-embedded-test-"));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function query(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the embedded PostgreSQL", () => {
  it("keeps its data between runs and replaces a server orphaned by a hard kill", async () => {
    const first = await startEmbeddedPostgres({ dataDir });
    await query(first.url, "create table kept (v text); insert into kept values ('still here')");
    const version = await query(first.url, "show server_version_num");
    expect(Number(version.rows[0].server_version_num)).toBeGreaterThanOrEqual(150000);
    const orphanPid = Number((await readFile(path.join(dataDir, "pg", "postmaster.pid"), "utf8")).split("\n")[0]);
    expect(orphanPid).toBeGreaterThan(0);

    // The first server is never stopped, as after a hard kill of its Node process.
    const second = await startEmbeddedPostgres({ dataDir });
    try {
      expect(alive(orphanPid)).toBe(false);
      const rows = await query(second.url, "select v from kept");
      expect(rows.rows).toEqual([{ v: "still here" }]);
      await expect(query(first.url, "select 1")).rejects.toThrow();
    } finally {
      await second.stop();
    }
    expect(alive(orphanPid)).toBe(false);
    await expect(query(second.url, "select 1")).rejects.toThrow();
  });
});
