import type { Database } from "../../db/client";
import type { Role } from "../../db/schema";

export interface Actor {
  userId: string;
  /** What the audit log shows for this actor (their email). */
  label: string;
}

/** Everything a tenant-scoped service call needs; built by the transport from the session. */
export interface TenantScope {
  db: Database;
  tenantId: string;
  actor: Actor;
  role: Role;
  requestId?: string;
}
