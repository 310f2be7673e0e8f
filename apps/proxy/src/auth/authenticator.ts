import { refuse, type Refusal } from "../pipeline/refusal.ts";
import type { Principal } from "./principal.ts";
import { digestMatcher, secretDigest } from "./timing-safe.ts";

/** Who is calling, or why the call is refused (401 or 403, AWS-shaped as every /bedrock refusal). */
export type AuthResult = Principal | Refusal;

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
    return async () => ({ kind: "open" });
  }
  const isMaster = digestMatcher(masterKey);
  return async (key) => {
    if (!key) return refuse.unrecognizedClient("No gateway key: send Authorization: Bearer <key>.");
    // One hash serves both checks: the constant-time master compare and the virtual key's token.
    const digest = secretDigest(key);
    if (isMaster(digest)) return { kind: "master" };
    const found = lookupToken ? await lookupToken(digest.toString("hex")) : null;
    return found ?? refuse.unrecognizedClient("The gateway key is not valid.");
  };
}
