import { randomBytes } from "node:crypto";
import type { Database } from "../client";
import type { Role } from "../schema";
import { signUp, type SessionUser } from "../../server/services/accounts";
import type { TenantScope } from "../../server/services/scope";
import { acceptInvite, createInvite, createRegion, createWorkspace } from "../../server/services/workspaces";
import type { JobQueue } from "../../server/services/data";
import { importFile, SAMPLE_CUSTOMERS_CSV, SAMPLE_TRANSACTIONS_CSV } from "./data-factory";

export const FACTORY_PASSWORD = "factory-password-1";
const SETTINGS = { sessionTtlHours: 1, limits: { maxPerAccount: 1000, maxPerIp: 1000, windowMinutes: 1 } };

export interface FactoryUser extends SessionUser {
  /** A live session token for this user (as a cookie would carry it). */
  token: string;
}

export async function makeUser(db: Database, overrides: { email?: string; name?: string } = {}): Promise<FactoryUser> {
  const tag = randomBytes(4).toString("hex");
  const s = await signUp(
    db,
    { email: overrides.email ?? `user-${tag}@example.test`, name: overrides.name ?? `User ${tag}`, password: FACTORY_PASSWORD },
    SETTINGS,
  );
  return { ...s.user, token: s.token };
}

export interface FactoryWorkspace {
  tenantId: string;
  slug: string;
  name: string;
  owner: FactoryUser;
  /** One member per role (the owner under "owner"). */
  members: Record<Role, FactoryUser>;
  regionIds: string[];
  ownerScope: TenantScope;
}

/**
 * A workspace with one member of every role and two regions, built through the services; with
 * `jobs`, also the sample customers and transactions, imported as a person would.
 */
export async function makeWorkspace(
  db: Database,
  name = `Workspace ${randomBytes(3).toString("hex")}`,
  jobs?: JobQueue,
): Promise<FactoryWorkspace> {
  const owner = await makeUser(db, { name: `${name} owner` });
  const actor = { userId: owner.id, label: owner.email };
  const ws = await createWorkspace(db, actor, { name });
  const ownerScope: TenantScope = { db, tenantId: ws.tenantId, actor, role: "owner" };
  const regionIds = [(await createRegion(ownerScope, { name: "North" })).id, (await createRegion(ownerScope, { name: "South" })).id];
  const members = { owner } as Record<Role, FactoryUser>;
  for (const role of ["admin", "committee", "analyst", "contributor", "viewer"] as const) {
    const user = await makeUser(db, { name: `${name} ${role}` });
    const invite = await createInvite(ownerScope, { email: user.email, role, regionIds: role === "contributor" ? [regionIds[0]] : [] }, 1);
    await acceptInvite(db, user, invite.token);
    members[role] = user;
  }
  if (jobs) {
    await importFile(db, ownerScope, jobs, { kind: "customers", fileName: "customers.csv", body: SAMPLE_CUSTOMERS_CSV });
    await importFile(db, ownerScope, jobs, { kind: "transactions", fileName: "transactions.csv", body: SAMPLE_TRANSACTIONS_CSV });
  }
  return { ...ws, owner, members, regionIds, ownerScope };
}
