import { logMembersExport, ZMembersExportInput } from "../../services/api/exports";
import * as apiKeys from "../../services/api-keys";
import * as webhooks from "../../services/webhooks";
import { permissionProcedure, router } from "../init";

/** Settings → API: the workspace's API keys and webhook endpoints (owners and admins). */
export const apiRouter = router({
  keys: permissionProcedure("apikey:manage").query(({ ctx }) => apiKeys.listApiKeys(ctx.scope)),
  createKey: permissionProcedure("apikey:manage")
    .input(apiKeys.ZCreateApiKeyInput)
    .mutation(({ ctx, input }) => apiKeys.createApiKey(ctx.scope, input)),
  revokeKey: permissionProcedure("apikey:manage")
    .input(apiKeys.ZApiKeyIdInput)
    .mutation(({ ctx, input }) => apiKeys.revokeApiKey(ctx.scope, input)),
  webhooks: permissionProcedure("webhook:manage").query(({ ctx }) => webhooks.listWebhookEndpoints(ctx.scope)),
  createWebhook: permissionProcedure("webhook:manage")
    .input(webhooks.ZCreateWebhookInput)
    .mutation(({ ctx, input }) => webhooks.createWebhookEndpoint(ctx.scope, input)),
  setWebhookEnabled: permissionProcedure("webhook:manage")
    .input(webhooks.ZSetWebhookEnabledInput)
    .mutation(({ ctx, input }) => webhooks.setWebhookEnabled(ctx.scope, input)),
  deleteWebhook: permissionProcedure("webhook:manage")
    .input(webhooks.ZWebhookIdInput)
    .mutation(({ ctx, input }) => webhooks.deleteWebhookEndpoint(ctx.scope, input)),
  deliveries: permissionProcedure("webhook:manage")
    .input(webhooks.ZWebhookDeliveriesInput)
    .query(({ ctx, input }) => webhooks.webhookDeliveryLog(ctx.scope, input)),
  /** Audit entry for a members CSV downloaded from the segment page (whoever may read segments may export them). */
  logMembersExport: permissionProcedure("segment:read")
    .input(ZMembersExportInput)
    .mutation(({ ctx, input }) => logMembersExport(ctx.scope, input)),
});
