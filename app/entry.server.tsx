import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { CspNonceProvider } from "./lib/csp-nonce";

const ABORT_DELAY = 5_000;

/**
 * Remix's default document rendering (streamed to browsers, whole to bots), with the response's
 * CSP nonce on every inline script React and Remix write (decision 017).
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce;
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const ready = () => {
      shellRendered = true;
      const body = new PassThrough();
      responseHeaders.set("Content-Type", "text/html");
      resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
      pipe(body);
    };
    const { pipe, abort } = renderToPipeableStream(
      <CspNonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </CspNonceProvider>,
      {
        nonce,
        ...(waitForAll ? { onAllReady: ready } : { onShellReady: ready }),
        onShellError: reject,
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors before the shell was ready reject and are logged by Remix's handleError.
          if (shellRendered) loadContext.ctx.logger.error({ err: error, requestId: loadContext.ctx.requestId }, "page rendering failed");
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

/** Loader, action and rendering errors go to the request's log (never to the page: production Remix sanitises them). */
export const handleError: HandleErrorFunction = (error, { request, context }) => {
  if (request.signal.aborted) return;
  context.ctx.logger.error({ err: error, requestId: context.ctx.requestId, path: new URL(request.url).pathname }, "page request failed");
};
