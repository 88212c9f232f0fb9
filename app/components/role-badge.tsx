import { ROLE_LABELS, type Role } from "~/lib/roles";

/** The member's role as a coloured pill; its description is the tooltip. */
export function RoleBadge({ role }: { role: Role }) {
  const { label, description } = ROLE_LABELS[role];
  return (
    <span className={`badge badge--role badge--${role}`} title={description}>
      {label}
    </span>
  );
}
