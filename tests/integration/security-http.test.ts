import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FACTORY_PASSWORD, makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { createApiKey } from "../../server/services/api-keys";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * Hardening over real HTTP (decision 017): security headers and the CSP nonce, body size
 * limits with 413s that say so, malformed and hostile requests answered with 4xx and a plain
 * explanation (never a stack trace or 500), and the rate limits on sign-up, invitation links and
 * API requests without a valid key, with Retry-After.
 */

let server: TestServer;
let a: FactoryWorkspace;

beforeAll(async () => {
  server = await startTestServer({ SIGNUP_MAX_PER_IP: "3", INVITE_MAX_FAILURES_PER_IP: "4", INVITE_MAX_FAILURES_PER_ACCOUNT: "2", API_INVALID_KEY_LIMIT_PER_MINUTE: "5", TRUST_PROXY: "true" });
  a = await makeWorkspace(server.database.db, "Hardening Alpha");
});
afterAll(() => server?.stop());

const STACK = /\n\s+at |node_modules|\.ts:\d+|\.js:\d+/;

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, redirect: "manual" });
}

async function logIn(email: string, ip = "198.51.100.1"): Promise<string> {
  const res = await post("/trpc/auth.logIn", JSON.stringify({ email, password: FACTORY_PASSWORD }), { "x-forwarded-for": ip });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie().find((c) => c.startsWith("quorum_session="))!.split(";")[0];
}

/** Sends raw bytes and returns the raw answer (for what fetch refuses to send). */
function raw(request: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.on("error", reject);
    socket.end(request);
  });
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);

describe("security headers", () => {
  it("sends a nonce-based CSP whose nonce is on every inline script of the page, fresh per response", async () => {
    const first = await fetch(`${server.url}/login`);
    expect(first.status).toBe(200);
    const csp = first.headers.get("content-security-policy")!;
    const directives = Object.fromEntries(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(directives["script-src"].join(" "))![1];
    expect(directives["default-src"]).toEqual(["'self'"]);
    expect(directives["script-src"]).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(directives["style-src-attr"]).toEqual(["'unsafe-inline'"]);
    expect(directives["img-src"]).toEqual(["'self'", "data:", "blob:"]);
    expect(directives["connect-src"]).toEqual(["'self'", `ws://127.0.0.1:${server.port}`]);
    expect(directives["object-src"]).toEqual(["'none'"]);
    expect(directives["frame-ancestors"]).toEqual(["'none'"]);
    expect(directives["upgrade-insecure-requests"]).toBeUndefined();

    const html = await first.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(1);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);

    const second = await fetch(`${server.url}/login`);
    expect(second.headers.get("content-security-policy")).not.toContain(nonce);
    expect(first.headers.get("x-content-type-options")).toBe("nosniff");
    expect(first.headers.get("x-frame-options")).toBe("DENY");
    expect(first.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(first.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(first.headers.get("x-powered-by")).toBeNull();
    expect(first.headers.get("strict-transport-security")).toBeNull();
  });

  it("puts the nonce on the API docs page's style element", async () => {
    const res = await fetch(`${server.url}/api/v1/docs`);
    const nonce = /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy")!)![1];
    expect(await res.text()).toContain(`<style nonce="${nonce}">`);
  });

  it("sends HSTS and upgrade-insecure-requests only when the public URL is https", async () => {
    const tls = await startTestServer({ PUBLIC_URL: "https://quorum.example.com" }, { database: server.database });
    try {
      const res = await fetch(`${tls.url}/login`);
      expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
      const csp = res.headers.get("content-security-policy")!;
      expect(csp).toContain("upgrade-insecure-requests");
      expect(csp).toContain("connect-src 'self' wss://quorum.example.com");
    } finally {
      await tls.stop();
    }
  });
});

describe("request size limits", () => {
  it("refuses a /trpc body over 1 MB by its Content-Length with a 413 that says the limit", async () => {
    const big = JSON.stringify({ name: "x".repeat(1_100_000) });
    const res = await post("/trpc/regions.create", big, { cookie: await logIn(a.owner.email) });
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/too large: this address accepts at most 1 MB/);
  });

  it("refuses a chunked /trpc body once it passes 1 MB, as a tRPC error", async () => {
    const body = "x".repeat(1_100_000);
    const answer = await raw(
      `POST /trpc/auth.logIn HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    );
    expect(statusOf(answer)).toBe(413);
    expect(answer).toMatch(/too large: this address accepts at most 1 MB/);
    expect(answer).not.toMatch(STACK);
  });

  it("refuses a batch of more than 20 procedures", async () => {
    const paths = Array.from({ length: 21 }, () => "auth.me").join(",");
    const res = await fetch(`${server.url}/trpc/${paths}?batch=1&input=${encodeURIComponent("{}")}`);
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain("A batch may call at most 20 procedures.");
    const ok = await fetch(`${server.url}/trpc/${Array.from({ length: 20 }, () => "auth.me").join(",")}?batch=1&input=${encodeURIComponent("{}")}`);
    expect(ok.status).toBe(200);
  });

  it("refuses a form post over 2 MB and a form post of unknown length to the pages", async () => {
    const res = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `email=a%40b.c&password=${"x".repeat(2_200_000)}`,
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/at most 2 MB/);
    const chunked = await raw(
      "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nemail\r\n0\r\n\r\n",
    );
    expect(statusOf(chunked)).toBe(411);
    expect(chunked).toContain("Content-Length");
  });

  it("keeps the import upload's own large limit (a 3 MB upload is not refused by the form limit)", async () => {
    const cookie = await logIn(a.members.analyst.email);
    const csv = `external_id,email\n${Array.from({ length: 90_000 }, (_, i) => `c${i},c${i}@example.test`).join("\n")}\n`;
    expect(csv.length).toBeGreaterThan(2_200_000);
    const res = await fetch(`${server.url}/data/imports/upload?kind=customers&fileName=big.csv`, {
      method: "POST",
      headers: { cookie, "content-type": "text/csv" },
      body: csv,
    });
    expect(res.status).toBe(201);
  });
});

describe("malformed and hostile requests", () => {
  it("answers malformed JSON on /trpc with 400 and no parser internals", async () => {
    const res = await post("/trpc/auth.logIn", '{"email": "a@b.c", "password": ');
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.message).toBe("The request could not be read: its body or input parameter is not valid JSON.");
    expect(JSON.stringify(body)).not.toMatch(STACK);
    const query = await fetch(`${server.url}/trpc/auth.describeInvite?input=%7Bnot-json`);
    expect(query.status).toBe(400);
    expect(JSON.stringify(await query.json())).not.toMatch(STACK);
  });

  it("answers a wrong content type, an unknown procedure and the wrong method with 4xx", async () => {
    const text = await post("/trpc/auth.logIn", "email=a", { "content-type": "text/plain" });
    expect(text.status).toBeGreaterThanOrEqual(400);
    expect(text.status).toBeLessThan(500);
    const unknown = await post("/trpc/nothing.here", "{}");
    expect(unknown.status).toBe(404);
    const method = await fetch(`${server.url}/trpc/auth.logIn`);
    expect(method.status).toBe(405);
    for (const res of [text, unknown, method]) expect(await res.text()).not.toMatch(STACK);
  });

  it("reads invalid UTF-8 in a JSON body as replacement characters, not a crash", async () => {
    const bytes = Buffer.concat([Buffer.from('{"email":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('@b.c","password":"x"}')]);
    const res = await fetch(`${server.url}/trpc/auth.logIn`, { method: "POST", headers: { "content-type": "application/json" }, body: bytes });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/^email: Enter an email address/);
  });

  it("answers a malformed percent-encoding in the path with 400, a huge header with 431", async () => {
    for (const path of ["/%E0%A4%A", "/assets/%E0%A4%A.js", "/segments/%FF"]) {
      const res = await fetch(`${server.url}${path}`, { redirect: "manual" });
      expect(res.status, path).toBeGreaterThanOrEqual(300);
      expect(res.status, path).toBeLessThan(500);
      expect(await res.text(), path).not.toMatch(STACK);
    }
    const huge = await raw(`GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ${"a".repeat(20_000)}\r\nConnection: close\r\n\r\n`);
    expect(statusOf(huge)).toBe(431);
  });

  it("serves nothing outside the build folder however the path is written", async () => {
    const secret = "\"name\": \"quorum\"";
    for (const path of [
      "/assets/../../package.json",
      "/assets/%2e%2e/%2e%2e/package.json",
      "/assets/..%2f..%2fpackage.json",
      "/..%2f..%2fpackage.json",
      "/assets/%2e%2e%5c%2e%2e%5cpackage.json",
    ]) {
      const answer = await raw(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      expect(answer, path).not.toContain(secret);
      expect(statusOf(answer), path).toBeLessThan(500);
    }
  });

  it("shows an unknown page as the 404 page, without internals", async () => {
    const res = await fetch(`${server.url}/no/such/page`, { headers: { cookie: await logIn(a.owner.email) } });
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain("Page not found");
    expect(html).not.toMatch(STACK);
  });
});

describe("rate limits", () => {
  it("limits sign-ups per address, with 429 and Retry-After", async () => {
    const signUp = (i: number, ip: string) =>
      post("/trpc/auth.signUp", JSON.stringify({ email: `flood${i}-${ip}@example.test`, name: "Flood", password: "long-enough-password" }), {
        "x-forwarded-for": ip,
      });
    for (let i = 0; i < 3; i++) expect((await signUp(i, "203.0.113.7")).status).toBe(200);
    const refused = await signUp(3, "203.0.113.7");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await refused.json()).error.message).toMatch(/^Too many sign-ups from your network address\. Try again in \d+ minutes?\.$/);
    expect((await signUp(4, "203.0.113.8")).status).toBe(200);
  });

  it("limits invalid invitation links per address and per account; valid work goes on elsewhere", async () => {
    const describe = (token: string, ip: string, cookie?: string) =>
      fetch(`${server.url}/trpc/auth.describeInvite?input=${encodeURIComponent(JSON.stringify({ token }))}`, {
        headers: { "x-forwarded-for": ip, ...(cookie ? { cookie } : {}) },
      });
    for (let i = 0; i < 4; i++) {
      const unknown = await describe(`bogus-${i}`, "203.0.113.20");
      expect(unknown.status).toBe(200);
      expect((await unknown.json()).result.data).toBeNull();
    }
    const refused = await describe("bogus-5", "203.0.113.20");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await refused.json()).error.message).toMatch(/^Too many invalid invitation links from your network address/);

    const cookie = await logIn(a.members.viewer.email, "203.0.113.30");
    const accept = (token: string, ip: string) =>
      post("/trpc/auth.acceptInvite", JSON.stringify({ token }), { cookie, "x-forwarded-for": ip });
    expect((await accept("bogus-a", "203.0.113.31")).status).toBe(404);
    expect((await accept("bogus-b", "203.0.113.32")).status).toBe(404);
    const perAccount = await accept("bogus-c", "203.0.113.33");
    expect(perAccount.status).toBe(429);
    expect((await perAccount.json()).error.message).toMatch(/^Too many invalid invitation links for this account/);
  });

  it("limits API requests without a valid key per address, while a valid key from elsewhere still works", async () => {
    const { key } = await createApiKey(a.ownerScope, { name: "Hardening", scopes: ["memberships:read"] });
    const call = (authorization: string | null, ip: string) =>
      fetch(`${server.url}/api/v1/segments`, { headers: { "x-forwarded-for": ip, ...(authorization ? { authorization } : {}) } });
    for (let i = 0; i < 5; i++) expect((await call(i % 2 ? "Bearer qk_nope" : null, "203.0.113.50")).status).toBe(401);
    const refused = await call("Bearer qk_nope", "203.0.113.50");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await refused.json()).error.message).toMatch(/^Requests without a valid API key from your address are limited to 5 requests a minute/);
    expect((await call(`Bearer ${key}`, "203.0.113.50")).status).toBe(429);
    expect((await call(`Bearer ${key}`, "203.0.113.51")).status).toBe(200);
  });
});
