/** Words and small formats shared by the session pages. */

export const SESSION_STATUS_LABELS = { scheduled: "Scheduled", live: "Live", closed: "Closed" } as const;
export type SessionStatus = keyof typeof SESSION_STATUS_LABELS;

export const AGENDA_KIND_LABELS = { proposal: "Proposal", swot: "SWOT review", topic: "Topic" } as const;
export type AgendaKind = keyof typeof AGENDA_KIND_LABELS;

export const OUTCOME_LABELS: Record<string, string> = {
  approved: "Approved",
  rejected: "Rejected",
  withdrawn: "Withdrawn",
  undecided: "Undecided",
  discussed: "Discussed",
  "not-reached": "Not reached",
};

/** "4:05" (or "1:02:03") for a duration. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return `${h ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}

export function SessionStatusBadge({ status }: { status: SessionStatus }) {
  return (
    <span className={`badge session-badge session-badge--${status}`}>
      {status === "live" ? <span className="session-badge__dot" aria-hidden="true" /> : null}
      {SESSION_STATUS_LABELS[status]}
    </span>
  );
}

export function OutcomeBadge({ outcome }: { outcome: string | null }) {
  if (!outcome) return null;
  return <span className={`badge outcome-badge outcome-badge--${outcome}`}>{OUTCOME_LABELS[outcome] ?? outcome}</span>;
}
