import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { createLogger } from "../../server/logger";
import {
  backoffSeconds,
  createWebhookEndpoint,
  deliverWebhook,
  DISABLE_AFTER_MS,
  listWebhookEndpoints,
  verifyWebhookSignature,
  webhookDeliveryLog,
} from "../../server/services/webhooks";
import { WEBHOOK_JOB_SCHEMA } from "../../server/services/webhooks/queue";
import { raiseAlert } from "../../server/services/monitoring/alerts";
import { JOB_SCHEMA } from "../../workers/queues";
import { startWorkers } from "../../workers/runtime";
import { jobsFor } from "../helpers/callers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { importScoredCustomers, republishScore, scoreSegment } from "../helpers/api";

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A receiver on loopback that records every request and answers with the next scripted status (200 when the script is empty). */
function receiver() {
  const received: Received[] = [];
  const script: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      const status = script.shift() ?? 200;
      res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "thanks" : "receiver is down");
    });
  });
  return {
    received,
    script,
    async start() {
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const address = server.address();
      return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/hook`;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let t: TestDatabase;
let w: FactoryWorkspace;
const rx = receiver();
let url: string;

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Hooks Co", jobsFor(t.db));
  await importScoredCustomers(t.db, w, 12);
  url = await rx.start();
});
afterAll(async () => {
  await rx.stop();
  await t.drop();
});

async function bossJobs(deliveryId: string) {
  const { rows } = await t.ownerQuery<{ state: string; start_after: Date; created_on: Date }>(
    `select state, start_after, created_on from pgboss.job where name = 'webhook-delivery' and data->>'deliveryId' = $1 order by created_on`,
    [deliveryId],
  );
  return rows;
}

describe("webhook deliveries", () => {
  it("uses the job schema the workers use", () => {
    expect(WEBHOOK_JOB_SCHEMA).toBe(JOB_SCHEMA);
  });

  it("backs off 30 s, doubling, at most an hour", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(backoffSeconds)).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
  });

  it("queues signed segment.published and membership.changed deliveries in the publishing transaction", async () => {
    const endpoint = await createWebhookEndpoint(w.ownerScope, { url, events: ["segment.published", "membership.changed"], description: "CRM" });
    expect(endpoint.secret).toMatch(/^whsec_/);
    const seg = await scoreSegment(w, "Hooked", 5);
    const { rows } = await t.ownerQuery<{ id: string; event: string; status: string; payload: { type: string; data: Record<string, unknown> } }>(
      `select id, event, status, payload from webhook_deliveries where tenant_id = $1 and endpoint_id = $2 order by event desc`,
      [w.tenantId, endpoint.id],
    );
    expect(rows.map((r) => r.event)).toEqual(["segment.published", "membership.changed"]);
    expect(rows[0].payload.data).toMatchObject({ segmentId: seg.segmentId, name: "Hooked", version: 1, memberCount: 8, added: 8, removed: 0 });
    expect(rows[1].payload.data).toMatchObject({ segmentId: seg.segmentId, version: 1, addedCount: 8, removedCount: 0, reason: "publish" });
    for (const r of rows) expect((await bossJobs(r.id)).length).toBe(1);

    // One attempt: the receiver gets the body, signed with the endpoint's secret over "<t>.<body>".
    expect(await deliverWebhook(t.db, { tenantId: w.tenantId, deliveryId: rows[0].id })).toBe("succeeded");
    const got = rx.received.at(-1)!;
    expect(JSON.parse(got.body)).toEqual(rows[0].payload);
    const header = String(got.headers["x-quorum-signature"]);
    const [, ts, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header)!;
    // Recomputed independently of the service's signing code.
    expect(mac).toBe(createHmac("sha256", endpoint.secret).update(`${ts}.${got.body}`).digest("hex"));
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(30);
    expect(verifyWebhookSignature(endpoint.secret, header, got.body)).toBe(true);
    expect(verifyWebhookSignature(endpoint.secret, header, got.body.replace("Hooked", "Hacked"))).toBe(false);
    expect(verifyWebhookSignature("whsec_other", header, got.body)).toBe(false);
    expect(got.headers["x-quorum-event"]).toBe("segment.published");
    // Delivered once: a duplicate job run does nothing.
    expect(await deliverWebhook(t.db, { tenantId: w.tenantId, deliveryId: rows[0].id })).toBe("skipped");
    expect(rx.received.filter((r) => r.headers["x-quorum-delivery"] === rows[0].id).length).toBe(1);
  });

  it("retries failures with a growing backoff and stops on success", async () => {
    const endpoint = await createWebhookEndpoint(w.ownerScope, { url, events: ["segment.published"] });
    const seg = await scoreSegment(w, "Retried", 10);
    const { rows } = await t.ownerQuery<{ id: string }>(`select id from webhook_deliveries where tenant_id = $1 and endpoint_id = $2`, [w.tenantId, endpoint.id]);
    const job = { tenantId: w.tenantId, deliveryId: rows[0].id };
    rx.script.push(500, 503);
    const start = Date.now();
    const at = (s: number) => () => new Date(start + s * 1000);
    expect(await deliverWebhook(t.db, job, { now: at(0) })).toBe("retrying");
    expect(await deliverWebhook(t.db, job, { now: at(30) })).toBe("retrying");
    const log = await webhookDeliveryLog(w.ownerScope, { endpointId: endpoint.id });
    expect(log[0]).toMatchObject({ status: "retrying", attempts: 2, responseStatus: 503, responseBody: "receiver is down", error: "The endpoint answered HTTP 503." });
    // The next attempt waits 60 s after the second failure (30 s after the first).
    expect(log[0].nextAttemptAt!.getTime() - log[0].lastAttemptAt!.getTime()).toBe(60_000);
    const jobs = await bossJobs(rows[0].id);
    expect(jobs.length).toBe(3);
    const delays = jobs.slice(1).map((j) => Math.round((j.start_after.getTime() - j.created_on.getTime()) / 1000));
    expect(delays[0]).toBeGreaterThanOrEqual(29);
    expect(delays[1]).toBeGreaterThan(delays[0]);
    expect((await listWebhookEndpoints(w.ownerScope)).find((e) => e.id === endpoint.id)!.failingSince).not.toBeNull();

    expect(await deliverWebhook(t.db, job, { now: at(90) })).toBe("succeeded");
    const done = await webhookDeliveryLog(w.ownerScope, { endpointId: endpoint.id });
    expect(done[0]).toMatchObject({ status: "succeeded", attempts: 3, responseStatus: 200, nextAttemptAt: null });
    expect((await bossJobs(rows[0].id)).length).toBe(3);
    expect(await deliverWebhook(t.db, job)).toBe("skipped");
    expect((await listWebhookEndpoints(w.ownerScope)).find((e) => e.id === endpoint.id)).toMatchObject({ failingSince: null, enabled: true, delivered: 1 });
    expect(seg.segmentId).toBeTruthy();
  });

  it("switches an endpoint off with a notice after it has failed for a day", async () => {
    const endpoint = await createWebhookEndpoint(w.ownerScope, { url: "http://127.0.0.1:9/unreachable", events: ["membership.changed"] });
    const seg = await scoreSegment(w, "Doomed", 11);
    await republishScore(t.db, w, seg.segmentId, 12);
    const { rows } = await t.ownerQuery<{ id: string }>(`select id from webhook_deliveries where tenant_id = $1 and endpoint_id = $2 order by created_at`, [w.tenantId, endpoint.id]);
    expect(rows.length).toBe(2);
    const start = Date.now();
    expect(await deliverWebhook(t.db, { tenantId: w.tenantId, deliveryId: rows[0].id }, { now: () => new Date(start) })).toBe("retrying");
    expect((await webhookDeliveryLog(w.ownerScope, { endpointId: endpoint.id })).find((d) => d.id === rows[0].id)!.error).toContain("Could not reach the endpoint");
    expect(await deliverWebhook(t.db, { tenantId: w.tenantId, deliveryId: rows[0].id }, { now: () => new Date(start + DISABLE_AFTER_MS - 1000) })).toBe("retrying");
    expect(await deliverWebhook(t.db, { tenantId: w.tenantId, deliveryId: rows[0].id }, { now: () => new Date(start + DISABLE_AFTER_MS) })).toBe("failed");
    const listed = (await listWebhookEndpoints(w.ownerScope)).find((e) => e.id === endpoint.id)!;
    expect(listed.enabled).toBe(false);
    expect(listed.disabledReason).toContain("every delivery failed for a day");
    const statuses = await t.ownerQuery<{ status: string }>(`select status from webhook_deliveries where tenant_id = $1 and endpoint_id = $2`, [w.tenantId, endpoint.id]);
    expect(statuses.rows.map((r) => r.status)).toEqual(["failed", "failed"]);
    const audit = await t.ownerQuery<{ actor_label: string }>(`select actor_label from audit_log where tenant_id = $1 and action = 'webhook.auto_disable' and object_id = $2`, [
      w.tenantId,
      endpoint.id,
    ]);
    expect(audit.rows).toEqual([{ actor_label: "system" }]);
    // A switched-off endpoint gets no new deliveries.
    await republishScore(t.db, w, seg.segmentId, 11);
    const after = await t.ownerQuery<{ n: number }>(`select count(*)::int as n from webhook_deliveries where tenant_id = $1 and endpoint_id = $2`, [w.tenantId, endpoint.id]);
    expect(after.rows[0].n).toBe(2);
  });

  it("queues alert.raised when a monitor raises an alert", async () => {
    const endpoint = await createWebhookEndpoint(w.ownerScope, { url, events: ["alert.raised"] });
    const run = await t.ownerQuery<{ id: string }>(`insert into monitor_runs (tenant_id, kind, trigger, status) values ($1, 'drift', 'demand', 'completed') returning id`, [w.tenantId]);
    const values = { tenantId: w.tenantId, runId: run.rows[0].id, kind: "drift" as const, subject: "monetary", band: "act" as const, message: "Monetary drifted" };
    expect(await t.db.withTenant(w.tenantId, (tx) => raiseAlert(tx, values))).toBe(true);
    // The same open alert again is not a new alert, and sends nothing.
    expect(await t.db.withTenant(w.tenantId, (tx) => raiseAlert(tx, values))).toBe(false);
    const { rows } = await t.ownerQuery<{ payload: { type: string; data: Record<string, unknown> } }>(
      `select payload from webhook_deliveries where tenant_id = $1 and endpoint_id = $2`,
      [w.tenantId, endpoint.id],
    );
    expect(rows.map((r) => r.payload)).toEqual([
      expect.objectContaining({ type: "alert.raised", data: { kind: "drift", segmentId: null, subject: "monetary", band: "act", message: "Monetary drifted" } }),
    ]);
  });

  it("is delivered by the pg-boss worker", async () => {
    const own = receiver();
    const ownUrl = await own.start();
    const workers = await startWorkers({ appUrl: t.appUrl, db: t.db, logger: createLogger("silent") });
    try {
      await createWebhookEndpoint(w.ownerScope, { url: ownUrl, events: ["segment.published"] });
      await scoreSegment(w, "Worked", 3);
      const deadline = Date.now() + 15_000;
      while (own.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(own.received.length).toBe(1);
      expect(JSON.parse(own.received[0].body)).toMatchObject({ type: "segment.published", data: { name: "Worked", version: 1 } });
    } finally {
      await workers.stop();
      await own.stop();
    }
  });
});
