import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { TEST_APP_ROLE, type TestDatabase } from "./db";

export interface WorkerProcess {
  child: ChildProcess;
  /** The JSON log lines the worker has written so far (pino, LOG_LEVEL info). */
  logs: Record<string, unknown>[];
  /** Log lines whose message is `msg`. */
  logged(msg: string): Record<string, unknown>[];
  /** kill -9, resolved once the process is gone. */
  killHard(): Promise<void>;
  /** SIGTERM (graceful stop), resolved once the process is gone. */
  stop(): Promise<void>;
}

const running = new Set<WorkerProcess>();

/**
 * `npm run worker` as its own process (node + tsx, exactly what the script runs) against a test
 * database, as a production worker machine runs it: DATABASE_URL is the owner, the handlers
 * connect as the app role. Its JSON log lines are collected; anything it writes to stderr
 * fails the test that reads `logs` with a readable reason.
 */
export function startWorkerProcess(t: TestDatabase): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], {
    env: { ...process.env, DATABASE_URL: t.ownerUrl, APP_DB_ROLE: TEST_APP_ROLE.name, APP_DB_PASSWORD: TEST_APP_ROLE.password, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (!line.startsWith("{")) return;
    logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    running.delete(worker);
  };
  const worker: WorkerProcess = {
    child,
    logs,
    logged: (msg) => {
      if (stderr) throw new Error(`worker ${child.pid} wrote to stderr:\n${stderr}`);
      return logs.filter((l) => l.msg === msg);
    },
    killHard: () => end("SIGKILL"),
    stop: () => end("SIGTERM"),
  };
  running.add(worker);
  return worker;
}

/** kill -9 every worker process a test started and left running (afterAll). */
export async function killWorkerProcesses(): Promise<void> {
  await Promise.all([...running].map((w) => w.killHard()));
}

/** Polls `probe` until it returns something other than null; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 90_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A transactions file (Online Retail's columns) of `rows` lines, about 50 bytes each, for
 * imports under fault and load; every tenth line repeats the one before it (identical rows
 * stay separate rows).
 */
export function transactionsCsv(rows: number): string {
  const header = "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID";
  const lines = Array.from(
    { length: rows },
    (_, i) => `${600000 + Math.floor(i / 3)},SKU${i % 89},${1 + (i % 5)},2011-0${1 + (i % 9)}-2${i % 8} 11:00:00,${(2 + (i % 40) / 10).toFixed(2)},${15000 + (i % 900)}`,
  );
  for (let i = 10; i < lines.length; i += 10) lines[i] = lines[i - 1];
  return [header, ...lines].join("\n");
}
