export { builderOptions, listSegments, getSegment, versionMembers, reorderSegments, ZSegmentIdInput, ZVersionMembersInput, ZReorderInput } from "./catalog";
export { previewDefinition, ZPreviewInput } from "./preview";
export {
  createProposal,
  submitProposal,
  reopenProposal,
  withdrawProposal,
  rebaseProposal,
  listProposals,
  ZCreateProposalInput,
  ZSubmitProposalInput,
  ZProposalIdInput,
  ZListProposalsInput,
} from "./proposals";
export { getProposal } from "./proposal-view";
export { voteOnProposal, decideProposal, commentOnProposal, justifyBias, ZVoteInput, ZDecideInput, ZCommentInput, ZJustifyBiasInput } from "./review";
export { getSegmentSettings, updateSegmentSettings, ZSegmentSettings } from "./settings";
