import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUser, makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { acceptInvite, createInvite } from "../../server/services/workspaces";
import { appRouter } from "../../server/trpc/router";
import { callerFor, jobsFor } from "../helpers/callers";
import { importFile, SAMPLE_TRANSACTIONS_CSV } from "../../db/seed/data-factory";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let t: TestDatabase;
let a: FactoryWorkspace;
let b: FactoryWorkspace;
let bInviteId: string;
let bInviteToken: string;
let bDataIds: string[];
let bImportId: string;
let bMergeId: string;
const MAPPING = { delimiter: "," as const, columns: [{ column: "customer_id", field: "external_id" }] };

beforeAll(async () => {
  t = await createTestDatabase();
  a = await makeWorkspace(t.db, "Alpha Co");
  b = await makeWorkspace(t.db, "Beta Co", jobsFor(t.db));
  const ids = await t.ownerQuery<{ kind: string; id: string }>(
    `select 'import' kind, id::text from imports where tenant_id = $1
     union all select 'customer', id::text from customers where tenant_id = $1
     union all select 'merge', id::text from customer_merges where tenant_id = $1`,
    [b.tenantId],
  );
  bDataIds = ids.rows.map((r) => r.id);
  bImportId = ids.rows.find((r) => r.kind === "import")!.id;
  bMergeId = ids.rows.find((r) => r.kind === "merge")!.id;
  // A holds data too, so that listings have something to show.
  await importFile(t.db, a.ownerScope, jobsFor(t.db), { kind: "transactions", fileName: "a.csv", body: SAMPLE_TRANSACTIONS_CSV });
  const invite = await createInvite(b.ownerScope, { email: "pending-at-beta@example.test", role: "analyst", regionIds: [] }, 24);
  bInviteId = invite.inviteId;
  bInviteToken = invite.token;
});
afterAll(() => t.drop());

/** A fingerprint of everything workspace B holds, read as the owner (RLS does not apply). */
async function fingerprintB(): Promise<string> {
  const parts: string[] = [];
  for (const table of [
    "workspaces",
    "memberships",
    "membership_regions",
    "regions",
    "invites",
    "audit_log",
    "imports",
    "import_files",
    "import_errors",
    "customers",
    "customer_sources",
    "customer_merges",
    "transactions",
    "customer_features",
    "data_quality_reports",
    "workspace_settings",
    "attribute_definitions",
  ]) {
    const col = table === "workspaces" ? "id" : "tenant_id";
    const { rows } = await t.ownerQuery<{ h: string }>(
      `select coalesce(md5(string_agg(x::text, '|' order by x::text)), '') as h from ${table} x where ${col} = $1`,
      [b.tenantId],
    );
    parts.push(`${table}:${rows[0].h}`);
  }
  return parts.join(",");
}

/** Anything identifying B: none of it may appear in what A's member gets back. */
function bMarkers(): string[] {
  return [
    b.tenantId,
    b.name,
    b.slug,
    ...b.regionIds,
    ...Object.values(b.members).flatMap((m) => [m.id, m.email]),
    bInviteId,
    "pending-at-beta@example.test",
    ...bDataIds,
  ];
}

type Caller = Awaited<ReturnType<typeof callerFor>>["caller"];

/**
 * One case per procedure: A's owner (the most powerful role) calls it aiming at B. `refused`
 * names the error expected; otherwise the call succeeds and its result must hold nothing of B.
 */
const CASES: Record<string, { call: (c: Caller) => Promise<unknown>; refused?: TRPCError["code"] }> = {
  "auth.me": { call: (c) => c.auth.me() },
  "auth.signUp": { call: (c) => c.auth.signUp({ email: "newcomer-iso@example.test", name: "New", password: "long-enough-pw" }) },
  "auth.logIn": { call: (c) => c.auth.logIn({ email: b.owner.email, password: "wrong-password-x" }), refused: "UNAUTHORIZED" },
  "auth.logOut": { call: (c) => c.auth.logOut() },
  "auth.switchWorkspace": { call: (c) => c.auth.switchWorkspace({ tenantId: b.tenantId }), refused: "FORBIDDEN" },
  "auth.describeInvite": { call: (c) => c.auth.describeInvite({ token: `${b.tenantId}.forged-secret-0123456789abcdef` }) },
  "auth.acceptInvite": { call: (c) => c.auth.acceptInvite({ token: bInviteToken }), refused: "FORBIDDEN" },
  "workspace.create": { call: (c) => c.workspace.create({ name: "Gamma Co" }) },
  "workspace.get": { call: (c) => c.workspace.get() },
  "workspace.rename": { call: (c) => c.workspace.rename({ name: "Alpha Renamed" }) },
  "members.list": { call: (c) => c.members.list() },
  "members.update": {
    call: (c) => c.members.update({ userId: b.members.viewer.id, role: "admin", regionIds: [] }),
    refused: "NOT_FOUND",
  },
  "members.remove": { call: (c) => c.members.remove({ userId: b.members.analyst.id }), refused: "NOT_FOUND" },
  "invites.list": { call: (c) => c.invites.list() },
  "invites.create": {
    call: (c) => c.invites.create({ email: "x-iso@example.test", role: "contributor", regionIds: [b.regionIds[0]] }),
    refused: "BAD_REQUEST",
  },
  "invites.revoke": { call: (c) => c.invites.revoke({ inviteId: bInviteId }), refused: "NOT_FOUND" },
  "regions.list": { call: (c) => c.regions.list() },
  "regions.create": { call: (c) => c.regions.create({ name: "East" }) },
  "regions.rename": { call: (c) => c.regions.rename({ regionId: b.regionIds[0], name: "Taken over" }), refused: "NOT_FOUND" },
  "regions.delete": { call: (c) => c.regions.delete({ regionId: b.regionIds[1] }), refused: "NOT_FOUND" },
  "audit.list": { call: (c) => c.audit.list({ limit: 200 }) },
  "audit.actions": { call: (c) => c.audit.actions() },
  "audit.verify": { call: (c) => c.audit.verify() },
  "data.overview": { call: (c) => c.data.overview() },
  "data.imports": { call: (c) => c.data.imports() },
  "data.import": { call: (c) => c.data.import({ importId: bImportId }), refused: "NOT_FOUND" },
  "data.preview": { call: (c) => c.data.preview({ importId: bImportId }), refused: "NOT_FOUND" },
  "data.startImport": { call: (c) => c.data.startImport({ importId: bImportId, mapping: MAPPING }), refused: "NOT_FOUND" },
  "data.cancelImport": { call: (c) => c.data.cancelImport({ importId: bImportId }), refused: "NOT_FOUND" },
  "data.customers": { call: (c) => c.data.customers({ limit: 500 }) },
  "data.merges": { call: (c) => c.data.merges() },
  "data.undoMerge": { call: (c) => c.data.undoMerge({ mergeId: bMergeId }), refused: "NOT_FOUND" },
  "data.settings": { call: (c) => c.data.settings() },
  "data.updateSettings": {
    call: (c) => c.data.updateSettings({ maxMissingShare: 0.3, preparation: { dropCancellations: true, dropNonPositive: false } }),
  },
  "data.fields": { call: (c) => c.data.fields({ kind: "customers" }) },
};

describe("tenant isolation through every tRPC procedure", () => {
  it("has a case for every procedure of the router", () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
  });

  for (const [path, spec] of Object.entries(CASES)) {
    it(`${path}: A's member aiming at B ${spec.refused ? `is refused (${spec.refused})` : "gets nothing of B"}`, async () => {
      const before = await fingerprintB();
      // A fresh session per case, so that logOut or a sign-up does not affect the others.
      const owner = await makeUser(t.db);
      const invite = await createInvite(a.ownerScope, { email: owner.email, role: "owner", regionIds: [] }, 1);
      await acceptInvite(t.db, owner, invite.token);
      const { caller } = await callerFor(t.db, owner.token, { tenantId: a.tenantId });
      const outcome = await spec.call(caller).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      if (spec.refused) {
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) {
          expect(outcome.error).toBeInstanceOf(TRPCError);
          expect((outcome.error as TRPCError).code).toBe(spec.refused);
          for (const marker of [b.name, b.owner.email]) expect((outcome.error as Error).message).not.toContain(marker);
        }
      } else {
        expect(outcome.ok, outcome.ok ? "" : String((outcome as { error: unknown }).error)).toBe(true);
        const text = JSON.stringify(outcome.ok ? outcome.value : null) ?? "";
        for (const marker of bMarkers()) expect(text).not.toContain(marker);
      }
      expect(await fingerprintB()).toBe(before);
    });
  }
});
