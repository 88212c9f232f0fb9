import fc from "fast-check";
import type { TestServer } from "./server";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { importFile } from "../../db/seed/data-factory";
import { createApiKey } from "../../server/services/api-keys";
import { commentOnProposal } from "../../server/services/segments";
import { createRegion } from "../../server/services/workspaces";
import { jobsFor } from "./callers";
import { publishedSegment, scopeOf, submittedNewSegment } from "./governance";

/**
 * What the fuzz tests (tests/integration/fuzz-*.test.ts) share: a second workspace B holding a
 * unique marker string in many places and every id of B's rows (to be thrown at workspace A's
 * routes), hostile values, and the checks every answer must pass.
 */

/** Planted only in workspace B; never sent by a fuzz test, so it can only come back by a leak. */
export const MARKER = "QZMARK7f3a9cb1";

/** A stack frame, a source path or a module path in an answer. */
export const STACK = /\n\s+at |\bat [\w.<>]+ \(|node_modules|\/work\/|\.tsx?:\d+|\.m?js:\d+/;

export interface PlantedWorkspace {
  b: FactoryWorkspace;
  /** Every uuid in B's tenant-owned rows (ids of every table with a tenant_id), and B's tenant id. */
  bIds: string[];
}

/** Workspace B with the marker in its segment, proposal, comment, region, customers and API key. */
export async function plantWorkspaceB(server: TestServer): Promise<PlantedWorkspace> {
  const { db } = server.database;
  const b = await makeWorkspace(db, `Beta ${MARKER}`, jobsFor(db));
  await createRegion(b.ownerScope, { name: `Region ${MARKER}` });
  const segment = await publishedSegment(b, `Segment ${MARKER}`, { combinator: "and", children: [{ op: "gte", field: "frequency", value: 1 }] });
  const proposal = await submittedNewSegment(scopeOf(b, "analyst"), `Proposal ${MARKER}`, { combinator: "and", children: [] });
  await commentOnProposal(scopeOf(b, "committee"), { proposalId: proposal.proposalId, body: `Comment ${MARKER}` });
  await createApiKey(b.ownerScope, { name: `Key ${MARKER}`, scopes: ["memberships:read"] });
  await importFile(db, b.ownerScope, jobsFor(db), {
    kind: "customers",
    fileName: `customers-${MARKER}.csv`,
    body: `customer_id,email,name\nX${MARKER},${MARKER.toLowerCase()}@example.test,Name ${MARKER}\n`,
  });
  const tables = await server.database.ownerQuery<{ table_name: string }>(
    `select c.table_name from information_schema.columns c
       join information_schema.columns t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.column_name = 'tenant_id'
      where c.table_schema = 'public' and c.column_name = 'id' and c.data_type = 'uuid'`,
  );
  const bIds = [b.tenantId, segment.segmentId, proposal.proposalId];
  for (const { table_name } of tables.rows) {
    const rows = await server.database.ownerQuery<{ id: string }>(`select id::text from "${table_name}" where tenant_id = $1 limit 20`, [b.tenantId]);
    bIds.push(...rows.rows.map((r) => r.id));
  }
  return { b, bIds: [...new Set(bIds)] };
}

function deep(depth: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Hostile leaf values; `maxString` bounds the huge ones (a query's input travels in the URL). */
export function hostileValue(bIds: string[], maxString: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(...bIds),
    fc.constantFrom(
      "",
      " ",
      "'; drop table segments; --",
      "../../../../etc/passwd",
      "..%2f..%2fpackage.json",
      "\u0000",
      "<script>alert(1)</script>",
      "\ud800",
      "𝓤𝓷𝓲𝓬𝓸𝓭𝓮 ✓",
      "2011-13-45",
      "00000000-0000-0000-0000-000000000000",
      "NaN",
      "__proto__",
      "constructor",
      -1,
      0,
      1.5,
      -0,
      1e308,
      Number.MAX_SAFE_INTEGER + 2,
      true,
      false,
      null,
    ),
    fc.constantFrom("x".repeat(maxString), "9".repeat(Math.min(maxString, 400)), `${bIds[0]}`.repeat(Math.max(1, Math.floor(maxString / 40)))),
    fc.constantFrom(deep(40), deep(400), JSON.parse('{"__proto__":{"polluted":"yes"}}'), { constructor: { prototype: { polluted: "yes" } } }),
    fc.array(fc.constantFrom(...bIds), { maxLength: 5 }),
    fc.string({ maxLength: 30 }),
    fc.integer(),
    fc.double(),
    fc.anything({ maxDepth: 3 }),
  );
}

/** An input for a procedure or body with the given field names: some fields hostile, some missing, extra keys. */
export function hostileInput(keys: string[], bIds: string[], maxString: number): fc.Arbitrary<unknown> {
  const leaf = hostileValue(bIds, maxString);
  const shaped = keys.length
    ? fc.record(Object.fromEntries(keys.map((k) => [k, leaf])), { requiredKeys: [] })
    : fc.constant({} as Record<string, unknown>);
  return fc.oneof(
    { weight: 5, arbitrary: shaped },
    // A computed "__proto__" key is an own property, so JSON.stringify sends it as a key.
    { weight: 1, arbitrary: fc.tuple(shaped, fc.constantFrom("__proto__", "constructor", "prototype"), leaf).map(([o, k, v]) => ({ ...o, [k]: v })) },
    { weight: 1, arbitrary: leaf },
  );
}

/** Problems with one answer: a 5xx, a stack or internal path, the marker, a polluted prototype. */
export function answerProblems(status: number, body: string): string[] {
  const problems: string[] = [];
  if (status >= 500) problems.push(`status ${status}`);
  if (STACK.test(body)) problems.push(`internals in the answer: ${body.slice(0, 300)}`);
  if (body.includes(MARKER)) problems.push(`workspace B's marker in the answer: ${body.slice(Math.max(0, body.indexOf(MARKER) - 150), body.indexOf(MARKER) + 50)}`);
  if (({} as Record<string, unknown>).polluted !== undefined) problems.push("Object.prototype was polluted");
  return problems;
}
