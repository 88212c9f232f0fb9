import { readdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_SCOPES } from "../../db/schema";
import { FACTORY_PASSWORD, makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { importFile, SAMPLE_TRANSACTIONS_CSV } from "../../db/seed/data-factory";
import { openApiDocument } from "../../server/api/openapi";
import { createApiKey } from "../../server/services/api-keys";
import { jobsFor } from "../helpers/callers";
import { answerProblems, hostileInput, hostileValue, plantWorkspaceB } from "../helpers/fuzz";
import { publishedSegment } from "../helpers/governance";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * Every REST operation under /api/v1 (enumerated from the OpenAPI document, which
 * api-openapi.test.ts keeps equal to the served routes), every Remix resource route (files in
 * app/routes with an escaped extension such as `[.csv]`) and the Express data routes, called
 * with workspace A's API key or owner session and hostile path parameters, queries, Accept
 * headers and bodies, including the ids of every row of workspace B. No answer may be a 5xx,
 * carry a stack or a source path, or contain the marker planted only in workspace B.
 */

const RUNS = 25;

let server: TestServer;
let a: FactoryWorkspace;
let bIds: string[] = [];
let apiKey = "";
let cookie = "";

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  bodyFields: string[] | null;
}

type Json = Record<string, unknown>;

function operations(): Operation[] {
  const doc = openApiDocument as unknown as { paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json> } };
  const ops: Operation[] = [];
  for (const [p, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters as { name: string; in: string }[] | undefined) ?? [];
      const body = op.requestBody as { content: Record<string, { schema: { $ref?: string } }> } | undefined;
      const ref = body?.content["application/json"]?.schema.$ref?.split("/").pop();
      const properties = ref ? (doc.components.schemas[ref].properties as Json | undefined) : undefined;
      ops.push({
        method: method.toUpperCase(),
        path: p,
        pathParams: params.filter((x) => x.in === "path").map((x) => x.name),
        queryParams: params.filter((x) => x.in === "query").map((x) => x.name),
        bodyFields: body ? Object.keys(properties ?? {}) : null,
      });
    }
  }
  return ops;
}

/** Remix resource routes (an escaped extension in the file name) as URL patterns with `$params`. */
function resourceRoutes(): string[] {
  return readdirSync(path.resolve("app/routes"))
    .filter((f) => f.includes("[."))
    .map(
      (f) =>
        "/" +
        f
          .replace(/\.tsx$/, "")
          .replace(/\[(\.[a-z]+)\]/, "$1")
          .split(/\.(?![a-z]+$)/)
          .filter((s) => !s.startsWith("_"))
          .map((s) => s.replace(/_$/, ""))
          .join("/"),
    );
}

const asText = (v: unknown) => (typeof v === "string" ? v : (JSON.stringify(v) ?? "null"));

function fillPath(pattern: string, values: unknown[]): string {
  let i = 0;
  return pattern.replace(/\{\w+\}|\$\w+/g, () => encodeURIComponent(asText(values[i++ % Math.max(1, values.length)]).slice(0, 2_000)) || "x");
}

function queryString(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) q.append(k, asText(v).slice(0, 2_000));
  return q.toString() ? `?${q}` : "";
}

async function check(res: Response): Promise<string[]> {
  return answerProblems(res.status, await res.text());
}

beforeAll(async () => {
  server = await startTestServer({ API_INVALID_KEY_LIMIT_PER_MINUTE: "100000", API_RATE_LIMIT_PER_MINUTE: "100000" });
  a = await makeWorkspace(server.database.db, "Alpha Rest Fuzz");
  await importFile(server.database.db, a.ownerScope, jobsFor(server.database.db), { kind: "transactions", fileName: "a.csv", body: SAMPLE_TRANSACTIONS_CSV });
  await publishedSegment(a, "Alpha everyone", { combinator: "and", children: [] });
  ({ bIds } = await plantWorkspaceB(server));
  apiKey = (await createApiKey(a.ownerScope, { name: "Fuzz", scopes: [...API_SCOPES] })).key;
  const login = await fetch(`${server.url}/trpc/auth.logIn`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url },
    body: JSON.stringify({ email: a.owner.email, password: FACTORY_PASSWORD }),
  });
  cookie = login.headers.getSetCookie().find((c) => c.startsWith("quorum_session="))!.split(";")[0];
}, 120_000);
afterAll(() => server?.stop());

describe("fuzzing the REST API", () => {
  it("finds every documented operation", () => {
    expect(operations().map((o) => `${o.method} ${o.path}`)).toEqual(
      expect.arrayContaining(["GET /customers/{externalId}/segments", "POST /customers/{externalId}/consent", "GET /segments/{segmentId}/members"]),
    );
  });

  it("never answers a 5xx, internals or workspace B's data to workspace A's key", async () => {
    const problems: string[] = [];
    for (const op of operations()) {
      const request = fc.record({
        pathValues: fc.array(hostileValue(bIds, 2_000), { minLength: 1, maxLength: 3 }),
        query: hostileInput(op.queryParams, bIds, 2_000),
        accept: fc.constantFrom("application/json", "text/csv", "text/csv;q=0.9, application/json;q=0.1", "*/*", "image/png", ";;;", ""),
        body: op.bodyFields ? hostileInput(op.bodyFields, bIds, 40_000) : fc.constant(undefined),
        contentType: fc.constantFrom("application/json", "application/json; charset=latin1", "text/plain", "application/x-www-form-urlencoded"),
        authorization: fc.constantFrom(`Bearer ${apiKey}`, `Bearer ${apiKey}`, `Bearer ${apiKey}`, "Bearer qk_", `Basic ${apiKey}`, `Bearer ${apiKey.replace(/_[^_]+$/, "_forged")}`),
      });
      const result = await fc.check(
        fc.asyncProperty(request, async (r) => {
          const query = typeof r.query === "object" && r.query !== null && !Array.isArray(r.query) ? (r.query as Record<string, unknown>) : { q: r.query };
          const url = `${server.url}/api/v1${fillPath(op.path, r.pathValues)}${queryString(query)}`;
          const res = await fetch(url, {
            method: op.method,
            headers: { authorization: r.authorization, ...(r.accept ? { accept: r.accept } : {}), ...(op.bodyFields ? { "content-type": r.contentType } : {}) },
            body: op.bodyFields ? asText(r.body) : undefined,
          });
          const found = await check(res);
          if (found.length) throw new Error(found.join("; "));
        }),
        { numRuns: RUNS, seed: 20261123, endOnFailure: true },
      );
      if (result.failed) problems.push(`${op.method} ${op.path} with ${JSON.stringify(result.counterexample?.[0])?.slice(0, 300)}: ${String(result.errorInstance).slice(0, 500)}`);
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

describe("fuzzing the resource and data routes", () => {
  it("finds the resource routes", () => {
    expect(resourceRoutes()).toEqual(expect.arrayContaining(["/models/runs.csv", "/segments/$segmentId/members.csv", "/sessions/$sessionId/summary.pdf"]));
  });

  it("never answers a 5xx, internals or workspace B's data to workspace A's owner", async () => {
    const routes = [...resourceRoutes(), "/audit/export.csv", "/data/imports/$importId/errors.csv"];
    const queryFields = ["from", "to", "version", "action", "actor", "objectType", "objectId", "format", "k", "cursor"];
    const problems: string[] = [];
    for (const route of routes) {
      const result = await fc.check(
        fc.asyncProperty(fc.array(hostileValue(bIds, 2_000), { minLength: 1, maxLength: 3 }), hostileInput(queryFields, bIds, 1_000), async (values, query) => {
          const q = typeof query === "object" && query !== null && !Array.isArray(query) ? (query as Record<string, unknown>) : { q: query };
          const res = await fetch(`${server.url}${fillPath(route, values)}${queryString(q)}`, { headers: { cookie }, redirect: "manual" });
          const found = await check(res);
          if (found.length) throw new Error(found.join("; "));
        }),
        { numRuns: RUNS, seed: 20261123, endOnFailure: true },
      );
      if (result.failed) problems.push(`${route} with ${JSON.stringify(result.counterexample)?.slice(0, 300)}: ${String(result.errorInstance).slice(0, 500)}`);
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it("answers hostile uploads with 4xx and a reason", async () => {
    const problems: string[] = [];
    const result = await fc.check(
      fc.asyncProperty(
        hostileInput(["kind", "fileName"], bIds, 1_000),
        fc.oneof(fc.constant(""), fc.string({ maxLength: 200 }), fc.constant("\u0000\u0001\xff"), fc.constant("a,b\n1,2\n"), fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u).toString("latin1"))),
        async (query, body) => {
          const q = typeof query === "object" && query !== null && !Array.isArray(query) ? (query as Record<string, unknown>) : { kind: query };
          const res = await fetch(`${server.url}/data/imports/upload${queryString(q)}`, { method: "POST", headers: { cookie, "content-type": "text/csv" }, body });
          const found = await check(res);
          if (found.length) throw new Error(found.join("; "));
        },
      ),
      { numRuns: RUNS, seed: 20261123, endOnFailure: true },
    );
    if (result.failed) problems.push(`upload with ${JSON.stringify(result.counterexample)?.slice(0, 300)}: ${String(result.errorInstance).slice(0, 500)}`);
    expect(problems).toEqual([]);
  }, 60_000);
});
