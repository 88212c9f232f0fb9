import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FACTORY_PASSWORD, makeUser, makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { createInvite } from "../../server/services/workspaces";
import { callerFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let t: TestDatabase;
let w: FactoryWorkspace;

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Auth Co");
});
afterAll(() => t.drop());

describe("signing up", () => {
  it("creates the account, stores only a hash of the password and of the session token", async () => {
    const { caller, cookies } = await callerFor(t.db, null);
    const { user } = await caller.auth.signUp({ email: "  Ana@Example.TEST ", name: "Ana", password: "correct horse battery" });
    expect(user.email).toBe("ana@example.test");
    const { rows } = await t.ownerQuery<{ password_hash: string }>("select password_hash from users where id = $1", [user.id]);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
    expect(cookies.set).toHaveLength(1);
    const token = cookies.set[0].token;
    expect(Buffer.from(token, "base64url").length).toBeGreaterThanOrEqual(16);
    const stored = await t.ownerQuery("select 1 from sessions where token_hash = $1", [token]);
    expect(stored.rowCount).toBe(0);
    const me = await (await callerFor(t.db, token)).caller.auth.me();
    expect(me.user?.email).toBe("ana@example.test");
  });

  it("refuses a taken email, a short password and a malformed email with clear messages", async () => {
    const { caller } = await callerFor(t.db, null);
    await expect(caller.auth.signUp({ email: w.owner.email, name: "Dup", password: "long-enough-1" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: `An account for ${w.owner.email} already exists. Sign in instead.`,
    });
    await expect(caller.auth.signUp({ email: "b@example.test", name: "B", password: "short" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "password: Choose a password of at least 10 characters.",
    });
    await expect(caller.auth.signUp({ email: "not-an-email", name: "C", password: "long-enough-1" })).rejects.toMatchObject({
      message: "email: Enter an email address such as ana@example.com.",
    });
  });
});

describe("logging in", () => {
  const wrong = "That email and password do not match an account. Check both and try again.";

  it("says the same for a wrong password and an unknown account", async () => {
    const { caller } = await callerFor(t.db, null, { ip: "10.0.0.1" });
    await expect(caller.auth.logIn({ email: w.members.viewer.email, password: "not-the-password" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: wrong,
    });
    await expect(caller.auth.logIn({ email: "nobody@example.test", password: "whatever-it-is" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: wrong,
    });
  });

  it("rotates the session: a new token at login, and the one the browser held is revoked", async () => {
    const user = await makeUser(t.db);
    const old = user.token;
    const { caller, cookies } = await callerFor(t.db, old);
    await caller.auth.logIn({ email: user.email, password: FACTORY_PASSWORD });
    expect(cookies.set).toHaveLength(1);
    expect(cookies.set[0].token).not.toBe(old);
    expect((await callerFor(t.db, old)).ctx.session).toBeNull();
    expect((await callerFor(t.db, cookies.set[0].token)).ctx.session?.user.id).toBe(user.id);
  });

  it("refuses a session token after logout", async () => {
    const user = await makeUser(t.db);
    const { caller, cookies } = await callerFor(t.db, user.token);
    await caller.auth.logOut();
    expect(cookies.cleared).toBe(1);
    const reused = await callerFor(t.db, user.token);
    expect(await reused.caller.auth.me()).toMatchObject({ user: null });
    await expect(reused.caller.workspace.create({ name: "After logout" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "Sign in to continue.",
    });
  });

  it("refuses an expired session", async () => {
    const user = await makeUser(t.db);
    await t.ownerQuery("update sessions set expires_at = now() - interval '1 second' where user_id = $1", [user.id]);
    expect((await callerFor(t.db, user.token)).ctx.session).toBeNull();
  });

  it("limits failed attempts per account, even with the right password afterwards", async () => {
    const user = await makeUser(t.db);
    const { caller } = await callerFor(t.db, null, { ip: "10.0.0.2" });
    for (let i = 0; i < 5; i++) {
      await expect(caller.auth.logIn({ email: user.email, password: `wrong-${i}-password` })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    const other = await callerFor(t.db, null, { ip: "10.0.0.3" });
    await expect(other.caller.auth.logIn({ email: user.email, password: FACTORY_PASSWORD })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/^Too many failed sign-in attempts for this account\. Try again in \d+ minutes?\.$/),
    });
  });

  it("limits failed attempts per address across accounts", async () => {
    const { caller } = await callerFor(t.db, null, { ip: "10.0.0.9" });
    for (let i = 0; i < 30; i++) {
      await expect(caller.auth.logIn({ email: `ghost-${i}@example.test`, password: "wrong-password" })).rejects.toMatchObject({
        code: "UNAUTHORIZED",
      });
    }
    const user = await makeUser(t.db);
    await expect(caller.auth.logIn({ email: user.email, password: FACTORY_PASSWORD })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringContaining("from your network address"),
    });
    const elsewhere = await callerFor(t.db, null, { ip: "10.0.0.10" });
    await expect(elsewhere.caller.auth.logIn({ email: user.email, password: FACTORY_PASSWORD })).resolves.toMatchObject({
      user: { id: user.id },
    });
  });
});

describe("invitations", () => {
  it("lets the invited address join with the invited role and regions", async () => {
    const user = await makeUser(t.db);
    const invite = await createInvite(w.ownerScope, { email: user.email, role: "contributor", regionIds: [w.regionIds[1]] }, 24);
    const { caller } = await callerFor(t.db, user.token);
    expect(await caller.auth.describeInvite({ token: invite.token })).toMatchObject({
      workspaceName: "Auth Co",
      role: "contributor",
      status: "pending",
    });
    await caller.auth.acceptInvite({ token: invite.token });
    const me = await (await callerFor(t.db, user.token)).caller.auth.me();
    expect(me.workspace).toMatchObject({ tenantId: w.tenantId, role: "contributor" });
    const member = (await (await callerFor(t.db, user.token)).caller.members.list()).find((m) => m.userId === user.id);
    expect(member?.regionIds).toEqual([w.regionIds[1]]);
    await expect(caller.auth.acceptInvite({ token: invite.token })).rejects.toMatchObject({
      message: "This invitation has already been used.",
    });
  });

  it("refuses an expired invitation", async () => {
    const user = await makeUser(t.db);
    const invite = await createInvite(w.ownerScope, { email: user.email, role: "viewer", regionIds: [] }, 24);
    await t.ownerQuery("update invites set expires_at = now() - interval '1 minute' where id = $1", [invite.inviteId]);
    const { caller } = await callerFor(t.db, user.token);
    expect(await caller.auth.describeInvite({ token: invite.token })).toMatchObject({ status: "expired" });
    await expect(caller.auth.acceptInvite({ token: invite.token })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "This invitation has expired. Ask the person who invited you for a new link.",
    });
    expect((await caller.auth.me()).workspaces).toEqual([]);
  });

  it("refuses another address, a revoked invitation and a forged token", async () => {
    const invited = await makeUser(t.db);
    const intruder = await makeUser(t.db);
    const invite = await createInvite(w.ownerScope, { email: invited.email, role: "viewer", regionIds: [] }, 24);
    const { caller } = await callerFor(t.db, intruder.token);
    await expect(caller.auth.acceptInvite({ token: invite.token })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining(`This invitation is for ${invited.email}`),
    });
    const second = await createInvite(w.ownerScope, { email: invited.email, role: "analyst", regionIds: [] }, 24);
    const invitedCaller = (await callerFor(t.db, invited.token)).caller;
    await expect(invitedCaller.auth.acceptInvite({ token: invite.token })).rejects.toMatchObject({
      message: "This invitation was withdrawn. Ask the workspace's admins for a new one.",
    });
    const forged = `${w.tenantId}.${"x".repeat(43)}`;
    expect(await invitedCaller.auth.describeInvite({ token: forged })).toBeNull();
    await expect(invitedCaller.auth.acceptInvite({ token: forged })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(invitedCaller.auth.acceptInvite({ token: second.token })).resolves.toMatchObject({ role: "analyst" });
  });
});

describe("workspaces", () => {
  it("lets one user belong to several workspaces and switch between them", async () => {
    const user = await makeUser(t.db);
    const { caller } = await callerFor(t.db, user.token);
    const first = await caller.workspace.create({ name: "Zeta Works" });
    const second = await caller.workspace.create({ name: "Zeta Works" });
    expect(second.slug).not.toBe(first.slug);
    expect(second.slug.startsWith("zeta-works")).toBe(true);
    let me = await (await callerFor(t.db, user.token)).caller.auth.me();
    expect(me.workspaces.map((x) => x.tenantId)).toEqual([first.tenantId, second.tenantId]);
    expect(me.workspace?.tenantId).toBe(second.tenantId);
    await (await callerFor(t.db, user.token)).caller.auth.switchWorkspace({ tenantId: first.tenantId });
    me = await (await callerFor(t.db, user.token)).caller.auth.me();
    expect(me.workspace?.tenantId).toBe(first.tenantId);
    expect(me.permissions).toContain("member:manage");
  });
});

describe("signing up from an invitation", () => {
  it("creates the account and joins the workspace in one step", async () => {
    const invite = await createInvite(w.ownerScope, { email: "straight-in@example.test", role: "analyst", regionIds: [] }, 24);
    const { caller, cookies } = await callerFor(t.db, null);
    const result = await caller.auth.signUp({ email: "straight-in@example.test", name: "Straight In", password: "long-enough-pw", inviteToken: invite.token });
    expect(result.joined).toEqual({ tenantId: w.tenantId, role: "analyst" });
    const me = await (await callerFor(t.db, cookies.set[0].token)).caller.auth.me();
    expect(me.workspace).toMatchObject({ tenantId: w.tenantId, role: "analyst" });
  });
});
