import { secretDigest } from "../auth/timing-safe.ts";

const TOKEN_SHAPE = /^[0-9a-f]{64}$/;

/** A new secret: `sk-` + 32 random bytes, base64url (43 characters). */
export function generateSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return "sk-" + Buffer.from(bytes).toString("base64url");
}

/**
 * The stored id of a secret: sha256 hex, as LiteLLM stores its `token`. The same digest the authenticator compares,
 * so a key is found by the hash it was stored under.
 */
export function hashSecret(secret: string): string {
  return secretDigest(secret).toString("hex");
}

/** `sk-...AbCd`: enough to recognise a key in a list, never enough to use it. */
export function maskSecret(secret: string): string {
  return `sk-...${secret.slice(-4)}`;
}

/** Admin requests name a key by its secret or by its token; a 64-hex-digit value is a token. */
export function tokenOf(reference: string): string {
  return TOKEN_SHAPE.test(reference) ? reference : hashSecret(reference);
}
