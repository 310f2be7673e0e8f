import type { Principal } from "./principal.ts";
import { digestMatcher, secretDigest } from "./timing-safe.ts";

export type AuthRefusal = { ok: false; status: 401 | 403; type: string; message: string };
export type AuthResult = { ok: true; principal: Principal } | AuthRefusal;

/** Resolves a presented key (or none) to a principal. Virtual keys plug in through `lookupToken`. */
export type Authenticator = (key: string | null) => Promise<AuthResult>;

export interface AuthenticatorOptions {
  masterKey: string | null;
  /** A virtual key by its token (the presented secret's SHA-256, hex); null when there is none. */
  lookupToken?: (token: string) => Promise<AuthResult | null>;
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { masterKey, lookupToken } = options;
  if (!masterKey) {
    // Local trial mode: the server only listens on loopback, so any caller is this machine's user.
    return async () => ({ ok: true, principal: { kind: "open" } });
  }
  const isMaster = digestMatcher(masterKey);
  return async (key) => {
    if (!key) return denied(401, "UnrecognizedClientException", "No gateway key: send Authorization: Bearer <key>.");
    // One hash serves both checks: the constant-time master compare and the virtual key's token.
    const digest = secretDigest(key);
    if (isMaster(digest)) return { ok: true, principal: { kind: "master" } };
    const found = lookupToken ? await lookupToken(digest.toString("hex")) : null;
    return found ?? denied(401, "UnrecognizedClientException", "The gateway key is not valid.");
  };
}

export function denied(status: 401 | 403, type: string, message: string): AuthRefusal {
  return { ok: false, status, type, message };
}
