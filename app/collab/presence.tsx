import type { CSSProperties } from "react";
import { colorFor, initialsOf } from "./colors";
import type { Peer } from "./provider";

export interface PresenceStackProps {
  /** The others present (`peers` from useCollabDoc). */
  peers: Peer[];
  /** Turns a focus (a rule's id, a field name) into words, e.g. "Rule 3"; the focus itself by default. */
  describeFocus?: (focus: string) => string;
  /** Avatars shown before "+N". */
  max?: number;
}

interface Person {
  id: string;
  name: string;
  focus: string | null;
}

/** One entry per person (someone with two tabs open appears once), in order of arrival. */
export function peoplePresent(peers: Peer[]): Person[] {
  const people = new Map<string, Person>();
  for (const peer of peers) {
    const known = people.get(peer.user.id);
    if (!known) people.set(peer.user.id, { id: peer.user.id, name: peer.user.name, focus: peer.focus });
    else if (!known.focus && peer.focus) known.focus = peer.focus;
  }
  return [...people.values()];
}

const stack: CSSProperties = { display: "flex", alignItems: "center", gap: 4, listStyle: "none", margin: 0, padding: 0 };
const avatar: CSSProperties = {
  display: "inline-flex",
  alignItems: "center",
  justifyContent: "center",
  width: 28,
  height: 28,
  borderRadius: "50%",
  color: "#fff",
  fontSize: 12,
  fontWeight: 600,
  border: "2px solid var(--surface, #fff)",
  boxShadow: "var(--shadow-sm)",
};
const label: CSSProperties = { fontSize: 12, color: "var(--text-muted)", whiteSpace: "nowrap" };

/**
 * Who else has the document open: an avatar per person (initials on a colour derived from
 * their user id, name as the tooltip) and what they are working on.
 */
export function PresenceStack({ peers, describeFocus = (f) => f, max = 5 }: PresenceStackProps) {
  const people = peoplePresent(peers);
  if (!people.length) return null;
  const shown = people.slice(0, max);
  const hidden = people.slice(max);
  return (
    <ul style={stack} aria-label={`${people.length} ${people.length === 1 ? "person" : "people"} here`}>
      {shown.map((person) => {
        const focus = person.focus ? describeFocus(person.focus) : null;
        return (
          <li key={person.id} style={{ display: "flex", alignItems: "center", gap: 4 }}>
            <span style={{ ...avatar, background: colorFor(person.id) }} title={focus ? `${person.name} — editing ${focus}` : person.name}>
              {initialsOf(person.name)}
            </span>
            {focus && <span style={label}>{focus}</span>}
          </li>
        );
      })}
      {hidden.length > 0 && (
        <li>
          <span style={{ ...avatar, background: "var(--text-muted)" }} title={hidden.map((p) => p.name).join(", ")}>
            +{hidden.length}
          </span>
        </li>
      )}
    </ul>
  );
}
