import type { AppLoadContext } from "@remix-run/node";

/**
 * What a segment's page shows about its KPIs: each KPI per month against the segment's target
 * (kpis.segmentSeries) and, for roles that read monitoring, the segment's open alerts.
 */
export async function loadSegmentKpis(context: AppLoadContext, segmentId: string, permissions: readonly string[]) {
  const [series, alerts] = await Promise.all([
    context.trpc.kpis.segmentSeries({ segmentId, grain: "month" }),
    permissions.includes("monitor:read")
      ? context.trpc.monitoring.overview().then((o) => o.alerts.filter((a) => a.segmentId === segmentId && !a.acknowledgedAt))
      : Promise.resolve(null),
  ]);
  return { series, alerts };
}
