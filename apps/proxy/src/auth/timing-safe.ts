import { createHash, timingSafeEqual as nodeTimingSafeEqual } from "node:crypto";

/** SHA-256 of a presented secret: compared in constant time, and in hex the token a virtual key is stored under. */
export const secretDigest = (value: string): Buffer => createHash("sha256").update(value).digest();

/**
 * A constant-time matcher for one fixed secret, given the candidate's digest (the secret is hashed once, not per
 * request); comparing digests also hides the secret's length.
 */
export function digestMatcher(secret: string): (candidateDigest: Buffer) => boolean {
  const expected = secretDigest(secret);
  return (candidateDigest) => nodeTimingSafeEqual(candidateDigest, expected);
}

/** The same for a candidate secret as presented. */
export function secretMatcher(secret: string): (candidate: string) => boolean {
  const matches = digestMatcher(secret);
  return (candidate) => matches(secretDigest(candidate));
}
