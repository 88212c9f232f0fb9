import { z } from "zod";
import type { Tx } from "../../../db/client";
import { DEFAULT_DRIFT_THRESHOLDS } from "../../analytics/drift";
import { invalid } from "../../errors";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { workspaceSetting } from "../workspace-settings";

/**
 * A workspace's monitoring settings: the PSI bands (watch / act), how often drift and bias run on
 * their own (the hourly sweep in workers/jobs/monitor-run.ts starts a run when the last one is
 * older than the schedule), and whether an "act" band opens a re-segmentation proposal.
 */
export const ZMonitoringSettings = z
  .object({
    psiWatch: z.number({ message: "must be a number" }).gt(0, { message: "must be above 0" }).max(10),
    psiAct: z.number({ message: "must be a number" }).gt(0, { message: "must be above 0" }).max(10),
    schedule: z.enum(["off", "daily", "weekly"], { message: "must be off, daily or weekly" }),
    proposeOnAct: z.boolean(),
  })
  .refine((s) => s.psiAct >= s.psiWatch, {
    message: "The act band must start at or above the watch band.",
    path: ["psiAct"],
  });
export type MonitoringSettings = z.infer<typeof ZMonitoringSettings>;

export const DEFAULT_MONITORING_SETTINGS: MonitoringSettings = {
  psiWatch: DEFAULT_DRIFT_THRESHOLDS.watch,
  psiAct: DEFAULT_DRIFT_THRESHOLDS.act,
  schedule: "weekly",
  proposeOnAct: true,
};

const setting = workspaceSetting("monitoring", ZMonitoringSettings, DEFAULT_MONITORING_SETTINGS);

export function readMonitoringSettings(tx: Tx, tenantId: string): Promise<MonitoringSettings> {
  return setting.read(tx, tenantId);
}

export async function getMonitoringSettings(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, (tx) => readMonitoringSettings(tx, scope.tenantId));
}

export async function updateMonitoringSettings(scope: TenantScope, input: unknown) {
  const parsed = ZMonitoringSettings.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`${issue.path.join(".") || "settings"}: ${issue.message}`);
  }
  const value = parsed.data;
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const before = await readMonitoringSettings(tx, scope.tenantId);
    await setting.write(tx, scope.tenantId, value);
    await appendAudit(tx, scope, {
      action: "monitoring.settings.update",
      objectType: "settings",
      objectId: setting.key,
      before,
      after: value,
    });
    return value;
  });
}
