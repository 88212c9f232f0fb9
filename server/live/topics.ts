import { z } from "zod";
import type { Tx } from "../../db/client";
import { can } from "../auth/permissions";
import { draftAccess, type Participant } from "../services/segments/access";
import { recordAttendance, sessionVisible } from "../services/sessions/access";

/**
 * The kinds of live topics. A topic is `<kind>/<id>` within a workspace; its kind decides who
 * may subscribe (checked in a transaction scoped to the workspace, with the role from the
 * membership) and may note the subscription (a session records attendance). Monitoring and
 * dashboards add their kinds here.
 */
export interface LiveTopicKind {
  /** Whether the participant may receive this topic's events (false also when the object does not exist). */
  authorize(tx: Tx, who: Participant, id: string): Promise<boolean>;
  /** Called after a subscription was granted, in its own transaction. */
  subscribed?(tx: Tx, who: Participant, id: string): Promise<void>;
}

export const LIVE_TOPICS: Record<string, LiveTopicKind> = {
  /** A committee session: current item, start, close, attendance. */
  session: {
    authorize: async (tx, who, id) => can(who.role, "session:read") && sessionVisible(tx, who.tenantId, id),
    subscribed: (tx, who, id) => recordAttendance(tx, who, id),
  },
  /** A workspace's monitoring (id = the workspace): finished drift and bias runs and their alerts. */
  monitoring: {
    authorize: async (_tx, who, id) => can(who.role, "monitor:read") && id === who.tenantId,
  },
  /** A workspace's dashboards (id = the workspace): finished KPI roll-up runs, so open dashboards refresh. */
  dashboards: {
    authorize: async (_tx, who, id) => can(who.role, "dashboard:read") && id === who.tenantId,
  },
  /** A segment proposal: votes and decisions as they are recorded. */
  proposal: {
    authorize: async (tx, who, id) => (await draftAccess(tx, who, id)) !== null,
  },
};

export interface TopicRef {
  topic: string;
  kindName: string;
  kind: LiveTopicKind;
  id: string;
}

const ZId = z.uuid();

/** The kind and id a topic names, or null for a topic no kind owns. */
export function parseTopic(topic: string): TopicRef | null {
  const slash = topic.indexOf("/");
  if (slash <= 0) return null;
  const kindName = topic.slice(0, slash);
  const id = topic.slice(slash + 1);
  const kind = Object.hasOwn(LIVE_TOPICS, kindName) ? LIVE_TOPICS[kindName] : undefined;
  if (!kind || !ZId.safeParse(id).success) return null;
  return { topic, kindName, kind, id };
}
