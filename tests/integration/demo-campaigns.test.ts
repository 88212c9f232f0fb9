import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../db/seed/demo";
import { attributionBySegment, getCampaign, listCampaigns, listCosts, roiBySegment } from "../../server/services/campaigns";
import type { TenantScope } from "../../server/services/scope";
import { jobsFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

/** The demo workspace's campaigns (db/seed/demo-campaigns.ts) on the synthetic demo data. */

let t: TestDatabase;
let scope: TenantScope;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, jobsFor(t.db), () => {}, null);
  const { rows } = await t.ownerQuery<{ tenant_id: string; id: string; email: string }>(
    `select m.tenant_id, u.id, u.email from memberships m join users u on u.id = m.user_id join workspaces w on w.id = m.tenant_id
     where w.name = 'Northwind Retail' and u.email = 'analyst@demo.quorum.local'`,
  );
  scope = { db: t.db, tenantId: rows[0].tenant_id, actor: { userId: rows[0].id, label: rows[0].email }, role: "analyst" };
}, 120_000);
afterAll(() => t.drop());

describe("the demo campaigns", () => {
  it("hold a finished campaign with a 10% holdout and results, and a draft", async () => {
    const list = await listCampaigns(scope);
    expect(list.map((c) => [c.name, c.status])).toEqual([
      ["Gift season paid push", "draft"],
      ["Autumn win-back", "finished"],
    ]);
    const autumn = list[1];
    const { rows } = await t.ownerQuery<{ n: number }>(
      `select count(*)::int as n from segment_memberships where tenant_id = $1 and segment_id = $2 and to_version is null`,
      [scope.tenantId, autumn.segmentId],
    );
    expect(autumn.members).toBe(rows[0].n);
    const view = await getCampaign(scope, { campaignId: autumn.id });
    for (const b of view.balance) expect(b.holdout).toBe(Math.round(0.1 * (b.treated + b.holdout)));
    expect(view.outcomes!.treated.n + view.outcomes!.holdout.n).toBe(autumn.members);
    expect(view.outcomes!.treated.conversions).toBeGreaterThan(0);
    expect(view.economics?.costSource).toBe("actual");
    expect(view.economics?.margin).toBe(0.35);
    expect(view.economics?.conversion?.verdict).toMatch(/points \(95% CI .+ to .+\): (significant|not distinguishable from no effect)$/);
    expect((await roiBySegment(scope)).segments).toHaveLength(1);
  });

  it("hold touchpoints whose three attribution rules each sum to the attributed revenue, and costs to serve", async () => {
    const { overall } = await attributionBySegment(scope, {});
    expect(overall.attributedRevenue).toBeGreaterThan(0);
    for (const rule of ["firstTouch", "lastTouch", "linear"] as const) {
      expect(overall.channels.reduce((s, c) => s + c[rule], 0)).toBeCloseTo(overall.attributedRevenue, 6);
    }
    const costs = await listCosts(scope);
    expect(costs.rows.filter((c) => c.scope === "customer")).toHaveLength(40);
    expect(costs.rows.filter((c) => c.scope === "segment").length).toBeGreaterThan(0);
  });
});
