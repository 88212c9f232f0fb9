import PgBoss from "pg-boss";
import { z } from "zod";
import { txClient, type Tx } from "../../../db/client";

/** The pg-boss queue that delivers webhooks (handled by workers/jobs/webhook-delivery.ts). */
export const WEBHOOK_DELIVERY_QUEUE = "webhook-delivery";
export const ZWebhookDeliveryJob = z.object({ tenantId: z.uuid(), deliveryId: z.uuid() });
export type WebhookDeliveryJob = z.infer<typeof ZWebhookDeliveryJob>;

/**
 * pg-boss used only to insert jobs through a caller's transaction (`send` with `db`), so services
 * can enqueue deliveries in the transaction that caused them without a running queue instance.
 * Its schema is workers/queues.ts's JOB_SCHEMA (the webhook tests check they agree).
 */
export const WEBHOOK_JOB_SCHEMA = "pgboss";
let sender: PgBoss | null = null;

function sendOnly(): PgBoss {
  sender ??= new PgBoss({
    schema: WEBHOOK_JOB_SCHEMA,
    db: { executeSql: () => Promise.reject(new Error("the webhook job sender only sends through a transaction")) },
  });
  return sender;
}

/** Enqueues one delivery attempt, `startAfterSeconds` from now, inside `tx`. */
export async function enqueueWebhookDelivery(tx: Tx, job: WebhookDeliveryJob, startAfterSeconds = 0): Promise<void> {
  const db = { executeSql: (text: string, values: unknown[]) => txClient(tx).query(text, values) };
  // A failed delivery is retried by the handler (its own backoff and the one-day cut-off); pg-boss's
  // retries (the queue's) only cover a handler that crashed.
  await sendOnly().send(WEBHOOK_DELIVERY_QUEUE, ZWebhookDeliveryJob.parse(job), { db, startAfter: startAfterSeconds });
}
