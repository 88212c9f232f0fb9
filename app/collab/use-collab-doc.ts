import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import type { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { CollabProvider, type CollabState } from "./provider";

export interface UseCollabDocOptions {
  tenantId: string;
  /** The document's name in the workspace, `<kind>/<id>` (e.g. `proposal/<id>`). */
  doc: string;
  user: { id: string; name: string };
}

export interface CollabDoc extends CollabState {
  /** The shared document: read it, and change it in `doc.transact`. Stable per tenant and name. */
  doc: Y.Doc;
  /** Presence; null until mounted in the browser (there is no connection during server rendering). */
  awareness: Awareness | null;
  /** The provider (for `whenAcked()` before a submit); null until mounted. */
  provider: CollabProvider | null;
  /** Tells the others what this person is working on (a rule's id, a field), or null. */
  setFocus(focus: string | null): void;
}

const BEFORE_MOUNT: CollabState = { status: "connecting", pending: 0, reconnecting: false, readOnly: false, error: null, peers: [] };
const noSubscription = () => () => {};

/**
 * A co-edited document for a component: connects when mounted (same origin, session cookie),
 * disconnects when unmounted or when the document changes. The Y.Doc is left to the garbage
 * collector rather than destroyed, so React's development double-mount can reuse it.
 */
export function useCollabDoc({ tenantId, doc: name, user }: UseCollabDocOptions): CollabDoc {
  const doc = useMemo(() => new Y.Doc(), [tenantId, name]);
  const [provider, setProvider] = useState<CollabProvider | null>(null);
  const { id: userId, name: userName } = user;

  useEffect(() => {
    const created = new CollabProvider({ tenantId, doc: name, user: { id: userId, name: userName }, ydoc: doc });
    setProvider(created);
    return () => {
      created.destroy();
      setProvider(null);
    };
  }, [tenantId, name, userId, userName, doc]);

  const state = useSyncExternalStore(
    provider ? provider.subscribe : noSubscription,
    () => provider?.snapshot() ?? BEFORE_MOUNT,
    () => BEFORE_MOUNT,
  );
  const setFocus = useCallback((focus: string | null) => provider?.setFocus(focus), [provider]);

  return { ...state, doc, awareness: provider?.awareness ?? null, provider, setFocus };
}
