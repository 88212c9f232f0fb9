import type { Peer } from "~/collab/provider";
import { initials } from "~/lib/format";

export type { Peer };

/** The people editing one rule or field: small coloured initials, named for screen readers. */
export function PeerAvatars({ peers }: { peers: Peer[] }) {
  if (!peers.length) return null;
  const names = peers.map((p) => p.user.name).join(", ");
  return (
    <span className="peer-avatars" role="img" aria-label={`${names} ${peers.length === 1 ? "is" : "are"} editing this`} title={`${names} editing`}>
      {peers.map((p) => (
        <span key={p.clientId} className="peer-avatars__avatar" style={{ background: p.user.color }} aria-hidden="true">
          {initials(p.user.name)}
        </span>
      ))}
    </span>
  );
}

/** Peers grouped by what they focus (a rule's node id, or "meta:<field>"). */
export function peersByFocus(peers: Peer[]): Map<string, Peer[]> {
  const map = new Map<string, Peer[]>();
  for (const p of peers) {
    if (!p.focus) continue;
    map.set(p.focus, [...(map.get(p.focus) ?? []), p]);
  }
  return map;
}
