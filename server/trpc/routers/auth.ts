import { z } from "zod";
import { ACTIONS, can } from "../../auth/permissions";
import * as accounts from "../../services/accounts";
import { acceptInvite, describeInvite } from "../../services/workspaces";
import type { RequestContext } from "../context";
import { authedProcedure, publicProcedure, router } from "../init";

const ZInviteToken = z.object({ token: z.string().min(1).max(300) });

function authSettings(ctx: RequestContext): accounts.AuthSettings {
  const c = ctx.config;
  return {
    sessionTtlHours: c.SESSION_TTL_HOURS,
    limits: { maxPerAccount: c.LOGIN_MAX_FAILURES_PER_ACCOUNT, maxPerIp: c.LOGIN_MAX_FAILURES_PER_IP, windowMinutes: c.LOGIN_WINDOW_MINUTES },
  };
}

export const authRouter = router({
  /** Who is signed in, their workspaces, the active one and what their role there allows. */
  me: publicProcedure.query(({ ctx }) => {
    if (!ctx.session) return { user: null, workspace: null, workspaces: [], permissions: [] };
    const role = ctx.workspace?.role;
    return {
      user: ctx.session.user,
      workspace: ctx.workspace,
      workspaces: ctx.workspaces,
      permissions: ACTIONS.filter((a) => can(role, a)),
    };
  }),

  /** Creates the account; with an invitation's token, also joins that workspace in the same step. */
  signUp: publicProcedure
    .input(accounts.ZSignUpInput.extend({ inviteToken: z.string().min(1).max(300).optional() }))
    .mutation(async ({ ctx, input }) => {
      const { inviteToken, ...account } = input;
      const s = await accounts.signUp(ctx.db, account, authSettings(ctx));
      if (ctx.cookies.token) await accounts.logOut(ctx.db, ctx.cookies.token);
      ctx.cookies.setSession(s.token, s.expiresAt);
      if (!inviteToken) return { user: s.user, joined: null };
      const joined = await acceptInvite(ctx.db, s.user, inviteToken, ctx.requestId);
      const session = await accounts.resolveSession(ctx.db, s.token);
      if (session) await accounts.switchWorkspace(ctx.db, session, joined.tenantId);
      return { user: s.user, joined };
    }),

  logIn: publicProcedure.input(accounts.ZLogInInput).mutation(async ({ ctx, input }) => {
    const s = await accounts.logIn(ctx.db, input, { ip: ctx.ip, previousToken: ctx.cookies.token }, authSettings(ctx));
    ctx.cookies.setSession(s.token, s.expiresAt);
    return { user: s.user };
  }),

  logOut: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.cookies.token) await accounts.logOut(ctx.db, ctx.cookies.token);
    ctx.cookies.clearSession();
    return { ok: true };
  }),

  switchWorkspace: authedProcedure.input(z.object({ tenantId: z.uuid() })).mutation(({ ctx, input }) =>
    accounts.switchWorkspace(ctx.db, ctx.session, input.tenantId),
  ),

  describeInvite: publicProcedure.input(ZInviteToken).query(({ ctx, input }) => describeInvite(ctx.db, input.token)),

  acceptInvite: authedProcedure.input(ZInviteToken).mutation(async ({ ctx, input }) => {
    const joined = await acceptInvite(ctx.db, ctx.user, input.token, ctx.requestId);
    await accounts.switchWorkspace(ctx.db, ctx.session, joined.tenantId);
    return joined;
  }),
});
