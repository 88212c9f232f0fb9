import { eq, sql } from "drizzle-orm";
import { createReadStream, existsSync } from "node:fs";
import path from "node:path";
import { runImport, startImport, uploadFile, type JobQueue } from "../../server/services/data";
import type { Database } from "../client";
import { users, type Role } from "../schema";
import { signUp } from "../../server/services/accounts";
import { createInvite, createRegion, createWorkspace, acceptInvite } from "../../server/services/workspaces";
import type { TenantScope } from "../../server/services/scope";
import { seedDemoModels } from "./demo-models";
import { seedDemoMonitoring } from "./demo-monitoring";
import { seedDemoGate } from "./demo-gate";
import { seedDemoKpis } from "./demo-kpis";
import { seedDemoSegments } from "./demo-segments";
import { seedDemoSessions } from "./demo-sessions";
import { seedDemoSwot } from "./demo-swot";

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
 * The demo workspace: one user per role (the contributor scoped to EMEA), four regions, the
 * Online Retail transactions (or a synthetic stand-in) and a second workspace the owner also
 * belongs to. Built through the services, so the audit log
 * records it like any other change. Does nothing if the demo owner already exists.
 */
export async function seedDemo(
  db: Database,
  jobs: JobQueue,
  log: (message: string) => void = () => {},
  /** The transactions to seed; null for the synthetic stand-in. */
  transactionsFile: string | null = existsSync(ONLINE_RETAIL_FILE) ? ONLINE_RETAIL_FILE : null,
): Promise<{ created: boolean }> {
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

  await seedDemoTransactions(db, scope, jobs, log, transactionsFile);
  log("Proposing and approving the demo segments…");
  await seedDemoSegments(db, ws.tenantId, accounts);
  await seedDemoSwot(db, ws.tenantId, accounts);
  await seedDemoMonitoring(db, ws.tenantId, accounts);
  await seedDemoSessions(db, ws.tenantId, accounts);
  await seedDemoGate(db, ws.tenantId, accounts);
  await (await import("./demo-campaigns")).seedDemoCampaigns(db, ws.tenantId, accounts);
  log("Running the demo model runs…");
  await seedDemoModels(db, ws.tenantId, accounts, jobs);
  log("Rolling up the demo KPIs…");
  await seedDemoKpis(db, ws.tenantId, accounts, jobs);

  const labs = await createWorkspace(db, actor, { name: SECOND_WORKSPACE });
  await createRegion({ db, tenantId: labs.tenantId, actor, role: "owner" }, { name: "Global" });
  return { created: true };
}

export const ONLINE_RETAIL_FILE = path.resolve("..", "shared", "data", "online_retail.csv.gz");

/**
 * A year of transactions for 300 customers, deterministic (a linear congruential generator), in
 * the Online Retail layout: the stand-in when the real file is not beside the project.
 */
export function syntheticTransactionsCsv(): string {
  let state = 20_111_209;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const countries = ["United Kingdom", "Germany", "France", "EIRE", "Spain", "Netherlands"];
  const lines = ["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"];
  for (let invoice = 0; invoice < 2_500; invoice++) {
    const customer = 13_000 + Math.floor(next() ** 2 * 300);
    const day = new Date(Date.UTC(2011, 0, 1) + Math.floor(next() * 340) * 86_400_000).toISOString().slice(0, 10);
    const cancelled = next() < 0.02;
    for (let item = 0, items = 1 + Math.floor(next() * 5); item < items; item++) {
      const quantity = (1 + Math.floor(next() * 12)) * (cancelled ? -1 : 1);
      const price = (0.5 + Math.floor(next() * 1_000) / 100).toFixed(2);
      lines.push(`${cancelled ? "C" : ""}${560_000 + invoice},SKU${Math.floor(next() * 400)},DEMO ITEM,${quantity},${day} 10:00:00,${price},${customer},${countries[customer % countries.length]}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

async function seedDemoTransactions(db: Database, scope: TenantScope, jobs: JobQueue, log: (message: string) => void, file: string | null) {
  log(file ? "Importing the Online Retail transactions into the demo workspace (about 20 s)…" : "Importing synthetic demo transactions…");
  const body = file ? createReadStream(file) : [syntheticTransactionsCsv()];
  const fileName = file ? path.basename(file) : "demo_transactions.csv";
  const uploaded = await uploadFile(scope, { kind: "transactions", fileName }, body, 2 ** 40);
  await startImport(scope, { importId: uploaded.importId, mapping: uploaded.mapping }, jobs);
  // Run now rather than wait for a worker; the queued job then finds it done. The quality
  // report is left to the workers.
  await runImport(db, jobs, scope.tenantId, uploaded.importId);
}
