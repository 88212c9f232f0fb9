import { useEffect, useRef, useState } from "react";
import { LiveClient, type LiveListener } from "./client";

let shared: LiveClient | null = null;

/** The page's one live connection (same origin, session cookie), made on first use in the browser. */
export function liveClient(): LiveClient {
  shared ??= new LiveClient();
  return shared;
}

/** "reconnecting": the connection dropped (a server restarted, an instance went away) and is being made again by itself. */
export type LiveStatus = "connecting" | "live" | "reconnecting" | "refused";

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
    const dropped = () => {
      if (client.socket.active) setState((s) => (s.status === "live" ? { status: "reconnecting", error: null } : s));
    };
    // Back: the client has subscribed again (its listeners get a resync to read the state anew).
    const back = () => setState((s) => (s.status === "reconnecting" ? { status: "live", error: null } : s));
    client.socket.on("disconnect", dropped);
    client.socket.on("connect", back);
    return () => {
      active = false;
      client.socket.off("disconnect", dropped);
      client.socket.off("connect", back);
      for (const s of subs) s.stop();
    };
  }, [tenantId, joined]);

  return state;
}
