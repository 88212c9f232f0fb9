import { useEffect, useRef, useState } from "react";
import { LiveClient, type LiveListener } from "./client";

let shared: LiveClient | null = null;

/** The page's one live connection (same origin, session cookie), made on first use in the browser. */
export function liveClient(): LiveClient {
  shared ??= new LiveClient();
  return shared;
}

export type LiveStatus = "connecting" | "live" | "refused";

/**
 * Follows live topics of the workspace while the component is mounted: `onMessage` gets each
 * event's payload, or a resync after a reconnect (read the state again). Returns whether the
 * subscriptions are live, and the server's reason when one was refused.
 */
export function useLive(tenantId: string, topics: string[], onMessage: LiveListener): { status: LiveStatus; error: string | null } {
  const handler = useRef(onMessage);
  handler.current = onMessage;
  const [state, setState] = useState<{ status: LiveStatus; error: string | null }>({ status: "connecting", error: null });
  const joined = topics.join("|");

  useEffect(() => {
    const client = liveClient();
    let active = true;
    const subs = joined
      .split("|")
      .filter(Boolean)
      .map((topic) => client.subscribe(tenantId, topic, (m) => handler.current(m)));
    void Promise.all(subs.map((s) => s.result)).then((results) => {
      if (!active) return;
      const refused = results.find((r) => !r.ok);
      setState(refused && !refused.ok ? { status: "refused", error: refused.error } : { status: "live", error: null });
    });
    return () => {
      active = false;
      for (const s of subs) s.stop();
    };
  }, [tenantId, joined]);

  return state;
}
