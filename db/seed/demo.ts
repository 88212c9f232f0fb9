import { eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import { users, type Role } from "../schema";
import { signUp } from "../../server/services/accounts";
import { createInvite, createRegion, createWorkspace, acceptInvite } from "../../server/services/workspaces";
import type { TenantScope } from "../../server/services/scope";

export const DEMO_PASSWORD = "quorum-demo-2026";

export const DEMO_USERS: { email: string; name: string; role: Role; regions?: string[] }[] = [
  { email: "owner@demo.quorum.local", name: "Olivia Owens", role: "owner" },
  { email: "admin@demo.quorum.local", name: "Adam Alvarez", role: "admin" },
  { email: "committee@demo.quorum.local", name: "Chloé Chen", role: "committee" },
  { email: "analyst@demo.quorum.local", name: "Anika Singh", role: "analyst" },
  { email: "contributor@demo.quorum.local", name: "Carlos Romero", role: "contributor", regions: ["EMEA"] },
  { email: "viewer@demo.quorum.local", name: "Victoria Vance", role: "viewer" },
];

export const DEMO_WORKSPACE = "Northwind Retail";
const DEMO_REGIONS = ["EMEA", "North America", "APAC", "LATAM"];
const SECOND_WORKSPACE = "Northwind Labs";

const SEED_SETTINGS = { sessionTtlHours: 1, limits: { maxPerAccount: 1000, maxPerIp: 1000, windowMinutes: 1 } };

/** True when no account exists yet: `npm start` seeds only then. */
export async function isEmpty(db: Database): Promise<boolean> {
  const [row] = await db.withoutTenant((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(users));
  return row.n === 0;
}

/**
 * The demo workspace: one user per role (the contributor scoped to EMEA), four regions and a
 * second workspace the owner also belongs to. Built through the services, so the audit log
 * records it like any other change. Does nothing if the demo owner already exists.
 */
export async function seedDemo(db: Database): Promise<{ created: boolean }> {
  const [existing] = await db.withoutTenant((tx) => tx.select().from(users).where(eq(users.email, DEMO_USERS[0].email)));
  if (existing) return { created: false };

  const accounts = [];
  for (const u of DEMO_USERS) {
    const s = await signUp(db, { email: u.email, name: u.name, password: DEMO_PASSWORD }, SEED_SETTINGS);
    accounts.push({ ...u, user: s.user });
  }
  const owner = accounts[0].user;
  const actor = { userId: owner.id, label: owner.email };
  const ws = await createWorkspace(db, actor, { name: DEMO_WORKSPACE });
  const scope: TenantScope = { db, tenantId: ws.tenantId, actor, role: "owner" };
  const regionIds = new Map<string, string>();
  for (const name of DEMO_REGIONS) regionIds.set(name, (await createRegion(scope, { name })).id);

  for (const a of accounts.slice(1)) {
    const invite = await createInvite(
      scope,
      { email: a.email, role: a.role, regionIds: (a.regions ?? []).map((r) => regionIds.get(r)!) },
      24,
    );
    await acceptInvite(db, a.user, invite.token);
  }

  const labs = await createWorkspace(db, actor, { name: SECOND_WORKSPACE });
  await createRegion({ db, tenantId: labs.tenantId, actor, role: "owner" }, { name: "Global" });
  return { created: true };
}
