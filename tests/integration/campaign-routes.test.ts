import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { createCampaign, launchCampaign, setCost } from "../../server/services/campaigns";
import { cookieOf } from "../helpers/collab";
import { publishedSegment, scopeOf } from "../helpers/governance";
import { startTestServer, type TestServer } from "../helpers/server";

/** The campaign pages and CSV downloads (Remix routes) through the real server: who gets what. */

let server: TestServer;
let a: FactoryWorkspace;
let b: FactoryWorkspace;
let bCampaign: string;

const SECRET = "Beta secret campaign";
const CSVS = ["/campaigns/list.csv", "/campaigns/roi.csv", "/campaigns/costs.csv", "/campaigns/contribution.csv?from=2026-01-01&to=2026-12-31", "/campaigns/attribution.csv"];

beforeAll(async () => {
  server = await startTestServer();
  a = await makeWorkspace(server.database.db, "Route Alpha");
  b = await makeWorkspace(server.database.db, "Route Beta");
  await server.database.ownerQuery(`insert into customers (tenant_id, external_id, region) select $1, 'B-' || i, 'North' from generate_series(1, 20) i`, [b.tenantId]);
  const segmentId = (await publishedSegment(b, "Beta secret segment", { combinator: "and", children: [] })).segmentId;
  const created = await createCampaign(scopeOf(b, "analyst"), {
    name: SECRET,
    segmentId,
    channels: ["email"],
    budget: 100,
    periodStart: "2026-01-01",
    periodEnd: "2026-01-31",
    holdoutPercent: 25,
    stratifyByRegion: true,
    outcome: "conversion",
  });
  bCampaign = created.id;
  await launchCampaign(scopeOf(b, "analyst"), { campaignId: bCampaign });
  await setCost(scopeOf(b, "analyst"), { scope: "segment", segmentId, periodStart: "2026-01-01", periodEnd: "2026-12-31", amount: 1234 });
});
afterAll(() => server.stop());

const get = (path: string, cookie?: string) => fetch(`${server.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });

describe("campaign routes", () => {
  it("give a viewer of the workspace the pages and every CSV", async () => {
    const viewer = cookieOf(b.members.viewer);
    const page = await get(`/campaigns/${bCampaign}`, viewer);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(SECRET);
    for (const path of CSVS) {
      const res = await get(path, viewer);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    }
    expect(await (await get("/campaigns/list.csv", viewer)).text()).toContain(SECRET);
    expect(await (await get("/campaigns/costs.csv", viewer)).text()).toContain("Beta secret segment");
    const groups = await get(`/campaigns/${bCampaign}/groups.csv`, viewer);
    expect(await groups.text()).toBe("region,treated,holdout,holdout_share\r\nNorth,15,5,0.25\r\n");
  });

  it("give another workspace's owner nothing of it: 404s and CSVs of their own workspace only", async () => {
    const owner = cookieOf(a.owner);
    for (const path of [`/campaigns/${bCampaign}`, `/campaigns/${bCampaign}/groups.csv`]) {
      const res = await get(path, owner);
      expect(res.status, path).toBe(404);
      const body = await res.text();
      expect(body).not.toContain(SECRET);
      expect(body).not.toContain(b.name);
    }
    for (const path of CSVS) {
      const body = await (await get(path, owner)).text();
      for (const marker of [SECRET, "Beta secret segment", b.name]) expect(body, path).not.toContain(marker);
    }
  });

  it("refuse another workspace's owner every action on it, and a viewer too", async () => {
    const post = (cookie: string, intent: string) =>
      fetch(`${server.url}/campaigns/${bCampaign}`, {
        method: "POST",
        headers: { cookie, origin: server.url, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ intent, actualCost: "1" }).toString(),
        redirect: "manual",
      });
    for (const intent of ["finish", "cost", "delete"]) {
      const res = await post(cookieOf(a.owner), intent);
      expect(res.status, intent).toBe(404);
      expect(await res.text()).not.toContain(SECRET);
    }
    const viewer = await post(cookieOf(b.members.viewer), "finish");
    expect(await viewer.text()).toContain("campaign:manage");
    const { rows } = await server.database.ownerQuery(`select status, actual_cost from campaigns where id = $1`, [bCampaign]);
    expect(rows).toEqual([{ status: "running", actual_cost: null }]);
  });

  it("send strangers to log in", async () => {
    for (const path of ["/campaigns", `/campaigns/${bCampaign}`, "/campaigns/list.csv"]) {
      const res = await get(path);
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    }
  });
});
