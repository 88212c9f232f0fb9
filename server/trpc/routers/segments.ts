import * as segments from "../../services/segments";
import { permissionProcedure, router } from "../init";

export const segmentsRouter = router({
  list: permissionProcedure("segment:read").query(({ ctx }) => segments.listSegments(ctx.scope)),
  get: permissionProcedure("segment:read").input(segments.ZSegmentIdInput).query(({ ctx, input }) => segments.getSegment(ctx.scope, input)),
  versionMembers: permissionProcedure("segment:read")
    .input(segments.ZVersionMembersInput)
    .query(({ ctx, input }) => segments.versionMembers(ctx.scope, input)),
  preview: permissionProcedure("segment:read").input(segments.ZPreviewInput).query(({ ctx, input }) => segments.previewDefinition(ctx.scope, input)),
  builderOptions: permissionProcedure("segment:read").query(({ ctx }) => segments.builderOptions(ctx.scope)),
  settings: permissionProcedure("segment:read").query(({ ctx }) => segments.getSegmentSettings(ctx.scope)),
  updateSettings: permissionProcedure("segment:configure")
    .input(segments.ZSegmentSettings)
    .mutation(({ ctx, input }) => segments.updateSegmentSettings(ctx.scope, input)),
  reorder: permissionProcedure("segment:configure").input(segments.ZReorderInput).mutation(({ ctx, input }) => segments.reorderSegments(ctx.scope, input)),
  proposals: permissionProcedure("segment:read").input(segments.ZListProposalsInput).query(({ ctx, input }) => segments.listProposals(ctx.scope, input)),
  proposal: permissionProcedure("segment:read").input(segments.ZProposalIdInput).query(({ ctx, input }) => segments.getProposal(ctx.scope, input)),
  createProposal: permissionProcedure("segment:propose")
    .input(segments.ZCreateProposalInput)
    .mutation(({ ctx, input }) => segments.createProposal(ctx.scope, input)),
  submit: permissionProcedure("segment:propose").input(segments.ZSubmitProposalInput).mutation(({ ctx, input }) => segments.submitProposal(ctx.scope, input)),
  reopen: permissionProcedure("segment:propose").input(segments.ZProposalIdInput).mutation(({ ctx, input }) => segments.reopenProposal(ctx.scope, input)),
  withdraw: permissionProcedure("segment:propose").input(segments.ZProposalIdInput).mutation(({ ctx, input }) => segments.withdrawProposal(ctx.scope, input)),
  rebase: permissionProcedure("segment:propose").input(segments.ZProposalIdInput).mutation(({ ctx, input }) => segments.rebaseProposal(ctx.scope, input)),
  vote: permissionProcedure("segment:vote").input(segments.ZVoteInput).mutation(({ ctx, input }) => segments.voteOnProposal(ctx.scope, input)),
  decide: permissionProcedure("segment:override").input(segments.ZDecideInput).mutation(({ ctx, input }) => segments.decideProposal(ctx.scope, input)),
  justifyBias: permissionProcedure("segment:justify").input(segments.ZJustifyBiasInput).mutation(({ ctx, input }) => segments.justifyBias(ctx.scope, input)),
  comment: permissionProcedure("segment:comment").input(segments.ZCommentInput).mutation(({ ctx, input }) => segments.commentOnProposal(ctx.scope, input)),
});
