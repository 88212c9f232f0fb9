import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../../db/client";
import { invalid } from "../../errors";
import type { TenantScope } from "../scope";

/**
 * Segment drift from the membership history (segment_memberships intervals, decision 006).
 *
 * A membership SNAPSHOT at time t: for each segment, its latest version published at or before t
 * (to the millisecond, the precision of the times the UI offers);
 * a customer is a member of that version when from_version ≤ v < to_version (or to_version is
 * null). A customer in several segments at once counts in the one first in the priority order
 * (lowest priority number, then id), so every customer is in at most one row and one column of
 * the migration matrix; customers in no segment are "none".
 */
export const ZMigrationInput = z
  .object({
    from: z.coerce.date({ message: "must be a date and time" }),
    to: z.coerce.date({ message: "must be a date and time" }),
  })
  .refine((v) => v.from < v.to, { message: "'from' must be before 'to'", path: ["from"] });

export interface MigrationCell {
  from: string | null;
  to: string | null;
  customers: number;
}

export interface MigrationMatrix {
  from: string;
  to: string;
  segments: { id: string; name: string }[];
  cells: MigrationCell[];
  /** Per segment at `from`: members then, how many were elsewhere (or nowhere) at `to`, and that share. */
  decay: { segmentId: string; members: number; moved: number; share: number }[];
  days: number;
}

/** Who moved from which segment to which between two snapshots, counted in PostgreSQL. */
export async function migrationMatrixTx(tx: Tx, tenantId: string, from: Date, to: Date): Promise<MigrationMatrix> {
  // One scan of the memberships and one hash aggregate per customer, whatever the estimates say.
  await tx.execute(sql`set local enable_nestloop = off`);
  await tx.execute(sql`set local work_mem = '256MB'`);
  const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  // Each segment's version at both times, and its rank in the priority order (then id).
  const active = (v: string) =>
    sql.raw(`sm.from_version <= v.${v} and (sm.to_version is null or sm.to_version > v.${v})`);
  const { rows } = await tx.execute<{ from_segment: string | null; to_segment: string | null; n: number }>(sql`
    with v as (
      select s.id as segment_id, (row_number() over (order by s.priority, s.id))::int as rank,
             (select max(version) from segment_versions sv
               where sv.tenant_id = ${tenantId} and sv.segment_id = s.id and date_trunc('milliseconds', sv.published_at) <= ${at(
    from
  )}) as v1,
             (select max(version) from segment_versions sv
               where sv.tenant_id = ${tenantId} and sv.segment_id = s.id and date_trunc('milliseconds', sv.published_at) <= ${at(
    to
  )}) as v2
      from segments s where s.tenant_id = ${tenantId}
    ),
    per_customer as (
      select min(case when ${active("v1")} then v.rank end) as a, min(case when ${active("v2")} then v.rank end) as b
      from segment_memberships sm join v on v.segment_id = sm.segment_id
      where sm.tenant_id = ${tenantId} and v.v2 is not null
      group by sm.customer_id
    ),
    pairs as (select a, b, count(*)::int as n from per_customer where a is not null or b is not null group by a, b)
    select fa.segment_id as from_segment, fb.segment_id as to_segment, p.n
    from pairs p left join v fa on fa.rank = p.a left join v fb on fb.rank = p.b`);
  const names = await tx.execute<{ id: string; name: string }>(
    sql`select id, name from segments where tenant_id = ${tenantId} order by priority, id`
  );
  const involved = new Set(rows.flatMap((r) => [r.from_segment, r.to_segment]).filter((x): x is string => x !== null));
  const decay = new Map<string, { members: number; moved: number }>();
  for (const r of rows) {
    if (r.from_segment === null) continue;
    const d = decay.get(r.from_segment) ?? { members: 0, moved: 0 };
    d.members += r.n;
    if (r.to_segment !== r.from_segment) d.moved += r.n;
    decay.set(r.from_segment, d);
  }
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    segments: names.rows.filter((s) => involved.has(s.id)),
    cells: rows.map((r) => ({ from: r.from_segment, to: r.to_segment, customers: r.n })),
    decay: [...decay].map(([segmentId, d]) => ({ segmentId, ...d, share: d.members ? d.moved / d.members : 0 })),
    days: (to.getTime() - from.getTime()) / 86_400_000,
  };
}

export async function migrationMatrix(
  scope: TenantScope,
  input: z.input<typeof ZMigrationInput>
): Promise<MigrationMatrix> {
  const parsed = ZMigrationInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`${issue.path.join(".")}: ${issue.message}`);
  }
  return scope.db.withTenant(scope.tenantId, (tx) =>
    migrationMatrixTx(tx, scope.tenantId, parsed.data.from, parsed.data.to)
  );
}

export interface SizePoint {
  segmentId: string;
  name: string;
  version: number;
  kind: string;
  memberCount: number;
  /** Members over all customers (not merged away, not opted out) today. */
  shareToday: number;
  publishedAt: string;
}

/** Each segment's size at every published version, oldest first: size over time. */
export async function segmentSizes(tx: Tx, tenantId: string): Promise<SizePoint[]> {
  const [{ customers }] = (
    await tx.execute<{ customers: number }>(
      sql`select count(*)::int as customers from customers where tenant_id = ${tenantId} and merged_into is null and not opted_out`
    )
  ).rows;
  const { rows } = await tx.execute<{
    segment_id: string;
    name: string;
    version: number;
    kind: string;
    member_count: number;
    published_at: string;
  }>(sql`
    select v.segment_id, s.name, v.version, v.kind, v.member_count, v.published_at
    from segment_versions v join segments s on s.tenant_id = v.tenant_id and s.id = v.segment_id
    where v.tenant_id = ${tenantId}
    order by v.published_at, s.priority`);
  return rows.map((r) => ({
    segmentId: r.segment_id,
    name: r.name,
    version: r.version,
    kind: r.kind,
    memberCount: r.member_count,
    shareToday: customers ? r.member_count / customers : 0,
    publishedAt: new Date(r.published_at).toISOString(),
  }));
}
