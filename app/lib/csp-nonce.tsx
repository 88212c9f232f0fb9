import { createContext, useContext } from "react";

/**
 * The response's content-security-policy nonce (server/http/security.ts), handed from
 * app/entry.server.tsx to the document's inline scripts. Empty in the browser, where the
 * scripts have already run and browsers hide the attribute anyway.
 */
const CspNonce = createContext("");

export const CspNonceProvider = CspNonce.Provider;

export function useCspNonce(): string {
  return useContext(CspNonce);
}
