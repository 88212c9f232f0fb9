import { performance } from "node:perf_hooks";

/**
 * The page and tRPC traffic of `npm run bench -- load`, run as a child process: `browsers`
 * signed-in people, each in a loop of page view, think time (uniform between the bounds),
 * page view. A page view is either a full document load (HTML; its Remix loader runs the
 * page's tRPC procedures through the server caller) or a client-side navigation (the
 * single-fetch `<path>.data` request), half and half, followed by the page's tRPC queries
 * over HTTP (GET /trpc/<procedures>?batch=1, as a tRPC client would batch them). A browser's
 * first page also fetches the scripts and styles the HTML links (then they are cached).
 * Talks to its parent over IPC: `start` → `ready`, `go` → `done`.
 */

export interface PagesConfig {
  url: string;
  cookies: string[];
  browsers: number;
  thinkMs: [number, number];
  durationMs: number;
  /** Page paths, each with the tRPC queries (procedure, input) the page makes. */
  pages: { path: string; trpc: [string, unknown][] }[];
}

type Kind = "document" | "navigation" | "trpc" | "asset";

export interface PagesResult {
  browsers: number;
  pageViews: number;
  requests: Record<Kind, { count: number; p50Ms: number; p99Ms: number; maxMs: number }>;
  errors: number;
  firstErrors: string[];
  pageViewsPerSecond: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function trpcPath(queries: [string, unknown][]): string {
  const names = queries.map(([name]) => name).join(",");
  const input = Object.fromEntries(queries.map(([, value], i) => [String(i), value ?? null]));
  return `/trpc/${names}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`;
}

async function run(config: PagesConfig, whenGo: Promise<void>, ready: () => void): Promise<PagesResult> {
  const latencies: Record<Kind, number[]> = { document: [], navigation: [], trpc: [], asset: [] };
  const firstErrors: string[] = [];
  let errors = 0;
  let pageViews = 0;
  const get = async (kind: Kind, path: string, cookie: string): Promise<string | null> => {
    const started = performance.now();
    try {
      const response = await fetch(`${config.url}${path}`, { headers: { cookie, accept: kind === "document" ? "text/html" : "*/*" }, redirect: "manual" });
      const body = await response.text();
      latencies[kind].push(performance.now() - started);
      if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${body.slice(0, 160)}`);
      return body;
    } catch (err) {
      errors++;
      if (firstErrors.length < 10) firstErrors.push(`${kind} ${path.slice(0, 120)}: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  };
  ready();
  await whenGo;
  const started = performance.now();
  const until = started + config.durationMs;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const think = () => config.thinkMs[0] + Math.random() * (config.thinkMs[1] - config.thinkMs[0]);
  await Promise.all(
    Array.from({ length: config.browsers }, async (_, b) => {
      const cookie = config.cookies[b % config.cookies.length];
      // Browsers arrive spread over the first think time.
      await sleep(Math.random() * config.thinkMs[1]);
      let first = true;
      while (performance.now() < until) {
        const page = config.pages[Math.floor(Math.random() * config.pages.length)];
        if (first || Math.random() < 0.5) {
          const html = await get("document", page.path, cookie);
          if (first && html) {
            const assets = new Set([...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]));
            await Promise.all([...assets].map((a) => get("asset", a, cookie)));
          }
          first = false;
        } else {
          await get("navigation", `${page.path === "/" ? "/_root" : page.path}.data`, cookie);
        }
        if (page.trpc.length) await get("trpc", trpcPath(page.trpc), cookie);
        pageViews++;
        await sleep(think());
      }
    }),
  );
  const elapsed = performance.now() - started;
  const requests = Object.fromEntries(
    (Object.keys(latencies) as Kind[]).map((kind) => {
      const sorted = [...latencies[kind]].sort((a, b) => a - b);
      return [kind, { count: sorted.length, p50Ms: round2(percentile(sorted, 0.5)), p99Ms: round2(percentile(sorted, 0.99)), maxMs: round2(sorted[sorted.length - 1] ?? NaN) }];
    }),
  ) as PagesResult["requests"];
  return { browsers: config.browsers, pageViews, requests, errors, firstErrors, pageViewsPerSecond: round2((pageViews / elapsed) * 1000) };
}

if (process.send) {
  let go: () => void = () => {};
  const whenGo = new Promise<void>((resolve) => (go = resolve));
  process.on("message", (message: { type: "start"; config: PagesConfig } | { type: "go" }) => {
    if (message.type === "go") return go();
    run(message.config, whenGo, () => process.send!({ type: "ready" })).then(
      (result) => process.send!({ type: "done", result }, () => process.exit(0)),
      (err: unknown) => {
        process.send!({ type: "failed", error: err instanceof Error ? err.stack : String(err) }, () => process.exit(1));
      },
    );
  });
}
