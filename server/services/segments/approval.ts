import { z } from "zod";
import type { Vote } from "../../../db/schema";

/**
 * The workspace's approval rule and its verdict on a proposal's votes. Pure: the governance
 * service feeds it the votes and the committee, under a lock on the proposal.
 */
export const ZApprovalRule = z.object({
  /** At least this many committee approvals. */
  minApprovals: z.number({ message: "must be a whole number" }).int({ message: "must be a whole number" }).min(1, { message: "must be at least 1" }).max(50),
  /** Any rejection rejects the proposal. */
  rejectionVetoes: z.boolean(),
  /** Share of the eligible committee (everyone on it but the proposer) that must have voted. */
  quorum: z.number({ message: "must be a share between 0 and 1" }).min(0, { message: "must be at least 0" }).max(1, { message: "must be at most 1" }),
});
export type ApprovalRule = z.infer<typeof ZApprovalRule>;

export const DEFAULT_APPROVAL_RULE: ApprovalRule = { minApprovals: 1, rejectionVetoes: true, quorum: 0 };

export interface Verdict {
  outcome: "approved" | "rejected" | "pending";
  approvals: number;
  rejections: number;
  /** Votes needed for the quorum (of the eligible committee). */
  quorumVotes: number;
  eligible: number;
  /** What is still missing, or why the outcome is what it is, in words. */
  summary: string;
}

export function judge(rule: ApprovalRule, votes: { vote: Vote }[], eligible: number): Verdict {
  const approvals = votes.filter((v) => v.vote === "approve").length;
  const rejections = votes.length - approvals;
  const quorumVotes = Math.ceil(rule.quorum * eligible - 1e-9);
  const base = { approvals, rejections, quorumVotes, eligible };
  if (rule.rejectionVetoes && rejections > 0) {
    return { ...base, outcome: "rejected", summary: `Rejected: ${rejections} committee member${rejections === 1 ? "" : "s"} voted against, and any rejection vetoes.` };
  }
  const enoughApprovals = approvals >= rule.minApprovals && approvals > rejections;
  const quorate = votes.length >= quorumVotes;
  if (enoughApprovals && quorate) {
    return { ...base, outcome: "approved", summary: `Approved with ${approvals} approval${approvals === 1 ? "" : "s"}.` };
  }
  const undecided = Math.max(0, eligible - votes.length);
  // Everyone approved but the committee is too small for the rule: not a rejection, an admin decides.
  const tooSmall = eligible < rule.minApprovals && rejections === 0;
  if (undecided === 0 && votes.length > 0 && !tooSmall) {
    return { ...base, outcome: "rejected", summary: `Rejected: the whole committee voted and the rule (${rule.minApprovals} approvals, more approvals than rejections) was not met.` };
  }
  const missing: string[] = [];
  if (approvals < rule.minApprovals) missing.push(`${rule.minApprovals - approvals} more approval${rule.minApprovals - approvals === 1 ? "" : "s"}`);
  else if (approvals <= rejections) missing.push("more approvals than rejections");
  if (!quorate) missing.push(`${quorumVotes - votes.length} more vote${quorumVotes - votes.length === 1 ? "" : "s"} for the quorum`);
  const impossible = approvals + undecided < rule.minApprovals;
  return {
    ...base,
    outcome: "pending",
    summary: impossible
      ? `Needs ${rule.minApprovals} approvals but only ${approvals + undecided} committee member${approvals + undecided === 1 ? "" : "s"} can still approve: an admin must decide.`
      : `Waiting for ${missing.join(" and ")}.`,
  };
}
