import { publishLive } from "../../live/publish";
import { raiseAlert } from "./alerts";
import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { Database, Tx } from "../../../db/client";
import { attributeDefinitions, biasResults, monitorAlerts, monitorRuns, segments } from "../../../db/schema";
import { type AttributeBias, type GroupCounts, biasFromCounts } from "../../analytics/bias";
import { currentFeatures, latestBaseline, storeBaseline } from "./baseline";

/** Protected attributes audited at once; each adds a grouping column to one scan. */
export const MAX_PROTECTED_ATTRIBUTES = 8;

export interface AuditSegment {
  id: string;
  name: string;
  version: number;
}

export interface SegmentAudit {
  segment: AuditSegment;
  attributes: AttributeBias[];
}

/**
 * Counts for the bias audit in two scans, whatever the number of segments and attributes:
 * people per combination of protected values (the population: customers not merged away and not
 * opted out, as publishing selects from), and current members per segment and combination. Each
 * attribute's counts are the margins of those combinations. Values are trimmed; blank is missing.
 */
export async function auditCounts(
  tx: Tx,
  tenantId: string,
  keys: string[],
  segmentList: AuditSegment[]
): Promise<SegmentAudit[]> {
  // Hash aggregates over a million customers: in memory rather than spilled to disk.
  await tx.execute(sql`set local work_mem = '256MB'`);
  const groups = keys.map((k, i) => sql`nullif(btrim(c.attributes->>${k}), '') as g${sql.raw(String(i))}`);
  const groupBy = sql.raw(keys.map((_, i) => `g${i}`).join(", "));
  const population = await tx.execute<Record<string, string | number | null>>(sql`
    select ${sql.join(groups, sql`, `)}, count(*)::int as n
    from customers c
    where c.tenant_id = ${tenantId} and c.merged_into is null and not c.opted_out
    group by ${groupBy}`);
  const ids = segmentList.map((s) => s.id);
  const members = await tx.execute<Record<string, string | number | null>>(sql`
    select sm.segment_id, ${sql.join(groups, sql`, `)}, count(*)::int as n
    from segment_memberships sm
    join customers c on c.tenant_id = sm.tenant_id and c.id = sm.customer_id
    where sm.tenant_id = ${tenantId} and sm.to_version is null and sm.segment_id = any(${`{${ids.join(",")}}`}::uuid[])
      and c.merged_into is null and not c.opted_out
    group by sm.segment_id, ${groupBy}`);
  const margins = groupMargins;
  const totals = keys.map((_, k) => margins(population.rows, k));
  return segmentList.map((segment) => {
    const rows = members.rows.filter((r) => r.segment_id === segment.id);
    return {
      segment,
      attributes: keys.flatMap((key, k) => {
        const chosen = margins(rows, k);
        const counts: GroupCounts[] = [...totals[k]]
          .map(([group, n]) => ({ group, n, selected: chosen.get(group) ?? 0 }))
          .sort((a, b) => a.group.localeCompare(b.group));
        return counts.length ? [biasFromCounts(key, counts)] : [];
      }),
    };
  });
}

/** The workspace's protected attributes, by key (at most MAX_PROTECTED_ATTRIBUTES are audited). */
export async function protectedKeys(tx: Tx, tenantId: string): Promise<string[]> {
  return (
    await tx
      .select({ key: attributeDefinitions.key })
      .from(attributeDefinitions)
      .where(and(eq(attributeDefinitions.tenantId, tenantId), eq(attributeDefinitions.sensitivity, "protected")))
      .orderBy(attributeDefinitions.key)
  ).map((r) => r.key);
}

/**
 * The audit of the selection in the temporary table `segment_matches` (what publishing a
 * definition would make the membership, see segments/selection), counted like auditCounts.
 */
export async function auditMatches(tx: Tx, tenantId: string, keys: string[]): Promise<AttributeBias[]> {
  if (keys.length === 0) return [];
  await tx.execute(sql`set local work_mem = '256MB'`);
  const groups = keys.map((k, i) => sql`nullif(btrim(c.attributes->>${k}), '') as g${sql.raw(String(i))}`);
  const groupBy = sql.raw(keys.map((_, i) => `g${i}`).join(", "));
  const population = await tx.execute<Record<string, string | number | null>>(sql`
    select ${sql.join(groups, sql`, `)}, count(*)::int as n
    from customers c
    where c.tenant_id = ${tenantId} and c.merged_into is null and not c.opted_out
    group by ${groupBy}`);
  const members = await tx.execute<Record<string, string | number | null>>(sql`
    select ${sql.join(groups, sql`, `)}, count(*)::int as n
    from segment_matches m
    join customers c on c.tenant_id = ${tenantId} and c.id = m.id
    where not m.opted_out and c.merged_into is null and not c.opted_out
    group by ${groupBy}`);
  return keys.flatMap((key, k) => {
    const totals = groupMargins(population.rows, k);
    const chosen = groupMargins(members.rows, k);
    const counts: GroupCounts[] = [...totals]
      .map(([group, n]) => ({ group, n, selected: chosen.get(group) ?? 0 }))
      .sort((a, b) => a.group.localeCompare(b.group));
    return counts.length ? [biasFromCounts(key, counts)] : [];
  });
}

function groupMargins(rows: Record<string, string | number | null>[], k: number): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) {
    const g = r[`g${k}`];
    if (g === null || g === undefined) continue;
    m.set(String(g), (m.get(String(g)) ?? 0) + Number(r.n));
  }
  return m;
}

async function setRun(db: Database, tenantId: string, runId: string, values: Partial<typeof monitorRuns.$inferInsert>) {
  await db.withTenant(tenantId, (tx) =>
    tx
      .update(monitorRuns)
      .set(values)
      .where(and(eq(monitorRuns.tenantId, tenantId), eq(monitorRuns.id, runId)))
  );
}

/**
 * Runs one bias audit: every active segment (or, after a publish, the published one) against
 * every protected attribute. A run after a publish also stores a new feature baseline when the
 * features changed since the last one: the data the published version was built on (decision 011).
 * Alerts never name protected values: roles without protected:read see them.
 */
export async function runBiasAudit(db: Database, tenantId: string, runId: string): Promise<"completed" | "skipped"> {
  const [run] = await db.withTenant(tenantId, (tx) =>
    tx
      .select()
      .from(monitorRuns)
      .where(and(eq(monitorRuns.tenantId, tenantId), eq(monitorRuns.id, runId)))
  );
  if (!run || run.kind !== "bias" || run.status === "completed" || run.status === "failed") return "skipped";
  await setRun(db, tenantId, runId, { status: "running", startedAt: new Date(), error: null });
  return db.withTenant(tenantId, async (tx): Promise<"completed"> => {
    await tx.delete(monitorAlerts).where(and(eq(monitorAlerts.tenantId, tenantId), eq(monitorAlerts.runId, runId)));
    await tx.delete(biasResults).where(and(eq(biasResults.tenantId, tenantId), eq(biasResults.runId, runId)));
    if (run.trigger === "publish") {
      const last = await latestBaseline(tx, tenantId);
      const snapshot = await currentFeatures(tx, tenantId);
      if (
        snapshot.n > 0 &&
        (!last || (snapshot.computedAt && (!last.featuresComputedAt || snapshot.computedAt > last.featuresComputedAt)))
      ) {
        await storeBaseline(
          tx,
          tenantId,
          snapshot,
          `published version ${run.version ?? "?"} of a segment`,
          run.createdBy
        );
      }
    }
    const keys = await protectedKeys(tx, tenantId);
    const segmentList = (
      await tx
        .select({ id: segments.id, name: segments.name, version: segments.currentVersion })
        .from(segments)
        .where(
          and(
            eq(segments.tenantId, tenantId),
            eq(segments.status, "active"),
            isNotNull(segments.currentVersion),
            run.segmentId ? eq(segments.id, run.segmentId) : undefined
          )
        )
        .orderBy(segments.priority)
    ).map((s) => ({ id: s.id, name: s.name, version: s.version! }));
    const finish = async (summary: string, worstBand: "none" | "watch") => {
      await tx
        .update(monitorRuns)
        .set({ status: "completed", finishedAt: new Date(), summary, worstBand })
        .where(and(eq(monitorRuns.tenantId, tenantId), eq(monitorRuns.id, runId)));
      await publishLive(tx, tenantId, `monitoring/${tenantId}`, {
        type: "run",
        kind: "bias",
        runId,
        status: "completed",
        worstBand,
      });
    };
    if (keys.length === 0) {
      await finish(
        "No attribute is marked protected: nothing to audit. Mark attributes as protected on the Data page.",
        "none"
      );
      return "completed";
    }
    if (segmentList.length === 0) {
      await finish("No active segment to audit.", "none");
      return "completed";
    }
    const audited = keys.slice(0, MAX_PROTECTED_ATTRIBUTES);
    const audits = await auditCounts(tx, tenantId, audited, segmentList);
    let flagged = 0;
    for (const { segment, attributes } of audits) {
      for (const a of attributes) {
        // The flag counts only groups large enough for their rate to mean something.
        const failing = a.groups.filter((g) => g.failsFourFifths && !g.small);
        await tx.insert(biasResults).values({
          tenantId,
          runId,
          segmentId: segment.id,
          version: segment.version,
          attribute: a.attribute,
          n: a.n,
          selected: a.selected,
          minDiVsMax: a.minDiVsMax,
          demographicParityDifference: a.demographicParityDifference,
          statisticalParityDifference: a.statisticalParityDifference,
          chi2: a.chi2?.chi2 ?? null,
          chi2P: a.chi2?.p ?? null,
          failsFourFifths: failing.length > 0,
          groups: a.groups.map((g) => ({
            group: g.group,
            n: g.n,
            selected: g.selected,
            rate: g.rate,
            shareOfSelected: g.shareOfSelected,
            shareOfPopulation: g.shareOfPopulation,
            diVsMax: g.diVsMax,
            failsFourFifths: g.failsFourFifths,
            statisticalParityDifference: g.statisticalParityDifference,
            small: g.small,
          })),
        });
        if (failing.length) {
          flagged++;
          const lowest = Math.min(...failing.map((g) => g.diVsMax ?? 1));
          await raiseAlert(tx, {
            tenantId,
            runId,
            kind: "bias",
            segmentId: segment.id,
            subject: a.attribute,
            band: "watch",
            message:
              `In “${segment.name}” ${failing.length === 1 ? "a group" : `${failing.length} groups`} of '${
                a.attribute
              }' ` +
              `${failing.length === 1 ? "is" : "are"} selected at ${lowest.toFixed(
                2
              )}× the top group's rate (under four-fifths): a flag to review, not a verdict.`,
          });
        }
      }
    }
    const skipped = keys.length - audited.length;
    await finish(
      `${audits.length} segment${audits.length === 1 ? "" : "s"} × ${audited.length} protected attribute${
        audited.length === 1 ? "" : "s"
      } audited; ` +
        `${flagged ? `${flagged} flagged by the four-fifths rule` : "none flagged by the four-fifths rule"}` +
        `${skipped ? `; ${skipped} more protected attributes not audited (at most ${MAX_PROTECTED_ATTRIBUTES})` : ""}.`,
      flagged ? "watch" : "none"
    );
    return "completed";
  });
}
