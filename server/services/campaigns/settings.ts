import { z } from "zod";
import type { Tx } from "../../../db/client";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { workspaceSetting } from "../workspace-settings";

/**
 * The contribution margin: the share of revenue that is contribution (revenue minus variable
 * costs) before cost-to-serve and campaign costs. Default 100% of revenue — a workspace that
 * has not said otherwise sees revenue as contribution; set it from the finance team's figure.
 */
export const DEFAULT_CONTRIBUTION_MARGIN = 1;

export const ZContributionMargin = z.object({
  /** A fraction from 0 to 1 (0.35 = 35% of revenue). */
  margin: z.number({ message: "must be a number" }).min(0, "must be at least 0%").max(1, "must be at most 100%"),
});

const marginSetting = workspaceSetting("campaigns.contributionMargin", ZContributionMargin.shape.margin, DEFAULT_CONTRIBUTION_MARGIN);

export function readMargin(tx: Tx, tenantId: string): Promise<number> {
  return marginSetting.read(tx, tenantId);
}

export async function getContributionMargin(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => ({ margin: await readMargin(tx, scope.tenantId) }));
}

export async function setContributionMargin(scope: TenantScope, input: z.input<typeof ZContributionMargin>) {
  const { margin } = ZContributionMargin.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const before = await readMargin(tx, scope.tenantId);
    await marginSetting.write(tx, scope.tenantId, margin);
    await appendAudit(tx, scope, { action: "campaign.margin.update", objectType: "settings", objectId: marginSetting.key, before, after: margin });
    return { margin };
  });
}
