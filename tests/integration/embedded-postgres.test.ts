import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
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

function startOrphanable(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/embedded-child.ts", dir], { stdio: ["ignore", "pipe", "ignore"] });
  return new Promise((resolve, reject) => {
    child.stdout!.once("data", (d: Buffer) => resolve({ child, url: d.toString().trim() }));
    child.once("exit", (code) => reject(new Error(`embedded child exited with ${code}`)));
  });
}

describe("the embedded PostgreSQL", () => {
  it("keeps its data between runs and replaces a server orphaned by a hard kill", async () => {
    const { child, url } = await startOrphanable(dataDir);
    await query(url, "create table kept (v text); insert into kept values ('still here')");
    const version = await query(url, "show server_version_num");
    expect(Number(version.rows[0].server_version_num)).toBeGreaterThanOrEqual(150000);
    const orphanPid = Number((await readFile(path.join(dataDir, "pg", "postmaster.pid"), "utf8")).split("\n")[0]);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(alive(orphanPid)).toBe(true);

    const second = await startEmbeddedPostgres({ dataDir });
    try {
      expect(alive(orphanPid)).toBe(false);
      const rows = await query(second.url, "select v from kept");
      expect(rows.rows).toEqual([{ v: "still here" }]);

      // While a live process holds the folder, a second start is refused with a clear message.
      await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(/is in use by a running process .* Stop it first, or set DATABASE_URL/);
      await query(second.url, "select 1");
    } finally {
      await second.stop();
    }
    await expect(query(second.url, "select 1")).rejects.toThrow();
  });
});
