import type { getSession } from "./sessions";

/** A session as getSession returns it: what the summaries are written from. */
export type SessionView = Awaited<ReturnType<typeof getSession>>;

const OUTCOME_WORDS: Record<string, string> = {
  approved: "Approved",
  rejected: "Rejected",
  withdrawn: "Withdrawn",
  undecided: "Undecided",
  discussed: "Discussed",
  "not-reached": "Not reached",
};

const KIND_WORDS = { proposal: "Proposal", swot: "SWOT review", topic: "Topic" } as const;

export function outcomeInWords(outcome: string | null): string {
  return outcome ? (OUTCOME_WORDS[outcome] ?? outcome) : "Open";
}

/** "12 min 5 s" for a duration. */
export function durationInWords(ms: number): string {
  const total = Math.round(ms / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return minutes ? `${minutes} min${seconds ? ` ${seconds} s` : ""}` : `${seconds} s`;
}

/** "2026-12-01 09:30 UTC". */
export function utcMinute(at: Date | string | null): string {
  if (!at) return "—";
  return `${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Escapes what Markdown would read as formatting in text people typed. */
function md(text: string): string {
  return text.replace(/([\\`*_{}[\]#+!|>~<])/g, "\\$1");
}

/** The lines of a session's summary, shared by the Markdown and PDF exports. */
export interface SummaryBlock {
  kind: "title" | "heading" | "text" | "bullet" | "quote" | "minutes";
  text: string;
}

export function sessionSummary(view: SessionView): SummaryBlock[] {
  const { session, items, attendees } = view;
  const blocks: SummaryBlock[] = [{ kind: "title", text: session.title }];
  const status = session.status === "closed" ? `Closed ${utcMinute(session.closedAt)}${session.closedBy ? ` by ${session.closedBy}` : ""}` : session.status === "live" ? "In progress" : "Scheduled";
  blocks.push({ kind: "text", text: `Scheduled for ${utcMinute(session.scheduledAt)} · chaired by ${session.chair ?? "a former member"} · ${status}` });
  blocks.push({ kind: "heading", text: "Decisions" });
  const proposals = items.filter((i) => i.kind === "proposal");
  if (!proposals.length) blocks.push({ kind: "text", text: "No proposals were on the agenda." });
  for (const item of proposals) {
    const tally = item.tally ? ` — ${item.tally.approvals} approval${item.tally.approvals === 1 ? "" : "s"}, ${item.tally.rejections} rejection${item.tally.rejections === 1 ? "" : "s"} of ${item.tally.eligible} eligible` : "";
    blocks.push({ kind: "bullet", text: `${item.title}: ${outcomeInWords(item.outcome)}${tally}` });
    for (const v of item.tally?.votes ?? []) blocks.push({ kind: "quote", text: `${v.name} voted ${v.vote === "approve" ? "to approve" : "to reject"}: “${v.reason}”` });
  }
  blocks.push({ kind: "heading", text: "Agenda" });
  for (const item of items) {
    blocks.push({
      kind: "bullet",
      text: `${item.position + 1}. ${KIND_WORDS[item.kind]}: ${item.title} — time box ${item.timeBoxMinutes} min, spent ${durationInWords(item.spentMs)} — ${outcomeInWords(item.outcome)}`,
    });
  }
  blocks.push({ kind: "heading", text: `Attendance (${attendees.length})` });
  if (!attendees.length) blocks.push({ kind: "text", text: "Nobody joined the room." });
  for (const a of attendees) blocks.push({ kind: "bullet", text: `${a.name} (${a.role}), joined ${utcMinute(a.joinedAt)}` });
  blocks.push({ kind: "heading", text: "Minutes" });
  const minutes = (session.minutes ?? "").trim();
  if (!minutes) blocks.push({ kind: "text", text: session.status === "closed" ? "No minutes were taken." : "The minutes are frozen when the session closes." });
  else for (const line of minutes.split(/\r?\n/)) blocks.push({ kind: "minutes", text: line });
  return blocks;
}

/**
 * The session's summary as Markdown (decisions with tallies and votes, agenda with times,
 * attendance, minutes). What people typed is escaped, except the minutes, which are kept as
 * written (they are the record, and often Markdown already).
 */
export function sessionMarkdown(view: SessionView): string {
  const lines: string[] = [];
  let previous: SummaryBlock["kind"] | null = null;
  for (const block of sessionSummary(view)) {
    if (block.kind === "title") lines.push(`# ${md(block.text)}`, "");
    else if (block.kind === "heading") lines.push(...(previous && previous !== "title" ? [""] : []), `## ${md(block.text)}`, "");
    else if (block.kind === "bullet") lines.push(`- ${md(block.text)}`);
    else if (block.kind === "quote") lines.push(`  > ${md(block.text)}`);
    else if (block.kind === "minutes") lines.push(block.text);
    else lines.push(md(block.text));
    previous = block.kind;
  }
  return `${lines.join("\n").replace(/\n{3,}/g, "\n\n").trim()}\n`;
}
