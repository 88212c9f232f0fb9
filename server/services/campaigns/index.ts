export {
  listCampaigns,
  createCampaign,
  updateCampaign,
  launchCampaign,
  finishCampaign,
  deleteCampaign,
  ZCampaignIdInput,
  ZCreateCampaignInput,
  ZUpdateCampaignInput,
} from "./campaigns";
export { getCampaign, roiBySegment, campaignEconomics, campaignOutcomes } from "./results";
export { listCosts, setCost, deleteCost, importCosts, ZCostEntryInput, ZCostIdInput, ZListCostsInput, ZImportCostsInput, COST_CSV_COLUMNS } from "./costs";
export { contributionBySegment, attributionBySegment, ZPeriodInput, ZAttributionInput } from "./contribution";
export { getContributionMargin, setContributionMargin, ZContributionMargin, DEFAULT_CONTRIBUTION_MARGIN } from "./settings";
