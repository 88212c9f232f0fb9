import type { Database } from "../../db/client";
import type { Logger } from "../../server/logger";
import { deliverWebhook, type DeliveryOptions } from "../../server/services/webhooks";

export { WEBHOOK_DELIVERY_QUEUE, ZWebhookDeliveryJob } from "../../server/services/webhooks/queue";

/**
 * One delivery attempt (server/services/webhooks deliverWebhook): a failure is logged on the
 * delivery and the next attempt queued by the service with its own backoff, so the job itself
 * never fails for a bad endpoint (pg-boss retries only what crashed this process).
 */
export async function handleWebhookDeliveryJob(db: Database, log: Logger, data: unknown, options?: DeliveryOptions) {
  const outcome = await deliverWebhook(db, data, options);
  log.info({ job: data, outcome }, "webhook delivery attempt");
  return outcome;
}
