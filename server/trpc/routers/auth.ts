import { z } from "zod";
import { ACTIONS, can } from "../../auth/permissions";
import { limitedAttempt, type AttemptCheck } from "../../auth/rate-limit";
import { DomainError } from "../../errors";
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

/** Every sign-up counts against the address (each one creates an account and hashes a password). */
function signUpChecks(ctx: RequestContext): AttemptCheck[] {
  return [{ key: `signup-ip:${ctx.ip}`, max: ctx.config.SIGNUP_MAX_PER_IP, what: "sign-ups from your network address" }];
}

/** Invitation links that were not valid count against the address and, when signed in, the account. */
function inviteChecks(ctx: RequestContext): AttemptCheck[] {
  const checks: AttemptCheck[] = [{ key: `invite-ip:${ctx.ip}`, max: ctx.config.INVITE_MAX_FAILURES_PER_IP, what: "invalid invitation links from your network address" }];
  if (ctx.session) {
    checks.push({ key: `invite-account:${ctx.session.user.id}`, max: ctx.config.INVITE_MAX_FAILURES_PER_ACCOUNT, what: "invalid invitation links for this account" });
  }
  return checks;
}

/** An unknown token: describeInvite answers null, acceptInvite throws NOT_FOUND. */
const badInviteLink = ({ value, error }: { value?: unknown; error?: unknown }) =>
  value === null || (error instanceof DomainError && error.code === "NOT_FOUND");

const inviteAttempt = <T>(ctx: RequestContext, attempt: () => Promise<T>) =>
  limitedAttempt(ctx.db, inviteChecks(ctx), ctx.config.LOGIN_WINDOW_MINUTES, badInviteLink, attempt);

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
      const s = await limitedAttempt(ctx.db, signUpChecks(ctx), ctx.config.LOGIN_WINDOW_MINUTES, "all", () =>
        accounts.signUp(ctx.db, account, authSettings(ctx)),
      );
      if (ctx.cookies.token) await accounts.logOut(ctx.db, ctx.cookies.token);
      ctx.cookies.setSession(s.token, s.expiresAt);
      if (!inviteToken) return { user: s.user, joined: null };
      const joined = await inviteAttempt(ctx, () => acceptInvite(ctx.db, s.user, inviteToken, ctx.requestId));
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

  describeInvite: publicProcedure.input(ZInviteToken).query(({ ctx, input }) => inviteAttempt(ctx, () => describeInvite(ctx.db, input.token))),

  acceptInvite: authedProcedure.input(ZInviteToken).mutation(async ({ ctx, input }) => {
    const joined = await inviteAttempt(ctx, () => acceptInvite(ctx.db, ctx.user, input.token, ctx.requestId));
    await accounts.switchWorkspace(ctx.db, ctx.session, joined.tenantId);
    return joined;
  }),
});
