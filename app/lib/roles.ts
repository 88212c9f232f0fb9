import type { Role } from "../../db/schema";
import { ROLE_LABELS } from "../../server/auth/permissions";

export type { Role };
export type { Action } from "../../server/auth/permissions";
export { ROLE_LABELS };

/** Every role, most powerful first (the order of the permission matrix's labels). */
export const ROLE_ORDER = Object.keys(ROLE_LABELS) as Role[];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLE_ORDER as string[]).includes(value);
}

/** The roles a member with `role` may hand out: only owners grant the owner role. */
export function assignableRoles(role: Role): Role[] {
  return role === "owner" ? ROLE_ORDER : ROLE_ORDER.filter((r) => r !== "owner");
}
