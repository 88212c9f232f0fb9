import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { closeSession, startSession } from "../../server/services/sessions";
import { cookieOf } from "../helpers/collab";
import { scopeOf } from "../helpers/governance";
import { scheduledSession } from "../helpers/sessions";
import { startTestServer, type TestServer } from "../helpers/server";

/** The summary downloads (Remix resource routes) through the real server: who gets what. */

let server: TestServer;
let a: FactoryWorkspace;
let b: FactoryWorkspace;
let bSession: string;

beforeAll(async () => {
  server = await startTestServer();
  a = await makeWorkspace(server.database.db, "Export Alpha");
  b = await makeWorkspace(server.database.db, "Export Beta");
  bSession = (await scheduledSession(b, "Beta board: secret plans")).sessionId;
  await startSession(scopeOf(b, "committee"), { sessionId: bSession });
  await closeSession(scopeOf(b, "committee"), { sessionId: bSession });
});
afterAll(() => server.stop());

const get = (path: string, cookie?: string) => fetch(`${server.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });

describe("GET /sessions/:id/summary.md and .pdf", () => {
  it("gives a member of the workspace, viewers included, the Markdown and the PDF as downloads", async () => {
    const md = await get(`/sessions/${bSession}/summary.md`, cookieOf(b.members.viewer));
    expect(md.status).toBe(200);
    expect(md.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(md.headers.get("content-disposition")).toMatch(/^attachment; filename="beta-board-secret-plans-2026-12-01\.md"$/);
    expect(await md.text()).toMatch(/^# Beta board: secret plans\n/);
    const pdf = await get(`/sessions/${bSession}/summary.pdf`, cookieOf(b.members.viewer));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 8).toString("latin1")).toBe("%PDF-1.4");
  });

  it("gives another workspace's member a 404 that names nothing of the session, and sends strangers to log in", async () => {
    for (const ext of ["md", "pdf"]) {
      const res = await get(`/sessions/${bSession}/summary.${ext}`, cookieOf(a.owner));
      expect(res.status).toBe(404);
      const body = await res.text();
      expect(body).not.toContain("secret plans");
      expect(body).not.toContain(b.name);
      const anonymous = await get(`/sessions/${bSession}/summary.${ext}`);
      expect(anonymous.status).toBe(302);
      expect(anonymous.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    }
  });
});
