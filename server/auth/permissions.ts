import type { Role } from "../../db/schema";

/**
 * The one role × action matrix. tRPC procedures, sockets, REST handlers and the UI all ask
 * `can(role, action)`; nothing else decides what a role may do.
 */
export const PERMISSIONS = {
  "workspace:read": ["owner", "admin", "committee", "analyst", "contributor", "viewer"],
  "workspace:update": ["owner", "admin"],
  "member:read": ["owner", "admin", "committee", "analyst", "contributor", "viewer"],
  "member:manage": ["owner", "admin"],
  "region:read": ["owner", "admin", "committee", "analyst", "contributor", "viewer"],
  "region:manage": ["owner", "admin"],
  "audit:read": ["owner", "admin", "committee"],
  "segment:read": ["owner", "admin", "committee", "analyst", "contributor", "viewer"],
  /** Create proposals and co-edit their drafts (contributors only for their regions). */
  "segment:propose": ["owner", "admin", "committee", "analyst", "contributor"],
  "segment:comment": ["owner", "admin", "committee", "analyst", "contributor"],
  /** Vote on submitted proposals: the committee decides. */
  "segment:vote": ["committee"],
  /** Approve or reject regardless of votes; recorded as an override. */
  "segment:override": ["owner", "admin"],
  /** Record the committee's justification for publishing a decision-use segment that fails four-fifths. */
  "segment:justify": ["owner", "admin", "committee"],
  /** Assignment mode, approval rule and segment priority order. */
  "segment:configure": ["owner", "admin"],
  "session:read": ["owner", "admin", "committee", "analyst", "contributor", "viewer"],
  /** Schedule sessions; the session's chair (or an owner/admin) starts, moves and closes it. */
  "session:chair": ["owner", "admin", "committee"],
  /** Co-edit a session's shared minutes while it is open. */
  "session:minutes": ["owner", "admin", "committee", "analyst", "contributor"],
  "swot:read": ["owner", "admin", "committee", "analyst", "contributor", "viewer"],
  /** Co-edit SWOT boards (contributors only for segments of their regions). */
  "swot:edit": ["owner", "admin", "committee", "analyst", "contributor"],
  /** Save a board as reviewed and set its review cadence and due date. */
  "swot:review": ["owner", "admin", "committee"],
  /** The workspace's list of teams cards are attributed to. */
  "swot:configure": ["owner", "admin"],
  "dashboard:read": ["owner", "admin", "committee", "analyst", "contributor", "viewer"],
  /** Custom KPIs, KPI owners and targets, and rebuilding the roll-ups. */
  "kpi:configure": ["owner", "admin", "analyst"],
  "monitor:read": ["owner", "admin", "committee", "analyst", "viewer"],
  /** Start drift and bias runs and set the drift reference. */
  "monitor:run": ["owner", "admin", "analyst"],
  /** Acknowledge a monitoring alert with a comment. */
  "monitor:acknowledge": ["owner", "admin", "committee", "analyst"],
  /** Drift bands, schedule and automatic re-segmentation proposals. */
  "monitor:configure": ["owner", "admin"],
  /** Values of protected attributes (bias audit groups); roles without it see attribute-level figures only. */
  "protected:read": ["owner", "admin", "committee", "analyst"],
  "model:read": ["owner", "admin", "committee", "analyst"],
  /** Start and cancel model runs. */
  "model:run": ["owner", "admin", "analyst"],
  "data:read": ["owner", "admin", "committee", "analyst", "viewer"],
  "data:import": ["owner", "admin", "analyst"],
  "data:configure": ["owner", "admin", "analyst"],
  /** Create and revoke the workspace's API keys (Settings → API). */
  "apikey:manage": ["owner", "admin"],
  /** Register, switch off and delete webhook endpoints; read their delivery log. */
  "webhook:manage": ["owner", "admin"],
  /** Names, emails and phones of customers; roles without it see them masked. */
  "pii:read": ["owner", "admin", "analyst"],
  /** Create, launch and finish campaigns; cost to serve and the contribution margin. */
  "campaign:manage": ["owner", "admin", "analyst"],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof PERMISSIONS;
export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

export function can(role: Role | null | undefined, action: Action): boolean {
  return !!role && (PERMISSIONS[action] as readonly Role[]).includes(role);
}

/** Human labels for the roles, as the UI shows them. */
export const ROLE_LABELS: Record<Role, { label: string; description: string }> = {
  owner: { label: "Owner", description: "Everything, including other owners and the workspace itself" },
  admin: { label: "Admin", description: "Members, roles, regions and settings" },
  committee: { label: "Committee", description: "Reviews and approves proposals; chairs sessions" },
  analyst: { label: "Analyst", description: "Imports data, runs models, builds segments" },
  contributor: { label: "Contributor", description: "Proposes segments, optionally for some regions only" },
  viewer: { label: "Viewer", description: "Reads dashboards and segments; never edits" },
};
