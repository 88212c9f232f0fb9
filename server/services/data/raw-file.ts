import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { and, asc, eq, gte } from "drizzle-orm";
import type { Database, Tx } from "../../../db/client";
import { importFiles } from "../../../db/schema";
import { invalid } from "../../errors";

export const CHUNK_BYTES = 1 << 20;

/**
 * Stores an upload exactly as received, in 1 MiB chunks, inside the caller's transaction (an
 * interrupted upload leaves nothing). Refuses an empty upload and one over maxBytes.
 */
export async function storeChunks(
  tx: Tx,
  ids: { tenantId: string; importId: string },
  source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>,
  maxBytes: number,
): Promise<{ byteSize: number; sha256: string; head: Buffer }> {
  const hash = createHash("sha256");
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  let chunkNo = 0;
  let head: Buffer | null = null;
  const flush = async () => {
    if (!pendingBytes) return;
    const data = Buffer.concat(pending, pendingBytes);
    head ??= data;
    await tx.insert(importFiles).values({ ...ids, chunkNo: chunkNo++, data });
    pending = [];
    pendingBytes = 0;
  };
  for await (const piece of source) {
    const buf = typeof piece === "string" ? Buffer.from(piece) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    total += buf.length;
    if (total > maxBytes) throw invalid(`The file is larger than the ${Math.round(maxBytes / 1048576)} MB limit for one upload.`);
    hash.update(buf);
    pending.push(buf);
    pendingBytes += buf.length;
    if (pendingBytes >= CHUNK_BYTES) await flush();
  }
  await flush();
  if (total === 0) throw invalid("The file is empty (0 bytes). Choose a CSV file with a header row.");
  return { byteSize: total, sha256: hash.digest("hex"), head: head ?? Buffer.alloc(0) };
}

/** The stored bytes of an import, chunk by chunk, each read in its own short query. */
export async function* storedChunks(db: Database, tenantId: string, importId: string): AsyncGenerator<Buffer> {
  let next = 0;
  for (;;) {
    const rows = await db.withTenant(tenantId, (tx) =>
      tx
        .select({ chunkNo: importFiles.chunkNo, data: importFiles.data })
        .from(importFiles)
        .where(and(eq(importFiles.tenantId, tenantId), eq(importFiles.importId, importId), gte(importFiles.chunkNo, next)))
        .orderBy(asc(importFiles.chunkNo))
        .limit(4),
    );
    if (!rows.length) return;
    for (const r of rows) yield r.data;
    next = rows[rows.length - 1].chunkNo + 1;
  }
}

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Bytes → text: gunzipped when the bytes start with gzip's magic number, decoded as UTF-8 with
 * the BOM dropped. Bytes that are not UTF-8 become U+FFFD, which row validation reports.
 * `onBytes` counts the raw bytes consumed (for progress).
 */
export async function* decodeText(chunks: AsyncIterable<Buffer>, onBytes?: (n: number) => void): AsyncGenerator<string> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  async function* raw() {
    onBytes?.(first.value.length);
    yield first.value;
    for (;;) {
      const n = await iterator.next();
      if (n.done) return;
      onBytes?.(n.value.length);
      yield n.value;
    }
  }
  let bytes: AsyncIterable<Buffer> = raw();
  if (isGzip(first.value)) {
    const gunzip = createGunzip();
    const source = Readable.from(raw());
    source.on("error", (e) => gunzip.destroy(e));
    bytes = source.pipe(gunzip);
  }
  const decoder = new TextDecoder("utf-8");
  try {
    for await (const piece of bytes) {
      const text = decoder.decode(piece as Buffer, { stream: true });
      if (text) yield text;
    }
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith("Z_")) {
      throw invalid("The file looks gzipped but could not be decompressed: it is damaged or truncated.");
    }
    throw error;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}
