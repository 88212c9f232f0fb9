import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../db/client";
import { committeeSessions, segmentProposals, segments } from "../../db/schema";
import { draftAccess, type Participant } from "../services/segments/access";
import { minutesAccess } from "../services/sessions/access";
import { swotAccess } from "../services/swot/access";
import type { Access } from "./protocol";

/**
 * The kinds of co-edited documents. A document is named `<kind>/<id>` within its tenant; the
 * kind decides who may open it and who may change it. Adding a kind (SWOT boards, session
 * agendas) is one entry here.
 */
export interface CollabKind {
  /** What the participant may do with the object's document; null when they may not see it. */
  authorize(tx: Tx, who: Participant, id: string): Promise<Access | null>;
  /**
   * Holds the object (a row lock) until the transaction ends, so that a change of its state
   * (a proposal being submitted) and a batch of stored edits happen one after the other.
   */
  lock(tx: Tx, tenantId: string, id: string): Promise<void>;
}

export const COLLAB_KINDS: Record<string, CollabKind> = {
  proposal: {
    authorize: (tx, who, id) => draftAccess(tx, who, id),
    async lock(tx, tenantId, id) {
      await tx
        .select({ id: segmentProposals.id })
        .from(segmentProposals)
        .where(and(eq(segmentProposals.tenantId, tenantId), eq(segmentProposals.id, id)))
        .for("share");
    },
  },
  /** A segment's SWOT board, `swot/<segmentId>` (one board per segment, regional variants included). */
  swot: {
    authorize: (tx, who, id) => swotAccess(tx, who, id),
    async lock(tx, tenantId, id) {
      await tx
        .select({ id: segments.id })
        .from(segments)
        .where(and(eq(segments.tenantId, tenantId), eq(segments.id, id)))
        .for("share");
    },
  },
  /** A committee session's shared minutes; closing the session (FOR UPDATE) freezes them. */
  session: {
    authorize: (tx, who, id) => minutesAccess(tx, who, id),
    async lock(tx, tenantId, id) {
      await tx
        .select({ id: committeeSessions.id })
        .from(committeeSessions)
        .where(and(eq(committeeSessions.tenantId, tenantId), eq(committeeSessions.id, id)))
        .for("share");
    },
  },
};

export interface DocRef {
  /** The name within the tenant, `<kind>/<id>`. */
  name: string;
  kind: CollabKind;
  kindName: string;
  id: string;
}

const ZId = z.uuid();

/** The kind and id a document name stands for, or null for a name no kind owns. */
export function parseDocName(name: string): DocRef | null {
  const slash = name.indexOf("/");
  if (slash <= 0) return null;
  const kindName = name.slice(0, slash);
  const id = name.slice(slash + 1);
  const kind = Object.hasOwn(COLLAB_KINDS, kindName) ? COLLAB_KINDS[kindName] : undefined;
  if (!kind || !ZId.safeParse(id).success) return null;
  return { name, kind, kindName, id };
}
