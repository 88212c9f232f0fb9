import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { openApiDocument } from "../../server/api/openapi";
import { createApiRouter } from "../../server/api/router";
import { createApiKey } from "../../server/services/api-keys";
import { jobsFor, testConfig } from "../helpers/callers";
import { api, importScoredCustomers, scoreSegment } from "../helpers/api";
import { startTestServer, type TestServer } from "../helpers/server";
import { createLogger } from "../../server/logger";

type Doc = typeof openApiDocument;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }>; headers?: Record<string, unknown> }>;
  parameters?: readonly { name: string; in: string; required: boolean }[];
  security?: readonly unknown[];
}

let server: TestServer;
let w: FactoryWorkspace;
let key: string;
let segmentId: string;
const doc = JSON.parse(JSON.stringify(openApiDocument)) as Doc & { paths: Record<string, Record<string, Operation>> };

// Each answer is checked against the schema the description documents for it (2020-12, as in OpenAPI 3.1).
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: "quorum-api", components: doc.components });
function schemaFor(schema: object) {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"quorum-api#/components/')) as object;
}

beforeAll(async () => {
  server = await startTestServer();
  w = await makeWorkspace(server.database.db, "Spec Co", jobsFor(server.database.db));
  await importScoredCustomers(server.database.db, w, 12);
  segmentId = (await scoreSegment(w, "Spec segment", 5)).segmentId;
  key = (await createApiKey(w.ownerScope, { name: "Spec", scopes: ["memberships:read", "consent:write", "exports:read"] })).key;
});
afterAll(() => server.stop());

/** One call per documented operation (path template → how to call it with real values). */
const CALLS: Record<string, () => { path: string; init?: RequestInit & { accept?: string }; accept?: string }[]> = {
  "get /customers/{externalId}/segments": () => [{ path: "/customers/S007/segments" }],
  "post /customers/{externalId}/consent": () => [{ path: "/customers/S001/consent", init: { method: "POST", body: JSON.stringify({ optedOut: true }) } }],
  "get /segments": () => [{ path: "/segments" }],
  "get /segments/{segmentId}": () => [{ path: `/segments/${segmentId}` }],
  "get /segments/{segmentId}/members": () => [
    { path: `/segments/${segmentId}/members?limit=3` },
    { path: `/segments/${segmentId}/members`, init: { accept: "text/csv" } },
  ],
  "get /segments/{segmentId}/changes": () => [{ path: `/segments/${segmentId}/changes?since=0&limit=5` }],
  "get /openapi.json": () => [{ path: "/openapi.json" }],
};

describe("the OpenAPI description", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("is what /api/v1/openapi.json serves, and the docs page names every operation", async () => {
    const served = await api(server.url, "/openapi.json", null);
    expect(served.status).toBe(200);
    expect(served.json).toEqual(doc);
    const page = await fetch(`${server.url}/api/v1/docs`);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    for (const path of Object.keys(doc.paths)) expect(html).toContain(`/api/v1${path}`);
  });

  it("documents exactly the routes the router serves (besides the docs page)", () => {
    const router = createApiRouter({ config: testConfig, db: server.database.db, logger: createLogger("silent"), jobs: jobsFor(server.database.db) });
    const served = router.routes
      .map((r) => `${r.method} ${r.path}`)
      .filter((r) => r !== "get /docs")
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`))
      .sort();
    expect(served).toEqual(documented);
    expect(Object.keys(CALLS).sort()).toEqual(documented);
  });

  for (const [operation, calls] of Object.entries(CALLS)) {
    it(`${operation}: a real call answers what the description says`, async () => {
      const [method, path] = operation.split(" ");
      const op = doc.paths[path][method];
      for (const call of calls()) {
        const needsKey = op.security?.length !== 0;
        const r = await api(server.url, call.path, needsKey ? key : null, { ...call.init, accept: call.init?.accept });
        const documented = op.responses[String(r.status)];
        expect(documented, `${operation} answered ${r.status}: ${r.text.slice(0, 200)}`).toBeDefined();
        expect(r.status).toBe(200);
        const type = r.headers.get("content-type")!.split(";")[0];
        const content = documented.content?.[type];
        expect(content, `${operation} answered ${type}`).toBeDefined();
        if (type === "application/json") {
          const validate = ajv.compile(schemaFor(content!.schema));
          expect(validate(r.json), JSON.stringify(validate.errors)).toBe(true);
        } else {
          expect(r.text.split("\r\n")[0]).toBe("external_id");
        }
        // Every required parameter is in the description of the call made.
        for (const p of op.parameters ?? []) if (p.required && p.in === "query") expect(call.path).toContain(`${p.name}=`);
        if (needsKey) {
          // The documented 401 answer, in the documented shape.
          const refused = await api(server.url, call.path, null, call.init);
          expect(refused.status).toBe(401);
          const validate = ajv.compile(schemaFor(op.responses["401"].content!["application/json"].schema));
          expect(validate(refused.json)).toBe(true);
        }
      }
    });
  }
});
