import { createHmac, randomUUID } from "node:crypto";
import { and, arrayContains, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database, Tx } from "../../../db/client";
import { WEBHOOK_EVENTS, webhookDeliveries, webhookEndpoints, type WebhookEvent } from "../../../db/schema";
import { randomToken, safeEqual } from "../../auth/tokens";
import { invalid, notFound } from "../../errors";
import { appendAudit } from "../audit";
import type { TenantScope } from "../scope";
import { enqueueWebhookDelivery, ZWebhookDeliveryJob } from "./queue";

export { WEBHOOK_DELIVERY_QUEUE, ZWebhookDeliveryJob, type WebhookDeliveryJob } from "./queue";

export const ZWebhookEvent = z.enum(WEBHOOK_EVENTS, { message: `must be one of ${WEBHOOK_EVENTS.join(", ")}` });
export const ZCreateWebhookInput = z.object({
  url: z
    .string()
    .trim()
    .max(2000, { message: "must be at most 2000 characters" })
    .refine(
      (v) => {
        try {
          const u = new URL(v);
          return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password;
        } catch {
          return false;
        }
      },
      { message: "must be an http(s) URL such as https://crm.example.com/quorum-hook, without a user name or password" },
    ),
  description: z.string().trim().max(200, { message: "must be at most 200 characters" }).default(""),
  events: z
    .array(ZWebhookEvent)
    .min(1, { message: "Choose at least one event" })
    .refine((e) => new Set(e).size === e.length, { message: "Each event may be chosen once" }),
});
export const ZWebhookIdInput = z.object({ endpointId: z.uuid({ message: "is not a webhook endpoint id" }) });
export const ZSetWebhookEnabledInput = ZWebhookIdInput.extend({ enabled: z.boolean() });
export const ZWebhookDeliveriesInput = ZWebhookIdInput.extend({ limit: z.number().int().min(1).max(200).default(50) });

/** Signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` (decision 008). */
export const SIGNATURE_HEADER = "X-Quorum-Signature";

export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `t=${timestamp},v1=${mac}`;
}

/** What a receiver does: recompute the HMAC over "<t>.<body>" and refuse old timestamps (replays). */
export function verifyWebhookSignature(secret: string, header: string, body: string, nowSeconds = Math.floor(Date.now() / 1000), toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  return safeEqual(signWebhook(secret, t, body).split("v1=")[1], parts.v1);
}

/** Seconds before retry n (n = 1 after the first failure): 30 s doubling each time, at most an hour. */
export function backoffSeconds(failedAttempts: number): number {
  return Math.min(3600, 30 * 2 ** Math.max(0, failedAttempts - 1));
}

/** An endpoint that has failed without a single success for this long is switched off. */
export const DISABLE_AFTER_MS = 24 * 3600_000;

export async function createWebhookEndpoint(scope: TenantScope, input: z.input<typeof ZCreateWebhookInput>) {
  const { url, description, events } = ZCreateWebhookInput.parse(input);
  const secret = `whsec_${randomToken()}`;
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({ tenantId: scope.tenantId, url, description, events, secret, createdBy: scope.actor.userId })
      .returning({ id: webhookEndpoints.id, createdAt: webhookEndpoints.createdAt });
    await appendAudit(tx, scope, { action: "webhook.create", objectType: "webhook_endpoint", objectId: row.id, after: { url, description, events } });
    return { id: row.id, url, description, events, createdAt: row.createdAt, secret };
  });
}

export async function listWebhookEndpoints(scope: TenantScope) {
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const { rows } = await tx.execute<{
      id: string;
      url: string;
      description: string;
      events: WebhookEvent[];
      enabled: boolean;
      disabled_reason: string | null;
      disabled_at: string | null;
      failing_since: string | null;
      created_at: string;
      created_by: string | null;
      delivered: number;
      failed: number;
      pending: number;
      last_status: string | null;
      last_attempt_at: string | null;
    }>(sql`
      select e.id, e.url, e.description, e.events, e.enabled, e.disabled_reason, e.disabled_at, e.failing_since, e.created_at,
             u.name as created_by,
             count(d.id) filter (where d.status = 'succeeded')::int as delivered,
             count(d.id) filter (where d.status = 'failed')::int as failed,
             count(d.id) filter (where d.status in ('pending', 'retrying'))::int as pending,
             (select d2.status from webhook_deliveries d2 where d2.tenant_id = e.tenant_id and d2.endpoint_id = e.id
                and d2.last_attempt_at is not null order by d2.last_attempt_at desc limit 1) as last_status,
             max(d.last_attempt_at) as last_attempt_at
      from webhook_endpoints e
      left join users u on u.id = e.created_by
      left join webhook_deliveries d on d.tenant_id = e.tenant_id and d.endpoint_id = e.id
      where e.tenant_id = ${scope.tenantId}
      group by e.tenant_id, e.id, u.name
      order by e.created_at`);
    const at = (v: string | null) => (v ? new Date(v) : null);
    return rows.map((r) => ({
      id: r.id,
      url: r.url,
      description: r.description,
      events: r.events,
      enabled: r.enabled,
      disabledReason: r.disabled_reason,
      disabledAt: at(r.disabled_at),
      failingSince: at(r.failing_since),
      createdAt: new Date(r.created_at),
      createdBy: r.created_by ?? "a former member",
      delivered: r.delivered,
      failed: r.failed,
      pending: r.pending,
      lastStatus: r.last_status,
      lastAttemptAt: at(r.last_attempt_at),
    }));
  });
}

async function endpointRow(tx: Tx, tenantId: string, endpointId: string, lock = false) {
  const query = tx
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, endpointId)));
  const [row] = lock ? await query.for("update") : await query;
  if (!row) throw notFound("The webhook endpoint");
  return row;
}

/** Switches an endpoint on (clearing its failure streak) or off; deliveries waiting for it fail when it is off. */
export async function setWebhookEnabled(scope: TenantScope, input: z.input<typeof ZSetWebhookEnabledInput>) {
  const { endpointId, enabled } = ZSetWebhookEnabledInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const row = await endpointRow(tx, scope.tenantId, endpointId, true);
    if (row.enabled === enabled) throw invalid(`The endpoint is already ${enabled ? "on" : "off"}.`);
    await tx
      .update(webhookEndpoints)
      .set(
        enabled
          ? { enabled, disabledReason: null, disabledAt: null, failingSince: null }
          : { enabled, disabledReason: `Switched off by ${scope.actor.label}`, disabledAt: new Date() },
      )
      .where(and(eq(webhookEndpoints.tenantId, scope.tenantId), eq(webhookEndpoints.id, endpointId)));
    await appendAudit(tx, scope, { action: enabled ? "webhook.enable" : "webhook.disable", objectType: "webhook_endpoint", objectId: endpointId, after: { url: row.url } });
    return { id: endpointId, enabled };
  });
}

export async function deleteWebhookEndpoint(scope: TenantScope, input: z.input<typeof ZWebhookIdInput>) {
  const { endpointId } = ZWebhookIdInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    const row = await endpointRow(tx, scope.tenantId, endpointId, true);
    await tx.delete(webhookEndpoints).where(and(eq(webhookEndpoints.tenantId, scope.tenantId), eq(webhookEndpoints.id, endpointId)));
    await appendAudit(tx, scope, { action: "webhook.delete", objectType: "webhook_endpoint", objectId: endpointId, before: { url: row.url, events: row.events } });
    return { id: endpointId };
  });
}

/** The delivery log of one endpoint, newest first. */
export async function webhookDeliveryLog(scope: TenantScope, input: z.input<typeof ZWebhookDeliveriesInput>) {
  const { endpointId, limit } = ZWebhookDeliveriesInput.parse(input);
  return scope.db.withTenant(scope.tenantId, async (tx) => {
    await endpointRow(tx, scope.tenantId, endpointId);
    return tx
      .select({
        id: webhookDeliveries.id,
        event: webhookDeliveries.event,
        status: webhookDeliveries.status,
        attempts: webhookDeliveries.attempts,
        createdAt: webhookDeliveries.createdAt,
        lastAttemptAt: webhookDeliveries.lastAttemptAt,
        nextAttemptAt: webhookDeliveries.nextAttemptAt,
        deliveredAt: webhookDeliveries.deliveredAt,
        responseStatus: webhookDeliveries.responseStatus,
        responseBody: webhookDeliveries.responseBody,
        error: webhookDeliveries.error,
      })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.tenantId, scope.tenantId), eq(webhookDeliveries.endpointId, endpointId)))
      .orderBy(desc(webhookDeliveries.createdAt))
      .limit(limit);
  });
}

/**
 * Queues `event` for every enabled endpoint subscribed to it, inside the caller's transaction:
 * the deliveries exist if and only if the change they announce does.
 */
export async function emitWebhookEvent(tx: Tx, tenantId: string, event: WebhookEvent, data: Record<string, unknown>): Promise<number> {
  const endpoints = await tx
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.enabled, true), arrayContains(webhookEndpoints.events, [event])));
  if (!endpoints.length) return 0;
  const payload = { id: randomUUID(), type: event, createdAt: new Date().toISOString(), data };
  for (const e of endpoints) {
    const [row] = await tx
      .insert(webhookDeliveries)
      .values({ tenantId, endpointId: e.id, event, payload, nextAttemptAt: new Date() })
      .returning({ id: webhookDeliveries.id });
    await enqueueWebhookDelivery(tx, { tenantId, deliveryId: row.id });
  }
  return endpoints.length;
}

/** The events a publish announces: segment.published, and membership.changed when anyone joined or left. */
export async function emitSegmentPublished(
  tx: Tx,
  tenantId: string,
  published: { segmentId: string; name: string; kind: string; version: number; memberCount: number; added: number; removed: number },
): Promise<void> {
  await emitWebhookEvent(tx, tenantId, "segment.published", published);
  if (published.added || published.removed) {
    await emitWebhookEvent(tx, tenantId, "membership.changed", {
      segmentId: published.segmentId,
      segmentName: published.name,
      version: published.version,
      reason: "publish",
      addedCount: published.added,
      removedCount: published.removed,
      changes: `/api/v1/segments/${published.segmentId}/changes?since=${published.version - 1}`,
    });
  }
}

export interface DeliveryOptions {
  now?: () => Date;
  timeoutMs?: number;
}

export type DeliveryOutcome = "succeeded" | "retrying" | "failed" | "skipped";

/**
 * One attempt at a delivery (what the queue's handler does): POST the payload signed with the
 * endpoint's secret; a 2xx answer ends it. Otherwise the attempt is logged and the next one is
 * queued after backoffSeconds(attempts), until the endpoint has failed for a day: then it is
 * switched off with a notice (audit entry, reason shown in Settings) and its waiting deliveries fail.
 */
export async function deliverWebhook(db: Database, jobData: unknown, options: DeliveryOptions = {}): Promise<DeliveryOutcome> {
  const job = ZWebhookDeliveryJob.parse(jobData);
  const now = options.now ?? (() => new Date());
  const target = await db.withTenant(job.tenantId, async (tx) => {
    const [d] = await tx
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.tenantId, job.tenantId), eq(webhookDeliveries.id, job.deliveryId)));
    if (!d || d.status === "succeeded" || d.status === "failed") return null;
    const endpoint = await endpointRow(tx, job.tenantId, d.endpointId);
    if (!endpoint.enabled) {
      await tx
        .update(webhookDeliveries)
        .set({ status: "failed", nextAttemptAt: null, error: "The endpoint is switched off." })
        .where(and(eq(webhookDeliveries.tenantId, job.tenantId), eq(webhookDeliveries.id, d.id)));
      return null;
    }
    return { delivery: d, endpoint };
  });
  if (!target) return "skipped";
  const { delivery, endpoint } = target;

  const body = JSON.stringify(delivery.payload);
  const sentAt = now();
  let status: number | null = null;
  let responseBody: string | null = null;
  let error: string | null = null;
  try {
    const response = await fetch(endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Quorum-Webhooks/1",
        [SIGNATURE_HEADER]: signWebhook(endpoint.secret, Math.floor(sentAt.getTime() / 1000), body),
        "X-Quorum-Event": delivery.event,
        "X-Quorum-Delivery": delivery.id,
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    status = response.status;
    responseBody = (await response.text()).slice(0, 2000);
    if (!response.ok) error = `The endpoint answered HTTP ${status}.`;
  } catch (e) {
    error = e instanceof Error && e.name === "TimeoutError" ? "The endpoint did not answer within 10 s." : `Could not reach the endpoint: ${(e as Error).cause ?? (e as Error).message}`;
  }

  return db.withTenant(job.tenantId, async (tx) => {
    const attempts = delivery.attempts + 1;
    const attempt = { attempts, lastAttemptAt: sentAt, responseStatus: status, responseBody, error };
    const where = and(eq(webhookDeliveries.tenantId, job.tenantId), eq(webhookDeliveries.id, delivery.id));
    const endpointWhere = and(eq(webhookEndpoints.tenantId, job.tenantId), eq(webhookEndpoints.id, endpoint.id));
    if (!error) {
      await tx.update(webhookDeliveries).set({ ...attempt, status: "succeeded", deliveredAt: sentAt, nextAttemptAt: null }).where(where);
      await tx.update(webhookEndpoints).set({ failingSince: null }).where(endpointWhere);
      return "succeeded" as const;
    }
    const [current] = await tx.select({ failingSince: webhookEndpoints.failingSince, enabled: webhookEndpoints.enabled }).from(webhookEndpoints).where(endpointWhere).for("update");
    const failingSince = current.failingSince ?? sentAt;
    if (sentAt.getTime() - failingSince.getTime() >= DISABLE_AFTER_MS) {
      const reason = `Switched off automatically on ${sentAt.toISOString().slice(0, 16).replace("T", " ")} UTC: every delivery failed for a day (last: ${error})`;
      await tx.update(webhookDeliveries).set({ ...attempt, status: "failed", nextAttemptAt: null }).where(where);
      await tx
        .update(webhookDeliveries)
        .set({ status: "failed", nextAttemptAt: null, error: "The endpoint was switched off after failing for a day." })
        .where(and(eq(webhookDeliveries.tenantId, job.tenantId), eq(webhookDeliveries.endpointId, endpoint.id), sql`${webhookDeliveries.status} in ('pending', 'retrying')`));
      if (current.enabled) {
        await tx.update(webhookEndpoints).set({ enabled: false, disabledReason: reason, disabledAt: sentAt }).where(endpointWhere);
        await appendAudit(tx, { tenantId: job.tenantId, actor: null }, {
          action: "webhook.auto_disable",
          objectType: "webhook_endpoint",
          objectId: endpoint.id,
          after: { url: endpoint.url, failingSince: failingSince.toISOString(), lastError: error },
        });
      }
      return "failed" as const;
    }
    const delay = backoffSeconds(attempts);
    await tx
      .update(webhookDeliveries)
      .set({ ...attempt, status: "retrying", nextAttemptAt: new Date(sentAt.getTime() + delay * 1000) })
      .where(where);
    await tx.update(webhookEndpoints).set({ failingSince }).where(endpointWhere);
    await enqueueWebhookDelivery(tx, job, delay);
    return "retrying" as const;
  });
}

