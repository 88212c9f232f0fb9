import { performance } from "node:perf_hooks";
import { CollabProvider } from "../../app/collab/provider";

/**
 * The load generator of the SWOT collab benchmark, run as a child process (so the server's CPU
 * is measured apart from it): `clientsPerBoard` providers per board, each board edited at
 * `editsPerSecond` (a random client of the board each time). An edit writes (sender → sequence
 * number) into the board's `bench` map; the time until every other client of the board has
 * it is one propagation sample. Talks to its parent over IPC: `start` → `ready`, `go` → `done`.
 */

export interface LoadConfig {
  url: string;
  tenantId: string;
  docs: string[];
  users: { id: string; name: string; cookie: string }[];
  clientsPerBoard: number;
  editsPerSecond: number;
  warmUpMs: number;
  durationMs: number;
}

export interface LoadResult {
  clients: number;
  edits: number;
  samples: number;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
  /** Edits some client of the board never received. */
  lostInFlight: number;
  /** Edits not yet acknowledged as stored when the run ended (after waiting). */
  unacknowledged: number;
  /** The last sequence number each client wrote, by board: the parent checks them in PostgreSQL. */
  finalValues: Record<string, Record<string, number>>;
  connectMs: number;
  /** This process's CPU time over the run, as a share of one core: near 100 means the generator, not the server, sets the pace. */
  generatorCpuPercent: number;
  /** Edits per second actually made (the target is boards × editsPerSecond). */
  achievedEditsPerSecond: number;
}

type Pending = { sentAt: number; waiting: number; measured: boolean };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
}

async function run(config: LoadConfig, whenGo: Promise<void>, ready: () => void): Promise<LoadResult> {
  const startConnect = performance.now();
  const boards = config.docs.map((doc, b) => {
    const clients = Array.from({ length: config.clientsPerBoard }, (_, i) => {
      const user = config.users[(b + i) % config.users.length];
      return new CollabProvider({
        url: config.url,
        tenantId: config.tenantId,
        doc,
        user: { id: user.id, name: user.name },
        socket: { transports: ["websocket"], extraHeaders: { cookie: user.cookie }, reconnectionDelay: 100 },
      });
    });
    return { doc, clients, pending: new Map<string, Pending>(), seq: clients.map(() => 0) };
  });
  const samples: number[] = [];
  // Receivers: every change of the bench map resolves one (sender, seq) for this receiver.
  for (const board of boards) {
    board.clients.forEach((client, receiver) => {
      client.doc.getMap<number>("bench").observe((event) => {
        const now = performance.now();
        for (const key of event.keysChanged as Set<string>) {
          const sender = Number(key);
          if (sender === receiver) continue;
          const value = event.target.get(key);
          const pending = board.pending.get(`${sender}/${value}`);
          if (!pending) continue;
          pending.waiting--;
          if (pending.waiting === 0) {
            if (pending.measured) samples.push(now - pending.sentAt);
            board.pending.delete(`${sender}/${value}`);
          }
        }
      });
    });
  }
  await Promise.all(boards.flatMap((b) => b.clients.map((c) => c.whenSynced())));
  const connectMs = performance.now() - startConnect;
  ready();
  await whenGo;

  let edits = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const interval = 1000 / config.editsPerSecond;
  // Each board edits on its own clock, offset so the boards' edits interleave.
  await Promise.all(
    boards.map(
      (board, b) =>
        new Promise<void>((resolve) => {
          let next = started + (interval * b) / boards.length;
          const tick = () => {
            const now = performance.now();
            if (now - started >= config.warmUpMs + config.durationMs) return resolve();
            const measuring = now - started >= config.warmUpMs;
            const sender = Math.floor(Math.random() * board.clients.length);
            const seq = ++board.seq[sender];
            board.pending.set(`${sender}/${seq}`, { sentAt: performance.now(), waiting: board.clients.length - 1, measured: measuring });
            board.clients[sender].doc.getMap<number>("bench").set(String(sender), seq);
            edits++;
            next += interval;
            setTimeout(tick, Math.max(0, next - performance.now()));
          };
          setTimeout(tick, Math.max(0, next - performance.now()));
        }),
    ),
  );
  const loadMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  // Let the last edits arrive, then wait for every acknowledgement.
  const deadline = performance.now() + 10_000;
  while (boards.some((b) => b.pending.size) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await Promise.race([Promise.all(boards.flatMap((b) => b.clients.map((c) => c.whenAcked()))), new Promise((r) => setTimeout(r, 10_000))]);
  const lostInFlight = boards.reduce((n, b) => n + b.pending.size, 0);
  const unacknowledged = boards.reduce((n, b) => n + b.clients.reduce((m, c) => m + c.pending, 0), 0);
  const finalValues: LoadResult["finalValues"] = {};
  for (const board of boards) finalValues[board.doc] = Object.fromEntries(board.seq.map((s, i) => [String(i), s]).filter(([, s]) => Number(s) > 0));
  for (const board of boards) for (const c of board.clients) c.destroy();
  return {
    clients: boards.length * config.clientsPerBoard,
    edits,
    samples: samples.length,
    medianMs: round2(percentile(samples, 0.5)),
    p99Ms: round2(percentile(samples, 0.99)),
    maxMs: round2(Math.max(...samples)),
    lostInFlight,
    unacknowledged,
    finalValues,
    connectMs: Math.round(connectMs),
    generatorCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / loadMs) * 1000) / 10,
    achievedEditsPerSecond: Math.round((edits / loadMs) * 1000),
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

if (process.send) {
  let go: () => void = () => {};
  const whenGo = new Promise<void>((resolve) => (go = resolve));
  process.on("message", (message: { type: "start"; config: LoadConfig } | { type: "go" }) => {
    if (message.type === "go") return go();
    run(message.config, whenGo, () => process.send!({ type: "ready" })).then(
      (result) => process.send!({ type: "done", result }, () => process.exit(0)),
      (err: unknown) => {
        process.send!({ type: "failed", error: err instanceof Error ? err.stack : String(err) }, () => process.exit(1));
      },
    );
  });
}
