import { sql } from "drizzle-orm";
import type { Tx } from "../../../db/client";
import { monitorAlerts } from "../../../db/schema";
import { emitWebhookEvent } from "../webhooks";

type AlertValues = typeof monitorAlerts.$inferInsert;

/**
 * Raises an alert unless the same one (kind, segment, subject, band, and the re-segmentation
 * proposal it announces, if any) is still open: a drift or bias finding that persists over runs
 * stays one alert until someone acknowledges it, while each newly opened proposal is announced.
 * Returns whether a new alert was written.
 */
export async function raiseAlert(tx: Tx, values: AlertValues): Promise<boolean> {
  const open = await tx.execute(sql`
    select 1 from monitor_alerts
    where tenant_id = ${values.tenantId} and kind = ${values.kind} and segment_id is not distinct from ${
    values.segmentId ?? null
  }::uuid
      and subject = ${values.subject} and band = ${values.band} and acknowledged_at is null
      and proposal_id is not distinct from ${values.proposalId ?? null}::uuid
    limit 1`);
  if (open.rows.length) return false;
  await tx.insert(monitorAlerts).values(values);
  await emitWebhookEvent(tx, values.tenantId, "alert.raised", {
    kind: values.kind,
    segmentId: values.segmentId ?? null,
    subject: values.subject,
    band: values.band,
    message: values.message,
    // Only an alert that announces a re-segmentation proposal names it.
    ...(values.proposalId ? { proposalId: values.proposalId } : {}),
  });
  return true;
}
