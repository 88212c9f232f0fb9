import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, DEMO_USERS, DEMO_WORKSPACE, seedDemo } from "../../db/seed/demo";
import { createInvite } from "../../server/services/workspaces";
import { launchBrowser, pageRecorder, type TestBrowser } from "../helpers/browser";
import { jobsFor } from "../helpers/callers";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * The content-security policy (decision 017) against the app's own pages: every page route in
 * app/routes — found by reading the folder, so pages added later are visited without editing
 * this test — is opened in Chromium as the owner of the seeded demo workspace (and the signed-out
 * pages signed out), and no `securitypolicyviolation` event and no console error may occur. A
 * control proves the collector sees violations: an unnonced inline script and an image from
 * another origin are refused; a blob: image (how chart PNG export draws) is allowed.
 */

const SHOTS = path.resolve("test-results/e2e-csp");
const ROUTES_DIR = path.resolve("app/routes");
/** Pages photographed under the policy (the co-edited board, charts) to look at. */
const SHOWN = ["/swot/$segmentId", "/dashboards", "/models/$runId"];

let server: TestServer;
let browser: TestBrowser;
let tenantId = "";
let inviteToken = "";

const { openPage, shot, browserErrors, resetShots } = pageRecorder(SHOTS, { timeoutMs: 20_000 });

interface PageRoute {
  file: string;
  /** URL path with `$param` segments. */
  pattern: string;
  params: string[];
}

/** Remix flat routes → URL patterns, for files that render a page (a default export; resource routes like `[.csv]` excluded). */
function pageRoutes(): PageRoute[] {
  return readdirSync(ROUTES_DIR)
    .filter((f) => /\.tsx$/.test(f) && !f.includes("[."))
    .filter((f) => /export default/.test(readFileSync(path.join(ROUTES_DIR, f), "utf8")))
    .map((file) => {
      const segments = file
        .replace(/\.tsx$/, "")
        .split(".")
        .filter((s) => !s.startsWith("_"))
        .map((s) => s.replace(/_$/, ""));
      return { file, pattern: `/${segments.join("/")}`, params: segments.filter((s) => s.startsWith("$")).map((s) => s.slice(1)) };
    })
    .filter((r) => !r.params.includes("token") || r.file.startsWith("invite"));
}

/** An id from the demo workspace for each route parameter. */
async function paramValue(route: PageRoute, param: string): Promise<string> {
  const q = async (sql: string) => (await server.database.ownerQuery<{ id: string }>(sql, [tenantId])).rows[0]?.id;
  const known: Record<string, () => Promise<string | undefined>> = {
    segmentId: () => q("select id::text from segments where tenant_id = $1 and current_version is not null order by name limit 1"),
    proposalId: () => q("select id::text from segment_proposals where tenant_id = $1 order by created_at limit 1"),
    runId: () => q("select id::text from model_runs where tenant_id = $1 and status = 'completed' order by created_at limit 1"),
    sessionId: () => q("select id::text from committee_sessions where tenant_id = $1 order by created_at limit 1"),
    importId: () => q("select id::text from imports where tenant_id = $1 order by created_at limit 1"),
    token: async () => inviteToken,
  };
  const table = `${param.replace(/Id$/, "").replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}s`;
  const value = await (known[param] ?? (() => q(`select id::text from ${table} where tenant_id = $1 limit 1`).catch(() => undefined)))();
  if (!value) throw new Error(`${route.file}: no value for $${param} in the demo workspace; add one to paramValue in tests/e2e/csp.test.ts.`);
  return value;
}

async function urlOf(route: PageRoute): Promise<string> {
  let url = route.pattern;
  for (const p of route.params) url = url.replace(`$${p}`, encodeURIComponent(await paramValue(route, p)));
  return url;
}

async function newWatchedContext(): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => w.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`));
  });
  return context;
}

const violationsOf = (page: Page) => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp.splice(0));

/** Opens `url`, lets it settle (hydration, sockets, polling) and returns its CSP violations and new console errors. */
async function visit(page: Page, url: string): Promise<string[]> {
  const before = browserErrors.length;
  const res = await page.goto(`${server.url}${url}`, { waitUntil: "load" });
  expect(res?.headers()["content-security-policy"], url).toMatch(/script-src 'self' 'nonce-/);
  await page.waitForLoadState("networkidle").catch(() => undefined);
  await page.waitForTimeout(300);
  return [...(await violationsOf(page)), ...browserErrors.slice(before)];
}

beforeAll(async () => {
  await resetShots();
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  await seedDemo(server.database.db, jobsFor(server.database.db), () => {}, null);
  const ws = await server.database.ownerQuery<{ id: string }>("select id::text from workspaces where name = $1", [DEMO_WORKSPACE]);
  tenantId = ws.rows[0].id;
  const owner = await server.database.ownerQuery<{ id: string; email: string }>("select id::text, email from users where email = $1", [DEMO_USERS[0].email]);
  const invite = await createInvite(
    { db: server.database.db, tenantId, actor: { userId: owner.rows[0].id, label: owner.rows[0].email }, role: "owner" },
    { email: "newcomer@example.test", role: "viewer", regionIds: [] },
    24,
  );
  inviteToken = invite.token;
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the content-security policy in Chromium", () => {
  it("finds the pages to visit in app/routes", () => {
    const patterns = pageRoutes().map((r) => r.pattern);
    expect(patterns).toEqual(expect.arrayContaining(["/login", "/signup", "/segments/$segmentId", "/swot/$segmentId", "/settings/api", "/invite/$token"]));
    expect(patterns).not.toContain("/segments/$segmentId/members[.csv]");
  });

  it("loads every signed-out page with no violation", async () => {
    const page = await openPage(await newWatchedContext());
    for (const route of pageRoutes().filter((r) => ["login.tsx", "signup.tsx", "invite.$token.tsx"].includes(r.file))) {
      const url = await urlOf(route);
      expect(await visit(page, url), url).toEqual([]);
    }
    await shot(page, "signed-out-invite");
  }, 60_000);

  it("loads every page of the app as the demo owner with no violation and no console error", async () => {
    const page = await openPage(await newWatchedContext());
    await page.goto(`${server.url}/login`);
    await page.getByLabel("Email").fill(DEMO_USERS[0].email);
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));

    const routes = pageRoutes().filter((r) => !["login.tsx", "signup.tsx", "invite.$token.tsx"].includes(r.file));
    expect(routes.length).toBeGreaterThan(30);
    const problems: Record<string, string[]> = {};
    for (const route of routes) {
      const url = await urlOf(route);
      const found = await visit(page, url);
      if (found.length) problems[url] = found;
      if (SHOWN.includes(route.pattern)) await shot(page, route.pattern.replace(/\W+/g, "-").replace(/^-|-$/g, ""));
    }
    await shot(page, "last-page");
    expect(problems).toEqual({});

  }, 240_000);

  it("refuses an unnonced inline script and a foreign image, allows a blob: image (chart export)", async () => {
    const page = await openPage(await newWatchedContext());
    await page.goto(`${server.url}/login`);
    await violationsOf(page);
    const outcome = await page.evaluate(async () => {
      const script = document.createElement("script");
      script.textContent = "window.__ran = true";
      document.body.append(script);
      const load = (src: string) =>
        new Promise<string>((resolve) => {
          const img = new Image();
          img.onload = () => resolve("loaded");
          img.onerror = () => resolve("refused");
          img.src = src;
        });
      const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="red"/></svg>';
      const blobUrl = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
      return {
        ran: (window as unknown as { __ran?: boolean }).__ran === true,
        blob: await load(blobUrl),
        foreign: await load("http://203.0.113.9/pixel.png"),
      };
    });
    expect(outcome).toEqual({ ran: false, blob: "loaded", foreign: "refused" });
    await page.waitForTimeout(200);
    const violations = await violationsOf(page);
    expect(violations.some((v) => v.startsWith("script-src-elem blocked inline"))).toBe(true);
    expect(violations.some((v) => v.startsWith("img-src blocked http://203.0.113.9/pixel.png"))).toBe(true);
    expect(violations.some((v) => v.includes("blob:"))).toBe(false);
    // The console errors Chromium wrote for the two refusals are this control's, not a page's.
    browserErrors.splice(0);
  });
});
