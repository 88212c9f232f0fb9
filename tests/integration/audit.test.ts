import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUser, makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { verifyAuditChain } from "../../server/services/audit";
import { acceptInvite, createInvite, createRegion } from "../../server/services/workspaces";
import { callerFor, jobsFor } from "../helpers/callers";
import { uploadFile } from "../../server/services/data";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { createProposal } from "../../server/services/segments";
import { scopeOf, staleProposal, submittedNewSegment } from "../helpers/governance";
import { startModelRun } from "../../server/services/models";

let t: TestDatabase;
let w: FactoryWorkspace;

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Audit Co", jobsFor(t.db));
});
afterAll(() => t.drop());

const tag = () => randomBytes(3).toString("hex");

async function entries(tenantId: string) {
  const { rows } = await t.ownerQuery<{ seq: string; action: string; actor_id: string | null; object_id: string | null }>(
    "select seq, action, actor_id, object_id from audit_log where tenant_id = $1 order by seq",
    [tenantId],
  );
  return rows;
}

async function freshMember() {
  const user = await makeUser(t.db);
  const invite = await createInvite(w.ownerScope, { email: user.email, role: "viewer", regionIds: [] }, 1);
  await acceptInvite(t.db, user, invite.token);
  return user;
}

type Caller = Awaited<ReturnType<typeof callerFor>>["caller"];

/**
 * Every procedure that writes workspace data: `prepare` makes its fixtures (which write entries
 * of their own), `call` is the one write whose entries are counted.
 */
const WRITES: {
  path: string;
  /** The entry the write leaves, or the entries when it does several things (a vote that publishes). */
  action: string | string[];
  /** Who calls (admin unless said). */
  as?: "committee";
  prepare?: () => Promise<string>;
  call: (c: Caller, id: string) => Promise<unknown>;
}[] = [
  { path: "workspace.rename", action: "workspace.rename", call: (c) => c.workspace.rename({ name: `Audit Co ${tag()}` }) },
  {
    path: "members.update",
    action: "member.update",
    prepare: async () => (await freshMember()).id,
    call: (c, userId) => c.members.update({ userId, role: "analyst", regionIds: [] }),
  },
  {
    path: "members.remove",
    action: "member.remove",
    prepare: async () => (await freshMember()).id,
    call: (c, userId) => c.members.remove({ userId }),
  },
  {
    path: "invites.create",
    action: "invite.create",
    call: (c) => c.invites.create({ email: `a-${tag()}@example.test`, role: "viewer", regionIds: [] }),
  },
  {
    path: "invites.revoke",
    action: "invite.revoke",
    prepare: async () =>
      (await createInvite(w.ownerScope, { email: `r-${tag()}@example.test`, role: "viewer", regionIds: [] }, 1)).inviteId,
    call: (c, inviteId) => c.invites.revoke({ inviteId }),
  },
  { path: "regions.create", action: "region.create", call: (c) => c.regions.create({ name: `Region ${tag()}` }) },
  {
    path: "regions.rename",
    action: "region.rename",
    prepare: async () => (await createRegion(w.ownerScope, { name: `R ${tag()}` })).id,
    call: (c, regionId) => c.regions.rename({ regionId, name: `R ${tag()}` }),
  },
  {
    path: "data.startImport",
    action: "import.start",
    prepare: async () => JSON.stringify(await uploadFile(w.ownerScope, { kind: "customers", fileName: "s.csv" }, [`customer_id\nS-${tag()}\n`], 1 << 20)),
    call: (c, up) => {
      const { importId, mapping } = JSON.parse(up) as Awaited<ReturnType<typeof uploadFile>>;
      return c.data.startImport({ importId, mapping });
    },
  },
  {
    path: "data.cancelImport",
    action: "import.cancel",
    prepare: async () => (await uploadFile(w.ownerScope, { kind: "customers", fileName: "x.csv" }, [`customer_id\nX-${tag()}\n`], 1 << 20)).importId,
    call: (c, importId) => c.data.cancelImport({ importId }),
  },
  {
    path: "data.undoMerge",
    action: "customer.unmerge",
    prepare: async () => {
      const { rows } = await t.ownerQuery<{ id: string }>("select id from customer_merges where tenant_id = $1 and undone_at is null limit 1", [
        w.tenantId,
      ]);
      return rows[0].id;
    },
    call: (c, mergeId) => c.data.undoMerge({ mergeId }),
  },
  {
    path: "data.updateSettings",
    action: "settings.update",
    call: (c) => c.data.updateSettings({ maxMissingShare: 0.4, preparation: { dropCancellations: true, dropNonPositive: true } }),
  },
  {
    path: "regions.delete",
    action: "region.delete",
    prepare: async () => (await createRegion(w.ownerScope, { name: `D ${tag()}` })).id,
    call: (c, regionId) => c.regions.delete({ regionId }),
  },
  {
    path: "segments.createProposal",
    action: "proposal.create",
    call: (c) => c.segments.createProposal({ kind: "create", name: `Audit segment ${tag()}` }),
  },
  {
    path: "segments.submit",
    action: "proposal.submit",
    prepare: async () => (await createProposal(scopeOf(w, "admin"), { kind: "create", name: `S ${tag()}` })).proposalId,
    call: (c, proposalId) => c.segments.submit({ proposalId }),
  },
  {
    path: "segments.reopen",
    action: "proposal.reopen",
    prepare: async () => (await submittedNewSegment(scopeOf(w, "analyst"), `R ${tag()}`, EVERYONE)).proposalId,
    call: (c, proposalId) => c.segments.reopen({ proposalId }),
  },
  {
    path: "segments.withdraw",
    action: "proposal.withdraw",
    prepare: async () => (await createProposal(scopeOf(w, "admin"), { kind: "create", name: `W ${tag()}` })).proposalId,
    call: (c, proposalId) => c.segments.withdraw({ proposalId }),
  },
  {
    path: "segments.rebase",
    action: "proposal.rebase",
    prepare: async () => (await staleProposal(w, `Stale ${tag()}`)).proposalId,
    call: (c, proposalId) => c.segments.rebase({ proposalId }),
  },
  {
    path: "segments.vote",
    action: ["proposal.vote", "segment.publish", "proposal.approve"],
    as: "committee",
    prepare: async () => (await submittedNewSegment(scopeOf(w, "analyst"), `V ${tag()}`, EVERYONE)).proposalId,
    call: (c, proposalId) => c.segments.vote({ proposalId, vote: "approve", reason: "Agreed" }),
  },
  {
    path: "segments.decide",
    action: ["proposal.override", "proposal.reject"],
    prepare: async () => (await submittedNewSegment(scopeOf(w, "analyst"), `D ${tag()}`, EVERYONE)).proposalId,
    call: (c, proposalId) => c.segments.decide({ proposalId, decision: "reject", reason: "Not now" }),
  },
  {
    path: "segments.comment",
    action: "proposal.comment",
    prepare: async () => (await createProposal(scopeOf(w, "analyst"), { kind: "create", name: `C ${tag()}` })).proposalId,
    call: (c, proposalId) => c.segments.comment({ proposalId, body: "Which threshold?" }),
  },
  {
    path: "segments.updateSettings",
    action: "segment.settings.update",
    call: (c) => c.segments.updateSettings({ assignment: "exclusive", approval: { minApprovals: 1, rejectionVetoes: true, quorum: 0 } }),
  },
  {
    path: "models.start",
    action: "model.run.start",
    call: (c) => c.models.start({ features: [{ field: "frequency", transform: "standard" }], kMin: 2, kMax: 3, seed: 1, restarts: 1 }),
  },
  {
    path: "models.chooseK",
    action: "model.run.start",
    prepare: () => completedModelRun(w.tenantId),
    call: (c, runId) => c.models.chooseK({ runId, k: 3 }),
  },
  {
    path: "models.cancel",
    action: "model.run.cancel",
    prepare: async () =>
      (await startModelRun(w.ownerScope, { features: [{ field: "frequency", transform: "standard" }], kMin: 2, kMax: 3 }, jobsFor(t.db))).runId,
    call: (c, runId) => c.models.cancel({ runId }),
  },
  {
    path: "segments.reorder",
    action: "segment.reorder",
    call: async (c) => c.segments.reorder({ order: (await c.segments.list()).segments.map((s) => s.id).reverse() }),
  },
];

/** A completed model run (k = 2 of 2..3) written directly, for procedures that need one. */
async function completedModelRun(tenantId: string): Promise<string> {
  const { rows } = await t.ownerQuery<{ id: string }>(
    `insert into model_runs (tenant_id, status, params, code_version, recommended_k, chosen_k, n)
     values ($1, 'completed', '{"features":[{"field":"frequency","transform":"standard"}],"kMin":2,"kMax":3,"seed":1,"restarts":1}', 'test', 2, 2, 0) returning id`,
    [tenantId],
  );
  return rows[0].id;
}

const EVERYONE = { combinator: "and" as const, children: [] };

describe("audit entries", () => {
  for (const write of WRITES) {
    it(`${write.path} leaves exactly its entries, by its actor`, async () => {
      const id = write.prepare ? await write.prepare() : "";
      const { caller, ctx } = await callerFor(t.db, w.members[write.as ?? "admin"].token, { tenantId: w.tenantId });
      const start = (await entries(w.tenantId)).length;
      await write.call(caller, id);
      const added = (await entries(w.tenantId)).slice(start);
      const expected = typeof write.action === "string" ? [write.action] : write.action;
      expect(added.map((e) => [e.action, e.actor_id])).toEqual(expected.map((action) => [action, ctx.session?.user.id]));
    });
  }

  it("workspace.create and accepting an invitation each leave one entry in their workspace", async () => {
    const user = await makeUser(t.db);
    const { caller } = await callerFor(t.db, user.token);
    const created = await caller.workspace.create({ name: "Fresh Co" });
    expect((await entries(created.tenantId)).map((e) => e.action)).toEqual(["workspace.create"]);

    const invite = await createInvite(w.ownerScope, { email: user.email, role: "committee", regionIds: [] }, 1);
    const start = (await entries(w.tenantId)).length;
    await caller.auth.acceptInvite({ token: invite.token });
    const added = (await entries(w.tenantId)).slice(start);
    expect(added.map((e) => [e.action, e.actor_id])).toEqual([["member.join", user.id]]);
  });

  it("records nothing when the change fails", async () => {
    const { caller } = await callerFor(t.db, w.owner.token, { tenantId: w.tenantId });
    const start = (await entries(w.tenantId)).length;
    await expect(caller.regions.create({ name: "North" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await entries(w.tenantId)).length).toBe(start);
  });
});

describe("the append-only log", () => {
  it("refuses UPDATE, DELETE and TRUNCATE from the app role", async () => {
    for (const statement of [
      sql`update audit_log set action = 'forged' where seq = 1`,
      sql`delete from audit_log where seq = 1`,
      sql`truncate audit_log`,
    ]) {
      await expect(t.db.withTenant(w.tenantId, (tx) => tx.execute(statement))).rejects.toMatchObject({ cause: { code: "42501" } });
    }
    const { rows } = await t.ownerQuery("select action from audit_log where tenant_id = $1 and seq = 1", [w.tenantId]);
    expect(rows[0].action).toBe("workspace.create");
  });

  it("refuses UPDATE and DELETE even from the owner while the trigger stands", async () => {
    await expect(t.ownerQuery("update audit_log set action = 'forged' where tenant_id = $1 and seq = 1", [w.tenantId])).rejects.toThrow(
      /append-only/,
    );
    await expect(t.ownerQuery("delete from audit_log where tenant_id = $1 and seq = 1", [w.tenantId])).rejects.toThrow(/append-only/);
  });

  it("keeps sequence numbers gap-free under concurrent writes", async () => {
    const { caller } = await callerFor(t.db, w.owner.token, { tenantId: w.tenantId });
    await Promise.all(Array.from({ length: 12 }, (_, i) => caller.regions.create({ name: `Parallel ${i}` })));
    const seqs = (await entries(w.tenantId)).map((e) => Number(e.seq));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(await verifyAuditChain(t.db, w.tenantId)).toMatchObject({ intact: true, entries: seqs.length });
  });
});

describe("verifyAuditChain", () => {
  async function tamper(statement: string, values: unknown[]) {
    await t.ownerQuery("alter table audit_log disable trigger audit_log_append_only");
    try {
      await t.ownerQuery(statement, values);
    } finally {
      await t.ownerQuery("alter table audit_log enable trigger audit_log_append_only");
    }
  }

  it("finds an altered entry, a removed entry and a relinked entry at the right sequence number", async () => {
    const ws = await makeWorkspace(t.db, `Tamper ${tag()}`);
    const total = (await entries(ws.tenantId)).length;
    expect(total).toBeGreaterThan(8);
    expect(await verifyAuditChain(t.db, ws.tenantId, 3)).toEqual({ intact: true, entries: total, lastHash: expect.any(String) });

    await tamper(`update audit_log set changes = '{"after":{"name":"Evil"}}' where tenant_id = $1 and seq = 4`, [ws.tenantId]);
    expect(await verifyAuditChain(t.db, ws.tenantId, 3)).toMatchObject({ intact: false, brokenAtSeq: 4, entries: 3 });

    const ws2 = await makeWorkspace(t.db, `Tamper ${tag()}`);
    await tamper("delete from audit_log where tenant_id = $1 and seq = 6", [ws2.tenantId]);
    expect(await verifyAuditChain(t.db, ws2.tenantId)).toMatchObject({ intact: false, brokenAtSeq: 6, reason: "entry 6 is missing" });

    // Recomputing an altered entry's own hash does not help: the next entry's link breaks.
    const ws3 = await makeWorkspace(t.db, `Tamper ${tag()}`);
    await tamper("update audit_log set actor_label = 'someone-else', hash = repeat('a', 64) where tenant_id = $1 and seq = 2", [
      ws3.tenantId,
    ]);
    expect(await verifyAuditChain(t.db, ws3.tenantId)).toMatchObject({ intact: false, brokenAtSeq: 2 });
    await tamper("update audit_log set prev_hash = repeat('a', 64) where tenant_id = $1 and seq = 3", [ws3.tenantId]);
    expect(await verifyAuditChain(t.db, ws3.tenantId)).toMatchObject({ intact: false, brokenAtSeq: 2 });
  });

  it("is what the audit.verify procedure reports", async () => {
    const { caller } = await callerFor(t.db, w.owner.token, { tenantId: w.tenantId });
    expect(await caller.audit.verify()).toMatchObject({ intact: true });
  });
});

describe("listing and filtering", () => {
  it("lists newest first, filters by actor, action, object and date, and pages by sequence", async () => {
    const { caller } = await callerFor(t.db, w.owner.token, { tenantId: w.tenantId });
    const page1 = await caller.audit.list({ limit: 5 });
    expect(page1.entries).toHaveLength(5);
    const seqs = page1.entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => y - x));
    const page2 = await caller.audit.list({ limit: 5, beforeSeq: page1.nextBeforeSeq! });
    expect(page2.entries[0].seq).toBe(seqs[4] - 1);

    const joins = await caller.audit.list({ action: "member.join", limit: 200 });
    expect(joins.entries.length).toBeGreaterThanOrEqual(5);
    expect(new Set(joins.entries.map((e) => e.action))).toEqual(new Set(["member.join"]));

    const byViewer = await caller.audit.list({ actor: w.members.viewer.email.toUpperCase(), limit: 200 });
    expect(byViewer.entries.map((e) => e.action)).toEqual(["member.join"]);

    const regionDeletes = await caller.audit.list({ objectType: "region", action: "region.delete" });
    expect(regionDeletes.entries.every((e) => e.objectType === "region")).toBe(true);

    const future = await caller.audit.list({ from: new Date(Date.now() + 3600_000) });
    expect(future.entries).toEqual([]);
    const wildcard = await caller.audit.list({ actor: "%" });
    expect(wildcard.entries).toEqual([]);
    expect(await caller.audit.actions()).toEqual(expect.arrayContaining(["member.join", "region.create", "workspace.create"]));
  });
});
