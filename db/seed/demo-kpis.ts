import { and, asc, eq } from "drizzle-orm";
import { runImport, startImport, uploadFile, type JobQueue } from "../../server/services/data";
import { createKpi, queueRollup, readDefinitions, runRollup, setKpiOwner, setKpiTarget } from "../../server/services/kpis";
import type { TenantScope } from "../../server/services/scope";
import type { Database } from "../client";
import { ALL_CUSTOMERS, customers, kpiRollupRuns, segments, type Role } from "../schema";

type Accounts = { role: Role; name: string; user: { id: string; email: string } }[];

/** A deterministic number in [0, 1) from a text (FNV-1a), so the seed is the same every time. */
function unit(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 2 ** 32;
}

/**
 * KPIs of the demo workspace: an events file of support tickets and NPS answers over 2011
 * (imported through the upload path, like a person would), owners and targets for the KPIs the
 * executives follow, a custom "email conversions" KPI, and one completed full roll-up — the
 * runs the seed's imports and publishes queued are covered by it and marked so.
 */
export async function seedDemoKpis(db: Database, tenantId: string, accounts: Accounts, jobs: JobQueue): Promise<void> {
  const account = (role: Role) => accounts.find((a) => a.role === role)!;
  const analystAccount = account("analyst");
  const analyst: TenantScope = { db, tenantId, actor: { userId: analystAccount.user.id, label: analystAccount.user.email }, role: "analyst" };
  const ids = await db.withTenant(tenantId, (tx) =>
    tx.select({ externalId: customers.externalId }).from(customers).where(eq(customers.tenantId, tenantId)).orderBy(asc(customers.externalId)),
  );
  const lines = ["event_id,customer_id,type,occurred_at,value,channel"];
  for (const { externalId } of ids) {
    const r = unit(externalId);
    const month = 1 + Math.floor(unit(`${externalId}:m`) * 12);
    const day = 1 + Math.floor(unit(`${externalId}:d`) * 28);
    const at = `2011-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}T10:00:00Z`;
    // About a third answer the survey (more satisfied the lower r), one in five opens a ticket.
    if (r < 0.35) lines.push(`nps-${externalId},${externalId},nps_response,${at},${Math.min(10, Math.floor(unit(`${externalId}:s`) * 6 + (1 - r) * 6))},email`);
    if (unit(`${externalId}:t`) < 0.2) lines.push(`ticket-${externalId},${externalId},support_ticket,${at},,sales`);
  }
  const uploaded = await uploadFile(analyst, { kind: "events", fileName: "survey-and-support-2011.csv" }, [lines.join("\n")], 1 << 30);
  await startImport(analyst, { importId: uploaded.importId, mapping: uploaded.mapping }, jobs);
  await runImport(db, jobs, tenantId, uploaded.importId);

  const kpis = await db.withTenant(tenantId, (tx) => readDefinitions(tx, tenantId));
  const id = (key: string) => kpis.find((k) => k.key === key)!.id;
  const owner = (role: Role) => account(role).user.id;
  for (const [key, role] of [
    ["revenue", "owner"],
    ["share_of_revenue", "owner"],
    ["retention_rate", "committee"],
    ["churn_rate", "committee"],
    ["nps", "admin"],
    ["tickets_per_customer", "admin"],
    ["clv", "analyst"],
    ["conversion_rate", "analyst"],
  ] as const) {
    await setKpiOwner(analyst, { kpiId: id(key), ownerUserId: owner(role) });
  }
  await createKpi(analyst, {
    key: "email_conversions",
    name: "Email conversions",
    description: "Conversion events attributed to the email channel in the period.",
    unit: "count",
    direction: "higher",
    spec: { kind: "aggregate", measure: { source: "events", aggregate: "count", filter: { type: "conversion", channel: "email" } } },
    ownerUserId: owner("analyst"),
  });
  // Monthly targets for the whole business and for each active segment.
  const active = await db.withTenant(tenantId, (tx) =>
    tx.select({ id: segments.id }).from(segments).where(and(eq(segments.tenantId, tenantId), eq(segments.status, "active"))),
  );
  const targets: [string, number][] = [
    ["revenue", 750_000],
    ["retention_rate", 0.45],
    ["churn_rate", 0.5],
    ["nps", 20],
    ["tickets_per_customer", 0.02],
  ];
  for (const [key, target] of targets) await setKpiTarget(analyst, { kpiId: id(key), segmentId: ALL_CUSTOMERS, target });
  for (const s of active) {
    await setKpiTarget(analyst, { kpiId: id("retention_rate"), segmentId: s.id, target: 0.45 });
    await setKpiTarget(analyst, { kpiId: id("nps"), segmentId: s.id, target: 20 });
  }

  // One full roll-up now; the runs queued so far (imports, publishes, the new KPI) are covered by it.
  await db.withTenant(tenantId, (tx) =>
    tx
      .update(kpiRollupRuns)
      .set({ status: "completed", progress: 1, step: "covered by the seed's full roll-up", finishedAt: new Date() })
      .where(and(eq(kpiRollupRuns.tenantId, tenantId), eq(kpiRollupRuns.status, "queued"))),
  );
  const runId = await db.withTenant(tenantId, (tx) => queueRollup(tx, tenantId, { trigger: "rebuild", createdBy: analystAccount.user.id }));
  await runRollup(db, tenantId, runId);
}
