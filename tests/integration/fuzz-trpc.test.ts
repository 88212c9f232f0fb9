import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FACTORY_PASSWORD, makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { importFile, SAMPLE_TRANSACTIONS_CSV } from "../../db/seed/data-factory";
import { appRouter } from "../../server/trpc/router";
import { jobsFor } from "../helpers/callers";
import { answerProblems, hostileInput, MARKER, plantWorkspaceB } from "../helpers/fuzz";
import { publishedSegment } from "../helpers/governance";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * Every procedure of the app router — enumerated from appRouter, so procedures added later are
 * fuzzed without editing this file — called over real HTTP (/trpc, the owner of workspace A's
 * session cookie, this site's Origin) with hostile input built on the procedure's own input
 * field names: wrong types, huge strings, deep nesting, prototype-pollution keys and the ids of
 * every row of workspace B. No answer may be a 5xx, carry a stack or a source path, or contain
 * the marker planted only in workspace B; Object.prototype must stay clean. FUZZ_RUNS and
 * FUZZ_SEED run it longer or differently by hand (CI keeps 12 runs per procedure, < 60 s).
 */

const RUNS_PER_PROCEDURE = Number(process.env.FUZZ_RUNS ?? 12);

let server: TestServer;
let a: FactoryWorkspace;
let b: FactoryWorkspace;
let bIds: string[] = [];
let cookie = "";

interface ZodLike {
  _zod?: { def?: Record<string, unknown> & { type?: string; shape?: Record<string, unknown> } };
}

/** The field names an input schema knows (through optional/default/union/intersection/pipe). */
function fieldsOf(schema: unknown, seen = new Set<unknown>()): string[] {
  const def = (schema as ZodLike | undefined)?._zod?.def;
  if (!def || seen.has(schema)) return [];
  seen.add(schema);
  const inner = (s: unknown) => fieldsOf(s, seen);
  switch (def.type) {
    case "object":
      return Object.keys(def.shape ?? {}).concat(...Object.values(def.shape ?? {}).map(inner));
    case "union":
      return (def.options as unknown[]).flatMap(inner);
    case "intersection":
      return [...inner(def.left), ...inner(def.right)];
    case "pipe":
      return [...inner(def.in), ...inner(def.out)];
    case "array":
      return inner(def.element);
    default:
      return "innerType" in def ? inner(def.innerType) : [];
  }
}

interface Procedure {
  path: string;
  type: "query" | "mutation" | "subscription";
  fields: string[];
}

function procedures(): Procedure[] {
  // tRPC's router record: path → procedure with its definition (type and input parsers).
  const record = appRouter._def.procedures as unknown as Record<string, { _def: { type: Procedure["type"]; inputs: unknown[] } }>;
  return Object.entries(record).map(([path, p]) => ({
    path,
    type: p._def.type,
    fields: [...new Set(p._def.inputs.flatMap((s) => fieldsOf(s)))],
  }));
}

async function logIn(): Promise<string> {
  const res = await fetch(`${server.url}/trpc/auth.logIn`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url },
    body: JSON.stringify({ email: a.owner.email, password: FACTORY_PASSWORD }),
  });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie().find((c) => c.startsWith("quorum_session="))!.split(";")[0];
}

async function call(p: Procedure, input: unknown): Promise<{ status: number; body: string }> {
  const json = JSON.stringify(input) ?? "null";
  const res =
    p.type === "query"
      ? await fetch(`${server.url}/trpc/${p.path}?input=${encodeURIComponent(json)}`, { headers: { cookie } })
      : await fetch(`${server.url}/trpc/${p.path}`, { method: "POST", headers: { cookie, origin: server.url, "content-type": "application/json" }, body: json });
  return { status: res.status, body: await res.text() };
}

beforeAll(async () => {
  server = await startTestServer({ LOGIN_MAX_FAILURES_PER_IP: "100000", LOGIN_MAX_FAILURES_PER_ACCOUNT: "100000", SIGNUP_MAX_PER_IP: "100000", INVITE_MAX_FAILURES_PER_IP: "100000", INVITE_MAX_FAILURES_PER_ACCOUNT: "100000" });
  a = await makeWorkspace(server.database.db, "Alpha Fuzz");
  await importFile(server.database.db, a.ownerScope, jobsFor(server.database.db), { kind: "transactions", fileName: "a.csv", body: SAMPLE_TRANSACTIONS_CSV });
  await publishedSegment(a, "Alpha everyone", { combinator: "and", children: [] });
  ({ b, bIds } = await plantWorkspaceB(server));
  cookie = await logIn();
}, 120_000);
afterAll(() => server?.stop());

describe("fuzzing every tRPC procedure over HTTP", () => {
  it("finds the procedures and their input fields in the app router", () => {
    const all = procedures();
    expect(all.length).toBeGreaterThan(100);
    expect(all.find((p) => p.path === "segments.createProposal")?.fields).toEqual(expect.arrayContaining(["kind", "name", "segmentId"]));
    expect(bIds.length).toBeGreaterThan(10);
  });

  it("the check can fail: workspace B's own owner sees the marker through the same procedures", async () => {
    const res = await fetch(`${server.url}/trpc/auth.logIn`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ email: b.owner.email, password: FACTORY_PASSWORD }),
    });
    const bCookie = res.headers.getSetCookie().find((c) => c.startsWith("quorum_session="))!.split(";")[0];
    const list = await fetch(`${server.url}/trpc/segments.list`, { headers: { cookie: bCookie } });
    const body = await list.text();
    expect(body).toContain(MARKER);
    expect(answerProblems(list.status, body)).toEqual([expect.stringMatching(/^workspace B's marker in the answer/)]);
  });

  it("never answers a 5xx, internals or workspace B's data, whatever the input", async () => {
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    for (const p of procedures().filter((x) => x.type !== "subscription")) {
      const input = hostileInput(p.fields, bIds, p.type === "query" ? 3_000 : 200_000);
      const result = await fc.check(
        fc.asyncProperty(input, async (value) => {
          const answer = await call(p, value);
          statuses.set(Math.floor(answer.status / 100), (statuses.get(Math.floor(answer.status / 100)) ?? 0) + 1);
          const found = answerProblems(answer.status, answer.body);
          if (found.length) throw new Error(found.join("; "));
        }),
        { numRuns: RUNS_PER_PROCEDURE, seed: Number(process.env.FUZZ_SEED ?? 20261123), endOnFailure: true },
      );
      if (result.failed) {
        problems.push(`${p.path} with ${JSON.stringify(result.counterexample?.[0])?.slice(0, 300)}: ${String(result.errorInstance).slice(0, 500)}`);
      }
      // A mutation may have ended the session (auth.logOut, a sign-up); sign in again.
      const me = await fetch(`${server.url}/trpc/auth.me`, { headers: { cookie } });
      if (!(await me.text()).includes(a.owner.email)) cookie = await logIn();
    }
    expect(problems).toEqual([]);
    // The session held throughout: inputs got past sign-in to validation (4xx) and to services (2xx).
    expect(statuses.get(2)).toBeGreaterThan(50);
    expect(statuses.get(4)).toBeGreaterThan(500);
  }, 180_000);
});
