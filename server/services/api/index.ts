import { sql } from "drizzle-orm";
import pg from "pg";
import { z } from "zod";
import { txClient, type Tx } from "../../../db/client";
import { invalid, notFound } from "../../errors";
import type { ApiPrincipal } from "../api-keys";
import { appendAudit } from "../audit";
import { emitWebhookEvent } from "../webhooks";

/**
 * What downstream systems read and write through /api/v1 (decision 008): published segments,
 * who is in them (paged on a pinned version, or streamed), what changed since a version or a
 * time, and customers' consent. Every read runs under the key's workspace (RLS).
 */

export const ZExternalId = z.string().min(1, { message: "must not be empty" }).max(200, { message: "must be at most 200 characters" });
export const ZSegmentId = z.uuid({ message: "is not a segment id (a UUID)" });
export const ZPageLimit = z.coerce
  .number({ message: "must be a number" })
  .int({ message: "must be a whole number" })
  .min(1, { message: "must be at least 1" })
  .max(10_000, { message: "must be at most 10000" })
  .default(1000);
const ZPageQuery = z.object({ limit: ZPageLimit });
export const ZConsentBody = z.object({ optedOut: z.boolean({ message: "must be true or false" }) }, { message: "must be a JSON object such as {\"optedOut\": true}" });

/** A segment whose latest materialisation failed: the API serves `servingVersion` instead. */
export interface Fallback {
  segmentId: string;
  servingVersion: number;
  failedVersion: number;
  failedAt: Date;
}

/** The version of a segment's latest recorded materialisation failure newer than its current version (null if none). */
const failedSinceCurrent = (alias: string) => `(
  select f.version from segment_materialisation_failures f
  where f.tenant_id = ${alias}.tenant_id and f.segment_id = ${alias}.id
    and f.failed_at > coalesce((select v.published_at from segment_versions v
      where v.tenant_id = ${alias}.tenant_id and v.segment_id = ${alias}.id and v.version = ${alias}.current_version), '-infinity')
  order by f.failed_at desc limit 1)`;
const FAILED_SINCE_CURRENT = (alias: string) => sql.raw(failedSinceCurrent(alias));

/** Records that materialising `version` of a segment failed (for materialisations run apart from publishing). */
export async function recordMaterialisationFailure(tx: Tx, tenantId: string, segmentId: string, version: number, error: string): Promise<void> {
  await tx.execute(sql`insert into segment_materialisation_failures (tenant_id, segment_id, version, error)
    values (${tenantId}, ${segmentId}, ${version}, ${error.slice(0, 2000)})`);
}

function fallbackOf(row: { id: string; current_version: number | null; failed_version: number | null; failed_at?: string | Date | null }): Fallback | null {
  if (row.failed_version === null || row.current_version === null) return null;
  return { segmentId: row.id, servingVersion: row.current_version, failedVersion: row.failed_version, failedAt: new Date(row.failed_at ?? 0) };
}

/**
 * The hot path (GET /customers/{id}/segments): one named (prepared once per connection) statement.
 * The customer is resolved in a materialised CTE so that the membership lookup is an index probe
 * on a plain column: joined on coalesce(merged_into, id) directly, row-level security keeps the
 * non-leakproof expression out of the index condition and PostgreSQL hashes every membership.
 */
const CUSTOMER_SEGMENTS_SQL = `
  with r as materialized (
    select coalesce(c.merged_into, c.id) as cid, c.opted_out from customers c where c.tenant_id = $1 and c.external_id = $2)
  select r.opted_out, s.id, s.name, s.current_version, ${failedSinceCurrent("s")} as failed_version
  from r
  left join segment_memberships sm on sm.tenant_id = $1 and sm.customer_id = r.cid and sm.to_version is null
  left join segments s on s.tenant_id = $1 and s.id = sm.segment_id and s.status = 'active'
  order by s.priority, s.name`;

type CustomerSegmentRow = {
  opted_out: boolean;
  id: string | null;
  name: string | null;
  current_version: number | null;
  failed_version: number | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Connections on which the hot path's statement has been prepared (server-side, per session). */
const prepared = new WeakSet<object>();

/**
 * The current segments of a customer (by the external id systems know them by). This is the
 * API's hot path, so it is one round trip: the tenant set locally and the statement prepared
 * once per connection, sent as one multi-statement query, which PostgreSQL runs as one implicit
 * transaction (so the setting ends with it and RLS applies, as in db.withTenant, without the two
 * statements of an explicit begin/commit). The tenant id is a checked UUID; the external id is escaped.
 */
export async function customerSegments(p: ApiPrincipal, externalIdInput: string) {
  const externalId = ZExternalId.parse(externalIdInput);
  if (!UUID.test(p.tenantId)) throw new Error(`customerSegments: '${p.tenantId}' is not a tenant id`);
  const client = await p.db.pool.connect();
  let rows: CustomerSegmentRow[];
  try {
    if (!prepared.has(client)) {
      await client.query(`prepare api_customer_segments(uuid, text) as ${CUSTOMER_SEGMENTS_SQL}`);
      prepared.add(client);
    }
    const results = (await client.query(
      `select set_config('app.tenant_id', '${p.tenantId}', true); execute api_customer_segments('${p.tenantId}', ${client.escapeLiteral(externalId)})`,
    )) as unknown as { rows: CustomerSegmentRow[] }[];
    rows = results[1].rows;
  } catch (error) {
    // A failed statement ends its implicit transaction; a connection that failed is not reused.
    client.release(error instanceof pg.DatabaseError ? undefined : (error as Error));
    throw error;
  }
  client.release();
  if (!rows.length) throw notFound(`The customer '${externalId}'`);
  const inSegments = rows.filter((r) => r.id !== null && r.current_version !== null);
  return {
    customer: { externalId, optedOut: rows[0].opted_out },
    segments: inSegments.map((r) => ({ id: r.id!, name: r.name!, version: r.current_version! })),
    fallbacks: inSegments.map((r) => fallbackOf({ id: r.id!, current_version: r.current_version, failed_version: r.failed_version })).filter((f) => f !== null),
  };
}

type SegmentRowOut = {
  id: string;
  name: string;
  status: string;
  current_version: number;
  member_count: number;
  description: string | null;
  published_at: string;
  failed_version: number | null;
};

const SEGMENT_COLUMNS = sql`s.id, s.name, s.status, s.current_version, s.member_count,
  v.definition ->> 'description' as description, v.published_at, ${FAILED_SINCE_CURRENT("s")} as failed_version`;
const SEGMENT_FROM = sql`from segments s join segment_versions v on v.tenant_id = s.tenant_id and v.segment_id = s.id and v.version = s.current_version`;

function segmentOut(r: SegmentRowOut) {
  return {
    id: r.id,
    name: r.name,
    description: r.description ?? "",
    status: r.status as "active" | "retired",
    version: r.current_version,
    memberCount: r.member_count,
    publishedAt: new Date(r.published_at).toISOString(),
  };
}

/** Published (active) segments with their version and size. */
export async function publishedSegments(p: ApiPrincipal) {
  return p.db.withTenant(p.tenantId, async (tx) => {
    const { rows } = await tx.execute<SegmentRowOut>(sql`
      select ${SEGMENT_COLUMNS} ${SEGMENT_FROM} where s.tenant_id = ${p.tenantId} and s.status = 'active' order by s.priority, s.name`);
    return { segments: rows.map(segmentOut), fallbacks: rows.map((r) => fallbackOf(r)).filter((f) => f !== null) };
  });
}

async function publishedSegmentRow(tx: Tx, tenantId: string, segmentId: string): Promise<SegmentRowOut> {
  const { rows } = await tx.execute<SegmentRowOut>(sql`select ${SEGMENT_COLUMNS} ${SEGMENT_FROM} where s.tenant_id = ${tenantId} and s.id = ${segmentId}`);
  if (!rows.length) throw notFound("A published segment with this id");
  return rows[0];
}

/** One published segment with its version history (sizes and changes per version). */
export async function segmentDetail(p: ApiPrincipal, segmentIdInput: string) {
  const segmentId = ZSegmentId.parse(segmentIdInput);
  return p.db.withTenant(p.tenantId, async (tx) => {
    const row = await publishedSegmentRow(tx, p.tenantId, segmentId);
    const versions = await tx.execute<{ version: number; published_at: string; member_count: number; added: number; removed: number; kind: string }>(sql`
      select version, published_at, member_count, added, removed, kind from segment_versions
      where tenant_id = ${p.tenantId} and segment_id = ${segmentId} order by version desc`);
    return {
      segment: {
        ...segmentOut(row),
        versions: versions.rows.map((v) => ({
          version: v.version,
          kind: v.kind,
          publishedAt: new Date(v.published_at).toISOString(),
          memberCount: v.member_count,
          added: v.added,
          removed: v.removed,
        })),
      },
      fallbacks: [fallbackOf(row)].filter((f) => f !== null),
    };
  });
}

/** A members cursor: the version it is pinned to and the last customer (internal id) returned. */
const ZCursor = z.object({ v: z.number().int().min(1), a: z.uuid() });
export type MembersCursor = z.infer<typeof ZCursor>;

export function encodeCursor(c: MembersCursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeCursor(raw: string): MembersCursor {
  try {
    return ZCursor.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
  } catch {
    throw invalid("cursor: is not a cursor this API gave out; start again without one.");
  }
}

const covers = (version: number) => sql`sm.from_version <= ${version} and (sm.to_version is null or sm.to_version > ${version})`;
const NIL_UUID = "00000000-0000-0000-0000-000000000000";

async function pinnedVersion(tx: Tx, tenantId: string, segmentId: string, requested: number | null): Promise<{ row: SegmentRowOut; version: number }> {
  const row = await publishedSegmentRow(tx, tenantId, segmentId);
  if (requested === null) return { row, version: row.current_version };
  if (requested > row.current_version) throw invalid(`version: the segment's latest version is ${row.current_version}, not ${requested}.`);
  return { row, version: requested };
}

async function membersAfter(tx: Tx, tenantId: string, segmentId: string, version: number, after: string, limit: number) {
  const { rows } = await tx.execute<{ customer_id: string; external_id: string }>(sql`
    select sm.customer_id, c.external_id from segment_memberships sm
    join customers c on c.tenant_id = sm.tenant_id and c.id = sm.customer_id
    where sm.tenant_id = ${tenantId} and sm.segment_id = ${segmentId} and ${covers(version)}
      and sm.customer_id > ${after}::uuid and not c.opted_out
    order by sm.customer_id limit ${limit}`);
  return rows;
}

/**
 * One page of a segment's members. The first page pins the current version; the cursor carries
 * it, so paging while a new version is published still returns that version's members, each
 * exactly once (membership rows of a version never change; opted-out customers are left out).
 */
export async function membersPage(p: ApiPrincipal, segmentIdInput: string, query: { cursor?: unknown; limit?: unknown }) {
  const segmentId = ZSegmentId.parse(segmentIdInput);
  const { limit } = ZPageQuery.parse({ limit: query.limit });
  const cursor = typeof query.cursor === "string" && query.cursor ? decodeCursor(query.cursor) : null;
  return p.db.withTenant(p.tenantId, async (tx) => {
    const { row, version } = await pinnedVersion(tx, p.tenantId, segmentId, cursor?.v ?? null);
    const rows = await membersAfter(tx, p.tenantId, segmentId, version, cursor?.a ?? NIL_UUID, limit + 1);
    const page = rows.slice(0, limit);
    const more = rows.length > limit;
    return {
      segmentId,
      version,
      members: page.map((r) => ({ externalId: r.external_id })),
      nextCursor: more ? encodeCursor({ v: version, a: page[page.length - 1].customer_id }) : null,
      fallbacks: [fallbackOf(row)].filter((f) => f !== null),
    };
  });
}

/** The version a CSV export of a segment reads (the current one, or `version`), checked, with any fallback. */
export async function membersExportTarget(p: { db: ApiPrincipal["db"]; tenantId: string }, segmentIdInput: string, versionInput: number | null) {
  const segmentId = ZSegmentId.parse(segmentIdInput);
  const { row, version } = await p.db.withTenant(p.tenantId, (tx) => pinnedVersion(tx, p.tenantId, segmentId, versionInput));
  return { segmentId, name: row.name, version, fallbacks: [fallbackOf(row)].filter((f) => f !== null) };
}

/**
 * Every member (external id) of a segment version, handed to `onBatch` in batches as a
 * server-side cursor reads them: one scan in one transaction, and memory stays flat because the
 * next batch is fetched only once `onBatch` (e.g. a socket that drained) has resolved.
 */
export async function streamMembers(
  p: { db: ApiPrincipal["db"]; tenantId: string },
  segmentId: string,
  version: number,
  onBatch: (externalIds: string[]) => Promise<void>,
  batch = 10_000,
): Promise<number> {
  return p.db.withTenant(p.tenantId, async (tx) => {
    const client = txClient(tx);
    await client.query(
      `declare members_export no scroll cursor for
       select c.external_id from segment_memberships sm join customers c on c.tenant_id = sm.tenant_id and c.id = sm.customer_id
       where sm.tenant_id = $1 and sm.segment_id = $2 and sm.from_version <= $3 and (sm.to_version is null or sm.to_version > $3) and not c.opted_out`,
      [p.tenantId, segmentId, version],
    );
    let total = 0;
    for (;;) {
      const { rows } = await client.query<{ external_id: string }>(`fetch ${batch} from members_export`);
      if (rows.length) await onBatch(rows.map((r) => r.external_id));
      total += rows.length;
      if (rows.length < batch) return total;
    }
  });
}

const ZChangesCursor = z.object({ f: z.number().int().min(0), t: z.number().int().min(1), a: z.uuid() });

/** `since` as a version number, or as an ISO time (the version that was current then; 0 before the first). */
async function sinceVersion(tx: Tx, tenantId: string, segmentId: string, since: unknown, current: number): Promise<number> {
  if (typeof since !== "string" || since === "") throw invalid("since: give a version number (e.g. since=3) or an ISO time (e.g. since=2026-01-31T00:00:00Z).");
  if (/^\d+$/.test(since)) {
    const v = Number(since);
    if (v > current) throw invalid(`since: the segment's latest version is ${current}, not ${v}.`);
    return v;
  }
  const at = /^\d{4}-\d{2}-\d{2}/.test(since) ? new Date(since) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) throw invalid(`since: '${since}' is neither a version number nor an ISO time such as 2026-01-31T00:00:00Z.`);
  const { rows } = await tx.execute<{ v: number | null }>(sql`
    select max(version)::int as v from segment_versions where tenant_id = ${tenantId} and segment_id = ${segmentId} and published_at <= ${at.toISOString()}`);
  return rows[0].v ?? 0;
}

/**
 * Customers added to and removed from a segment between version `since` (or the version current
 * at a time) and the current version: the net change, each customer once, paged like members.
 */
export async function segmentChanges(p: ApiPrincipal, segmentIdInput: string, query: { since?: unknown; cursor?: unknown; limit?: unknown }) {
  const segmentId = ZSegmentId.parse(segmentIdInput);
  const { limit } = ZPageQuery.parse({ limit: query.limit });
  let cursor: z.infer<typeof ZChangesCursor> | null = null;
  if (typeof query.cursor === "string" && query.cursor) {
    try {
      cursor = ZChangesCursor.parse(JSON.parse(Buffer.from(query.cursor, "base64url").toString("utf8")));
    } catch {
      throw invalid("cursor: is not a cursor this API gave out; start again without one.");
    }
  }
  return p.db.withTenant(p.tenantId, async (tx) => {
    const row = await publishedSegmentRow(tx, p.tenantId, segmentId);
    const to = cursor?.t ?? row.current_version;
    const from = cursor ? cursor.f : await sinceVersion(tx, p.tenantId, segmentId, query.since, row.current_version);
    const base = sql`sm.tenant_id = ${p.tenantId} and sm.segment_id = ${segmentId}`;
    const { rows } = await tx.execute<{ customer_id: string; external_id: string; change: "added" | "removed" }>(sql`
      with at_from as (select sm.customer_id from segment_memberships sm where ${base} and ${covers(from)}),
           at_to as (select sm.customer_id from segment_memberships sm where ${base} and ${covers(to)}),
           diff as (
             select t.customer_id, 'added' as change from at_to t where not exists (select 1 from at_from f where f.customer_id = t.customer_id)
             union all
             select f.customer_id, 'removed' from at_from f where not exists (select 1 from at_to t where t.customer_id = f.customer_id))
      select d.customer_id, c.external_id, d.change from diff d
      join customers c on c.tenant_id = ${p.tenantId} and c.id = d.customer_id
      where d.customer_id > ${cursor?.a ?? NIL_UUID}::uuid
      order by d.customer_id limit ${limit + 1}`);
    const page = rows.slice(0, limit);
    const more = rows.length > limit;
    return {
      segmentId,
      fromVersion: from,
      toVersion: to,
      changes: page.map((r) => ({ externalId: r.external_id, change: r.change })),
      nextCursor: more ? Buffer.from(JSON.stringify({ f: from, t: to, a: page[page.length - 1].customer_id })).toString("base64url") : null,
      fallbacks: [fallbackOf(row)].filter((f) => f !== null),
    };
  });
}

/**
 * Records a customer's consent. Opting out takes them out of every current membership at once
 * (the current version no longer lists them; earlier versions keep their history) and, through
 * customers.opted_out, out of every later materialisation. Audit-logged; membership.changed is
 * sent for each segment they left. Opting back in takes effect at each segment's next publish.
 */
export async function setConsent(p: ApiPrincipal, externalIdInput: string, body: unknown) {
  const externalId = ZExternalId.parse(externalIdInput);
  const { optedOut } = ZConsentBody.parse(body);
  return p.db.withTenant(p.tenantId, async (tx) => {
    const { rows: found } = await tx.execute<{ id: string; merged_into: string | null; opted_out: boolean }>(sql`
      select id, merged_into, opted_out from customers where tenant_id = ${p.tenantId} and external_id = ${externalId} for update`);
    if (!found.length) throw notFound(`The customer '${externalId}'`);
    const customer = found[0];
    const ids = [customer.id, ...(customer.merged_into ? [customer.merged_into] : [])];
    await tx.execute(sql`update customers set opted_out = ${optedOut}, updated_at = now()
      where tenant_id = ${p.tenantId} and id = any(${sql.param(ids)}::uuid[])`);
    const removedFrom: { id: string; name: string; version: number }[] = [];
    if (optedOut) {
      // Lock the segments they are in (as a publish does), in a fixed order.
      const { rows: open } = await tx.execute<{ id: string; name: string; current_version: number }>(sql`
        select s.id, s.name, s.current_version from segments s
        where s.tenant_id = ${p.tenantId} and s.current_version is not null and exists (
          select 1 from segment_memberships sm where sm.tenant_id = s.tenant_id and sm.segment_id = s.id
            and sm.customer_id = any(${sql.param(ids)}::uuid[]) and sm.to_version is null)
        order by s.id for update of s`);
      for (const s of open) {
        const mine = sql`tenant_id = ${p.tenantId} and segment_id = ${s.id} and customer_id = any(${sql.param(ids)}::uuid[]) and to_version is null`;
        // A membership that began with the current version never held; an older one ends with it.
        const deleted = (await tx.execute(sql`delete from segment_memberships where ${mine} and from_version = ${s.current_version}`)).rowCount ?? 0;
        const closed = (await tx.execute(sql`update segment_memberships set to_version = ${s.current_version} where ${mine}`)).rowCount ?? 0;
        const n = deleted + closed;
        await tx.execute(sql`update segments set member_count = member_count - ${n} where tenant_id = ${p.tenantId} and id = ${s.id}`);
        await tx.execute(sql`update segment_versions set member_count = member_count - ${n}
          where tenant_id = ${p.tenantId} and segment_id = ${s.id} and version = ${s.current_version}`);
        removedFrom.push({ id: s.id, name: s.name, version: s.current_version });
        await emitWebhookEvent(tx, p.tenantId, "membership.changed", {
          segmentId: s.id,
          segmentName: s.name,
          version: s.current_version,
          reason: "consent",
          removed: [externalId],
          added: [],
        });
      }
    }
    await appendAudit(tx, p.audit, {
      action: "customer.consent",
      objectType: "customer",
      objectId: customer.id,
      before: { optedOut: customer.opted_out },
      after: { externalId, optedOut, apiKey: p.keyName, removedFrom: removedFrom.map((s) => s.id) },
    });
    return {
      customer: { externalId, optedOut },
      removedFrom: removedFrom.map((s) => ({ id: s.id, name: s.name })),
      note: optedOut
        ? "The customer is out of every segment now and will not be selected by any later publish."
        : "The customer can be selected again; segments include them from their next publish.",
    };
  });
}
