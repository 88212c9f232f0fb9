import * as campaigns from "../../services/campaigns";
import { permissionProcedure, router } from "../init";

export const campaignsRouter = router({
  list: permissionProcedure("dashboard:read").query(({ ctx }) => campaigns.listCampaigns(ctx.scope)),
  get: permissionProcedure("dashboard:read").input(campaigns.ZCampaignIdInput).query(({ ctx, input }) => campaigns.getCampaign(ctx.scope, input)),
  create: permissionProcedure("campaign:manage").input(campaigns.ZCreateCampaignInput).mutation(({ ctx, input }) => campaigns.createCampaign(ctx.scope, input)),
  update: permissionProcedure("campaign:manage").input(campaigns.ZUpdateCampaignInput).mutation(({ ctx, input }) => campaigns.updateCampaign(ctx.scope, input)),
  launch: permissionProcedure("campaign:manage").input(campaigns.ZCampaignIdInput).mutation(({ ctx, input }) => campaigns.launchCampaign(ctx.scope, input)),
  finish: permissionProcedure("campaign:manage").input(campaigns.ZCampaignIdInput).mutation(({ ctx, input }) => campaigns.finishCampaign(ctx.scope, input)),
  delete: permissionProcedure("campaign:manage").input(campaigns.ZCampaignIdInput).mutation(({ ctx, input }) => campaigns.deleteCampaign(ctx.scope, input)),
  roi: permissionProcedure("dashboard:read").query(({ ctx }) => campaigns.roiBySegment(ctx.scope)),
  contribution: permissionProcedure("dashboard:read").input(campaigns.ZPeriodInput).query(({ ctx, input }) => campaigns.contributionBySegment(ctx.scope, input)),
  attribution: permissionProcedure("dashboard:read").input(campaigns.ZAttributionInput).query(({ ctx, input }) => campaigns.attributionBySegment(ctx.scope, input)),
  costs: permissionProcedure("dashboard:read").input(campaigns.ZListCostsInput).query(({ ctx, input }) => campaigns.listCosts(ctx.scope, input)),
  setCost: permissionProcedure("campaign:manage").input(campaigns.ZCostEntryInput).mutation(({ ctx, input }) => campaigns.setCost(ctx.scope, input)),
  deleteCost: permissionProcedure("campaign:manage").input(campaigns.ZCostIdInput).mutation(({ ctx, input }) => campaigns.deleteCost(ctx.scope, input)),
  importCosts: permissionProcedure("campaign:manage").input(campaigns.ZImportCostsInput).mutation(({ ctx, input }) => campaigns.importCosts(ctx.scope, input)),
  margin: permissionProcedure("dashboard:read").query(({ ctx }) => campaigns.getContributionMargin(ctx.scope)),
  setMargin: permissionProcedure("campaign:manage").input(campaigns.ZContributionMargin).mutation(({ ctx, input }) => campaigns.setContributionMargin(ctx.scope, input)),
});
