import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { createClient } from "redis";
import type { TestDatabase } from "./db";

/**
 * Real web instances as separate processes (`server/main.ts`, the production build from `npm
 * run build`), as production runs them: over a test file's database, optionally sharing a Redis
 * under a prefix of their own so that parallel test files never hear each other.
 */

export const TEST_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A Redis prefix no other test file uses. */
export function uniqueRedisPrefix(): string {
  return `quorum-test-${randomBytes(6).toString("hex")}`;
}

export interface Instance {
  url: string;
  port: number;
  child: ChildProcess;
  /** What the process printed (stdout and stderr), for failure messages. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills it at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** SIGTERM, then waits for the exit (the graceful path). */
  terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface InstanceOptions {
  /** REDIS_URL and REDIS_PREFIX, or none for a single instance. */
  redis?: { url: string; prefix: string };
  port?: number;
  env?: Record<string, string>;
}

const ROOT = path.resolve(import.meta.dirname, "../..");
const START_TIMEOUT_MS = 45_000;

/** Starts `server/main.ts` over the database (its owner URL, as DATABASE_URL) and waits until it serves. */
export async function startInstance(database: TestDatabase, options: InstanceOptions = {}): Promise<Instance> {
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: "production",
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    DATABASE_URL: database.ownerUrl,
    HOST: "127.0.0.1",
    PORT: String(options.port ?? 0),
    SEED: "never",
    WORKERS_IN_PROCESS: "false",
    LOG_LEVEL: "warn",
    ...(options.redis ? { REDIS_URL: options.redis.url, REDIS_PREFIX: options.redis.prefix } : {}),
    ...options.env,
  };
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`)), START_TIMEOUT_MS);
    const look = () => {
      const match = /Quorum is running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace("localhost", "127.0.0.1"));
      }
    };
    child.stdout!.on("data", look);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`instance exited (${code ?? signal}) before it served:\n${output}`));
    });
  });
  const port = Number(new URL(url).port);
  return {
    url,
    port,
    child,
    output: () => output,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    async terminate() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

/** Removes whatever the instances left under the prefix (the adapter uses channels only; this is a safety net). */
export async function clearRedisPrefix(prefix: string): Promise<void> {
  const client = createClient({ url: TEST_REDIS_URL });
  client.on("error", () => {});
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) {
      if (keys.length) await client.del(keys);
    }
  } finally {
    await client.close();
  }
}
