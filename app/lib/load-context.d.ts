import type { RequestContext } from "../../server/trpc/context";
import type { createCaller } from "../../server/trpc/router";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The request's resolved session, workspace and services (server/trpc/context.ts). */
    ctx: RequestContext;
    /** The tRPC server caller: loaders and actions reach services only through it. */
    trpc: ReturnType<typeof createCaller>;
    /** This response's content-security-policy nonce (server/http/security.ts). */
    cspNonce: string;
  }
}


