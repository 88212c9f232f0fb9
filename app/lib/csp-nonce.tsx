import { createContext, useContext } from "react";

/**
 * The response's content-security-policy nonce (server/http/security.ts): handed from
 * app/entry.server.tsx to the document's inline scripts, and read back in the browser from a
 * script element's nonce property (browsers hide the attribute, not the property) for code that
 * adds style elements at run time (the SWOT board's editor).
 */
const CspNonce = createContext("");

export const CspNonceProvider = CspNonce.Provider;

function documentNonce(): string {
  if (typeof document === "undefined") return "";
  return document.querySelector<HTMLScriptElement>("script[nonce]")?.nonce ?? "";
}

export function useCspNonce(): string {
  return useContext(CspNonce) || documentNonce();
}
