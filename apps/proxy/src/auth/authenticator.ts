import type { Principal } from "./principal.ts";
import { secretMatcher } from "./timing-safe.ts";

export type AuthResult = { ok: true; principal: Principal } | { ok: false; status: 401 | 403; type: string; message: string };

/** Resolves a presented key (or none) to a principal. Virtual keys plug in through `lookupVirtual`. */
export type Authenticator = (key: string | null, request: Request) => Promise<AuthResult>;

export interface AuthenticatorOptions {
  masterKey: string | null;
  lookupVirtual?: (key: string, request: Request) => Promise<AuthResult | null>;
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { masterKey, lookupVirtual } = options;
  if (!masterKey) {
    // Local trial mode: the server only listens on loopback, so any caller is this machine's user.
    return async () => ({ ok: true, principal: { kind: "open" } });
  }
  const isMaster = secretMatcher(masterKey);
  return async (key, request) => {
    if (!key) return denied(401, "UnrecognizedClientException", "No gateway key: send Authorization: Bearer <key>.");
    if (isMaster(key)) return { ok: true, principal: { kind: "master" } };
    const found = lookupVirtual ? await lookupVirtual(key, request) : null;
    return found ?? denied(401, "UnrecognizedClientException", "The gateway key is not valid.");
  };
}

export function denied(status: 401 | 403, type: string, message: string): AuthResult {
  return { ok: false, status, type, message };
}
