import type { AppLoadContext } from "@remix-run/node";
import { loadOrFail } from "~/lib/errors.server";
import { requirePermission } from "~/lib/session.server";
import { shiftPeriod } from "../../../server/services/kpis/periods";
import { parseDashboardFilters } from "./filters";
import { segmentColour } from "./format";

/**
 * What the dashboard page and its print view load: the filters from the URL, the dashboard's
 * payload for them, the roll-up status (progress while the first roll-ups are computed) and
 * the choices of the filters (regions, active segments), and the contribution view of the
 * campaigns service for the same days. Segment ids in the URL that are no
 * longer active (retired since the link was made) are dropped rather than failing the page.
 */
export async function loadDashboard(request: Request, context: AppLoadContext) {
  const me = await requirePermission(request, context, "dashboard:read");
  return loadOrFail(request, async () => {
    const asked = parseDashboardFilters(new URL(request.url).searchParams);
    const [regions, segments, status] = await Promise.all([
      context.trpc.regions.list(),
      context.trpc.segments.list(),
      context.trpc.kpis.status(),
    ]);
    const active = segments.segments.filter((s) => s.status === "active");
    const activeIds = new Set(active.map((s) => s.id));
    const filters = {
      ...asked,
      region: asked.region && regions.some((r) => r.id === asked.region) ? asked.region : null,
      segments: asked.segments.filter((id) => activeIds.has(id)),
    };
    const payload = await context.trpc.kpis.dashboard({
      grain: filters.grain,
      periodStart: filters.period ?? undefined,
      regionId: filters.region,
      segmentIds: filters.segments.length ? filters.segments : undefined,
    });
    // Cost to serve against revenue over the same days (campaigns service); all regions.
    const contribution = payload.period
      ? await context.trpc.campaigns.contribution({ from: payload.period.start, to: shiftPeriod("day", payload.period.end, -1) })
      : null;
    const shown = new Set(payload.segments.map((s) => s.id));
    return {
      tenantId: me.workspace.tenantId,
      workspaceName: me.workspace.name,
      mayConfigure: me.permissions.includes("kpi:configure"),
      filters,
      payload,
      contribution: contribution ? { ...contribution, segments: contribution.segments.filter((s) => shown.has(s.segmentId)) } : null,
      status,
      regions: regions.map((r) => ({ id: r.id, name: r.name })),
      segmentChoices: active.map((s, i) => ({ id: s.id, name: s.name, colour: segmentColour(i) })),
    };
  });
}
