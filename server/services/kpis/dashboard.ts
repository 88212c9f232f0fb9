import { and, asc, eq, gte, inArray, lte, sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { ALL_CUSTOMERS, ALL_REGIONS, KPI_GRAINS, kpiRollups, regions, segments, type KpiDirection } from "../../../db/schema";
import { notFound } from "../../errors";
import type { TenantScope } from "../scope";
import { readDefinitions } from "./definitions";
import { periodBounds, periodLabel, shiftPeriod } from "./periods";
import { latestRuns } from "./runs";
import type { DashboardPayload, DashboardSegment, KpiCell, KpiStatus, LiftRow, SegmentSeries, SegmentTrend } from "./types";

const ZDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date as YYYY-MM-DD" });
const ZGrain = z.enum(KPI_GRAINS, { message: "must be day, week, month or quarter" });

export const ZDashboardInput = z.object({
  grain: ZGrain.default("month"),
  /** Any day of the period to show; the latest period with roll-ups when omitted. */
  periodStart: ZDate.optional(),
  regionId: z.uuid({ message: "is not a region id" }).nullable().optional(),
  segmentIds: z.array(z.uuid({ message: "is not a segment id" })).max(50, { message: "at most 50 segments at once" }).optional(),
  trendPeriods: z.number().int().min(2, { message: "must be at least 2" }).max(60, { message: "must be at most 60" }).default(12),
});
export type DashboardInput = z.input<typeof ZDashboardInput>;

export const ZSegmentSeriesInput = z.object({
  /** A segment's id, or ALL_CUSTOMERS. */
  segmentId: z.uuid({ message: "is not a segment id" }),
  grain: ZGrain.default("month"),
  regionId: z.uuid({ message: "is not a region id" }).nullable().optional(),
});

export function statusOf(value: number | null, target: number | null, direction: KpiDirection): KpiStatus {
  if (value === null) return "no-data";
  if (target === null) return "no-target";
  return (direction === "higher" ? value >= target : value <= target) ? "met" : "missed";
}

async function checkRegion(tx: Tx, tenantId: string, regionId: string | null | undefined): Promise<string> {
  if (!regionId) return ALL_REGIONS;
  const [region] = await tx.select({ id: regions.id }).from(regions).where(and(eq(regions.tenantId, tenantId), eq(regions.id, regionId)));
  if (!region) throw notFound("The region");
  return regionId;
}

/**
 * Everything the executive dashboard shows for one period, from the roll-ups only (never raw
 * events): KPI cells per segment and for the whole business with the previous period, targets
 * and status; size and revenue trends; revenue lift (docs/decisions/012).
 */
export async function dashboard(scope: TenantScope, input: DashboardInput): Promise<DashboardPayload> {
  const { grain, periodStart, regionId, segmentIds, trendPeriods } = ZDashboardInput.parse(input);
  const tenantId = scope.tenantId;
  return scope.db.withTenant(tenantId, async (tx) => {
    const region = await checkRegion(tx, tenantId, regionId);
    const kpis = await readDefinitions(tx, tenantId);
    const active = await tx
      .select({ id: segments.id, name: segments.name })
      .from(segments)
      .where(and(eq(segments.tenantId, tenantId), eq(segments.status, "active"), segmentIds ? inArray(segments.id, segmentIds) : sql`true`))
      .orderBy(asc(segments.priority), asc(segments.name));
    if (segmentIds) {
      const missing = segmentIds.filter((id) => !active.some((s) => s.id === id));
      if (missing.length) throw notFound(`The active segment ${missing[0]}`);
    }
    const [bounds] = await tx
      .select({ first: sql<string | null>`min(${kpiRollups.periodStart})::text`, last: sql<string | null>`max(${kpiRollups.periodStart})::text` })
      .from(kpiRollups)
      .where(and(eq(kpiRollups.tenantId, tenantId), eq(kpiRollups.grain, grain), eq(kpiRollups.regionId, region), eq(kpiRollups.segmentId, ALL_CUSTOMERS)));
    const range = bounds.first && bounds.last ? { first: bounds.first, last: bounds.last } : null;
    const latestRun = (await latestRuns(tx, tenantId)).latest;
    const shownDay = periodStart ?? range?.last;
    const segmentList = [{ id: ALL_CUSTOMERS, name: "All customers", allCustomers: true }, ...active.map((s) => ({ ...s, allCustomers: false }))];
    if (!shownDay) {
      return {
        grain,
        regionId: regionId ?? null,
        period: null,
        previous: null,
        range,
        kpis,
        segments: segmentList.map((s) => ({ ...s, members: 0 })),
        cells: [],
        trends: [],
        lift: { kpiKey: "revenue", rows: [] },
        latestRun,
      };
    }
    const period = periodBounds(grain, shownDay);
    const previous = periodBounds(grain, shiftPeriod(grain, period.start, -1));
    const trendFrom = shiftPeriod(grain, period.start, -(trendPeriods - 1));
    const ids = segmentList.map((s) => s.id);
    const rows = await tx
      .select({
        periodStart: sql<string>`${kpiRollups.periodStart}::text`,
        segmentId: kpiRollups.segmentId,
        kpiId: kpiRollups.kpiId,
        value: kpiRollups.value,
        numerator: kpiRollups.numerator,
        denominator: kpiRollups.denominator,
        customers: kpiRollups.customers,
      })
      .from(kpiRollups)
      .where(
        and(
          eq(kpiRollups.tenantId, tenantId),
          eq(kpiRollups.grain, grain),
          eq(kpiRollups.regionId, region),
          gte(kpiRollups.periodStart, trendFrom),
          lte(kpiRollups.periodStart, period.start),
          inArray(kpiRollups.segmentId, ids),
        ),
      );
    const at = new Map(rows.map((r) => [`${r.periodStart}|${r.segmentId}|${r.kpiId}`, r]));
    const get = (p: string, segmentId: string, kpiId: string | undefined) => (kpiId ? at.get(`${p}|${segmentId}|${kpiId}`) : undefined);
    const byKey = new Map(kpis.map((k) => [k.key, k]));
    const sizeId = byKey.get("segment_size")?.id;
    const revenueId = byKey.get("revenue")?.id;

    const cells: KpiCell[] = [];
    for (const kpi of kpis) {
      const targets = new Map(kpi.targets.map((t) => [t.segmentId, t.target]));
      const whole = get(period.start, ALL_CUSTOMERS, kpi.id)?.value ?? null;
      for (const s of segmentList) {
        const now = get(period.start, s.id, kpi.id);
        const before = get(previous.start, s.id, kpi.id);
        const value = now?.value ?? null;
        const prev = before?.value ?? null;
        const target = targets.get(s.id) ?? null;
        cells.push({
          kpiId: kpi.id,
          segmentId: s.id,
          value,
          previous: prev,
          change: value !== null && prev !== null && prev !== 0 ? (value - prev) / Math.abs(prev) : null,
          target,
          status: statusOf(value, target, kpi.direction),
          relative: value !== null && whole !== null && whole !== 0 ? value / whole : null,
          numerator: now?.numerator ?? null,
          denominator: now?.denominator ?? null,
          customers: now?.customers ?? 0,
        });
      }
    }
    const members = (segmentId: string, p = period.start) => get(p, segmentId, sizeId)?.value ?? 0;
    const revenue = (segmentId: string, p = period.start) => get(p, segmentId, revenueId)?.value ?? 0;
    const segmentsOut: DashboardSegment[] = segmentList.map((s) => ({ ...s, members: members(s.id) }));
    const periods: string[] = [];
    // Before the first period with roll-ups there is no data, not zero: the trend starts there.
    const trendStart = range && range.first > trendFrom ? range.first : trendFrom;
    for (let p = trendStart; p <= period.start; p = shiftPeriod(grain, p, 1)) periods.push(p);
    const trends: SegmentTrend[] = segmentList.map((s) => ({
      segmentId: s.id,
      points: periods.map((p) => ({
        periodStart: p,
        label: periodLabel(grain, p),
        members: members(s.id, p),
        active: get(p, s.id, sizeId)?.customers ?? 0,
        revenue: revenue(s.id, p),
      })),
    }));
    const allMembers = members(ALL_CUSTOMERS);
    const allRevenue = revenue(ALL_CUSTOMERS);
    const lift: LiftRow[] = active.map((s) => {
      const customerShare = allMembers > 0 ? members(s.id) / allMembers : 0;
      const expected = customerShare * allRevenue;
      const actual = revenue(s.id);
      return { segmentId: s.id, name: s.name, customerShare, actual, expected, lift: expected !== 0 ? actual / expected : null };
    });
    return { grain, regionId: regionId ?? null, period, previous, range, kpis, segments: segmentsOut, cells, trends, lift: { kpiKey: "revenue", rows: lift }, latestRun };
  });
}

/** A segment's (or the whole business's) KPIs over every rolled-up period, against its targets. */
export async function segmentSeries(scope: TenantScope, input: z.input<typeof ZSegmentSeriesInput>): Promise<SegmentSeries> {
  const { segmentId, grain, regionId } = ZSegmentSeriesInput.parse(input);
  const tenantId = scope.tenantId;
  return scope.db.withTenant(tenantId, async (tx) => {
    const region = await checkRegion(tx, tenantId, regionId);
    let name = "All customers";
    if (segmentId !== ALL_CUSTOMERS) {
      const [segment] = await tx.select({ name: segments.name }).from(segments).where(and(eq(segments.tenantId, tenantId), eq(segments.id, segmentId)));
      if (!segment) throw notFound("The segment");
      name = segment.name;
    }
    const kpis = await readDefinitions(tx, tenantId);
    const rows = await tx
      .select({ periodStart: sql<string>`${kpiRollups.periodStart}::text`, kpiId: kpiRollups.kpiId, value: kpiRollups.value })
      .from(kpiRollups)
      .where(and(eq(kpiRollups.tenantId, tenantId), eq(kpiRollups.grain, grain), eq(kpiRollups.regionId, region), eq(kpiRollups.segmentId, segmentId)))
      .orderBy(asc(kpiRollups.periodStart));
    return {
      segmentId,
      name,
      grain,
      kpis: kpis.map((kpi) => {
        const target = kpi.targets.find((t) => t.segmentId === segmentId)?.target ?? null;
        return {
          kpi,
          target,
          points: rows
            .filter((r) => r.kpiId === kpi.id)
            .map((r) => ({ periodStart: r.periodStart, label: periodLabel(grain, r.periodStart), value: r.value, status: statusOf(r.value, target, kpi.direction) })),
        };
      }),
    };
  });
}
