import { sha256Hex } from "../../auth/tokens";
import { canonicalJson } from "./canonical";

export const GENESIS_HASH = "0".repeat(64);

export interface ChainedFields {
  tenantId: string;
  seq: number;
  at: Date;
  actorId: string | null;
  actorLabel: string;
  action: string;
  objectType: string;
  objectId: string | null;
  changes: unknown;
  requestId: string | null;
}

/** hash = sha256(prev_hash || canonical entry). */
export function entryHash(prevHash: string, e: ChainedFields): string {
  const canonical = canonicalJson({
    tenantId: e.tenantId,
    seq: e.seq,
    at: e.at.toISOString(),
    actorId: e.actorId,
    actorLabel: e.actorLabel,
    action: e.action,
    objectType: e.objectType,
    objectId: e.objectId,
    changes: e.changes,
    requestId: e.requestId,
  });
  return sha256Hex(prevHash + canonical);
}
